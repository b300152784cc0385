// The one place that talks to /api. The token lives in localStorage for the page
// and is mirrored into IndexedDB because the service worker cannot read localStorage.
import { working } from './dom.js';
import { kvDelete, kvSet } from './idb.js';

const TOKEN_KEY = 'pumpwell.token';
const USER_KEY = 'pumpwell.user';
const CACHE_PREFIX = 'pumpwell.cache.';
// A request that has not answered by then ends in a clear error instead of a spinner forever.
export const TIMEOUT_MS = 15_000;
// What a screen shows offline: the last answer to these reads (sessions, summary, plans, reminders, goals).
const KEEP = /^\/(sessions\?|summary\/|plans|reminders$|goals$|me$)/;

/** An error answer from the API, carrying its code and field messages. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `Request failed (${status})`);
    this.status = status;
    this.code = error.code || 'error';
    this.fields = error.fields || {};
  }
}

/** Return the stored bearer token, or null when signed out. */
export function getToken() {
  return localStorage.getItem(TOKEN_KEY);
}

/** Store the token for the page and the service worker. */
export async function setToken(token) {
  localStorage.setItem(TOKEN_KEY, token);
  await kvSet('token', token);
}

/** Forget the token and the cached user. */
export async function clearToken() {
  localStorage.removeItem(TOKEN_KEY);
  localStorage.removeItem(USER_KEY);
  for (const key of Object.keys(localStorage)) if (key.startsWith(CACHE_PREFIX)) localStorage.removeItem(key);
  await kvDelete('token');
}

/** Return the last user we saw, so screens can render offline. */
export function cachedUser() {
  try { return JSON.parse(localStorage.getItem(USER_KEY)); } catch { return null; }
}

/** Remember the user (unit, time zone) for offline use. */
export function cacheUser(user) {
  localStorage.setItem(USER_KEY, JSON.stringify(user));
  return user;
}

/** The last answer to a GET kept for offline use: {data, at} or null. */
function lastSeen(path) {
  try { return JSON.parse(localStorage.getItem(CACHE_PREFIX + path)); } catch { return null; }
}

/** The last answer seen to a GET (kept ones only), without asking the network; null when none. */
export function lastSeenData(path) {
  return lastSeen(path)?.data ?? null;
}

/** Remember a GET's answer; a full storage only costs the offline copy. */
function remember(path, data) {
  try { localStorage.setItem(CACHE_PREFIX + path, JSON.stringify({ data, at: Date.now() })); } catch { /* storage full */ }
}

/** The answer to a read index.html started for this token as the page loaded, taken once; null when none. */
function takeEarly(method, path, token) {
  const early = self.pumpwellEarly;
  const answer = method === 'GET' && early?.token === token ? early.reads[path] : null;
  if (answer) delete early.reads[path];
  return answer || null;
}

/** Drop the reads index.html started that nothing took: later screens must ask afresh, not get the page's answers. */
export function forgetEarly() {
  delete self.pumpwellEarly;
}

/**
 * Call the API and return parsed JSON (null for 204); throws ApiError, or a TypeError without a connection
 * or after TIMEOUT_MS. A read that fails for want of a connection answers with the last copy seen, and
 * 'pumpwell:stale' tells the app to say so.
 */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const keep = method === 'GET' && KEEP.test(path);
  let res;
  try {
    res = await working(takeEarly(method, path, token) || fetch(`/api${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS),
    }));
  } catch (err) {
    const copy = keep ? lastSeen(path) : null;
    if (copy) {
      window.dispatchEvent(new CustomEvent('pumpwell:stale', { detail: { at: copy.at } }));
      return copy.data;
    }
    throw err.name === 'TimeoutError' ? new TypeError('timeout') : err;
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && token) {
      await clearToken();
      window.dispatchEvent(new Event('pumpwell:signed-out'));
    }
    throw new ApiError(res.status, data);
  }
  if (keep) remember(path, data);
  return data;
}

/** Say what went wrong in words a tired person can act on. */
export function describeError(err) {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.fields || {}).map(([k, v]) => `${k}: ${[].concat(v).join(', ')}`);
    return fields.length ? `${err.message} (${fields.join('; ')})` : err.message;
  }
  if (err?.message === 'timeout') return 'The server did not answer in time. Try again.';
  // Our own errors (a time-out of the browser, blocked notifications) already say what to do.
  if (err instanceof Error && !(err instanceof TypeError) && err.message) return err.message;
  return 'No connection. Try again when you are back online.';
}
