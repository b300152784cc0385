// The session form used after Stop, for a past session, and to edit one.
import { field, h, openDialog, toast } from '../dom.js';
import { fromUnit, isoWithOffset, stepFor, toLocalInput, toUnit } from '../format.js';
import { logSession, resendSession } from '../outbox.js';

const MODES = [['double', 'Both'], ['left', 'Left'], ['right', 'Right'], ['hand', 'By hand']];

// Which form field shows the server's message for each API field.
const FIELD_OF = { started_at: 'started_at', duration_min: 'duration_min', ended_at: 'duration_min', left_ml: 'left', right_ml: 'right', mode: 'mode', notes: 'notes' };

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

/** A big -/+ stepper for a volume in the user's unit. */
function stepper(label, name, ml, unit) {
  const step = stepFor(unit);
  const shown = ml ? Number(toUnit(ml, unit).toFixed(unit === 'oz' ? 2 : 0)) : 0;
  const input = h('input', {
    type: 'number', name, inputmode: 'decimal', min: 0, step, value: String(shown),
  });
  const bump = (sign) => {
    const next = Math.max(0, (Number(input.value) || 0) + sign * step);
    input.value = String(Number(next.toFixed(2)));
  };
  const id = `st-${name}`;
  input.id = id;
  return h('div', { class: 'field' },
    h('label', { for: id }, `${label} (${unit === 'oz' ? 'oz' : 'mL'})`),
    h('div', { class: 'stepper' },
      h('button', { type: 'button', class: 'btn secondary', 'aria-label': `Less ${label.toLowerCase()}`, onclick: () => bump(-1) }, '−'),
      input,
      h('button', { type: 'button', class: 'btn secondary', 'aria-label': `More ${label.toLowerCase()}`, onclick: () => bump(1) }, '+')));
}

/** Radio buttons for the pumping mode. */
function modeChoice(current) {
  return h('fieldset', {}, h('legend', {}, 'Side'),
    h('div', { class: 'choices' }, MODES.map(([value, label]) => h('label', {},
      h('input', { type: 'radio', name: 'mode', value, checked: value === current }), label))));
}

/**
 * Ask for a session's details in a dialog; resolves with an API body or null.
 * `times` adds start and duration fields (past or edited sessions); otherwise start/end are given.
 * `errors` (the API's error) shows the server's reason beside each field it names.
 */
export function askSession(heading, { unit, session = {}, times = false, submitLabel = 'Save', errors = null }) {
  return openDialog(heading, (close) => {
    const started = session.started_at ? new Date(session.started_at) : new Date(Date.now() - 20 * 60000);
    const start = h('input', { type: 'datetime-local', name: 'started_at', required: true, value: toLocalInput(started) });
    const duration = h('input', {
      type: 'number', name: 'duration_min', min: 1, max: 240, step: 1, inputmode: 'numeric', required: true,
      value: String(Math.round(session.duration_min || 15)),
    });
    const notes = h('textarea', { name: 'notes', maxlength: 2000 }, session.notes || '');
    const left = stepper('Left', 'left', session.left_ml, unit);
    const right = stepper('Right', 'right', session.right_ml, unit);
    const modes = modeChoice(session.mode || 'double');
    const shown = new Set(['left', 'right', 'mode', 'notes', ...(times ? ['started_at', 'duration_min'] : [])]);
    const other = Object.entries(errors?.fields || {}).filter(([key]) => !shown.has(FIELD_OF[key]))
      .map(([key, v]) => `${key}: ${[].concat(v).join(' ')}`);
    const general = errors && (other.length || !Object.keys(errors.fields || {}).length) ? [errors.message, ...other].join(' ') : null;
    const form = h('form', { class: 'stack' },
      general ? h('p', { class: 'notice', role: 'alert' }, general) : null,
      times ? withError(field('Started', start), start, messagesFor(errors, 'started_at')) : null,
      times ? withError(field('Minutes', duration), duration, messagesFor(errors, 'duration_min')) : null,
      withError(left, left.querySelector('input'), messagesFor(errors, 'left')),
      withError(right, right.querySelector('input'), messagesFor(errors, 'right')),
      withError(modes, modes, messagesFor(errors, 'mode')),
      withError(field('Notes (optional)', notes), notes, messagesFor(errors, 'notes')),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'btn secondary', onclick: () => close(null) }, 'Cancel'),
        h('button', { type: 'submit', class: 'btn' }, submitLabel)));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = {
        left_ml: Number(fromUnit(Number(data.get('left')) || 0, unit).toFixed(2)),
        right_ml: Number(fromUnit(Number(data.get('right')) || 0, unit).toFixed(2)),
        mode: data.get('mode') || 'double',
        notes: data.get('notes') || null,
      };
      if (times) {
        // Untouched fields keep their exact values: the inputs only hold whole minutes.
        body.started_at = start.value === start.defaultValue && session.started_at ? session.started_at
          : isoWithOffset(new Date(data.get('started_at')));
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
export function askToFix(item, unit) {
  return askSession('Check this session', { unit, session: formValues(item.body), times: true, errors: item.error, submitLabel: 'Send again' });
}

/**
 * Send a session through the outbox and say where it went; while the server refuses it, ask the
 * parent to fix it. Resolves true once the server has it (false: kept on this phone).
 */
export async function saveSession(body, unit) {
  let item = await logSession(body);
  while (item?.state === 'refused') {
    const fixed = await askToFix(item, unit);
    if (!fixed) {
      toast('Kept on this phone, marked as needing attention.');
      return false;
    }
    item = await resendSession(item.id, fixed);
  }
  toast(item ? 'Saved on this phone. It will be sent when you are back online.' : 'Session saved.');
  return !item;
}
