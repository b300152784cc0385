// A full-screen timer for a block with phases (the power hour: pump 20, rest 10, ...),
// with a vibration and a beep at every change.
import { api, describeError } from '../api.js';
import { h, mount, undoToast } from '../dom.js';
import { NOT_ADVICE, isoWithOffset, stopwatch } from '../format.js';
import { t } from '../i18n.js';
import { clearPhases, phaseAt, restorePhases, runningPhases, signalChange, startPhases } from '../timer.js';
import { askSession, saveSession } from './session-form.js';

/** Name the screen for the document title. */
export const title = () => t('Phase timer');

/** Say a phase in words, e.g. "Pump both sides". */
function phaseName(phase) {
  if (!phase) return t('Done');
  if (phase.kind === 'rest') return t('Rest');
  if (phase.side === 'left') return t('Pump left side');
  return phase.side === 'right' ? t('Pump right side') : t('Pump both sides');
}

/** Ask for volumes and log the block as one session. */
async function finish(user, timer) {
  const body = await askSession(t('How much did you pump?'), { unit: user.unit, submitLabel: t('Save session') });
  clearPhases();
  if (body) await saveSession({ ...body, started_at: isoWithOffset(new Date(timer.started_at)), ended_at: isoWithOffset(new Date()) }, user.unit);
  location.hash = '#/plans';
}

/** Show the running timer full screen; returns a function that stops it. */
function showRunning(root, user, timer) {
  const screen = h('section', { class: 'phase-screen', 'aria-label': t('Phase timer') });
  const name = h('p', { class: 'phase-name', 'aria-live': 'assertive' });
  const left = h('p', { class: 'phase-left', role: 'timer' });
  const next = h('p', {});
  const end = h('button', { type: 'button', class: 'btn', onclick: () => stop(true) }, t('Finish and log'));
  const quit = h('button', { type: 'button', class: 'btn secondary', onclick: async () => {
    clearPhases();
    stop(false);
    location.hash = '#/plans';
    // A mis-tap must not lose a running block: Undo brings the timer back where it was.
    if (await undoToast(t('Phase timer cancelled.'))) {
      restorePhases(timer);
      location.hash = `#/timer/${timer.plan_id}/${timer.slot_id}`;
    }
  } }, t('Cancel timer'));
  mount(screen, name, left, next, end, quit, h('p', { class: 'hint not-advice' }, t(NOT_ADVICE)));
  root.append(screen);
  let lastIndex = null;
  const tick = () => {
    const at = phaseAt(timer);
    if (lastIndex !== null && at.index !== lastIndex) signalChange();
    lastIndex = at.index;
    if (at.done) { stop(true); return; }
    screen.classList.toggle('pump', at.phase.kind === 'pump');
    name.textContent = phaseName(at.phase);
    left.textContent = stopwatch(Math.ceil(at.secondsLeft));
    const following = timer.phases[at.index + 1];
    next.textContent = following ? t('Next: {phase} for {minutes} min', { phase: phaseName(following).toLowerCase(), minutes: following.minutes })
      : t('Last phase');
  };
  const interval = setInterval(tick, 500);
  let stopped = false;
  function stop(log) {
    if (stopped) return;
    stopped = true;
    clearInterval(interval);
    if (log) finish(user, timer);
  }
  tick();
  return () => { stopped = true; clearInterval(interval); };
}

/** Render the phase timer for a plan slot. */
export async function render(root, { user, args }) {
  const [planId, slotId] = args;
  const running = runningPhases();
  if (running && (!slotId || String(running.slot_id) === slotId)) return showRunning(root, user, running);
  let stopTimer = null;
  try {
    const plan = await api('GET', `/plans/${planId}`);
    const slot = plan.slots.find((s) => String(s.id) === slotId);
    if (!slot) {
      root.append(h('section', { class: 'card' }, h('p', {}, t('That session is not part of the plan any more.')),
        h('p', { class: 'hint not-advice' }, t(NOT_ADVICE))));
      return null;
    }
    const total = slot.phases.reduce((sum, p) => sum + p.minutes, 0);
    root.append(h('section', { class: 'card' },
      h('h2', { translate: 'no' }, plan.name),
      h('p', {}, t('{total} minutes: {phases}.', { total, phases: slot.phases.map((p) => `${phaseName(p).toLowerCase()} ${p.minutes}`).join(', ') })),
      h('p', { class: 'hint' }, t('The phone vibrates and beeps at each change. Keep the screen on or check back; the timer keeps time even if the screen locks.')),
      h('button', { type: 'button', class: 'btn big-start', onclick: () => {
        signalChange();
        mount(root);
        stopTimer = showRunning(root, user, startPhases(plan.id, slot.id, slot.phases));
      } }, t('Start')),
      h('p', { class: 'hint not-advice' }, t(NOT_ADVICE))));
  } catch (err) {
    root.append(h('section', { class: 'card' }, h('p', {}, describeError(err)), h('p', { class: 'hint not-advice' }, t(NOT_ADVICE))));
  }
  return () => stopTimer?.();
}
