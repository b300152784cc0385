// "Still pumping?": asked when a running timer has gone far past her usual session length (timer-rules.js), so a
// timer left running after she stopped becomes a session with its real end, not a three-hour one.
import { field, h, openDialog } from '../dom.js';
import { clock, fromLocalInput, minutes, toLocalInput } from '../format.js';
import { t } from '../i18n.js';
import { endProblem, latestEnd, tooLongToSave } from '../timer-rules.js';

/**
 * Ask whether she still pumps, or when she stopped; resolves with {action: 'keep'} (still pumping; from Stop: it
 * ended just now), {action: 'end', ended: Date}, {action: 'discard'}, or null (closed without an answer).
 * `stopping` says she tapped Stop, so the question is only when.
 */
export function askStillPumping(timer, usual, { timeZone, stopping = false, now = Date.now() }) {
  return openDialog(stopping ? t('When did you stop?') : t('Still pumping?'), (close) => {
    const started = Date.parse(timer.started_at);
    const usualEnd = new Date(started + usual * 60_000);
    const latest = latestEnd(timer, now);
    const input = h('input', { type: 'datetime-local', name: 'ended_at', id: 'ended-at', required: true,
      value: toLocalInput(latest, timeZone) });
    const error = h('p', { class: 'field-error', id: 'ended-at-error', role: 'alert', hidden: true });
    const choose = h('form', { class: 'ended-at', novalidate: true },
      field(t('Ended at another time'), input), error,
      h('button', { type: 'submit', class: 'btn secondary block' }, t('Use this time')));
    choose.addEventListener('submit', (event) => {
      event.preventDefault();
      const ended = input.value ? fromLocalInput(input.value, timeZone) : new Date(NaN);
      const problem = endProblem(timer, ended.getTime(), Date.now());
      error.textContent = problem ? t(problem) : '';
      error.hidden = !problem;
      if (problem) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', error.id);
        input.focus();
        return;
      }
      close({ action: 'end', ended });
    });
    const overLimit = tooLongToSave(timer, now);
    return h('div', { class: 'stack still-pumping' },
      h('p', {}, t('The timer has run {length}, since {time}. Your sessions usually last about {usual}.',
        { length: minutes((now - started) / 60_000), time: clock(timer.started_at, timeZone), usual: minutes(usual) })),
      // The API keeps sessions of at most 4 hours: past that, only an earlier end can be saved.
      overLimit ? h('p', { class: 'notice' }, t('A session lasts at most 4 hours, so choose when this one ended.'))
        : h('button', { type: 'button', class: 'btn block', onclick: () => close({ action: 'keep' }) },
          stopping ? t('I stopped just now') : t('Still pumping')),
      h('button', { type: 'button', class: 'btn secondary block', onclick: () => close({ action: 'end', ended: usualEnd }) },
        t('Ended at {time}, after {length}', { time: clock(usualEnd.toISOString(), timeZone), length: minutes(usual) })),
      choose,
      h('button', { type: 'button', class: 'btn secondary block', onclick: () => close({ action: 'discard' }) }, t('Discard timer')));
  });
}
