// Settings: unit, time zone, goals, quiet hours, reminders on this device, consultant share links, sign out,
// the household (who may see her data, and whose she helps with), and the parent's own data (download it all, bring
// it in from a file or another app, delete the account). Settings are always her own, whichever household is shown.
import { currentAccount } from '../account.js';
import { ApiError, api, cachedUser, cacheUser, clearToken, describeError } from '../api.js';
import { append, busy, confirmDialog, field, h, mount, openDialog, openForm, toast } from '../dom.js';
import { DISPLAY_PLACES, NOT_ADVICE, addDays, dateTime, fromUnit, localDate, number, toUnit, volume } from '../format.js';
import { LANGUAGES, locale, t, tn, useLanguage } from '../i18n.js';
import { outboxAll, outboxDiscardAccount } from '../idb.js';
import { flushOutbox } from '../outbox.js';
import { passkeysCard } from '../passkeys.js';
import { disableReminders, enableReminders, forgetSubscription, needsInstallFirst, pushSupported, reminderState } from '../push.js';
import { downloadAction } from '../download.js';
import { securityCard } from './security.js';
import { describeQueued } from './waiting.js';

/** Name the screen for the document title. */
export const title = () => t('Settings');

/** Run a form's request; a failure without the server's reasons (no connection, time-out) is put in words. */
async function sending(request) {
  try {
    return await request;
  } catch (err) {
    throw err instanceof ApiError ? err : new Error(describeError(err));
  }
}

/**
 * A card that says the current values, with a button opening its form full screen (Save stays in view);
 * `fields()` builds the inputs afresh each time, `save(data)` sends them, then the screen redraws; `note` is a hint under the values,
 * `action` the button's words.
 */
function formCard(id, heading, summary, fields, save, { rerender, action, fieldOf = {}, note = null }) {
  const open = async () => {
    const saved = await openForm(heading, { id, fields: fields(), fieldOf, save: (form) => sending(save(new FormData(form))) });
    if (!saved) return;
    toast(t('Saved.'));
    rerender();
  };
  return h('section', { class: 'card', 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, heading),
    h('p', { id: `${id}-summary` }, summary),
    note ? h('p', { class: 'hint not-advice' }, note) : null,
    h('button', { type: 'button', class: 'btn secondary block', id: `${id}-open`, onclick: open }, action));
}

/** Unit and time zone. */
function displayCard(user, rerender) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [user.time_zone];
  if (!zones.includes(user.time_zone)) zones.unshift(user.time_zone);
  const units = [['ml', 'mL'], ['oz', t('US fl oz')]];
  const summary = t('Volumes in {unit} · times in {zone}', { unit: units.find(([value]) => value === user.unit)?.[1] || 'mL', zone: user.time_zone });
  return formCard('display', t('Units and time zone'), summary, () => [
    h('fieldset', {}, h('legend', {}, t('Show volumes in')), h('div', { class: 'choices' },
      units.map(([value, label]) => h('label', {},
        h('input', { type: 'radio', name: 'unit', value, checked: user.unit === value }), label)))),
    // Zones are named by their IANA identifiers, the same in every language.
    field(t('Time zone'), h('select', { name: 'time_zone', translate: 'no' }, zones.map((z) => h('option', { value: z, selected: z === user.time_zone }, z))),
      t('Reminders and days follow this zone.')),
  ], async (data) => {
    cacheUser(await api('PATCH', '/me', { unit: data.get('unit'), time_zone: data.get('time_zone') }));
  }, { rerender, action: t('Change units and time zone') });
}

/** Hours as words: "3 h" or "2.5 h" ("2,5 h" in French). */
const hours = (min) => `${number(min / 60, 2)} h`;

/** Daily goals and the longest gaps by day and night. */
function goalsCard(user, goals, rerender) {
  const unitLabel = user.unit === 'oz' ? 'oz' : 'mL';
  const num = (name, value, step, min) => h('input', { type: 'number', name, value: String(value), step, min, inputmode: 'decimal', required: true });
  const summary = tn('{volume} a day in {count} session; longest gap {day} by day, {night} at night ({from}–{until}).',
    '{volume} a day in {count} sessions; longest gap {day} by day, {night} at night ({from}–{until}).', goals.sessions_per_day, {
      volume: volume(goals.daily_volume_ml, user.unit), day: hours(goals.max_gap_day_min), night: hours(goals.max_gap_night_min),
      from: goals.night_start, until: goals.night_end,
    });
  return formCard('goals', t('Goals'), summary, () => [
    field(t('Daily volume ({unit})', { unit: unitLabel }), num('volume', Number(toUnit(goals.daily_volume_ml, user.unit).toFixed(DISPLAY_PLACES[user.unit])), 'any', 0)),
    field(t('Sessions per day'), num('sessions', goals.sessions_per_day, 1, 1)),
    field(t('Longest gap by day (hours)'), num('gap_day', goals.max_gap_day_min / 60, 0.25, 0.5)),
    field(t('Longest gap at night (hours)'), num('gap_night', goals.max_gap_night_min / 60, 0.25, 0.5)),
    h('div', { class: 'row' },
      field(t('Night starts'), h('input', { type: 'time', name: 'night_start', value: goals.night_start, required: true })),
      field(t('Night ends'), h('input', { type: 'time', name: 'night_end', value: goals.night_end, required: true }))),
    h('p', { class: 'hint not-advice' }, t(NOT_ADVICE)),
  ], async (data) => {
    await api('PUT', '/goals', {
      daily_volume_ml: Number(fromUnit(Number(data.get('volume')), user.unit).toFixed(1)),
      sessions_per_day: Number(data.get('sessions')),
      max_gap_day_min: Math.round(Number(data.get('gap_day')) * 60),
      max_gap_night_min: Math.round(Number(data.get('gap_night')) * 60),
      night_start: data.get('night_start'),
      night_end: data.get('night_end'),
    }, { own: true });
  }, {
    rerender,
    action: t('Change goals'),
    note: t(NOT_ADVICE),
    fieldOf: { daily_volume_ml: 'volume', sessions_per_day: 'sessions', max_gap_day_min: 'gap_day', max_gap_night_min: 'gap_night' },
  });
}

/** Quiet hours, when reminders hold back. */
function quietCard(user, rerender) {
  const quiet = user.quiet_hours;
  const summary = quiet ? t('No reminders from {start} until {end}.', { start: quiet.start, end: quiet.end }) : t('Off: reminders come at any hour.');
  return formCard('quiet', t('Quiet hours'), summary, () => [
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'on', checked: Boolean(quiet) }), t('No reminders during quiet hours')),
    h('div', { class: 'row' },
      field(t('From'), h('input', { type: 'time', name: 'start', value: quiet?.start || '22:00' })),
      field(t('Until'), h('input', { type: 'time', name: 'end', value: quiet?.end || '07:00' }))),
  ], async (data) => {
    const quietHours = data.get('on') ? { start: data.get('start'), end: data.get('end') } : null;
    cacheUser(await api('PATCH', '/me', { quiet_hours: quietHours }));
  }, { rerender, action: t('Change quiet hours') });
}

/** Reminders on this device: explain iOS installation first, ask permission only from a tap. */
async function remindersCard() {
  const card = h('section', { class: 'card', 'aria-labelledby': 'rem-h' }, h('h2', { id: 'rem-h' }, t('Reminders on this phone')));
  if (needsInstallFirst()) {
    card.append(h('div', { class: 'notice' },
      h('p', {}, t('On iPhone, reminders only work once Pumpwell is on your Home Screen:')),
      h('ol', {}, h('li', {}, t('Tap the Share button in Safari.')), h('li', {}, t('Choose "Add to Home Screen".')),
        h('li', {}, t('Open Pumpwell from the new icon and come back here.')))));
    return card;
  }
  if (!pushSupported()) {
    card.append(h('p', {}, t('This browser cannot show reminders. Try Chrome, Firefox, Edge or Safari 16.4 or newer.')));
    return card;
  }
  const { state, reason } = await reminderState().catch(() => ({ state: 'off' }));
  const on = state === 'on';
  const toggle = async (event) => {
    // Subscribing waits on the browser and its push service: say so at once; a silent push service fails in 8 s (push.js).
    try {
      await busy(event.target, on ? t('Turning off…') : t('Turning on…'), () => (on ? disableReminders() : enableReminders()));
      toast(on ? t('Reminders are off on this phone.') : t('Reminders are on.'));
    } catch (err) { toast(describeError(err)); }
    window.dispatchEvent(new Event('pumpwell:reminders-changed'));
  };
  const test = async (event) => {
    try {
      await busy(event.target, t('Sending…'), () => api('POST', '/push/test'));
      toast(t('Test reminder sent. It should arrive in a few seconds.'));
    } catch (err) { toast(describeError(err)); }
  };
  const says = { on: t('Reminders are on for this phone.'), off: t('Reminders are off for this phone.'), stopped: t('Reminders stopped on this phone.') };
  append(card, [
    h('p', { id: 'reminders-state' }, says[state]),
    state === 'stopped' ? h('p', { class: 'muted' }, reason || t('The push service stopped accepting them.')) : null,
    Notification.permission === 'denied'
      ? h('p', { class: 'notice' }, t('Notifications are blocked for Pumpwell. Allow them in the browser or phone settings.')) : null,
    h('button', { type: 'button', class: on ? 'btn secondary block spaced' : 'btn block spaced', onclick: toggle },
      { on: t('Turn reminders off'), off: t('Turn reminders on'), stopped: t('Turn reminders on again') }[state]),
    on ? h('button', { type: 'button', class: 'btn secondary block spaced', onclick: test }, t('Send me a test')) : null,
    h('a', { class: 'btn secondary block', href: '#/reminders' }, t('See coming reminders'))]);
  return card;
}

/** Say which device a subscription belongs to, in the parent's words (its name is data, "(this phone)" is not). */
function deviceName(sub) {
  const name = sub.device_label || (sub.user_agent || '').match(/\(([^;)]+)/)?.[1];
  const named = name ? h('span', { translate: 'no' }, name) : t('A device');
  return sub.current_device ? [named, ' ', t('(this phone)')] : named;
}

/** When reminders stopped on a device, and why when the push service said. */
function stoppedWords(sub, timeZone) {
  const when = dateTime(sub.stopped_at, timeZone);
  return sub.stop_reason ? t('Stopped {when}: {reason}.', { when, reason: sub.stop_reason }) : t('Stopped {when}.', { when });
}

/** This account's devices that get reminders, with their state and last delivered reminder. */
async function devicesCard(user) {
  const list = h('ul', { class: 'list', id: 'device-list' });
  try {
    const { items } = await api('GET', '/push/subscriptions');
    mount(list, items.length ? items.map((sub) => h('li', {},
      h('div', { class: 'item-head' }, h('span', {}, deviceName(sub)),
        h('span', { class: 'muted' }, sub.state === 'stopped' ? t('stopped') : t('on'))),
      h('p', { class: 'muted small-text' },
        sub.state === 'stopped' ? stoppedWords(sub, user.time_zone) : null, sub.state === 'stopped' ? ' ' : null,
        sub.last_success_at ? t('Last reminder delivered {when}', { when: dateTime(sub.last_success_at, user.time_zone) })
          : t('No reminder delivered yet')))) : h('li', { class: 'muted' }, t('No device gets reminders yet.')));
  } catch (err) {
    mount(list, h('li', { class: 'muted' }, describeError(err)));
  }
  return h('section', { class: 'card', 'aria-labelledby': 'devices-h' }, h('h2', { id: 'devices-h' }, t('Devices with reminders')), list);
}

/** Share links for a lactation consultant: create (token shown once), list, revoke. */
async function sharesCard(user) {
  const list = h('ul', { class: 'list', id: 'share-list' });
  const created = h('div', { 'aria-live': 'polite' });
  const refresh = async () => {
    const { items } = await api('GET', '/shares');
    mount(list, items.length ? items.map((share) => {
      const revoked = Boolean(share.revoked_at);
      const revoke = async () => {
        if (!await confirmDialog(t('Revoke link?'), t('"{label}" will stop working straight away.', { label: share.label }), t('Revoke'), true)) return;
        try { await api('DELETE', `/shares/${share.id}`); toast(t('Link revoked.')); } catch (err) { toast(describeError(err)); }
        refresh();
      };
      return h('li', {},
        h('div', { class: 'item-head' }, h('span', { translate: 'no' }, share.label), h('span', { class: 'muted' }, revoked ? t('revoked') : t('active'))),
        h('p', { class: 'muted small-text' }, revoked ? t('Revoked {when}', { when: dateTime(share.revoked_at, user.time_zone) }) : [
          t('Expires {when}', { when: dateTime(share.expires_at, user.time_zone) }), ' · ',
          share.last_used_at ? t('last opened {when}', { when: dateTime(share.last_used_at, user.time_zone) }) : t('not opened yet')]),
        revoked ? null : h('button', {
          type: 'button', class: 'btn secondary small', onclick: revoke, 'aria-label': t('Revoke {label}', { label: share.label }),
        }, t('Revoke')));
    }) : h('li', { class: 'muted' }, t('No links yet.')));
  };
  const show = (share) => {
    const url = new URL(share.url, location.origin).href;
    const copy = async () => { await navigator.clipboard?.writeText(url).catch(() => {}); toast(t('Link copied.')); };
    const send = async () => {
      try {
        await navigator.share({ title: 'Pumpwell', text: t('My pumping log (read-only)'), url });
      } catch (err) {
        if (err.name !== 'AbortError') copy();
      }
    };
    mount(created, h('div', { class: 'notice' },
      h('p', {}, t('Send this link to your consultant. It is shown only once.')),
      h('p', { class: 'share-url', id: 'share-url', translate: 'no' }, url),
      h('div', { class: 'row' },
        navigator.share ? h('button', { type: 'button', class: 'btn small', onclick: send }, t('Share link')) : null,
        h('button', { type: 'button', class: navigator.share ? 'btn secondary small' : 'btn small', onclick: copy }, t('Copy link')))));
  };
  const open = async () => {
    const share = await openForm(t('New link for your consultant'), {
      id: 'share-new', submitLabel: t('Create link'), workingLabel: t('Creating…'), fieldOf: { expires_in_days: 'days' },
      fields: [
        field(t('Who is it for?'), h('input', { type: 'text', name: 'label', required: true, maxlength: 80, placeholder: t('e.g. Dr. Ana, IBCLC') })),
        field(t('Expires after (days)'), h('input', { type: 'number', name: 'days', value: '14', min: 1, max: 90, step: 1, inputmode: 'numeric', required: true }),
          t('At most 90 days. You can revoke it any time.')),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'include_stash' }), t('Include my stash')),
      ],
      save: (form) => sending(api('POST', '/shares', {
        label: form.elements.label.value.trim(), expires_in_days: Number(form.elements.days.value), include_stash: form.elements.include_stash.checked,
      })),
    });
    if (!share) return;
    show(share);
    refresh().catch((err) => toast(describeError(err)));
  };
  const card = h('section', { class: 'card', 'aria-labelledby': 'share-h' }, h('h2', { id: 'share-h' }, t('Share with your consultant')),
    h('p', { class: 'muted' }, t('A read-only link with your chart, daily totals and sessions. No email, no changes possible.')),
    h('button', { type: 'button', class: 'btn block', id: 'share-new-open', onclick: open }, t('New link')), created, h('h3', {}, t('Your links')), list);
  await refresh().catch((err) => mount(list, h('li', { class: 'muted' }, describeError(err))));
  return card;
}

/** Say how "Send first" went: how many were sent, and why the rest (`left`) still wait. */
function sendOutcome(sent, left) {
  const refused = left.filter((item) => item.state === 'refused');
  const unsent = left.filter((item) => item.state !== 'refused');
  const reason = unsent[0]?.error?.message ? t(unsent[0].error.message) : t('no answer');
  return [
    sent ? tn('{count} sent.', '{count} sent.', sent) : null,
    unsent.length ? t('{what} could not be sent: {reason}.', { what: describeQueued(unsent), reason }) : null,
    refused.length ? t('{what} refused by the server: fix or discard on Today.', { what: describeQueued(refused) }) : null,
  ].filter(Boolean).join(' ');
}

/**
 * Before signing out with requests still queued, ask: send them first, sign out anyway (they stay on the phone under
 * this account), or cancel. Resolves with a word for the toast to sign out with ('' when nothing waited), or null to stay.
 */
async function readyToSignOut(outcome = '') {
  const left = await outboxAll();
  if (!left.length) return outcome;
  const choice = await openDialog(t('Sign out?'), (close) => {
    const sendFirst = async (event) => close(await busy(event.target, t('Sending…'), () => flushOutbox({ force: true, quiet: true })));
    const what = describeQueued(left);
    return h('div', {},
      outcome ? h('p', { class: 'notice', role: 'status' }, outcome) : null,
      h('p', {}, tn('{what} from this phone has not reached the server yet.', '{what} from this phone have not reached the server yet.', left.length, { what })),
      h('p', {}, tn('Sign out anyway and it stays on this phone under your account, hidden from anyone else who signs in here, until you sign in here again to send it.',
        'Sign out anyway and they stay on this phone under your account, hidden from anyone else who signs in here, until you sign in here again to send them.', left.length)),
      h('button', { type: 'button', class: 'btn block spaced', onclick: (event) => sendFirst(event).catch((err) => toast(describeError(err))) }, t('Send first')),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn secondary', onclick: () => close(null) }, t('Cancel')),
        h('button', { type: 'button', class: 'btn danger', onclick: () => close('anyway') }, t('Sign out anyway'))));
  });
  if (choice === 'anyway') return outcome;
  if (!choice) return null;
  return readyToSignOut(sendOutcome(choice.sent.length, await outboxAll()));
}

/** Account and sign out. */
function accountCard(user) {
  const signOut = async () => {
    const outcome = await readyToSignOut();
    if (outcome === null) return;
    await api('POST', '/auth/logout').catch(() => null);
    // The server dropped this phone's subscription with the token; the phone forgets it too.
    await forgetSubscription();
    await clearToken();
    location.hash = '#/signin';
    if (outcome) toast(t('{outcome} Signed out.', { outcome }));
  };
  return h('section', { class: 'card', 'aria-labelledby': 'acct-h' }, h('h2', { id: 'acct-h' }, t('Account')),
    h('p', {}, t('Signed in as {email}', { email: user.email })),
    h('button', { type: 'button', class: 'btn secondary block', onclick: signOut }, t('Sign out')));
}

/** Your data: download everything as JSON, or delete the account after typing the password. */
function dataCard(user) {
  const download = downloadAction;
  // The CSVs cover the last year, as far as the daily summary goes (366 days).
  const to = localDate(new Date(), user.time_zone);
  const range = `?from=${addDays(to, -365)}&to=${to}`;
  const remove = () => openDialog(t('Delete your account?'), (close) => {
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true });
    const form = h('form', {}, h('p', {}, t('Every session, goal, plan, reminder and share link is deleted for good, and every device is signed out.')),
      field(t('Your password'), password),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'btn secondary', onclick: () => close(false) }, t('Cancel')),
        h('button', { type: 'submit', class: 'btn danger' }, t('Delete for good'))));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        await api('DELETE', '/account', { password: password.value });
      } catch (err) { toast(describeError(err)); return; }
      close(true);
      // What the deleted account still queued goes with it, named before the sign-out forgets whose it was.
      const deleted = currentAccount();
      await clearToken();
      await outboxDiscardAccount(deleted);
      location.hash = '#/signin';
      toast(t('Your account and all its data are deleted.'));
    });
    return form;
  });
  return h('section', { class: 'card', 'aria-labelledby': 'data-h' }, h('h2', { id: 'data-h' }, t('Your data')),
    h('button', { type: 'button', class: 'btn secondary block spaced', onclick: download(`/export/sessions.csv${range}`, 'pumpwell-sessions.csv') },
      t('Download my sessions (CSV)')),
    h('button', { type: 'button', class: 'btn secondary block spaced', onclick: download(`/export/daily.csv${range}`, 'pumpwell-daily.csv') },
      t('Download daily summary (CSV)')),
    h('button', { type: 'button', class: 'btn secondary block spaced', onclick: download('/account/export', 'pumpwell-export.json') },
      t('Download all my data')),
    h('a', { class: 'btn secondary block spaced', href: '#/import', id: 'import-open' }, t('Bring your data')),
    h('button', { type: 'button', class: 'btn danger block', onclick: remove }, t('Delete my account')));
}

/** The way to the Household screen: who may see her data, and the households she helps. */
function householdCard() {
  return h('section', { class: 'card', 'aria-labelledby': 'household-h' }, h('h2', { id: 'household-h' }, t('Household')),
    h('p', { class: 'muted' }, t('Let a partner, a caregiver or your consultant in, each seeing only what their role allows.')),
    h('a', { class: 'btn secondary block', href: '#/household', id: 'household-open' }, t('Partner, caregiver, consultant')));
}

/** The language the app and her reminders speak: the whole screen redraws in the one she picks, at once. */
function languageCard(user) {
  // Each language is listed in its own words, so she finds hers whatever the screen speaks now.
  const current = user.language || locale();
  const select = h('select', { id: 'language', 'aria-labelledby': 'language-h', translate: 'no' },
    Object.entries(LANGUAGES).map(([value, name]) => h('option', { value, lang: value, selected: value === current }, name)));
  select.addEventListener('change', async () => {
    select.disabled = true;
    try {
      cacheUser(await api('PATCH', '/me', { language: select.value }));
    } catch (err) {
      toast(describeError(err));
      select.value = current;
      select.disabled = false;
      return;
    }
    await useLanguage(select.value);
    // app.js routes on a hash change: the screen, its title and the tabs are drawn again, in the new language.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    toast(t('Saved.'));
  });
  return h('section', { class: 'card', 'aria-labelledby': 'language-h' }, h('h2', { id: 'language-h' }, t('Language')), select);
}

/** Render the Settings screen. */
export async function render(root, { user }) {
  const rerender = async () => render(mount(root), { user: cachedUser() || user });
  try {
    const [goals, reminders, devices, shares, security, passkeys] = await Promise.all([api('GET', '/goals', undefined, { own: true }), remindersCard(), devicesCard(user), sharesCard(user), securityCard(user), passkeysCard(user)]);
    root.append(languageCard(user), displayCard(user, rerender), goalsCard(user, goals, rerender), quietCard(user, rerender), householdCard(), reminders, devices, shares, security, passkeys, accountCard(user), dataCard(user));
  } catch (err) {
    root.append(h('p', { class: 'card' }, describeError(err)), accountCard(user));
  }
}
