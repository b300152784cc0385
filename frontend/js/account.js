// Whatever this phone keeps belongs to one account: the token's account id (the API's user.id) names it,
// and every value a screen keeps (the user, the last answers seen, the timers) lives under
// `pumpwell.account.<id>.<name>`, so another account signing in on the same phone never reads it.
// The current account stays the last one signed in until another signs in: its timers and queued
// requests wait under it, and a sign-out or an account deletion can still name it.

const ACCOUNT_KEY = 'pumpwell.account';
const PREFIX = 'pumpwell.account.';
// What the previous release kept for everyone, unscoped: moved under the account signed in at the update.
const LEGACY = /^pumpwell\.(user|timer|phases|zone-asked|cache\..*)$/;

/** The id (a string) of the account this phone last signed in, or null on a phone never signed in since the update. */
export const currentAccount = () => localStorage.getItem(ACCOUNT_KEY);

/** Make `id` this phone's account (at sign-in). */
export function setCurrentAccount(id) {
  localStorage.setItem(ACCOUNT_KEY, String(id));
}

/** The localStorage key of `name` for `account` (the current one by default), or null without an account. */
export function accountKey(name, account = currentAccount()) {
  return account ? `${PREFIX}${account}.${name}` : null;
}

/** A JSON value an account keeps under `name`, or null. */
export function kept(name, account) {
  const key = accountKey(name, account);
  try { return key ? JSON.parse(localStorage.getItem(key)) : null; } catch { return null; }
}

/** Keep a JSON value under `name` for `account` (the current one by default); without an account nothing is kept. */
export function keep(name, value, account) {
  const key = accountKey(name, account);
  if (key) localStorage.setItem(key, JSON.stringify(value));
}

/** Forget what `account` (the current one by default) keeps under `name`. */
export function forget(name, account) {
  const key = accountKey(name, account);
  if (key) localStorage.removeItem(key);
}

/** Forget every value the current account keeps whose name starts with `prefix`. */
export function forgetAll(prefix) {
  const start = accountKey(prefix);
  if (!start) return;
  for (const key of Object.keys(localStorage)) if (key.startsWith(start)) localStorage.removeItem(key);
}

/** Move what the previous release kept unscoped under the current account (its token's, learnt at the update). */
export function adoptLegacyKeys() {
  for (const key of Object.keys(localStorage).filter((k) => LEGACY.test(k))) {
    localStorage.setItem(accountKey(key.slice('pumpwell.'.length)), localStorage.getItem(key));
    localStorage.removeItem(key);
  }
}

/** Drop what the previous release kept unscoped: signed out at the update, nobody can tell whose it was. */
export function dropLegacyKeys() {
  for (const key of Object.keys(localStorage).filter((k) => LEGACY.test(k))) localStorage.removeItem(key);
}
