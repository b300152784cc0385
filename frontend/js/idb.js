// IndexedDB for what must outlive the page or be read by the service worker: the bearer token
// ("kv" store) and requests waiting to be sent ("outbox"). The implementation is outbox-core.js,
// the classic script sw.js loads too; this module only gives the page named imports of it.
import './outbox-core.js';

const core = self.PumpwellOutbox;

/** Write a value to the key-value store. */
export const kvSet = (key, value) => core.kvSet(key, value);
/** Delete a value from the key-value store. */
export const kvDelete = (key) => core.kvDelete(key);
/** List queued requests, oldest first. */
export const outboxAll = () => core.all();
/** Forget everything queued (on sign out). */
export const outboxClear = () => core.clear();
