// Stash: the containers of stored milk in use-first order, with their expiry and the limit's source.
// Every change goes through the shared outbox under a client-chosen UUID, so a change made offline
// is sent once when the connection returns and the server stores it once. In a parent's household (household.js)
// a caregiver or partner changes her stash for her, and a consultant reads it.
import '../outbox-core.js';
import { keep, kept } from '../account.js';
import { ApiError, api, describeError } from '../api.js';
import { append, h, mount, openDialog, openForm, toast, undoToast } from '../dom.js';
import { dateTime, fromLocalInput, fromUnit, isoWithOffset, toLocalInput, toUnit, volume } from '../format.js';
import { byWhom, can, householdId, isHere, scoped } from '../household.js';
import { N_, t, tn } from '../i18n.js';
import { STASH_LIMITS } from '../limits.js';
import { flushOutbox, requestBackgroundSync } from '../outbox.js';

const core = self.PumpwellOutbox;
// The last stash seen, kept by the account and household like every cached answer (forgotten at sign-out).
const cacheName = () => `cache.${scoped('stash')}`;
// Words shown with t(): these are read before a language is set.
const PLACES = { room: N_('Room temperature'), cooler: N_('Cooler with ice packs'), fridge: N_('Fridge'), freezer: N_('Freezer') };
const NOT_ADVICE = N_('Storage limits are general guidance, not medical advice; when in doubt, ask your IBCLC.');
// A container's status and a guideline's conditions, as the server names them (server/domain/storage.py).
const STATUSES = {
  fresh: N_('fresh'), frozen: N_('frozen'), thawed: N_('thawed'), leftover: N_('leftover'), expired: N_('expired'), used: N_('used'),
  discarded: N_('discarded'),
};
const CONDITIONS = {
  room: N_('room'), cooler: N_('cooler'), fridge: N_('fridge'), freezer: N_('freezer'), thawed_fridge: N_('thawed fridge'),
  thawed_room: N_('thawed room'), leftover: N_('leftover'),
};
// What a refused change of a container was, by the last part of its path.
const CHANGES = { move: N_('move a container'), use: N_('use a container'), discard: N_('discard a container') };

/** A word the server sends as a key, in the parent's language (as it came when the app does not know it). */
const say = (words, key) => (words[key] ? t(words[key]) : key);

/** Name the screen for the document title. */
export const title = () => t('Stash');

/** Queue a stash change under its own UUID and try to send it now; resolves with the queued item or null once sent. */
async function queue(path, body) {
  const id = crypto.randomUUID();
  await core.enqueue({ id, method: 'POST', path, body: { ...body, id }, household: householdId() });
  await flushOutbox({ force: true, quiet: true });
  const item = await core.get(id);
  if (item?.state === 'pending') requestBackgroundSync();
  if (item?.state === 'refused') {
    // The server said no (for example thawed milk to the freezer): say why and drop the request.
    await core.discard(id);
    toast(item.error?.message ? t(item.error.message) : t('Refused.'));
    return item;
  }
  toast(item ? t('Saved on this phone; it will be sent when you are back online.') : t('Saved.'));
  return item;
}

/** The household's stash changes in the outbox: still waiting, and refused when a replay reached the server. */
async function queued() {
  const items = (await core.all()).filter((item) => item.path.startsWith('/stash') && isHere(item));
  return { pending: items.filter((i) => i.state === 'pending'), refused: items.filter((i) => i.state === 'refused') };
}

/** Say what a refused change was and why, with a button to let it go. */
function refusedRow(item, refresh) {
  const added = item.body.label ? t('Add {label}', { label: item.body.label }) : t('Add container');
  const action = item.path === '/stash' ? added : say(CHANGES, item.path.split('/').pop());
  const dismiss = async () => { await core.discard(item.id); refresh(); };
  return h('li', {},
    h('p', { class: 'field-error' }, action, ': ', item.error?.message ? t(item.error.message) : t('refused by the server')),
    h('button', { type: 'button', class: 'btn secondary small', onclick: dismiss }, t('Dismiss')));
}

/** Load the stash (or the last copy seen, offline). */
async function load() {
  try {
    const [page, guideline] = await Promise.all([api('GET', '/stash?limit=200'), api('GET', '/stash/guideline')]);
    const data = { page, guideline, fresh: true };
    keep(cacheName(), { page, guideline });
    return data;
  } catch (err) {
    // Only a lost connection shows the last copy: a refusal (her access taken back) must not.
    const cached = err instanceof ApiError ? null : kept(cacheName());
    if (cached) return { ...cached, fresh: false };
    throw err;
  }
}

/** The last few sessions with milk, newest first (none when they cannot be loaded, or are not hers to see). */
async function recentSessions() {
  if (!can('see_pumping')) return [];
  try {
    return (await api('GET', '/sessions?limit=10')).items.filter((s) => s.total_ml > 0);
  } catch {
    return [];
  }
}

/** Return one of her sessions with milk in it, or null (unknown, or nothing measured). */
async function sessionById(id) {
  try {
    const session = await api('GET', `/sessions/${encodeURIComponent(id)}`);
    return session.total_ml > 0 ? session : null;
  } catch {
    return null;
  }
}

/** Render the totals per place. */
function totalsCard(page, unit) {
  const { totals } = page;
  const stat = (label, total) => h('div', { class: 'stat' }, h('span', { class: 'value' }, volume(total.ml, unit)),
    // The count on a line of its own: on a narrow card "Réfrigérateur · 1 contenant" broke anywhere.
    h('span', { class: 'label' }, label, ' ',
      h('span', { class: 'count' }, tn('{count} container', '{count} containers', total.containers))));
  const expired = totals.expired.containers;
  return h('section', { class: 'card', 'aria-labelledby': 'stash-totals-h' },
    h('h2', { id: 'stash-totals-h' }, t('In date')),
    h('div', { class: 'stats', id: 'stash-totals' },
      stat(t('All'), totals.overall), stat(t('Fridge'), totals.fridge), stat(t('Freezer'), totals.freezer),
      stat(t('Cooler'), totals.cooler), stat(t('Room'), totals.room)),
    expired ? h('p', { class: 'notice' }, tn('{count} expired ({volume}): discard them.', '{count} expired ({volume}): discard them.', expired,
      { volume: volume(totals.expired.ml, unit) })) : null);
}

/** Say a container's limit and who gives it (the full source is under Limits and sources), with the CDC's figure beside a longer one. */
function limitLine(limit) {
  const source = limit.source.split(/[,:]/)[0];
  if (!limit.cdc_limit) return t('Limit {limit} ({source})', { limit: limit.limit, source });
  return t('Limit {limit} ({source}) · CDC: {cdc}', { limit: limit.limit, source, cdc: limit.cdc_limit });
}

/** Ask where the container goes. */
function askMove(batch) {
  return openDialog(t('Move container'), (close) => {
    const select = h('select', { id: 'move-to' },
      Object.entries(PLACES).filter(([key]) => key !== batch.location).map(([key, label]) => h('option', { value: key }, t(label))));
    return h('form', { method: 'dialog', onsubmit: (e) => { e.preventDefault(); close({ location: select.value }); } },
      h('div', { class: 'field' }, h('label', { for: 'move-to' }, t('Move to')), select),
      h('p', { class: 'hint' }, t('Fridge or cooler to freezer keeps the time it was expressed. Thawed milk never goes back to the freezer.')),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn secondary', onclick: () => close(null) }, t('Cancel')),
        h('button', { type: 'submit', class: 'btn' }, t('Move'))));
  });
}

/** Ask how much was used and whether the bottle was offered for a feed. */
function askUse(batch, unit) {
  return openDialog(t('Use milk'), (close) => {
    const amount = h('input', { id: 'use-amount', type: 'number', inputmode: 'decimal', min: '0', step: 'any', placeholder: t('All of it') });
    const offered = h('input', { id: 'use-offered', type: 'checkbox' });
    const submit = (e) => {
      e.preventDefault();
      const body = { offered: offered.checked };
      if (amount.value) body.volume = Number(amount.value);
      if (amount.value) body.unit = unit;
      close(body);
    };
    return h('form', { method: 'dialog', onsubmit: submit },
      h('div', { class: 'field' }, h('label', { for: 'use-amount' },
        t('Amount used ({unit}), {volume} left', { unit: unit === 'oz' ? 'oz' : 'mL', volume: volume(batch.remaining_ml, unit) })), amount),
      h('div', { class: 'check' }, offered, h('label', { for: 'use-offered' }, t('Offered for a feed that just ended (what is left keeps 2 h from now)'))),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn secondary', onclick: () => close(null) }, t('Cancel')),
        h('button', { type: 'submit', class: 'btn' }, t('Use'))));
  });
}

/** Ask why the milk is discarded. */
function askDiscard() {
  return openDialog(t('Discard container'), (close) => {
    const reason = h('input', { id: 'discard-reason', type: 'text', maxlength: '200', placeholder: t('Expired, spilled…') });
    return h('form', { method: 'dialog', onsubmit: (e) => { e.preventDefault(); close({ reason: reason.value }); } },
      h('div', { class: 'field' }, h('label', { for: 'discard-reason' }, t('Reason (optional)')), reason),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn secondary', onclick: () => close(null) }, t('Cancel')),
        h('button', { type: 'submit', class: 'btn danger' }, t('Discard'))));
  });
}

// A container's history by its steps' deeds (household.js byWhom): "Used by your caregiver".
const DONE = { expressed: 'added', moved: 'moved', used: 'used', offered: 'offered', discarded: 'discarded' };

/** Who did what to a container when it was not the parent ("Added by your caregiver · Used by your partner"), or null. */
function whoDid(batch, myId) {
  const said = new Set((batch.events || []).map((event) => byWhom(event, DONE[event.kind], myId)).filter(Boolean));
  return said.size ? [...said].join(' · ') : null;
}

/** Render one container with its expiry words and actions. */
function batchRow(batch, rank, user, refresh) {
  const name = batch.label || t('{volume} from {when}', { volume: volume(batch.volume_ml, user.unit), when: dateTime(batch.expressed_at, user.time_zone) });
  const act = (ask, action) => async (event) => {
    const body = await ask();
    if (!body) return;
    if (action === 'discard') {
      // The container leaves the list at once; the discard is only sent once the Undo window has passed.
      const row = event.target.closest('li');
      row.hidden = true;
      if (await undoToast(t('Container discarded.'))) { row.hidden = false; return; }
    }
    await queue(`/stash/${batch.id}/${action}`, body);
    refresh();
  };
  const flag = batch.expired ? h('span', { class: 'badge' }, t('Expired')) : h('span', { class: 'badge' }, t('Use #{rank}', { rank }));
  const who = whoDid(batch, user.id);
  return h('li', { dataset: { id: batch.id, status: batch.status } },
    h('div', { class: 'item-head' }, h('span', {}, flag, ' ', batch.label ? h('span', { translate: 'no' }, name) : name),
      h('span', { class: 'total' }, volume(batch.remaining_ml, user.unit))),
    h('p', { class: 'small-text' }, say(PLACES, batch.location), ' · ', say(STATUSES, batch.status), ' · ', h('strong', {}, batch.time_left)),
    h('p', { class: 'muted small-text' }, t('Expires {when}', { when: dateTime(batch.expires_at, user.time_zone) }), ' · ', limitLine(batch.limit)),
    who ? h('p', { class: 'muted small-text by-whom' }, who) : null,
    can('change_stash') ? h('div', { class: 'item-actions' },
      batch.expired ? null : h('button', {
        type: 'button', class: 'btn secondary small', onclick: act(() => askMove(batch), 'move'), 'aria-label': t('Move {name}', { name }),
      }, t('Move')),
      batch.expired ? null : h('button', {
        type: 'button', class: 'btn secondary small', onclick: act(() => askUse(batch, user.unit), 'use'), 'aria-label': t('Use {name}', { name }),
      }, t('Use')),
      h('button', { type: 'button', class: 'btn secondary small', onclick: act(askDiscard, 'discard'), 'aria-label': t('Discard {name}', { name }) }, t('Discard')))
      : null);
}

/** The add-a-container fields; `sessions` (recent, with milk) can be the milk's source, `chosen` fills the form from one. */
function addFields(user, sessions, chosen) {
  const unitLabel = user.unit === 'oz' ? 'oz' : 'mL';
  const amount = h('input', { id: 'stash-volume', name: 'volume', type: 'number', inputmode: 'decimal', min: '0', step: 'any', required: true });
  const place = h('select', { id: 'stash-location', name: 'location' },
    Object.entries(PLACES).map(([key, label]) => h('option', { value: key, selected: key === 'fridge' }, t(label))));
  const when = h('input', { id: 'stash-expressed', name: 'expressed_at', type: 'datetime-local', required: true, value: toLocalInput(new Date(), user.time_zone) });
  const label = h('input', { id: 'stash-label', name: 'label', type: 'text', maxlength: '100', placeholder: t('Optional, e.g. Mon am') });
  const source = h('select', { id: 'stash-session', name: 'session_id' }, h('option', { value: '' }, t('None (enter the time)')),
    sessions.map((s) => h('option', { value: s.id }, `${dateTime(s.started_at, user.time_zone)} · ${volume(s.total_ml, user.unit)}`)));
  source.addEventListener('change', () => { when.disabled = Boolean(source.value); });
  if (chosen) {
    // Came from a session in History: its milk, all of it unless she changes the amount.
    source.value = chosen.id;
    when.disabled = true;
    amount.value = String(Math.round(toUnit(chosen.total_ml, user.unit) * 100) / 100);
  }
  return [
    h('div', { class: 'field' }, h('label', { for: 'stash-volume' }, t('Volume ({unit})', { unit: unitLabel })), amount),
    h('div', { class: 'field' }, h('label', { for: 'stash-location' }, t('Where')), place),
    sessions.length ? h('div', { class: 'field' }, h('label', { for: 'stash-session' }, t('From a session')), source) : null,
    h('div', { class: 'field' }, h('label', { for: 'stash-expressed' }, t('Expressed at')), when),
    h('div', { class: 'field' }, h('label', { for: 'stash-label' }, t('Label')), label),
  ];
}

/** Queue the new container the form describes; throws the reasons when it is incomplete or refused. */
async function addContainer(form, user) {
  const { volume: amount, location: place, session_id: source, expressed_at: when, label } = form.elements;
  if (!(Number(amount.value) > 0)) throw Object.assign(new Error(t('Not added.')), { fields: { volume: t('Enter how much milk is in the container.') } });
  // The server refuses more; a typo caught here is never queued to be refused later.
  if (fromUnit(Number(amount.value), user.unit) > STASH_LIMITS.maxContainerMl) {
    const most = volume(STASH_LIMITS.maxContainerMl, user.unit);
    throw Object.assign(new Error(t('Not added.')), { fields: { volume: t('At most {volume} in a container: check for a typo.', { volume: most }) } });
  }
  const body = { volume: Number(amount.value), unit: user.unit, location: place.value, label: label.value };
  // From a session, the milk was expressed when it ended; a session's milk is never stashed twice over.
  if (source?.value) body.session_id = source.value;
  else body.expressed_at = isoWithOffset(fromLocalInput(when.value, user.time_zone));
  const item = await queue('/stash', body);
  if (item?.state === 'refused') throw item.error;
}

/** Open the add-a-container form full screen (Save in view); the screen redraws once it is queued. */
async function openAdd(user, refresh, sessions = [], chosen = null) {
  const added = await openForm(t('Add a container'), {
    id: 'stash-add', fields: addFields(user, sessions, chosen), submitLabel: t('Add to stash'), workingLabel: t('Adding…'),
    save: (form) => addContainer(form, user),
  });
  if (added) refresh();
}

/** The button that opens the add form, at the top of the screen where a thumb finds it (none for a reader). */
const addButton = (user, refresh, sessions) => (can('change_stash') ? h('button', {
  type: 'button', class: 'btn block spaced', id: 'stash-add-open', onclick: () => openAdd(user, refresh, sessions),
}, t('Add a container')) : null);

/** Render the guideline choice (the parent's alone) and its limits, each naming its source. */
function guidelineCard(guideline, refresh) {
  const select = h('select', { id: 'stash-guideline', disabled: Boolean(householdId()) },
    guideline.choices.map((c) => h('option', { value: c.key, selected: c.key === guideline.guideline }, c.name)));
  select.addEventListener('change', async () => {
    try {
      await api('PUT', '/stash/guideline', { guideline: select.value });
      toast(t('Guideline changed; expiries follow it.'));
      refresh();
    } catch (err) { toast(describeError(err)); }
  });
  // The limits, sources and notes are the server's words; each stays a text of its own between the separators.
  const rows = guideline.limits.map((row) => h('li', { class: 'small-text' },
    h('strong', {}, CONDITIONS[row.condition] ? t(CONDITIONS[row.condition]) : row.condition.replace('_', ' '), ': ', row.limit),
    row.cdc_limit ? [' ', t('(CDC: {limit})', { limit: row.cdc_limit })] : '', ' · ', row.source, row.note ? [' · ', row.note] : ''));
  return h('section', { class: 'card', 'aria-labelledby': 'stash-guide-h' },
    h('h2', { id: 'stash-guide-h' }, t('Storage guideline')),
    h('div', { class: 'field' }, h('label', { for: 'stash-guideline' }, t('Follow')), select),
    householdId() ? h('p', { class: 'hint' }, t('Only she can change the guideline.')) : null,
    h('details', {}, h('summary', {}, t('Limits and sources')), h('ul', { class: 'list' }, rows)),
    h('p', { class: 'muted small-text' }, guideline.not_medical_advice || t(NOT_ADVICE)));
}

/** Render the Stash screen. */
export async function render(root, { user, args = [] }) {
  const refresh = () => render(mount(root), { user });
  let data;
  try {
    data = await load();
  } catch (err) {
    append(root, [addButton(user, refresh, []), h('p', { class: 'card muted' }, describeError(err)), h('p', { class: 'muted small-text' }, t(NOT_ADVICE))]);
    return;
  }
  const { pending, refused } = await queued();
  const sessions = data.fresh ? await recentSessions() : [];
  const chosen = args[0] && can('change_stash') ? sessions.find((s) => s.id === args[0]) || await sessionById(args[0]) : null;
  if (chosen && !sessions.some((s) => s.id === chosen.id)) sessions.push(chosen);
  if (args[0]) history.replaceState(null, '', '#/stash');
  const list = h('ul', { class: 'list', id: 'stash-list' });
  let rank = 0;
  for (const batch of data.page.items) list.append(batchRow(batch, batch.expired ? 0 : ++rank, user, refresh));
  // append() skips the cards that do not apply (null); Element.append would print "null".
  append(root, [
    addButton(user, refresh, sessions),
    refused.length ? h('section', { class: 'card', 'aria-labelledby': 'stash-refused-h' },
      h('h2', { id: 'stash-refused-h' }, t('Needs attention')),
      h('ul', { class: 'list', id: 'stash-refused' }, refused.map((item) => refusedRow(item, refresh)))) : null,
    totalsCard(data.page, user.unit),
    h('section', { class: 'card', 'aria-labelledby': 'stash-list-h' },
      h('h2', { id: 'stash-list-h' }, t('Use first')),
      data.fresh ? null : h('p', { class: 'notice' }, t('Offline: showing the stash as last seen.')),
      pending.length ? h('p', { class: 'notice', id: 'stash-waiting' },
        tn('{count} change waiting to send.', '{count} changes waiting to send.', pending.length)) : null,
      list.children.length ? list : h('p', { class: 'muted', id: 'stash-empty' }, t('No milk stored yet.'))),
    guidelineCard(data.guideline, refresh),
  ]);
  if (chosen) openAdd(user, refresh, sessions, chosen);
}
