// Boot, routing between screens, connection status and service-worker updates.
import { api, cachedUser, cacheUser, getToken } from './api.js';
import { mount, toast } from './dom.js';
import { flushOutbox, pendingCount } from './outbox.js';
import * as auth from './screens/auth.js';
import * as today from './screens/today.js';
import * as history from './screens/history.js';
import * as plans from './screens/plans.js';
import * as settings from './screens/settings.js';
import * as phaseTimer from './screens/phase-timer.js';

const screens = { signin: auth, signup: auth, today, log: today, history, plans, settings, timer: phaseTimer };
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

/** Show whether we are online and how many sessions wait to be sent. */
async function showNetwork() {
  const waiting = await pendingCount().catch(() => 0);
  const parts = [];
  if (!navigator.onLine) parts.push('Offline');
  if (waiting) parts.push(`${waiting} waiting to send`);
  document.getElementById('net').textContent = parts.join(' · ');
}

/** Send queued sessions now and refresh the screen if any went out. */
async function sync() {
  if (getToken()) await flushOutbox().catch(() => 0);
  await showNetwork();
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
    if (event.data?.type === 'outbox-sent') { showNetwork(); route(); }
    if (event.data?.type === 'navigate') location.href = event.data.url;
  });
}

window.addEventListener('hashchange', route);
window.addEventListener('online', () => sync().then(route));
window.addEventListener('offline', showNetwork);
window.addEventListener('pumpwell:signed-out', () => { location.hash = '#/signin'; route(); });
window.addEventListener('pumpwell:outbox-sent', (event) => {
  toast(`${event.detail} saved session${event.detail > 1 ? 's' : ''} sent.`);
  showNetwork();
});
window.addEventListener('pumpwell:outbox-rejected', (event) => toast(`A queued session was refused: ${event.detail.message}`));
window.addEventListener('pumpwell:outbox-changed', showNetwork);

registerWorker().catch(() => {});
route().then(sync);
