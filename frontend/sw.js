// Pumpwell service worker: precaches the app shell, shows every push as a notification (a repeat of one
// already shown replaces it silently), answers notification actions through the API (and opens the Stop form
// from the running timer's notification, which js/timer-notice.js shows), subscribes again when
// the browser renews the push subscription, and replays the outbox (Background Sync).
// VERSION is replaced by the server with a hash of frontend/, so every deploy installs a fresh cache.
const VERSION = '__VERSION__';
const CACHE = `pumpwell-shell-${VERSION}`;
const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/assets/app.css',
  // Every module, bundled by the server (server/bundle.py); the page loads no other script.
  '/assets/bundle.js',
  // The texts in each language but English (js/i18n.js), so a change of language works offline.
  '/assets/locales/es.json',
  '/assets/locales/fr.json',
  '/assets/icons/apple-touch-icon.png',
  '/assets/icons/favicon-32.png',
  '/assets/icons/icon-192.png',
  '/assets/icons/icon-512.png',
  '/assets/icons/icon-maskable-512.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)));
});

// A waiting version takes over only when the page asks (the user tapped "Reload").
self.addEventListener('message', (event) => {
  if (event.data?.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith('pumpwell-shell-') && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

// The shell is served from the cache (fast on a bad 3 a.m. connection, and offline);
// the API and share pages always go to the network.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  const path = event.request.mode === 'navigate' && url.pathname === '/' ? '/' : url.pathname;
  if (!SHELL.includes(path)) return;
  event.respondWith(caches.match(path, { cacheName: CACHE }).then((hit) => hit || fetch(event.request)));
});

// The outbox and IndexedDB code the page uses too (js/outbox-core.js defines self.PumpwellOutbox).
importScripts('/assets/js/outbox-core.js');

/** Call the API with the signed-in account's token, as the page stored it (none once signed out). */
async function apiFetch(method, path, body) {
  const token = (await self.PumpwellOutbox.kvGet('account'))?.token;
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

// --- push and notifications ---

/** Read a push payload; a payload we cannot parse still becomes a notification. */
function readPayload(data) {
  if (!data) return {};
  try { return data.json(); } catch { return { body: data.text() }; }
}

// Android shows only the first two actions: the ones a parent needs at 3 a.m. come first.
const ACTION_ORDER = ['start', 'snooze', 'done', 'skip'];

/** The payload's actions, most useful first. */
function orderedActions(actions) {
  const rank = (a) => (ACTION_ORDER.includes(a.action) ? ACTION_ORDER.indexOf(a.action) : ACTION_ORDER.length);
  return [...(actions || [])].sort((a, b) => rank(a) - rank(b));
}

// How many sendings the worker remembers having shown: far more than ever arrive between two of a clock's retries.
const SHOWN_KEPT = 200;

/** Whether this sending of a reminder was shown before (a clock that died mid-send sends it again); remember it. */
async function shownBefore(deliveryId) {
  if (!deliveryId) return false;
  const kv = self.PumpwellOutbox;
  const shown = (await kv.kvGet('shown-deliveries').catch(() => null)) || [];
  if (shown.includes(deliveryId)) return true;
  await kv.kvSet('shown-deliveries', [...shown, deliveryId].slice(-SHOWN_KEPT)).catch(() => null);
  return false;
}

/** Show the notification for a push payload (the contract's reminder shape); a repeat replaces it without a sound. */
async function showReminder(payload) {
  const title = payload.title || payload.notification?.title || 'Pumpwell';
  const repeat = await shownBefore(payload.delivery_id);
  return self.registration.showNotification(title, {
    body: payload.body || payload.notification?.body || 'Time to check in.',
    tag: payload.tag || (payload.reminder_id ? `reminder-${payload.reminder_id}` : 'pumpwell'),
    // A new reminder for the same thing alerts again; the same sending twice stays quiet.
    renotify: !repeat,
    silent: repeat,
    icon: '/assets/icons/icon-192.png',
    badge: '/assets/icons/favicon-32.png',
    actions: orderedActions(payload.actions),
    data: { reminder_id: payload.reminder_id ?? null, kind: payload.kind || null, url: payload.url || payload.notification?.navigate || '/#/today',
      account_id: payload.account_id ?? null },
  });
}

// Every push shows a notification: browsers penalise silent pushes and the user expects one.
self.addEventListener('push', (event) => {
  event.waitUntil(showReminder(readPayload(event.data)));
});

/** Focus an open Pumpwell window on `url`, or open one. */
async function openApp(url) {
  const target = new URL(url, self.location.origin);
  const safe = target.origin === self.location.origin ? target.href : new URL('/', self.location.origin).href;
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows[0];
  if (!client) return self.clients.openWindow(safe);
  // focus() is only allowed while handling a click; a failed focus must not stop the navigation.
  await client.focus().catch(() => null);
  return client.navigate(safe).catch(() => client.postMessage({ type: 'navigate', url: safe }));
}

/** Act on a tap on a notification or one of its actions: snooze, skip, start, stop the timer, or open the screen. */
async function handleNotificationClick(notification, action) {
  const { reminder_id: id, url, kind, account_id: account } = notification.data || {};
  // The running timer's notification stays while the timer runs; its Stop opens the form that logs the session.
  if (kind === 'timer') return openApp(action === 'stop-timer' ? '/#/today/stop' : url || '/#/today');
  notification.close();
  if (action === 'snooze' && id) return apiFetch('POST', `/reminders/${id}/snooze`, { minutes: 10 });
  if (action === 'skip' && id) return apiFetch('POST', `/reminders/${id}/skip`);
  if (action === 'start') {
    if (id) await apiFetch('POST', `/reminders/${id}/done`).catch(() => null);
    return openApp('/#/today/start');
  }
  // Whose milk: a caregiver's phone opens the parent's household (the app's #/for route), her own phone her own.
  const target = url || '/#/today';
  return openApp(account && target.startsWith('/#/') ? `/#/for/${account}/${target.slice(3)}` : target);
}

self.addEventListener('notificationclick', (event) => {
  event.waitUntil(handleNotificationClick(event.notification, event.action));
});

/** Decode a base64url VAPID key into the bytes pushManager.subscribe takes. */
function keyBytes(base64url) {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** Subscribe again with the same server key when the browser renewed or dropped the subscription, and tell the
 * server (with the signed-in account's token): the old endpoint goes, the new one takes its place. */
async function resubscribe(oldSubscription, newSubscription) {
  let subscription = newSubscription;
  if (!subscription) {
    let key = oldSubscription?.options?.applicationServerKey;
    if (!key) key = keyBytes((await (await apiFetch('GET', '/push/key')).json()).public_key);
    subscription = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  if (oldSubscription && oldSubscription.endpoint !== subscription.endpoint) {
    const listed = await apiFetch('GET', '/push/subscriptions').then((r) => (r.ok ? r.json() : { items: [] }));
    const stale = listed.items.find((item) => item.endpoint === oldSubscription.endpoint);
    if (stale) await apiFetch('DELETE', `/push/subscriptions/${stale.id}`);
  }
  const { endpoint, keys } = subscription.toJSON();
  return apiFetch('POST', '/push/subscriptions', { endpoint, keys, user_agent: navigator.userAgent });
}

self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(resubscribe(event.oldSubscription, event.newSubscription));
});

// --- Background Sync: send what was queued offline, with the page's own outbox code ---

/** Send what the signed-in account has due, with its token; throw while some of it still waits, so the browser syncs again later. */
async function syncOutbox() {
  await self.PumpwellOutbox.flush();
  if (await self.PumpwellOutbox.nextDue() !== null) throw new Error('outbox: items wait for a retry');
}

self.addEventListener('sync', (event) => {
  if (event.tag === 'outbox') event.waitUntil(syncOutbox());
});
