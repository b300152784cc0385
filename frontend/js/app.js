// Boot, routing between screens, connection status and service-worker updates.
import { api, cachedUser, cacheUser, describeError, getToken } from './api.js';
import { mount, toast } from './dom.js';
import { flushOutbox, onOutboxChange, outboxCounts } from './outbox.js';
import { enableReminders, reminderState } from './push.js';
import * as auth from './screens/auth.js';
import * as today from './screens/today.js';
import * as history from './screens/history.js';
import * as plans from './screens/plans.js';
import * as settings from './screens/settings.js';
import * as phaseTimer from './screens/phase-timer.js';
import * as stash from './screens/stash.js';

// The screen contract, which route() relies on. A screen module exports:
// - render(view, { name, args, user }): fills `view` (a fresh node, already in the page) and may return a
//   cleanup function, called before the next screen renders (or at once if a newer route won meanwhile);
// - title(name), optional: the screen's part of document.title ("Pumpwell" when absent).
// Screens learn of facts through one event each: onOutboxChange (sessions sent or refused),
// 'pumpwell:signed-out' and 'pumpwell:reminders-changed' on window.
const screens = { signin: auth, signup: auth, today, log: today, history, plans, stash, settings, timer: phaseTimer };
const main = document.getElementById('main');
const tabs = document.getElementById('tabs');
let cleanup = null;
let userFresh = false;
let routeSeq = 0;
let shownScreen = null;

/** Load the signed-in user once per page load, falling back to the cached copy offline. */
async function currentUser() {
  const cached = cachedUser();
  if (cached && userFresh) return cached;
  userFresh = true;
  try {
    return cacheUser(await api('GET', '/me'));
  } catch (err) {
    if (cached) return cached;
    throw err;
  }
}

/** Parse "#/plans/power-hour" into {name: "plans", args: ["power-hour"]}. */
function parseRoute() {
  const [name, ...args] = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return { name: name || 'today', args };
}

/** Render the screen the URL names. */
async function route() {
  let { name, args } = parseRoute();
  const signedIn = Boolean(getToken());
  if (!signedIn && name !== 'signup') name = 'signin';
  if (signedIn && (name === 'signin' || name === 'signup')) name = 'today';
  const screen = screens[name] || today;
  if (cleanup) cleanup();
  cleanup = null;
  tabs.hidden = !signedIn;
  const tab = name === 'log' ? 'today' : name;
  for (const link of tabs.querySelectorAll('a')) {
    if (link.dataset.tab === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  let user = null;
  try {
    if (signedIn) user = await currentUser();
  } catch {
    mount(main, 'Could not load your account. Check your connection and reload.');
    return;
  }
  document.title = `${screen.title ? screen.title(name) : 'Pumpwell'} · Pumpwell`;
  // Each route renders into its own node, so a slow, superseded render lands nowhere.
  const seq = ++routeSeq;
  const view = document.createElement('div');
  mount(main, view);
  const stop = await screen.render(view, { name, args, user });
  if (seq !== routeSeq) { stop?.(); return; }
  cleanup = stop || null;
  if (name !== shownScreen) {
    // A new screen starts at the top, and screen readers start reading it from there.
    if (shownScreen) main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    shownScreen = name;
  }
}

/** Show whether we are online, how many sessions wait to be sent and how many need attention. */
async function showNetwork() {
  const { waiting, refused } = await outboxCounts().catch(() => ({ waiting: 0, refused: 0 }));
  const parts = [];
  if (!navigator.onLine) parts.push('Offline');
  if (waiting) parts.push(`${waiting} waiting to send`);
  if (refused) parts.push(`${refused} need${refused > 1 ? '' : 's'} attention`);
  document.getElementById('net').textContent = parts.join(' · ');
}

/** Send everything queued now, backoff or not (we are back online, or just opened). */
async function sync() {
  if (getToken()) await flushOutbox({ force: true }).catch(() => null);
  await showNetwork();
}

/** Tell the parent what a flush elsewhere (the worker, a retry, another tab) did, and redraw. */
function outboxChanged(results, mine) {
  showNetwork();
  // A save reports its own session; everything else is news.
  if (mine && results.quiet) return;
  const { sent = [], refused = [] } = results;
  if (refused.length) toast(`${refused.length} session${refused.length > 1 ? 's' : ''} refused: see Today.`);
  else if (sent.length) toast(`${sent.length} saved session${sent.length > 1 ? 's' : ''} sent.`);
  if (sent.length || refused.length || results.discarded?.length) route();
}

/** Renew a subscription made with an old server key, and say so when reminders stopped on this phone. */
async function checkReminders() {
  const banner = document.getElementById('reminders-stopped');
  const { state } = getToken() ? await reminderState() : { state: 'off' };
  banner.hidden = state !== 'stopped';
  document.getElementById('reminders-again').onclick = async () => {
    try {
      await enableReminders();
      toast('Reminders are on again.');
      window.dispatchEvent(new Event('pumpwell:reminders-changed'));
    } catch (err) { toast(err.message || describeError(err)); }
  };
}

/** Register the service worker and offer a reload when a new version waits. */
async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
  const offer = (worker) => {
    const banner = document.getElementById('update');
    banner.hidden = false;
    document.getElementById('update-btn').onclick = () => worker.postMessage({ type: 'SKIP_WAITING' });
  };
  if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
  reg.addEventListener('updatefound', () => {
    const worker = reg.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && navigator.serviceWorker.controller) offer(worker);
    });
  });
  let reloading = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Only reload when the user asked for the update, not on the very first install.
    if (!document.getElementById('update').hidden && !reloading) {
      reloading = true;
      location.reload();
    }
  });
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.type === 'navigate') location.href = event.data.url;
  });
}

window.addEventListener('hashchange', route);
window.addEventListener('online', sync);
window.addEventListener('offline', showNetwork);
window.addEventListener('pumpwell:signed-out', () => { location.hash = '#/signin'; route(); });
onOutboxChange(outboxChanged);
window.addEventListener('pumpwell:reminders-changed', () => {
  checkReminders().catch(() => null);
  if (parseRoute().name === 'settings') route();
});

registerWorker().catch(() => {});
route().then(sync).then(checkReminders).catch(() => null);
