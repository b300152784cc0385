// While a session timer runs, a notification shows it on the phone's lock screen and shade, with Stop where the
// platform shows actions (sw.js opens the Stop form from it). Shown only where notifications are already allowed:
// the timer never asks for the permission. It goes when the timer stops or the account signs out.
import { clock } from './format.js';
import { t } from './i18n.js';

const TAG = 'pumpwell-timer';
// Counts hides: a show still waiting for the worker when the timer stopped must not show it again.
let hides = 0;

/** Whether this page may show notifications now. */
const allowed = () => 'serviceWorker' in navigator && 'Notification' in window && Notification.permission === 'granted';

/** Show (or keep) the notification for a running timer; a second call for the same timer changes nothing. */
export async function showTimerNotice(timer, timeZone) {
  if (!allowed()) return;
  const hidesBefore = hides;
  // On the first screen the worker registers only after it drew: the notification waits for it.
  const reg = await navigator.serviceWorker.ready;
  const shown = await reg.getNotifications({ tag: TAG });
  if (hides !== hidesBefore || shown.some((n) => n.data?.started_at === timer.started_at)) return;
  await reg.showNotification(t('Pumping since {time}', { time: clock(timer.started_at, timeZone) }), {
    body: t('Stop it when you finish, to log the session.'),
    tag: TAG,
    // It is a status, not news: no sound, and it stays until the timer stops.
    silent: true,
    requireInteraction: true,
    timestamp: Date.parse(timer.started_at),
    icon: '/assets/icons/icon-192.png',
    badge: '/assets/icons/favicon-32.png',
    actions: [{ action: 'stop-timer', title: t('Stop') }],
    data: { kind: 'timer', started_at: timer.started_at, url: '/#/today' },
  }).catch(() => null);
}

/** Close the running timer's notification, if one shows. */
export async function hideTimerNotice() {
  hides += 1;
  const reg = allowed() ? await navigator.serviceWorker.getRegistration('/').catch(() => null) : null;
  if (!reg) return;
  for (const notification of await reg.getNotifications({ tag: TAG })) notification.close();
}
