// The one place that talks to /api. The token lives in localStorage for the page
// and is mirrored into IndexedDB because the service worker cannot read localStorage.
import { kvDelete, kvSet } from './idb.js';

const TOKEN_KEY = 'pumpwell.token';
const USER_KEY = 'pumpwell.user';

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

/** Call the API and return parsed JSON (null for 204); throws ApiError or a network TypeError. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api${path}`, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    if (res.status === 401 && token) {
      await clearToken();
      window.dispatchEvent(new Event('pumpwell:signed-out'));
    }
    throw new ApiError(res.status, data);
  }
  return data;
}

/** Say what went wrong in words a tired person can act on. */
export function describeError(err) {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.fields || {}).map(([k, v]) => `${k}: ${[].concat(v).join(', ')}`);
    return fields.length ? `${err.message} (${fields.join('; ')})` : err.message;
  }
  return 'No connection. Try again when you are back online.';
}
