// IndexedDB for what must outlive the page or be read by the service worker: the current account and
// its token ("kv" store) and requests waiting to be sent ("outbox"). The implementation is outbox-core.js,
// the classic script sw.js loads too; this module only gives the page named imports of it.
import './outbox-core.js';

const core = self.PumpwellOutbox;

/** Write a value to the key-value store. */
export const kvSet = (key, value) => core.kvSet(key, value);
/** Delete a value from the key-value store. */
export const kvDelete = (key) => core.kvDelete(key);
/** List the current account's queued requests, oldest first. */
export const outboxAll = () => core.all();
/** List every account's queued requests (and nobody's, from the previous release), oldest first. */
export const outboxAllAccounts = () => core.allAccounts();
/** Forget everything account `id` queued (null: nobody's). */
export const outboxDiscardAccount = (id) => core.discardAccount(id);
/** Give account `id` what the previous release queued for nobody in particular. */
export const outboxAdopt = (id) => core.adopt(id);
