// While a session timer runs, a notification shows it on the phone's lock screen and shade, with Stop where the
// platform shows actions (sw.js opens the Stop form from it). Shown only where notifications are already allowed:
// the timer never asks for the permission. It goes when the timer stops or the account signs out.
import { clock } from './format.js';

const TAG = 'pumpwell-timer';

/** The service worker's registration when it may show notifications now, else null. */
async function registration() {
  if (!('serviceWorker' in navigator) || !('Notification' in window) || Notification.permission !== 'granted') return null;
  return navigator.serviceWorker.getRegistration('/').catch(() => null);
}

/** Show (or keep) the notification for a running timer; a second call for the same timer changes nothing. */
export async function showTimerNotice(timer, timeZone) {
  const reg = await registration();
  if (!reg?.active) return;
  const shown = await reg.getNotifications({ tag: TAG });
  if (shown.some((n) => n.data?.started_at === timer.started_at)) return;
  await reg.showNotification(`Pumping since ${clock(timer.started_at, timeZone)}`, {
    body: 'Tap Stop when you finish to log the session.',
    tag: TAG,
    // It is a status, not news: no sound, and it stays until the timer stops.
    silent: true,
    requireInteraction: true,
    timestamp: Date.parse(timer.started_at),
    icon: '/assets/icons/icon-192.png',
    badge: '/assets/icons/favicon-32.png',
    actions: [{ action: 'stop-timer', title: 'Stop' }],
    data: { kind: 'timer', started_at: timer.started_at, url: '/#/today' },
  }).catch(() => null);
}

/** Close the running timer's notification, if one shows. */
export async function hideTimerNotice() {
  const reg = await registration().catch(() => null);
  if (!reg) return;
  for (const notification of await reg.getNotifications({ tag: TAG })) notification.close();
}
