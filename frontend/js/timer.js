// Timers are stored start times, not running counters, so they survive a reload,
// a locked screen or the app being killed.

const SESSION_KEY = 'pumpwell.timer';
const PHASE_KEY = 'pumpwell.phases';

/** Return the running session timer ({started_at}) or null. */
export function runningSession() {
  try { return JSON.parse(localStorage.getItem(SESSION_KEY)); } catch { return null; }
}

/** Start the session timer now. */
export function startSession() {
  const timer = { started_at: new Date().toISOString() };
  localStorage.setItem(SESSION_KEY, JSON.stringify(timer));
  return timer;
}

/** Put back a timer that was discarded (Undo). */
export function restoreSession(timer) {
  localStorage.setItem(SESSION_KEY, JSON.stringify(timer));
}

/** Remember that the running timer became queued session `id`; it is forgotten once the server has it. */
export function markStopped(id) {
  const timer = runningSession();
  if (timer) localStorage.setItem(SESSION_KEY, JSON.stringify({ ...timer, session_id: id }));
}

/** Stop (forget) the session timer. */
export function clearSession() {
  localStorage.removeItem(SESSION_KEY);
}

/** Return the running phase timer ({plan_id, slot_id, started_at, phases}) or null. */
export function runningPhases() {
  try { return JSON.parse(localStorage.getItem(PHASE_KEY)); } catch { return null; }
}

/** Start a phase timer for a plan slot now. */
export function startPhases(planId, slotId, phases) {
  const timer = { plan_id: planId, slot_id: slotId, started_at: new Date().toISOString(), phases };
  localStorage.setItem(PHASE_KEY, JSON.stringify(timer));
  return timer;
}

/** Put back a phase timer that was cancelled (Undo). */
export function restorePhases(timer) {
  localStorage.setItem(PHASE_KEY, JSON.stringify(timer));
}

/** Forget the phase timer. */
export function clearPhases() {
  localStorage.removeItem(PHASE_KEY);
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
