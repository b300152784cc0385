// The session form used after Stop, for a past session, and to edit one.
import { field, h, openDialog } from '../dom.js';
import { NOT_ADVICE, fromUnit, isoWithOffset, stepFor, toLocalInput, toUnit } from '../format.js';

const MODES = [['double', 'Both'], ['left', 'Left'], ['right', 'Right'], ['hand', 'By hand']];

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
 */
export function askSession(heading, { unit, session = {}, times = false, submitLabel = 'Save' }) {
  return openDialog(heading, (close) => {
    const started = session.started_at ? new Date(session.started_at) : new Date(Date.now() - 20 * 60000);
    const start = h('input', { type: 'datetime-local', name: 'started_at', required: true, value: toLocalInput(started) });
    const duration = h('input', {
      type: 'number', name: 'duration_min', min: 1, max: 240, step: 1, inputmode: 'numeric', required: true,
      value: String(Math.round(session.duration_min || 15)),
    });
    const notes = h('textarea', { name: 'notes', maxlength: 2000 }, session.notes || '');
    const form = h('form', { class: 'stack' },
      times ? field('Started', start) : null,
      times ? field('Minutes', duration) : null,
      stepper('Left', 'left', session.left_ml, unit),
      stepper('Right', 'right', session.right_ml, unit),
      modeChoice(session.mode || 'double'),
      field('Notes (optional)', notes),
      h('p', { class: 'hint not-advice' }, NOT_ADVICE),
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
        body.started_at = isoWithOffset(new Date(data.get('started_at')));
        body.duration_min = Number(data.get('duration_min'));
      }
      close(body);
    });
    return form;
  });
}
