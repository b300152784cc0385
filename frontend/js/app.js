// Boot, routing between screens, connection status and service-worker updates.
import { currentAccount, keep, kept } from './account.js';
import { adoptAccount, api, cachedUser, cacheUser, describeError, forgetEarly, getToken } from './api.js';
import { clock } from './format.js';
import { busy, h, mount, skeleton, toast } from './dom.js';
import { chooseHousehold, firstScreen, household, householdChanges, householdLabel, keepJoin, knownParents, rememberParents, roleWord, shows } from './household.js';
import { flushOutbox, isOwnSave, onOutboxChange, outboxCounts } from './outbox.js';
import { N_, phoneLanguage, t, tc, tn, useLanguage } from './i18n.js';
import { enableReminders, reminderState } from './push.js';
import { hideTimerNotice } from './timer-notice.js';
// The screen contract, which route() relies on. A screen module (loaded on first use below) exports:
// - render(view, { name, args, user }): fills `view` (a fresh node, already in the page) and may return a
//   cleanup function, called before the next screen renders (or at once if a newer route won meanwhile);
// - title(name), optional: the screen's part of document.title ("Pumpwell" when absent).
// Screens learn of facts through one event each: onOutboxChange (sessions sent or refused),
// 'pumpwell:signed-out' and 'pumpwell:reminders-changed' on window.
// Screens load when first opened: on a slow line the first screen must not wait for all the others.
// (The service worker precaches every one of them, so they open offline too.)
const auth = () => import('./screens/auth.js');
const today = () => import('./screens/today.js');
const reset = () => import('./screens/reset.js');
const screens = {
  signin: auth, signup: auth, forgot: reset, reset, today, log: today,
  history: () => import('./screens/history.js'),
  trends: () => import('./screens/trends.js'),
  plans: () => import('./screens/plans.js'),
  stash: () => import('./screens/stash.js'),
  settings: () => import('./screens/settings.js'),
  import: () => import('./screens/import.js'),
  timer: () => import('./screens/phase-timer.js'),
  reminders: () => import('./screens/reminders.js'),
  household: () => import('./screens/household.js'),
  households: () => import('./screens/households.js'),
  join: () => import('./screens/join.js'),
  workspace: () => import('./screens/workspace.js'),
};
const main = document.getElementById('main');
const tabs = document.getElementById('tabs');
let cleanup = null;
let userFresh = false;
let routeSeq = 0;
let shownScreen = null;
// index.html's own words, written in English there: each language's after every change of language.
const SHELL_TEXTS = {
  '.skip': N_('Skip to content'), '#update > span': N_('A new version is ready.'), '#update-btn': N_('Reload'),
  '#reminders-stopped > span': N_('Reminders stopped on this phone.'), '#reminders-again': N_('Turn on again'),
};
// The tabs' names, in the context "tab": a translator may pick words shorter than the screens' headings, so five
// tabs fit a 320 px phone (tests/browser/test_languages.py holds every language to it).
const tabNames = () => ({
  today: tc('tab', 'Today'), history: tc('tab', 'History'), plans: tc('tab', 'Plans'), stash: tc('tab', 'Stash'),
  workspace: tc('tab', 'Clients'), settings: tc('tab', 'Settings'),
});
const SHELL_LABELS = {
  '#reminders-stopped': N_('Reminders'), '#zone-offer': N_('Time zone'), '#tabs': N_('Main'), '#main > .skeleton': N_('Loading'),
};

/** Put index.html's words (skip link, banners, tabs) in the language just chosen. */
function translateShell() {
  for (const [selector, text] of Object.entries(SHELL_TEXTS)) {
    const el = document.querySelector(selector);
    if (el) el.textContent = t(text);
  }
  for (const [selector, label] of Object.entries(SHELL_LABELS)) document.querySelector(selector)?.setAttribute('aria-label', t(label));
  for (const [tab, name] of Object.entries(tabNames())) tabs.querySelector(`[data-tab="${tab}"]`).textContent = name;
}

/** The signed-in user: the cached copy at once (refreshed in the background once per page load), else the API. */
async function currentUser() {
  // A token the previous release stored names no account on this phone yet: /me does, before a screen reads what it kept.
  if (!currentAccount()) {
    userFresh = true;
    return adoptAccount(await api('GET', '/me'));
  }
  const cached = cachedUser();
  if (cached && userFresh) return cached;
  userFresh = true;
  const fresh = api('GET', '/me').then(cacheUser);
  if (!cached) return fresh;
  // On a slow connection the screen must not wait for /me: a changed unit or zone redraws it when it comes.
  // The zone offer comes with the redrawn screen, so a form opened under it already uses the account's zone.
  fresh.then(async (user) => {
    if (user.unit !== cached.unit || user.time_zone !== cached.time_zone || user.language !== cached.language) {
      await route();
      offerZone(user);
    }
  }).catch(() => null);
  return cached;
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
  if (!signedIn && name === 'join' && args[0]) {
    // An invitation waits for her to sign in or up, in this tab only; sign-in comes back to it (afterSignIn).
    keepJoin(args[0]);
    history.replaceState(null, '', '#/signin');
  }
  // A forgotten password is asked for, and a new one chosen from the e-mailed link, signed out.
  if (!signedIn && !['signup', 'forgot', 'reset'].includes(name)) name = 'signin';
  if (signedIn && (name === 'signin' || name === 'signup')) name = 'today';
  // A pumping reminder's Start is about her own pumping, whichever log the phone showed.
  if (signedIn && name === 'today' && args[0] === 'start' && household()) chooseHousehold(null);
  // A reminder names whose it is (#/for/<account>/<screen>): show that household, hers or a parent's she helps.
  if (signedIn && name === 'for') {
    const [account, ...rest] = args;
    const parent = knownParents().find((known) => String(known.account_id) === account);
    if (parent) chooseHousehold(parent);
    else if (account === currentAccount()) chooseHousehold(null);
    history.replaceState(null, '', `#/${rest.join('/')}`);
    ({ name, args } = parseRoute());
  }
  const seq = ++routeSeq;
  // The account and the screen's code load side by side.
  const userLoad = signedIn ? currentUser() : Promise.resolve(null);
  userLoad.catch(() => null);
  const screen = await (screens[name] || today)();
  if (seq !== routeSeq) return;
  if (cleanup) cleanup();
  cleanup = null;
  tabs.hidden = !signedIn;
  const tab = {
    log: 'today', reminders: 'today', timer: 'plans', import: 'settings', household: 'settings', households: 'settings', join: 'settings', trends: 'history',
  }[name] || name;
  // A household shows only the tabs its role allows; a screen it does not offer opens its first one instead.
  if (signedIn && !shows(tab)) {
    location.replace(firstScreen());
    return;
  }
  for (const link of tabs.querySelectorAll('a')) {
    link.hidden = !shows(link.dataset.tab);
    if (link.dataset.tab === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  showHousehold(signedIn);
  let user = null;
  try {
    user = await userLoad;
  } catch {
    mount(main, t('Could not load your account. Check your connection and reload.'));
    return;
  }
  // Her language (the phone's until she signs in), before the screen writes a word ('pumpwell:language-changed').
  await useLanguage(user?.language || phoneLanguage());
  if (seq !== routeSeq) return;
  document.title = `${screen.title ? screen.title(name) : 'Pumpwell'} · Pumpwell`;
  // Each route renders into its own node, so a slow, superseded render lands nowhere.
  const view = document.createElement('div');
  const placeholder = skeleton();
  mount(main, view, placeholder);
  staleSince = null;
  showStale();
  const stop = await screen.render(view, { name, args, user });
  placeholder.remove();
  if (seq !== routeSeq) { stop?.(); return; }
  cleanup = stop || null;
  if (name !== shownScreen) {
    // A new screen starts at the top, and screen readers start reading it from there.
    if (shownScreen) main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
    shownScreen = name;
  }
}

/** The header's switcher: whose log is shown, for someone who helps a household (or shows one). */
function showHousehold(signedIn) {
  // The Clients tab follows the households she learns of (a consultant's), not only each new screen.
  for (const tab of tabs.querySelectorAll('a')) tab.hidden = !shows(tab.dataset.tab);
  const link = document.getElementById('household-switch');
  link.hidden = !signedIn || (!household() && !knownParents().length);
  const chosen = household();
  // Two parts, so a long address gives way (…) and the role stays in sight.
  mount(link, h('span', { class: 'who', translate: chosen ? 'no' : null }, chosen ? chosen.email : householdLabel()),
    chosen ? h('span', {}, ' — ', h('span', {}, roleWord(chosen.role))) : null);
  link.setAttribute('aria-label', t('Whose log: {name}. Switch', { name: householdLabel() }));
}

/**
 * Learn the households she helps again: when the one shown let her go, say so and show the switcher; when its role
 * changed (the parent let caregivers see her pumping), show the screen again with what it allows now.
 */
async function refreshHouseholds() {
  if (!getToken()) return;
  const before = JSON.stringify(household());
  const asked = householdChanges();
  const { items } = await api('GET', '/household/parents');
  // An answer asked before she joined or chose a household is out of date: it must not take her out of it.
  if (householdChanges() !== asked) return;
  const gone = rememberParents(items);
  showHousehold(true);
  if (gone) {
    toast(t("You no longer have access to {email}'s log.", { email: gone.email }));
    location.hash = '#/households';
  } else if (JSON.stringify(household()) !== before) {
    route();
  }
}

let staleSince = null;
/** Mark the screen as showing the last data seen when a read had to fall back to it. */
function showStale() {
  const banner = document.getElementById('stale');
  banner.hidden = staleSince === null;
  if (staleSince !== null) {
    const user = cachedUser();
    banner.textContent = t('Offline: showing what this phone last saw ({time}).', { time: clock(new Date(staleSince).toISOString(), user?.time_zone) });
  }
}

/** Ask, plan by plan, whether a plan set by local times of day keeps them in the new zone or keeps its moments. */
async function askAboutPlans(box, plans, zone) {
  for (const plan of plans) {
    const values = { plan: plan.name, at: plan.params?.start_time, from: plan.time_zone, zone };
    const question = values.at
      ? t('{plan} runs at {at} {from} time. In {zone}, keep its times of day (its coming sessions move) or keep the same moments?', values)
      : t('{plan} runs {from} time. In {zone}, keep its times of day (its coming sessions move) or keep the same moments?', values);
    const keep = await new Promise((answer) => {
      mount(box, h('span', {}, question),
        h('span', { class: 'banner-actions' },
          h('button', { type: 'button', class: 'btn small', onclick: () => answer('local_times') }, t('Keep times of day')),
          h('button', { type: 'button', class: 'btn small secondary', onclick: () => answer('instants') }, t('Keep moments'))));
      box.hidden = false;
    });
    try {
      await api('POST', `/plans/${plan.id}/move-to-zone`, { keep });
      toast(keep === 'local_times' ? t('{plan} now follows {zone} time.', values) : t('{plan} stays on {from} time.', values));
    } catch (err) { toast(describeError(err)); }
  }
  box.hidden = true;
}

/** Offer to move the account to the phone's time zone when they differ (once per zone); then ask about plans set
 * by local times of day in the old zone. */
function offerZone(user) {
  const phoneZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const box = document.getElementById('zone-offer');
  const asked = kept('zone-asked');
  if (!user || !phoneZone || phoneZone === user.time_zone || asked === phoneZone) { box.hidden = true; return; }
  const dismiss = () => { keep('zone-asked', phoneZone); box.hidden = true; };
  const move = async (event) => {
    event.target.disabled = true;
    event.target.textContent = t('Switching…');
    try {
      const { plans_in_other_zones: plans = [], ...moved } = await api('PATCH', '/me', { time_zone: phoneZone });
      cacheUser(moved);
      userFresh = true;
      toast(t('Times now follow {zone}.', { zone: phoneZone }));
      dismiss();
      await askAboutPlans(box, plans, phoneZone);
      route();
    } catch (err) {
      toast(describeError(err));
      event.target.disabled = false;
      event.target.textContent = t('Switch');
    }
  };
  mount(box, h('span', {}, t('This phone is in {phone}; your account uses {account}.', { phone: phoneZone, account: user.time_zone })),
    h('span', { class: 'banner-actions' },
      h('button', { type: 'button', class: 'btn small', onclick: move }, t('Switch')),
      h('button', { type: 'button', class: 'btn small secondary', onclick: dismiss }, t('Keep'))));
  box.hidden = false;
}

/** Show whether we are online, how many sessions wait to be sent and how many need attention (signed in: her own). */
async function showNetwork() {
  const none = { waiting: 0, refused: 0 };
  const { waiting, refused } = getToken() ? await outboxCounts().catch(() => none) : none;
  const parts = [];
  if (!navigator.onLine) parts.push(t('Offline'));
  if (waiting) parts.push(tn('{count} waiting to send', '{count} waiting to send', waiting));
  if (refused) parts.push(tn('{count} needs attention', '{count} need attention', refused));
  // Each part its own text, so each reads as the catalog wrote it.
  mount(document.getElementById('net'), parts.flatMap((part, i) => (i ? [' · ', part] : [part])));
}

/** Send everything queued now, backoff or not (we are back online, or just opened). */
async function sync() {
  if (getToken()) await flushOutbox({ force: true }).catch(() => null);
  await showNetwork();
}

/** Tell the parent what a flush elsewhere (the worker, a retry, another tab) did, and redraw. */
function outboxChanged(results, mine) {
  showNetwork();
  // Signed out there is nothing to redraw; news of another account's requests (a flush begun before a switch) is not hers.
  if (!getToken() || results.account !== currentAccount()) return;
  // A save reports its own session; everything else is news.
  if (mine && results.quiet) return;
  const { refused = [] } = results;
  // A session this page is saving gets its own toast from the form, not a second one from here.
  const sent = (results.sent || []).filter((id) => !isOwnSave(id));
  if (refused.length) toast(t('{what} refused: see Today.', { what: counted(refused, results.paths) }));
  else if (sent.length) toast(t('{what} sent.', { what: counted(sent, results.paths) }));
  if (sent.length || refused.length || results.discarded?.length) route();
}

/** Name what a list of outbox ids holds: "2 saved sessions", "1 saved session and 1 stash container". */
function counted(ids, paths = {}) {
  const containers = ids.filter((id) => paths[id] === '/stash').length;
  const sessions = ids.length - containers;
  const saved = tn('{count} saved session', '{count} saved sessions', sessions);
  const stashed = tn('{count} stash container', '{count} stash containers', containers);
  if (sessions && containers) return t('{sessions} and {containers}', { sessions: saved, containers: stashed });
  return sessions ? saved : stashed;
}

/** Renew a subscription made with an old server key, and say so when reminders stopped on this phone. */
async function checkReminders() {
  const banner = document.getElementById('reminders-stopped');
  const { state } = getToken() ? await reminderState() : { state: 'off' };
  banner.hidden = state !== 'stopped';
  document.getElementById('reminders-again').onclick = async (event) => {
    try {
      await busy(event.target, t('Turning on…'), enableReminders);
      toast(t('Reminders are on again.'));
      window.dispatchEvent(new Event('pumpwell:reminders-changed'));
    } catch (err) { toast(describeError(err)); }
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
// The words around every screen follow a new language at once, whoever chose it (route, or Settings).
window.addEventListener('pumpwell:language-changed', () => {
  translateShell();
  showHousehold(Boolean(getToken()));
  showNetwork();
});
window.addEventListener('pumpwell:stale', (event) => { staleSince = event.detail.at; showStale(); });
window.addEventListener('online', sync);
window.addEventListener('offline', showNetwork);
// A running timer stays with its account, and so does its notification: it goes with the sign-out.
window.addEventListener('pumpwell:signed-out', () => { location.hash = '#/signin'; route(); showNetwork(); hideTimerNotice(); });
// What this account left queued on the phone (signed out, or refused its token) goes now.
window.addEventListener('pumpwell:signed-in', sync);
window.addEventListener('pumpwell:signed-in', () => refreshHouseholds().catch(() => null));
// A household refused a request: her access may be gone, or its role changed.
window.addEventListener('pumpwell:household-refused', () => refreshHouseholds().catch(() => null));
window.addEventListener('pumpwell:household-changed', () => showHousehold(Boolean(getToken())));
onOutboxChange(outboxChanged);
window.addEventListener('pumpwell:reminders-changed', () => {
  checkReminders().catch(() => null);
  if (parseRoute().name === 'settings') route();
});

// The worker's precache would compete with the first screen's requests on a slow line: it waits for the screen.
// By then the first screen took the reads index.html started; later screens ask afresh.
const firstRoute = route();
firstRoute.finally(() => {
  forgetEarly();
  registerWorker().catch(() => {});
});
firstRoute.then(sync).then(checkReminders).then(() => getToken() && offerZone(cachedUser())).catch(() => null);
firstRoute.then(refreshHouseholds).catch(() => null);
