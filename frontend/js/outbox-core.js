// The one IndexedDB and outbox implementation, shared by the page (imported by js/idb.js) and the
// service worker (importScripts), so the two can never flush differently. A classic script: it only
// defines self.PumpwellOutbox.
//
// The outbox is a queue of API requests keyed by a client-chosen UUID ({id, method, path, body}),
// so a replay from the page and the worker at once stores nothing twice. Each item keeps its own
// result: 'pending' (to send, with a backoff after 5xx, 429 or no connection) or 'refused' (a 4xx
// answer, kept with the server's error until the parent fixes or discards it). Sent items leave
// the queue. Every flush announces its results on the 'pumpwell-outbox' BroadcastChannel.
//
// Each item belongs to the account that queued it (`account`, its user id as a string). The kv store's
// 'account' record ({id, token}, the token null once signed out) names the phone's current account:
// every call but allAccounts and discardAccount sees only its items, and a flush sends them with its
// token only, so another account signed in on the same phone never sees, counts or sends them.
// An item queued while acting for a parent (household.js) names her (`household`, her id as a string) and is sent
// with the Pumpwell-Account header, whichever household is shown when it goes: it lands in her account only.
//
// API: enqueue({id, method, path, body, after, household}) (same id again replaces the body: a fix), get(id), all(),
// discard(id), flush({force, quiet}) -> {sent, refused, retrying, discarded, answers, account},
// nextDue(), allAccounts(), discardAccount(account), adopt(account), kvGet/kvSet/kvDelete. Items are sent
// oldest first but independently: one refused or failing never holds back the next. The one exception
// is an item naming another as `after` (a stash container of a session): it waits while that one is
// queued, follows it in the same flush once it is sent, and is discarded with it.
// Pages use it through js/outbox.js (retry timer, Background Sync, change listener).
'use strict';

self.PumpwellOutbox = (() => {
  // Marks its own words for the app's catalogs (js/i18n.js): a worker knows no language, the page shows them with t().
  const N_ = (text) => text;
  const DB_NAME = 'pumpwell';
  // Still version 1: pages and workers of the previous release keep connections open that
  // would block an upgrade; its bare session bodies are read as requests instead (see `normal`),
  // and an item's account is a field filtered in code, not an index, so it needs no upgrade either.
  // Items without one were queued by the previous release: adopt() gives them to the account signed
  // in at the update; signed out then, they stay nobody's and only allAccounts() shows them.
  const DB_VERSION = 1;
  const CHANNEL = 'pumpwell-outbox';
  const BACKOFF_FIRST_MS = 2000;
  const BACKOFF_MAX_MS = 15 * 60000;
  // Names this page or worker in its announcements, so it can tell its own from another's.
  const SOURCE = Math.random().toString(36).slice(2);
  let dbPromise = null;
  let flushing = null;

  /** Open (and on first use create or upgrade) the app database. */
  function openDb() {
    dbPromise ??= new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        req.result.createObjectStore('kv');
        req.result.createObjectStore('outbox', { keyPath: 'id' });
      };
      req.onsuccess = () => {
        // Another context upgrading the database must not wait on this connection forever.
        req.result.onversionchange = () => { req.result.close(); dbPromise = null; };
        resolve(req.result);
      };
      req.onerror = () => { dbPromise = null; reject(req.error); };
    });
    return dbPromise;
  }

  /** Run one request in a transaction and resolve with its result once committed. */
  async function run(store, mode, makeRequest) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = makeRequest(tx.objectStore(store));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  const kvGet = (key) => run('kv', 'readonly', (s) => s.get(key));
  const kvSet = (key, value) => run('kv', 'readwrite', (s) => s.put(value, key));
  const kvDelete = (key) => run('kv', 'readwrite', (s) => s.delete(key));
  const put = (item) => run('outbox', 'readwrite', (s) => s.put(item));
  /** Delete the items `ids` in one transaction (none: no transaction, which would have no request to answer). */
  const remove = async (ids) => { if (ids.length) await run('outbox', 'readwrite', (s) => ids.map((key) => s.delete(key)).at(-1)); };
  /** The current account: {id, token} (token null once signed out), or null before any sign-in. */
  const account = () => kvGet('account').then((record) => record ?? null);

  /** A fresh queued request, due now. */
  function newItem({ id, method, path, body, after = null, household = null }) {
    return { id, method, path, body, after, household, state: 'pending', queued_at: Date.now(), attempts: 0, next_at: 0, error: null };
  }

  /** A stored item; the previous release stored bare session bodies, which are POST /sessions requests. */
  function normal(item) {
    if (!item || item.path) return item;
    return { ...newItem({ id: item.id, method: 'POST', path: '/sessions', body: item }), queued_at: 0 };
  }

  /** Every queued request of every account (and nobody's, from the previous release), oldest first. */
  async function allAccounts() {
    const items = (await run('outbox', 'readonly', (s) => s.getAll())).map(normal);
    return items.sort((a, b) => a.queued_at - b.queued_at || String(a.id).localeCompare(String(b.id)));
  }

  /** The queued requests of account `id` (none without an id), oldest first. */
  async function itemsOf(id) {
    return id ? (await allAccounts()).filter((item) => item.account === id) : [];
  }

  /** The current account's queued requests, oldest first. */
  const all = async () => itemsOf((await account())?.id);

  /** The current account's queued request `id`, or undefined (another account's is none of its business). */
  async function get(id) {
    const [item, current] = await Promise.all([run('outbox', 'readonly', (s) => s.get(id)).then(normal), account()]);
    return item && current && item.account === current.id ? item : undefined;
  }

  /** Drop every request `id` queued (null: nobody's), when the parent chose to on the sign-in screen. */
  async function discardAccount(id) {
    const gone = (await allAccounts()).filter((item) => (item.account ?? null) === id).map((item) => item.id);
    await remove(gone);
    announce({ sent: [], refused: [], retrying: [], discarded: gone, answers: {}, account: id });
  }

  /** Give account `id` the requests the previous release queued for nobody in particular (at the update). */
  async function adopt(id) {
    const orphans = (await allAccounts()).filter((item) => !item.account);
    for (const item of orphans) await put({ ...item, account: id });
  }

  /**
   * Tell every page and the worker what a change did: {sent, refused, retrying, discarded} lists of ids,
   * `answers` (the server's answer per sent id), `paths` (what each id was sent to), `source` and `quiet` (the caller tells the parent itself).
   */
  function announce(results, quiet = false) {
    if (typeof BroadcastChannel === 'undefined') return;
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage({ ...results, source: SOURCE, quiet });
    channel.close();
  }

  /**
   * Queue a request for the current account, in `household` (a parent's id; null: her own), or replace its own with
   * the same id (e.g. a fixed body, which stays in the household it was made in); returns the item.
   */
  async function enqueue({ id, method, path, body, after, household = null }) {
    const current = await account();
    if (!current) throw new Error(N_('Sign in before saving.'));
    const old = await get(id);
    const item = {
      ...newItem({ id, method, path, body, after, household: old ? old.household ?? null : household }),
      account: current.id, queued_at: old?.queued_at ?? Date.now(),
    };
    await put(item);
    return item;
  }

  /** Drop a request the parent chose to discard, and those waiting on it (they could only be refused). */
  async function discard(id) {
    const mine = await all();
    if (!mine.some((item) => item.id === id)) return;
    const gone = [id, ...mine.filter((item) => item.after === id).map((item) => item.id)];
    await remove(gone);
    announce({ sent: [], refused: [], retrying: [], discarded: gone, answers: {}, account: mine[0].account });
  }

  /** The wait before attempt n+1: 2 s doubling to 15 min, with jitter so phones do not retry in step. */
  function backoff(attempts) {
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempts - 1));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  /** Describe an error answer as the API's error shape, or a generic one. */
  async function errorOf(res) {
    const data = await res.json().catch(() => null);
    const error = data?.error || {};
    return { status: res.status, code: error.code || 'error', message: error.message || `Refused (${res.status})`, fields: error.fields || {} };
  }

  /** Send one item with its account's token; resolves with [outcome, the server's answer when sent]. */
  async function sendOne(item, token) {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
    if (item.household) headers['Pumpwell-Account'] = item.household;
    if (item.body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    let error;
    try {
      res = await fetch(`/api${item.path}`, {
        method: item.method, headers, body: item.body === undefined ? undefined : JSON.stringify(item.body),
      });
      if (res.ok) return ['sent', res.status === 204 ? null : await res.json().catch(() => null)];
      if (res.status === 401) return ['signed-out'];
      error = await errorOf(res);
    } catch {
      error = { status: 0, code: 'offline', message: N_('No connection'), fields: {} };
    }
    // 408 and 429 are "not now"; every other 4xx will be refused again until the body changes.
    const state = !res || res.status >= 500 || res.status === 408 || res.status === 429 ? 'pending' : 'refused';
    const attempts = item.attempts + 1;
    await put({ ...item, state, attempts, error, next_at: state === 'pending' ? Date.now() + backoff(attempts) : 0 });
    return [state === 'pending' ? 'retry' : 'refused'];
  }

  /**
   * Send every pending item of the current account that is due (all of them with `force`, e.g. back online),
   * one at a time, with that account's token read once: a sign-in meanwhile cannot lend its token to them.
   */
  async function sendDue(force, quiet) {
    const current = await account();
    const results = { sent: [], refused: [], retrying: [], discarded: [], answers: {}, paths: {}, account: current?.id ?? null };
    if (!current?.token) return results;
    const items = await itemsOf(current.id);
    const queued = new Set(items.map((item) => item.id));
    for (const item of items) {
      if (item.state !== 'pending' || (!force && item.next_at > Date.now()) || queued.has(item.after)) continue;
      const [outcome, answer] = await sendOne(item, current.token);
      if (outcome === 'signed-out') break;
      results.paths[item.id] = item.path;
      if (outcome === 'sent') {
        await run('outbox', 'readwrite', (s) => s.delete(item.id));
        queued.delete(item.id);
        results.sent.push(item.id);
        results.answers[item.id] = answer;
      } else if (outcome === 'refused') {
        results.refused.push(item.id);
      } else {
        results.retrying.push(item.id);
        // Without a connection the rest would fail too; they wait for the next flush unpunished.
        if (!navigator.onLine) break;
      }
    }
    if (results.sent.length || results.refused.length || results.retrying.length) announce(results, quiet);
    return results;
  }

  /** Send what is due after any flush already running in this context; resolves with this flush's results. */
  function flush({ force = false, quiet = false } = {}) {
    const next = (flushing || Promise.resolve()).catch(() => null).then(() => sendDue(force, quiet));
    flushing = next;
    next.catch(() => null).finally(() => { if (flushing === next) flushing = null; });
    return next;
  }

  /**
   * When the current account's earliest pending item is due (ms since the epoch), or null when nothing waits
   * or nothing can be sent (signed out); one waiting on another follows it.
   */
  async function nextDue() {
    const current = await account();
    const items = current?.token ? await itemsOf(current.id) : [];
    const queued = new Set(items.map((item) => item.id));
    const due = items.filter((item) => item.state === 'pending' && !queued.has(item.after)).map((item) => item.next_at);
    return due.length ? Math.min(...due) : null;
  }

  return {
    CHANNEL, SOURCE, openDb, kvGet, kvSet, kvDelete, all, get, enqueue, discard, flush, nextDue,
    allAccounts, discardAccount, adopt,
  };
})();
