// Sessions are written to the IndexedDB outbox first and then sent, so a session logged without a
// connection or refused by the server is never lost. The queue itself is outbox-core.js, shared
// with the service worker; this module adds what only a page does: retry timers and Background Sync.
import './outbox-core.js';
import { householdId } from './household.js';

const core = self.PumpwellOutbox;
let retryTimer = null;
// Sessions a form of this page is saving (and says so itself); kept a second longer for the broadcast.
const ownSaves = new Set();

/** Whether `id` is a session this page's form is saving, so it reports the outcome itself. */
export const isOwnSave = (id) => ownSaves.has(id);

/**
 * Queue a new session in the household shown (a partner logs one for the parent), then the requests that need it
 * stored first (`then`, e.g. its stash container: each waits for it in the outbox), and try to send them; resolves
 * with the session's item ({state, error}) or null once stored.
 */
export async function logSession(body, then = []) {
  const id = body.id || crypto.randomUUID();
  return sendSession(id, { ...body, id }, then);
}

/** Replace a queued session's body (a fix after a refusal) and try again. */
export function resendSession(id, body) {
  return sendSession(id, { ...body, id });
}

/** Queue `body` under `id` (and `then` after it), flush, and report what became of it: null when the server has it. */
async function sendSession(id, body, then = []) {
  ownSaves.add(id);
  const household = householdId();
  await core.enqueue({ id, method: 'POST', path: '/sessions', body, household });
  for (const request of then) await core.enqueue({ ...request, after: id, household });
  await flushOutbox({ force: true, quiet: true }).finally(() => setTimeout(() => ownSaves.delete(id), 1000));
  const item = await core.get(id);
  if (item?.state === 'pending') requestBackgroundSync();
  return item || null;
}

/** Send what is due now, then arm a timer for the next retry. */
export async function flushOutbox(options) {
  const results = await core.flush(options);
  await scheduleRetry();
  return results;
}

/** Wake up when the earliest backed-off item is due. */
async function scheduleRetry() {
  clearTimeout(retryTimer);
  const due = await core.nextDue();
  if (due !== null) retryTimer = setTimeout(() => flushOutbox().catch(() => null), Math.max(0, due - Date.now()));
}

/** A queued request as the outbox holds it ({state, error}), or null once the server has it. */
export const queuedItem = async (id) => (await core.get(id)) || null;

/** Discard a queued session the parent chose not to keep (with what waits on it). */
export const discardQueued = (id) => core.discard(id);

/** How many items wait to be sent and how many were refused. */
export async function outboxCounts() {
  const items = await core.all();
  const refused = items.filter((item) => item.state === 'refused').length;
  return { waiting: items.length - refused, refused };
}

/** Call `listener(results, mine)` after every flush or discard in any page or the service worker. */
export function onOutboxChange(listener) {
  if (typeof BroadcastChannel === 'undefined') return;
  new BroadcastChannel(core.CHANNEL).addEventListener('message', (event) => listener(event.data, event.data.source === core.SOURCE));
}

/** Ask the browser to run the service worker's 'outbox' sync when online (where supported). */
export async function requestBackgroundSync() {
  const reg = await navigator.serviceWorker?.ready;
  if (reg && 'sync' in reg) await reg.sync.register('outbox').catch(() => {});
}
