// The session form used after Stop, for a past session, and to edit one.
import { confirmDialog, field, h, openDialog, toast, working } from '../dom.js';
import { NOT_ADVICE, fromLocalInput, fromUnit, isoWithOffset, number, stepFor, toLocalInput, toUnit, typedStep, volume } from '../format.js';
import { N_, t } from '../i18n.js';
import { SESSION_LIMITS } from '../limits.js';
import { logSession, queuedItem, resendSession } from '../outbox.js';

const MODES = [['double', N_('Both')], ['left', N_('Left')], ['right', N_('Right')], ['hand', N_('By hand')]];
const PLACES = [['fridge', N_('Fridge')], ['freezer', N_('Freezer')], ['cooler', N_('Cooler with ice packs')], ['room', N_('Room temperature')]];
// Each side's stepper: its label (with the unit) and its buttons' names.
const SIDES = {
  left: { label: N_('Left ({unit})'), less: N_('Less left'), more: N_('More left') },
  right: { label: N_('Right ({unit})'), less: N_('Less right'), more: N_('More right') },
};

// Which form field shows the server's message for each API field.
const FIELD_OF = {
  started_at: 'started_at', duration_min: 'duration_min', ended_at: 'duration_min', left_ml: 'left', right_ml: 'right', mode: 'mode', notes: 'notes',
  pump: 'pump', flange_mm: 'flange_mm', pump_setting: 'pump_setting', pain: 'pain',
};
const EQUIPMENT = ['pump', 'flange_mm', 'pump_setting', 'pain'];

/** The pump, flange, setting and pain of her latest session that named any, for the next form to start from. */
export function lastEquipment(sessions) {
  const last = [...(sessions || [])].filter((s) => EQUIPMENT.some((name) => s[name] != null && s[name] !== ''))
    .sort((a, b) => (b.started_at || '').localeCompare(a.started_at || ''))[0];
  return last ? Object.fromEntries(EQUIPMENT.map((name) => [name, last[name] ?? null])) : {};
}

/** A session's equipment as [words, hers] pairs: the pump and setting are hers as she typed them. */
function equipmentParts(s) {
  return [[s.pump, true], [s.flange_mm != null ? `${number(s.flange_mm, 1)} mm` : null, false], [s.pump_setting, true],
    [s.pain != null ? t('pain {level}', { level: s.pain }) : null, false]].filter(([words]) => words != null && words !== '');
}

/** Say a session's equipment in a few words ("Spectra S1 · 24 mm · level 5 · pain 2"), or '' when none was logged. */
export function equipmentWords(s) {
  return equipmentParts(s).map(([words]) => words).join(' · ');
}

/** The same words as nodes to show, what she typed marked so that no translator touches it. */
export function equipmentNodes(s) {
  return equipmentParts(s).flatMap(([words, hers], index) => [index ? ' · ' : null, hers ? h('span', { translate: 'no' }, words) : words]);
}

/** The server's messages for one form field, as text. */
function messagesFor(errors, name) {
  return Object.entries(errors?.fields || {}).filter(([key]) => FIELD_OF[key] === name).map(([, v]) => [].concat(v).join(' ')).join(' ');
}

/** Put the server's reason beside the field it is about, for assistive technology too. */
function withError(block, input, message) {
  if (!message) return block;
  const id = `${input.id || `f-${Math.random().toString(36).slice(2)}`}-error`;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  block.append(h('p', { class: 'field-error', id }, message));
  return block;
}

/** The most one side may hold in the user's unit, rounded down so the server never refuses what the form took. */
function maxSide(unit) {
  const places = unit === 'oz' ? 100 : 1;
  return Math.floor(toUnit(SESSION_LIMITS.maxSideMl, unit) * places) / places;
}

/** A big -/+ stepper for a volume in the user's unit; more than the server keeps is refused on Save. */
function stepper(name, ml, unit) {
  const texts = SIDES[name];
  const step = stepFor(unit);
  const max = maxSide(unit);
  const shown = ml ? Number(toUnit(ml, unit).toFixed(unit === 'oz' ? 2 : 0)) : 0;
  const input = h('input', {
    type: 'number', name, inputmode: 'decimal', min: 0, max, step: typedStep(unit), value: String(shown),
  });
  // The browser's own "must be less than or equal to" says nothing of why; this names the limit and the unit.
  const check = () => input.setCustomValidity(
    Number(input.value) > max ? t('At most {volume} a side: check for a typo.', { volume: volume(SESSION_LIMITS.maxSideMl, unit) }) : '');
  input.addEventListener('input', check);
  check();  // a refused session shown again for a fix may already hold too much
  const bump = (sign) => {
    const next = Math.min(max, Math.max(0, (Number(input.value) || 0) + sign * step));
    input.value = String(Number(next.toFixed(2)));
    input.dispatchEvent(new Event('input'));
  };
  const id = `st-${name}`;
  input.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, t(texts.label, { unit: unit === 'oz' ? 'oz' : 'mL' })),
    h('div', { class: 'stepper' },
      h('button', { type: 'button', class: 'btn secondary', 'aria-label': t(texts.less), onclick: () => bump(-1) }, '−'),
      input,
      h('button', { type: 'button', class: 'btn secondary', 'aria-label': t(texts.more), onclick: () => bump(1) }, '+')));
}

/** Her most frequent recent left/right amounts, most frequent first (at most `count`). */
export function quickAmounts(sessions, count = 3) {
  const seen = new Map();
  for (const s of sessions || []) {
    if (!(s.left_ml || s.right_ml)) continue;
    const key = `${Math.round(s.left_ml || 0)}/${Math.round(s.right_ml || 0)}`;
    const entry = seen.get(key) || { left_ml: Math.round(s.left_ml || 0), right_ml: Math.round(s.right_ml || 0), n: 0, last: s.started_at };
    entry.n += 1;
    seen.set(key, entry);
  }
  return [...seen.values()].sort((a, b) => b.n - a.n || b.last.localeCompare(a.last)).slice(0, count);
}

/** One-tap buttons that fill both sides with an amount she logged before. */
function quickRow(amounts, unit, form) {
  if (!amounts.length) return null;
  const fill = (a) => () => {
    form.elements.left.value = String(Number(toUnit(a.left_ml, unit).toFixed(unit === 'oz' ? 2 : 0)));
    form.elements.right.value = String(Number(toUnit(a.right_ml, unit).toFixed(unit === 'oz' ? 2 : 0)));
    for (const side of [form.elements.left, form.elements.right]) side.dispatchEvent(new Event('input'));
    form.querySelector('[type=submit]').focus();
  };
  return h('div', { class: 'quick', role: 'group', 'aria-label': t('Amounts you logged before') },
    amounts.map((a) => h('button', { type: 'button', class: 'btn secondary small chip', onclick: fill(a) }, sideAmounts(a, unit))));
}

/** A session's left and right amounts in short: "L 60 mL · R 55 mL". */
export function sideAmounts(s, unit) {
  return t('L {left} · R {right}', { left: volume(s.left_ml, unit), right: volume(s.right_ml, unit) });
}

/** Radio buttons for the pumping mode. */
function modeChoice(current) {
  return h('fieldset', {}, h('legend', {}, t('Side')),
    h('div', { class: 'choices' }, MODES.map(([value, label]) => h('label', {},
      h('input', { type: 'radio', name: 'mode', value, checked: value === current }), t(label)))));
}

/** Pump, flange, setting and pain, filled from her last session: folded away, its summary says what will be saved. */
function equipmentFields(values, errors) {
  const input = (name, attrs) => h('input', { name, id: `eq-${name}`, value: values[name] ?? '', ...attrs });
  const pump = input('pump', { type: 'text', maxlength: SESSION_LIMITS.maxPump, autocomplete: 'off' });
  const flange = input('flange_mm', { type: 'number', min: SESSION_LIMITS.minFlangeMm, max: SESSION_LIMITS.maxFlangeMm, step: 0.5, inputmode: 'decimal' });
  const setting = input('pump_setting', { type: 'text', maxlength: SESSION_LIMITS.maxSetting, autocomplete: 'off' });
  const pain = input('pain', { type: 'number', min: 0, max: SESSION_LIMITS.maxPain, step: 1, inputmode: 'numeric' });
  const summary = h('summary', {});
  const say = (shown) => { summary.textContent = t('Pump and comfort: {equipment}', { equipment: equipmentWords(shown) || t('not noted') }); };
  const block = h('details', { class: 'equipment', open: EQUIPMENT.some((name) => errors?.fields?.[name]) },
    summary,
    withError(field(t('Pump'), pump), pump, messagesFor(errors, 'pump')),
    withError(field(t('Flange size (mm)'), flange), flange, messagesFor(errors, 'flange_mm')),
    withError(field(t('Suction or setting'), setting), setting, messagesFor(errors, 'pump_setting')),
    withError(field(t('Pain (0 to 10)'), pain), pain, messagesFor(errors, 'pain')));
  say(values);
  block.addEventListener('input', () => say(readEquipment(new FormData(block.closest('form')))));
  return block;
}

/** The equipment fields of a form's data as API values (empty is null). */
function readEquipment(data) {
  const text = (name) => (data.get(name) || '').trim() || null;
  const number = (name) => (text(name) === null ? null : Number(text(name)));
  return { pump: text('pump'), flange_mm: number('flange_mm'), pump_setting: text('pump_setting'), pain: number('pain') };
}

/** A box to put the session's milk in the stash as it is saved, and where it goes (shown once ticked). */
function stashChoice() {
  const where = h('select', { name: 'stash_in', id: 'stash-in' }, PLACES.map(([value, label]) => h('option', { value }, t(label))));
  const place = h('div', { class: 'field', hidden: true }, h('label', { for: 'stash-in' }, t('Put it in')), where);
  const box = h('input', { type: 'checkbox', name: 'stash', id: 'stash-it', onchange: (event) => { place.hidden = !event.target.checked; } });
  return h('div', { class: 'stash-choice' }, h('label', { class: 'check', for: 'stash-it' }, box, t('Put this milk in the stash')), place);
}

/**
 * Ask for a session's details in a dialog; resolves with an API body or null.
 * `offerStash` adds a box to stash the milk too: the body then says where under `stash_in` (not an API field).
 * `times` adds start and duration fields (past or edited sessions); otherwise start/end are given.
 * `errors` (the API's error) shows the server's reason beside each field it names.
 */
export function askSession(heading, { unit, session = {}, times = false, submitLabel = t('Save'), errors = null, timeZone = null, recent = [], offerStash = false, equipment = {} }) {
  return openDialog(heading, (close) => {
    const started = session.started_at ? new Date(session.started_at) : new Date(Date.now() - 20 * 60000);
    const start = h('input', { type: 'datetime-local', name: 'started_at', required: true, value: toLocalInput(started, timeZone) });
    const duration = h('input', {
      type: 'number', name: 'duration_min', min: SESSION_LIMITS.minMinutes, max: SESSION_LIMITS.maxMinutes, step: 1, inputmode: 'numeric', required: true,
      value: String(Math.round(session.duration_min || 15)),
    });
    const notes = h('textarea', { name: 'notes', maxlength: SESSION_LIMITS.maxNotes, translate: 'no' }, session.notes || '');
    const left = stepper('left', session.left_ml, unit);
    const right = stepper('right', session.right_ml, unit);
    const modes = modeChoice(session.mode || 'double');
    // A session of her own keeps what it has; a new one starts from her last session's equipment.
    const gear = equipmentFields(EQUIPMENT.some((name) => name in session) ? session : equipment, errors);
    const shown = new Set(['left', 'right', 'mode', 'notes', ...EQUIPMENT, ...(times ? ['started_at', 'duration_min'] : [])]);
    const other = Object.entries(errors?.fields || {}).filter(([key]) => !shown.has(FIELD_OF[key]))
      .map(([key, v]) => `${key}: ${[].concat(v).join(' ')}`);
    const general = errors && (other.length || !Object.keys(errors.fields || {}).length) ? [errors.message, ...other].join(' ') : null;
    const form = h('form', { class: 'stack session-form' },
      general ? h('p', { class: 'notice', role: 'alert' }, general) : null,
      h('div', { class: 'quick-holder' }),
      times ? withError(field(t('Started'), start), start, messagesFor(errors, 'started_at')) : null,
      times ? withError(field(t('Minutes'), duration), duration, messagesFor(errors, 'duration_min')) : null,
      withError(left, left.querySelector('input'), messagesFor(errors, 'left')),
      withError(right, right.querySelector('input'), messagesFor(errors, 'right')),
      withError(modes, modes, messagesFor(errors, 'mode')),
      gear,
      offerStash ? stashChoice() : null,
      withError(field(t('Notes (optional)'), notes), notes, messagesFor(errors, 'notes')),
      h('p', { class: 'hint not-advice' }, t(NOT_ADVICE)),
      h('div', { class: 'row form-actions' },
        h('button', { type: 'button', class: 'btn secondary', onclick: () => close(null) }, t('Cancel')),
        h('button', { type: 'submit', class: 'btn' }, submitLabel)));
    form.querySelector('.quick-holder').replaceWith(quickRow(recent, unit, form) || '');
    let askedEmpty = false;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!askedEmpty && !(Number(form.elements.left.value) > 0) && !(Number(form.elements.right.value) > 0)) {
        // An empty bottle is worth logging (the session counts), but a forgotten amount is the usual cause.
        if (!await confirmDialog(t('Save 0 mL?'), t('Both sides are at 0. Save a session with no milk?'), t('Save 0 mL'))) return;
        askedEmpty = true;
      }
      const data = new FormData(form);
      const body = {
        left_ml: Number(fromUnit(Number(data.get('left')) || 0, unit).toFixed(2)),
        right_ml: Number(fromUnit(Number(data.get('right')) || 0, unit).toFixed(2)),
        mode: data.get('mode') || 'double',
        notes: data.get('notes') || null,
        ...readEquipment(data),
      };
      if (data.get('stash')) body.stash_in = data.get('stash_in');
      if (times) {
        // Untouched fields keep their exact values: the inputs only hold whole minutes.
        body.started_at = start.value === start.defaultValue && session.started_at ? session.started_at
          : isoWithOffset(fromLocalInput(data.get('started_at'), timeZone));
        body.duration_min = duration.value === duration.defaultValue && session.duration_min ? session.duration_min
          : Number(data.get('duration_min'));
      }
      close(body);
    });
    return form;
  });
}

/** A queued session's body as the form's starting values (a start and a length in minutes). */
function formValues(body) {
  const minutes = body.ended_at ? (Date.parse(body.ended_at) - Date.parse(body.started_at)) / 60000 : body.duration_min;
  return { ...body, duration_min: minutes };
}

/** Show a refused session again with the server's reasons; resolves with the fixed body or null (kept for later). */
function askToFix(item, unit, timeZone) {
  return askSession(t('Check this session'), { unit, session: formValues(item.body), times: true, errors: item.error, submitLabel: t('Send again'), timeZone });
}

/** Say where a saved session's stash container is: stored with it, waiting, or refused (then listed on Stash). */
async function stashNews(stashId) {
  const left = await queuedItem(stashId);
  if (!left) return t('Session saved and its milk put in the stash.');
  if (left.state === 'refused') return t('Session saved, but not stashed: {reason} (see Stash).', { reason: left.error?.message ? t(left.error.message) : t('refused') });
  return t('Session saved. Its milk goes in the stash when you are back online.');
}

/** While the server refuses a queued session, ask for a fix; say where it ended; true once the server has it. */
async function untilStored(item, unit, timeZone, stashId = null) {
  while (item?.state === 'refused') {
    const fixed = await askToFix(item, unit, timeZone);
    if (!fixed) {
      toast(t('Kept on this phone, marked as needing attention.'));
      return false;
    }
    item = await working(resendSession(item.id, fixed));
  }
  toast(item ? t('Saved on this phone. It will be sent when you are back online.') : stashId ? await stashNews(stashId) : t('Session saved.'));
  return !item;
}

/** The request that stashes a session's milk (all of it, expressed when it ended); null when there is none. */
function stashRequest(session, location) {
  if (!((session.left_ml || 0) + (session.right_ml || 0) > 0)) return null;
  const id = crypto.randomUUID();
  // No volume: the server stashes all of the session's milk as stored, so a session fixed after a refusal
  // (a typo in its volume) is stashed with its fixed amount.
  return { id, method: 'POST', path: '/stash', body: { id, location, session_id: session.id } };
}

/**
 * Send a new session through the outbox (asking for fixes while it is refused); true once the server has it.
 * With `stash_in` in the body its milk is stashed too: queued behind the session, so it is sent only once the session is stored.
 */
export async function saveSession({ stash_in: stashIn, ...body }, unit, timeZone) {
  const session = { ...body, id: body.id || crypto.randomUUID() };
  const stash = stashIn ? stashRequest(session, stashIn) : null;
  return untilStored(await working(logSession(session, stash ? [stash] : [])), unit, timeZone, stash?.id);
}

/** Fix a session the server refused earlier; true once the server has it. */
export const fixSession = (item, unit, timeZone) => untilStored(item, unit, timeZone);
