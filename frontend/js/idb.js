// IndexedDB for what must outlive the page or be read by the service worker:
// the bearer token ("kv" store) and sessions waiting to be sent ("outbox", keyed by session UUID).
// sw.js opens the same database with the same version and stores.

const DB_NAME = 'pumpwell';
const DB_VERSION = 1;
let dbPromise;

/** Open (and on first use create) the app database. */
export function openDb() {
  dbPromise ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('kv');
      req.result.createObjectStore('outbox', { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return dbPromise;
}

/** Run one request in a transaction and resolve with its result. */
async function run(store, mode, makeRequest) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const req = makeRequest(tx.objectStore(store));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
  });
}

/** Write a value to the key-value store. */
export const kvSet = (key, value) => run('kv', 'readwrite', (s) => s.put(value, key));
/** Delete a value from the key-value store. */
export const kvDelete = (key) => run('kv', 'readwrite', (s) => s.delete(key));
/** Add or replace a queued session. */
export const outboxPut = (item) => run('outbox', 'readwrite', (s) => s.put(item));
/** List queued sessions. */
export const outboxAll = () => run('outbox', 'readonly', (s) => s.getAll());
/** Remove a queued session once the server has it. */
export const outboxDelete = (id) => run('outbox', 'readwrite', (s) => s.delete(id));
/** Forget everything queued (on sign out). */
export const outboxClear = () => run('outbox', 'readwrite', (s) => s.clear());
