// Timers are stored start times, not running counters, so they survive a reload,
// a locked screen or the app being killed. They are the signed-in account's (account.js), in the household
// shown (household.js): a timer started by one parent never runs on, or stops into, another's account, and a
// partner's timer for the parent stays in the parent's household.
import { forget, keep, kept } from './account.js';
import { scoped } from './household.js';

/** Where the household shown keeps its session timer. */
const sessionKey = () => scoped('timer');
/** Where the household shown keeps its phase timer. */
const phaseKey = () => scoped('phases');

/** Return the running session timer ({started_at}) or null. */
export function runningSession() {
  return kept(sessionKey());
}

/** Start the session timer now. */
export function startSession() {
  const timer = { started_at: new Date().toISOString() };
  keep(sessionKey(), timer);
  return timer;
}

/** Put back a timer that was discarded (Undo). */
export function restoreSession(timer) {
  keep(sessionKey(), timer);
}

/** Remember that the running timer became queued session `id`; it is forgotten once the server has it. */
export function markStopped(id) {
  const timer = runningSession();
  if (timer) keep(sessionKey(), { ...timer, session_id: id });
}

/** Stop (forget) the session timer. */
export function clearSession() {
  forget(sessionKey());
}

/** Return the running phase timer ({plan_id, slot_id, started_at, phases}) or null. */
export function runningPhases() {
  return kept(phaseKey());
}

/** Start a phase timer for a plan slot now. */
export function startPhases(planId, slotId, phases) {
  const timer = { plan_id: planId, slot_id: slotId, started_at: new Date().toISOString(), phases };
  keep(phaseKey(), timer);
  return timer;
}

/** Put back a phase timer that was cancelled (Undo). */
export function restorePhases(timer) {
  keep(phaseKey(), timer);
}

/** Forget the phase timer. */
export function clearPhases() {
  forget(phaseKey());
}

/** Where a phase timer is at `now`: {index, phase, secondsLeft, done, pumpMinutes}. */
export function phaseAt(timer, now = Date.now()) {
  let elapsed = (now - Date.parse(timer.started_at)) / 1000;
  const pumpMinutes = timer.phases.filter((p) => p.kind === 'pump').reduce((sum, p) => sum + p.minutes, 0);
  for (const [index, phase] of timer.phases.entries()) {
    const length = phase.minutes * 60;
    if (elapsed < length) return { index, phase, secondsLeft: length - elapsed, done: false, pumpMinutes };
    elapsed -= length;
  }
  return { index: timer.phases.length, phase: null, secondsLeft: 0, done: true, pumpMinutes };
}

let audio;
/** Vibrate and beep to mark a phase change (sound needs an earlier tap, which starting the timer was). */
export function signalChange() {
  navigator.vibrate?.([300, 150, 300]);
  try {
    audio ??= new AudioContext();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.25, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.6);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.6);
  } catch {
    // No audio on this device: the vibration and the screen still show the change.
  }
}
