// Reminders on this device: permission (only ever asked from a tap), push subscription, and the iOS install rule.
import { api } from './api.js';
import { t } from './i18n.js';

/** Whether this browser can receive web push at all. */
export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** iOS delivers web push only to an app added to the Home Screen. */
export function needsInstallFirst() {
  const ios = /iPhone|iPad|iPod/.test(navigator.userAgent)
    || (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  const installed = navigator.standalone === true || matchMedia('(display-mode: standalone)').matches;
  return ios && !installed;
}

/** Decode the server's base64url VAPID key for pushManager.subscribe. */
function keyBytes(base64url) {
  const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

/** The current push subscription of this device, or null. */
export async function currentSubscription() {
  if (!pushSupported()) return null;
  const reg = await navigator.serviceWorker.ready;
  return reg.pushManager.getSubscription();
}

/** Whether a subscription was made with these key bytes (unknown, e.g. no options: assume so). */
function madeWithKey(sub, bytes) {
  const used = sub.options?.applicationServerKey;
  if (!used) return true;
  const view = new Uint8Array(used);
  return view.length === bytes.length && view.every((byte, i) => byte === bytes[i]);
}

// The browser's push service answers a subscribe within a second or two when it works; one that is down or
// blocked (some de-Googled Android browsers) never answers, and the parent must not wait 20 s to learn it.
const SUBSCRIBE_TIMEOUT_MS = 8000;

/** Subscribe to the browser's push service, or fail with a clear reason once it has not answered in time. */
function subscribeInTime(reg, options) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(
      t("This browser's push service did not answer, so reminders are not on. Try again later, or use another browser."))),
    SUBSCRIBE_TIMEOUT_MS);
  });
  return Promise.race([reg.pushManager.subscribe(options), late]).finally(() => clearTimeout(timer));
}

/** Subscribe this device afresh with the server's key and save it, replacing any older subscription. */
async function subscribeAfresh(publicKey) {
  const reg = await navigator.serviceWorker.ready;
  const old = await reg.pushManager.getSubscription();
  if (old) {
    // The server forgets the old endpoint too, so the device list shows this phone once.
    const { items } = await api('GET', '/push/subscriptions');
    const stale = items.find((item) => item.endpoint === old.endpoint);
    if (stale) await api('DELETE', `/push/subscriptions/${stale.id}`);
    await old.unsubscribe();
  }
  const sub = await subscribeInTime(reg, { userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  const { endpoint, keys } = sub.toJSON();
  await api('POST', '/push/subscriptions', { endpoint, keys, user_agent: navigator.userAgent });
}

/** Ask permission (call from a tap), subscribe and register the subscription with the server. */
export async function enableReminders() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') throw new Error(t('Notifications are blocked. Allow them in the browser or phone settings.'));
  const { public_key: publicKey } = await api('GET', '/push/key');
  await subscribeAfresh(publicKey);
}

/**
 * Whether reminders reach this phone: 'on', 'off' (never turned on here) or 'stopped' (the server
 * stopped or lost this phone's subscription). A subscription made with another VAPID key than the
 * server's (its keys were replaced) is renewed on the spot, without asking.
 */
export async function reminderState() {
  if (!pushSupported() || Notification.permission !== 'granted') return { state: 'off' };
  const sub = await currentSubscription();
  if (!sub) return { state: 'off' };
  const { public_key: publicKey } = await api('GET', '/push/key');
  if (!madeWithKey(sub, keyBytes(publicKey))) {
    await subscribeAfresh(publicKey);
    return { state: 'on', renewed: true };
  }
  const { items } = await api('GET', '/push/subscriptions');
  const mine = items.find((item) => item.endpoint === sub.endpoint);
  if (mine?.state === 'active') return { state: 'on' };
  return { state: 'stopped', reason: mine?.stop_reason || null };
}

/** Unsubscribe this device and remove it from the server. */
export async function disableReminders() {
  const sub = await currentSubscription();
  if (!sub) return;
  const { items } = await api('GET', '/push/subscriptions');
  const mine = items.find((item) => item.endpoint === sub.endpoint);
  if (mine) await api('DELETE', `/push/subscriptions/${mine.id}`);
  await sub.unsubscribe();
}

/** Forget this device's subscription locally (the server removes its copy when signing out). */
export async function forgetSubscription() {
  const sub = await currentSubscription().catch(() => null);
  await sub?.unsubscribe().catch(() => false);
}
