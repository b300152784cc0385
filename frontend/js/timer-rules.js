// When a running session timer looks forgotten, and what its left and right timers add up to. Pure rules: they
// take `now` (ms) and plain values, so a browser test checks them without a clock or a screen.
import { N_, t } from './i18n.js';
import { SESSION_LIMITS } from './limits.js';

/** Her usual session length in minutes while the phone knows none of her sessions. */
export const DEFAULT_USUAL_MINUTES = 20;
// Her last ten sessions say how she pumps now; older ones say how she pumped weeks ago.
const RECENT_SESSIONS = 10;
const MINUTE = 60_000;

/** A session's length in minutes as the API lists it, or from its start and end (a queued one); null if unknown. */
function lengthOf(session) {
  const minutes = session.duration_min ?? (Date.parse(session.ended_at) - Date.parse(session.started_at)) / MINUTE;
  return Number.isFinite(minutes) && minutes > 0 ? minutes : null;
}

/** The median length of her most recent sessions, in whole minutes within the API's limits (20 when none is known). */
export function usualMinutes(sessions) {
  const lengths = [...(sessions || [])].filter((s) => s?.started_at)
    .sort((a, b) => b.started_at.localeCompare(a.started_at)).slice(0, RECENT_SESSIONS)
    .map(lengthOf).filter((m) => m !== null).sort((a, b) => a - b);
  if (!lengths.length) return DEFAULT_USUAL_MINUTES;
  const middle = Math.floor(lengths.length / 2);
  const median = lengths.length % 2 ? lengths[middle] : (lengths[middle - 1] + lengths[middle]) / 2;
  return Math.min(SESSION_LIMITS.maxMinutes, Math.max(SESSION_LIMITS.minMinutes, Math.round(median)));
}

/** Minutes a timer may run before it asks "Still pumping?": twice her usual length, and never under usual + 30. */
export function forgottenAfterMinutes(usual) {
  return Math.max(2 * usual, usual + 30);
}

/** Whether a running timer looks forgotten at `now`: that long since it started, or since she last said she pumps on. */
export function looksForgotten(timer, usual, now) {
  const since = Date.parse(timer.confirmed_at || timer.started_at);
  return now - since >= forgottenAfterMinutes(usual) * MINUTE;
}

/** Whether a session from `started_at` to `now` is longer than the API keeps (4 hours). */
export function tooLongToSave(timer, now) {
  return now - Date.parse(timer.started_at) > SESSION_LIMITS.maxMinutes * MINUTE;
}

/** The latest end a forgotten timer may be given: now, or 4 hours after its start if that came first (a Date). */
export function latestEnd(timer, now) {
  return new Date(Math.min(now, Date.parse(timer.started_at) + SESSION_LIMITS.maxMinutes * MINUTE));
}

/** Why `ended` cannot end the timer's session at `now` (a text to show with t()), or null when it can (1 minute to
 * 4 hours, not ahead). */
export function endProblem(timer, ended, now) {
  const minutes = (ended - Date.parse(timer.started_at)) / MINUTE;
  if (!Number.isFinite(minutes)) return N_('Choose when you stopped.');
  if (ended > now) return N_('That is still to come: choose a time before now.');
  if (minutes < SESSION_LIMITS.minMinutes) return N_('Choose a time at least a minute after the start.');
  if (minutes > SESSION_LIMITS.maxMinutes) return N_('A session lasts at most 4 hours: choose an earlier time.');
  return null;
}

/** A side timer at `now` ({seconds, since} kept; since is null while paused): {seconds, running}. */
export function sideAt(side, now) {
  if (!side) return { seconds: 0, running: false };
  const running = Boolean(side.since);
  // A side left running past the session's chosen end counts only up to that end.
  const extra = running ? Math.max(0, now - Date.parse(side.since)) / 1000 : 0;
  return { seconds: side.seconds + extra, running };
}

/** The side timer after a tap at `now`: a running side pauses, a new or paused one (re)starts. */
export function tapSide(side, now) {
  const { seconds, running } = sideAt(side, now);
  return { seconds, since: running ? null : new Date(now).toISOString() };
}

/** What the session form starts with when side timers ran until `end`: the side(s) used, and each side's minutes
 * in the notes, in her language (the API keeps one length per session); null when no side timer ran. */
export function sidesForForm(sides, end) {
  const used = ['left', 'right'].map((name) => [name, sideAt(sides?.[name], end).seconds]).filter(([, s]) => s > 0);
  if (!used.length) return null;
  const words = used.map(([name, seconds]) => {
    const minutes = Math.max(1, Math.round(seconds / 60));
    return name === 'left' ? t('left {minutes} min', { minutes }) : t('right {minutes} min', { minutes });
  });
  const notes = t('Side timers: {sides}.', { sides: words.join(', ') });
  return { mode: used.length === 2 ? 'double' : used[0][0], notes };
}
