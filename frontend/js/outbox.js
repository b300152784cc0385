// Sessions are written to the IndexedDB outbox first and then sent, so a session
// logged without a connection is never lost. The client picks the UUID, which makes
// a replay (page and service worker both sending) idempotent on the server.
import { api, ApiError } from './api.js';
import { outboxAll, outboxDelete, outboxPut } from './idb.js';

let flushing = null;

/** Queue a session and try to send it; resolves with the saved session or null if it waits. */
export async function logSession(body) {
  const item = { ...body, id: body.id || crypto.randomUUID() };
  await outboxPut(item);
  await flushOutbox();
  const left = await outboxAll();
  if (left.some((queued) => queued.id === item.id)) {
    requestBackgroundSync();
    return null;
  }
  return item;
}

/** Send every queued session; stops at the first network failure. */
export function flushOutbox() {
  flushing ??= sendAll().finally(() => { flushing = null; });
  return flushing;
}

/** Post queued sessions one by one, oldest first. */
async function sendAll() {
  const items = (await outboxAll()).sort((a, b) => a.started_at.localeCompare(b.started_at));
  let sent = 0;
  for (const item of items) {
    try {
      await api('POST', '/sessions', item);
    } catch (err) {
      // 4xx other than 401 will never succeed on replay; drop it rather than block the queue.
      if (err instanceof ApiError && err.status !== 401 && err.status < 500 && err.status !== 429) {
        await outboxDelete(item.id);
        window.dispatchEvent(new CustomEvent('pumpwell:outbox-rejected', { detail: err }));
        continue;
      }
      break;
    }
    await outboxDelete(item.id);
    sent += 1;
  }
  if (sent) window.dispatchEvent(new CustomEvent('pumpwell:outbox-sent', { detail: sent }));
  return sent;
}

/** How many sessions wait to be sent. */
export async function pendingCount() {
  return (await outboxAll()).length;
}

/** Ask the browser to run the service worker's 'outbox' sync when online (where supported). */
export async function requestBackgroundSync() {
  const reg = await navigator.serviceWorker?.ready;
  if (reg && 'sync' in reg) await reg.sync.register('outbox').catch(() => {});
}
