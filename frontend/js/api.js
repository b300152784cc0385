// The one place that talks to /api, and signs in and out. The token lives in localStorage for the page and,
// with its account's id, in IndexedDB ('account': {id, token}) because the service worker cannot read
// localStorage. Everything else the page keeps (the user, the last answers seen) is its account's: account.js.
// With a parent's household chosen (household.js), the reads and changes of her data carry her id in the
// Pumpwell-Account header, and their answers are kept under her household.
import { adoptLegacyKeys, currentAccount, dropLegacyKeys, forget, forgetAll, keep, kept, setCurrentAccount } from './account.js';
import { working } from './dom.js';
import { householdId, scoped } from './household.js';
import { locale, t } from './i18n.js';
import { kvDelete, kvSet, outboxAdopt, outboxAll } from './idb.js';

const TOKEN_KEY = 'pumpwell.token';
const CACHE = 'cache.';
// The previous release's own IndexedDB token: with no account beside it, nothing may send with it any more.
const LEGACY_TOKEN = 'token';
// A request that has not answered by then ends in a clear error instead of a spinner forever.
export const TIMEOUT_MS = 15_000;
// What a screen shows offline: the last answer to these reads (sessions, summary, trends, plans, reminders, goals).
const KEEP = /^\/(sessions\?|summary\/|trends\?|plans|reminders$|goals$|me$)/;
// The operations a helper may call for a parent (docs/household.md); the rest (settings, devices, the household's
// own invitations and grants) are always the principal's, and the server refuses them the header.
const FOR_HOUSEHOLD = /^\/(sessions|summary\/|trends\?|equipment|report\.pdf|goals$|plans(?!\/templates|\/preview)|stash|export\/)/;
const HOUSEHOLD_HEADER = 'Pumpwell-Account';

/** An error answer from the API, carrying its code and field messages. */
export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || t('Request failed ({status})', { status }));
    this.status = status;
    this.code = error.code || 'error';
    this.fields = error.fields || {};
  }
}

/** Return the stored bearer token, or null when signed out. */
export function getToken() {
  return localStorage.getItem(TOKEN_KEY);
}

/** Let the service worker send the account's queued requests with its token (null: with none). */
async function shareWithWorker(account, token) {
  await kvSet('account', { id: account, token });
  await kvDelete(LEGACY_TOKEN);
}

/**
 * Sign in with a login or register answer ({token, user}): the phone's account becomes user.id, whose timers and
 * queued requests come back; what another account left stays under that one. Announced as 'pumpwell:signed-in'.
 */
export async function signIn({ token, user }) {
  // Left unscoped by the previous release while signed out: nobody can tell whose they were.
  dropLegacyKeys();
  setCurrentAccount(user.id);
  cacheUser(user);
  localStorage.setItem(TOKEN_KEY, token);
  await shareWithWorker(String(user.id), token);
  window.dispatchEvent(new Event('pumpwell:signed-in'));
}

/** Bind a token the previous release stored (without its account) to `user` from /me, with all it kept for everyone. */
export async function adoptAccount(user) {
  setCurrentAccount(user.id);
  adoptLegacyKeys();
  cacheUser(user);
  await outboxAdopt(String(user.id));
  await shareWithWorker(String(user.id), getToken());
  return user;
}

/**
 * Sign out on this phone: forget the token and the answers kept for offline use. The account's queued requests
 * and timers stay under it for its next sign-in, and so does its user while a request waits (the sign-in screen
 * names it). Announced as 'pumpwell:signed-out'.
 */
export async function clearToken() {
  const account = currentAccount();
  localStorage.removeItem(TOKEN_KEY);
  forgetAll(CACHE);
  if (!(await outboxAll()).length) forget('user');
  if (account) await shareWithWorker(account, null);
  else await kvDelete(LEGACY_TOKEN);
  window.dispatchEvent(new Event('pumpwell:signed-out'));
}

/** Return the current account's user as last seen, so screens can render offline. */
export function cachedUser() {
  return kept('user');
}

/** Remember a user (unit, time zone) for offline use, under its own account. */
export function cacheUser(user) {
  keep('user', user, String(user.id));
  return user;
}

/** The parent whose data a request to `path` acts on (her id), or null for the principal's own. */
function householdOf(path, own = false) {
  return own || !FOR_HOUSEHOLD.test(path) ? null : householdId();
}

/** The header that sends a request to `path` to the household chosen (none for the principal's own data). */
export function householdHeaders(path) {
  const household = householdOf(path);
  return household ? { [HOUSEHOLD_HEADER]: household } : {};
}

/** The last answer to a GET an account kept for offline use, in a household (null: her own): {data, at} or null. */
function lastSeen(path, account, household) {
  return kept(CACHE + scoped(path, household), account);
}

/** The last answer the current account saw to a GET (kept ones only) in this household, without asking the network; null when none. */
export function lastSeenData(path) {
  return lastSeen(path, undefined, householdOf(path))?.data ?? null;
}

/** Remember a GET's answer for the account and household that asked; a full storage only costs the offline copy. */
function remember(path, data, account, household) {
  try { keep(CACHE + scoped(path, household), { data, at: Date.now() }, account); } catch { /* storage full */ }
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
 * 'pumpwell:stale' tells the app to say so. A call about a parent's data goes to the household chosen, unless
 * `own` (her own goals in Settings); a refusal there sends 'pumpwell:household-refused' (was she let go?).
 */
export async function api(method, path, body, { own = false } = {}) {
  // The server words a refusal in her account's language, or before she signs in in the app's.
  const headers = { Accept: 'application/json', 'Accept-Language': locale() };
  const token = getToken();
  // An answer belongs to the account and household that asked, even when another is chosen before it comes.
  const account = token ? currentAccount() : null;
  const household = token ? householdOf(path, own) : null;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (household) headers[HOUSEHOLD_HEADER] = household;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const offline = method === 'GET' && KEEP.test(path);
  let res;
  try {
    // The page's early reads are her own: a household's must ask afresh.
    res = await working((!household && takeEarly(method, path, token)) || fetch(`/api${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS),
    }));
  } catch (err) {
    const copy = offline ? lastSeen(path, account, household) : null;
    if (copy) {
      window.dispatchEvent(new CustomEvent('pumpwell:stale', { detail: { at: copy.at } }));
      return copy.data;
    }
    throw err.name === 'TimeoutError' ? new TypeError('timeout') : err;
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    // A refusal of a token already replaced (signed out, or another account in) changes nothing.
    if (res.status === 401 && token && token === getToken()) await clearToken();
    if (household && (res.status === 403 || res.status === 404)) window.dispatchEvent(new Event('pumpwell:household-refused'));
    throw new ApiError(res.status, data);
  }
  if (offline) remember(path, data, account, household);
  return data;
}

/** Forget the answers this account kept for offline use: after an import they no longer show everything. */
export function forgetLastSeen() {
  forgetAll(CACHE);
}

/**
 * Send a file (or any Blob or text) as a request's raw body and return the parsed JSON answer; `onProgress(sent,
 * total)` follows the upload, which fetch cannot report. Throws ApiError, or a TypeError without a connection or
 * after `timeoutMs`.
 */
export function upload(path, body, { contentType = 'application/octet-stream', onProgress, timeoutMs = 600_000 } = {}) {
  const token = getToken();
  const request = new XMLHttpRequest();
  const answer = new Promise((resolve, reject) => {
    request.open('POST', `/api${path}`);
    request.setRequestHeader('Accept', 'application/json');
    request.setRequestHeader('Accept-Language', locale());
    request.setRequestHeader('Content-Type', contentType);
    if (token) request.setRequestHeader('Authorization', `Bearer ${token}`);
    request.timeout = timeoutMs;
    if (onProgress) request.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : null);
    request.onerror = () => reject(new TypeError('network'));
    request.ontimeout = () => reject(new TypeError('timeout'));
    request.onload = async () => {
      let data = null;
      try { data = JSON.parse(request.responseText); } catch { /* not JSON: a proxy's page */ }
      if (request.status >= 200 && request.status < 300) { resolve(data); return; }
      if (request.status === 401 && token && token === getToken()) await clearToken();
      reject(new ApiError(request.status, data));
    };
    request.send(body);
  });
  return working(answer);
}

/** Say what went wrong in words a tired person can act on. */
export function describeError(err) {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.fields || {}).map(([k, v]) => `${k}: ${[].concat(v).join(', ')}`);
    return fields.length ? `${err.message} (${fields.join('; ')})` : err.message;
  }
  if (err?.message === 'timeout') return t('The server did not answer in time. Try again.');
  // Our own errors (a time-out of the browser, blocked notifications, outbox-core's) already say what to do.
  if (err instanceof Error && !(err instanceof TypeError) && err.message) return t(err.message);
  return t('No connection. Try again when you are back online.');
}
