// Today: how the day is going, her last session again in two taps, and Start/Stop in thumb reach. In a parent's
// household a partner logs for her; a consultant, or a caregiver she lets see her pumping, only reads.
import { api, lastSeenData } from '../api.js';
import { confirmDialog, h, mount, toast, undoToast } from '../dom.js';
import { NOT_ADVICE, clock, isoWithOffset, localDate, minutes, stopwatch, volume } from '../format.js';
import { can, householdId, isHere } from '../household.js';
import { N_, t } from '../i18n.js';
import { outboxAll } from '../idb.js';
import { discardQueued } from '../outbox.js';
import { clearSession, keepGoing, markStopped, restoreSession, runningSession, startSession, tapSessionSide } from '../timer.js';
import { showTimerNotice } from '../timer-notice.js';
import { looksForgotten, sideAt, sidesForForm, tooLongToSave, usualMinutes } from '../timer-rules.js';
import { askSession, fixSession, lastEquipment, quickAmounts, saveSession, sideAmounts } from './session-form.js';
import { askStillPumping } from './still-pumping.js';

/** Name the screen for the document title. */
export const title = () => t('Today');

/** Forget a stopped timer once its session has left the outbox and the server has it. */
async function settleTimer(queued) {
  const running = runningSession();
  if (!running?.session_id || queued.some((item) => item.id === running.session_id)) return;
  const stored = await api('GET', `/sessions/${running.session_id}`).then(() => true, () => false);
  if (stored) clearSession();
}

/** Today's figures as last seen on this phone, for a screen that shows before the network answers; null if none. */
async function lastSeenDay(user) {
  const day = localDate(new Date(), user.time_zone);
  const reads = self.pumpwellTodayReads(day);
  const summary = lastSeenData(reads.summary);
  if (!summary) return null;
  const sessions = lastSeenData(reads.sessions);
  const reminders = householdId() ? null : lastSeenData(reads.reminders);
  const queued = await queuedSessions();
  return { day, summary, sessions: sessions?.items || null, reminders: reminders?.items || null, queued, lastSeen: true };
}

/** The household's sessions waiting in the outbox, as bodies with their item. */
async function queuedSessions() {
  return (await outboxAll()).filter((item) => item.path === '/sessions' && isHere(item)).map((item) => ({ ...item.body, outbox: item }));
}

/** Load today's figures; any part may be missing offline. Reminders are the parent's own, never a helper's to read. */
async function loadDay(user) {
  const day = localDate(new Date(), user.time_zone);
  const reads = self.pumpwellTodayReads(day);
  const paths = householdId() ? [reads.summary, reads.sessions] : [reads.summary, reads.sessions, reads.reminders];
  const [summary, sessions, reminders] = await Promise.all(paths.map((path) => api('GET', path).catch(() => null)));
  const queued = await queuedSessions();
  await settleTimer(queued);
  return { day, summary, sessions: sessions?.items || null, reminders: reminders?.items || null, queued };
}

/** The session-form options every Today form shares: her zone, her usual amounts, and the box to stash the milk. */
const formOptions = (user, data) => ({
  unit: user.unit, timeZone: user.time_zone, offerStash: can('change_stash'),
  recent: quickAmounts([...(data.sessions || []), ...data.queued.filter((s) => s.outbox.state !== 'refused')]),
  equipment: lastEquipment([...(data.sessions || []), ...data.queued]),
});

/** Count a session the server just stored among her amounts at once: a tap before the day comes back offers it. */
const remember = (data, body) => { data.sessions = [body, ...(data.sessions || [])]; };

// One "Still pumping?" at a time, once per opening of Today for the same stretch of the timer: Today draws twice
// as it opens (the figures last seen, then fresh ones), and an answer that saves nothing must not bring it back.
let asking = false;
let askedFor = null;

// What each side's button says while it runs, once paused, and before it first starts.
const SIDE_VERBS = {
  left: { running: N_('Pause left'), paused: N_('Resume left'), idle: N_('Start left') },
  right: { running: N_('Pause right'), paused: N_('Resume right'), idle: N_('Start right') },
};

/** Left and right timers for a parent who pumps one side at a time; `tick` redraws their times. */
function sideTimers() {
  const buttons = ['left', 'right'].map((side) => {
    const button = h('button', { type: 'button', class: 'btn secondary small side-timer', dataset: { side } },
      h('span', { class: 'side-verb' }), h('span', { class: 'side-time' }));
    button.addEventListener('click', () => { tapSessionSide(side); tick(); });
    return button;
  });
  const tick = () => {
    const timer = runningSession();
    for (const button of buttons) {
      const { side } = button.dataset;
      const at = sideAt(timer?.sides?.[side], Date.now());
      const verbs = SIDE_VERBS[side];
      button.querySelector('.side-verb').textContent = t(at.running ? verbs.running : at.seconds ? verbs.paused : verbs.idle);
      button.querySelector('.side-time').textContent = stopwatch(at.seconds);
      button.classList.toggle('running', at.running);
    }
  };
  tick();
  return { row: h('div', { class: 'side-row', role: 'group', 'aria-label': t('One side at a time') }, buttons), tick };
}

/** Render the thumb-reach dock above the tabs: Start (and Log), or the running time with Stop; none for a reader.
 * With `stopNow` (the notification's Stop) the Stop form opens at once. */
function timerDock(user, data, rerender, stopNow = false) {
  if (!can('log_sessions')) return null;
  const running = runningSession();
  if (!running || running.session_id) {
    return h('section', { class: 'dock', 'aria-label': t('Session timer') },
      running ? h('p', { class: 'hint', id: 'timer-queued' },
        t('Your session from {time} is kept on this phone until it is sent.', { time: clock(running.started_at, user.time_zone) })) : null,
      h('div', { class: 'dock-row' },
        h('button', { type: 'button', class: 'btn secondary', id: 'log-past', onclick: () => logPast(user, data, rerender) }, t('Log a past session')),
        h('button', { type: 'button', class: 'btn big-start', onclick: () => { startSession(); rerender(); } }, t('Start'))));
  }
  showTimerNotice(running, user.time_zone);
  const usual = usualMinutes([...(data.sessions || []), ...data.queued]);
  const sides = sideTimers();
  const readout = h('span', { class: 'dock-readout', role: 'timer', 'aria-live': 'off' });
  const finish = async (ended) => {
    // The API keeps sessions of 1 minute to 4 hours; say so now rather than fail later.
    if (ended - Date.parse(running.started_at) < 60000) {
      toast(t('That was under a minute. Keep going, or discard the timer.'));
      return;
    }
    // Her side timers say which side(s) she pumped and for how long.
    const session = sidesForForm(runningSession()?.sides, ended.getTime()) || {};
    const body = await askSession(t('How much did you pump?'), { ...formOptions(user, data), session, submitLabel: t('Save session') });
    if (!body) return;
    // The timer's start is kept until the server has the session (a refused typo loses nothing).
    const id = crypto.randomUUID();
    markStopped(id);
    const started = isoWithOffset(new Date(running.started_at));
    const stopped = { ...body, id, started_at: started, ended_at: isoWithOffset(ended) };
    const stored = await saveSession(stopped, user.unit, user.time_zone);
    if (stored) {
      clearSession();
      remember(data, stopped);
    }
    await rerender();
    focusSaved(id);
  };
  const discard = async () => {
    clearSession();
    rerender();
    // One tap must not lose a running session: the timer comes back, start time and all, on Undo.
    if (await undoToast(t('Timer discarded.'))) {
      restoreSession(running);
      rerender();
    }
  };
  // Far past her usual length the timer was likely left running: ask before a three-hour session is saved.
  const ask = async (stopping) => {
    const stretch = `${running.started_at} ${runningSession()?.confirmed_at}`;
    if (asking || (!stopping && askedFor === stretch)) return;
    asking = true;
    askedFor = stretch;
    const answer = await askStillPumping(running, usual, { timeZone: user.time_zone, stopping });
    asking = false;
    if (answer?.action === 'end') await finish(answer.ended);
    else if (answer?.action === 'discard') await discard();
    else if (stopping && answer) await finish(new Date());
    else if (!stopping) keepGoing();  // "Still pumping", or closed: ask again only after another long stretch
  };
  // Past 4 hours only an earlier end can be saved, whatever she answered before.
  const stop = () => {
    const now = Date.now();
    return looksForgotten(runningSession() || running, usual, now) || tooLongToSave(running, now) ? ask(true) : finish(new Date());
  };
  const tick = () => {
    readout.textContent = stopwatch((Date.now() - Date.parse(running.started_at)) / 1000);
    sides.tick();
    // Not over another question (the amounts form after Stop, say).
    if (!stopNow && !document.querySelector('dialog[open]') && looksForgotten(runningSession() || running, usual, Date.now())) ask(false);
  };
  tick();
  const interval = setInterval(tick, 1000);
  const dock = h('section', { class: 'dock running', 'aria-label': t('Session timer') },
    h('p', { class: 'dock-status' }, h('span', {}, t('Pumping since {time}', { time: clock(running.started_at, user.time_zone) })), readout),
    sides.row,
    h('div', { class: 'dock-row' },
      h('button', { type: 'button', class: 'btn secondary', onclick: discard }, t('Discard timer')),
      h('button', { type: 'button', class: 'btn danger big-start', onclick: stop }, t('Stop'))));
  dock.stopTicking = () => clearInterval(interval);
  if (stopNow) stop();
  return dock;
}

/** Put the focus on the session just saved (read out by screen readers), or on Log when it is not today's. */
function focusSaved(id) {
  (document.getElementById(`session-${id}`) || document.getElementById('log-past'))?.focus();
}

/** Save a session from a Today form, redraw, and leave the focus where the parent carries on. */
async function saveFromForm(user, data, rerender, body) {
  const session = { ...body, id: crypto.randomUUID() };
  if (await saveSession(session, user.unit, user.time_zone)) remember(data, session);
  await rerender();
  focusSaved(session.id);
}

/** Log a session that is over, from the form. */
async function logPast(user, data, rerender) {
  const body = await askSession(t('Log a session'), { ...formOptions(user, data), times: true });
  if (body) await saveFromForm(user, data, rerender, body);
}

/** Offer her last session again: its amounts, side and length, ending now; one tap opens it ready to save. */
function quickCard(user, data, rerender) {
  const last = [...(data.sessions || [])].sort((a, b) => b.started_at.localeCompare(a.started_at))[0];
  if (!last || !can('log_sessions')) return null;
  const again = async () => {
    const minutes = Math.round(last.duration_min || 15);
    const session = { left_ml: last.left_ml, right_ml: last.right_ml, mode: last.mode, duration_min: minutes,
      started_at: new Date(Date.now() - minutes * 60000).toISOString(), ...lastEquipment([last]) };
    const body = await askSession(t('Same as last time'), { ...formOptions(user, data), session, times: true });
    if (body) await saveFromForm(user, data, rerender, body);
  };
  return h('button', { type: 'button', class: 'btn secondary block spaced', id: 'same-again', onclick: again },
    t('Same as last time: {amounts}', { amounts: sideAmounts(last, user.unit) }));
}

/** Render the day's figures against the goal. */
function dayCard(user, data) {
  const { summary, sessions, reminders, day } = data;
  const queued = data.queued.filter((s) => s.outbox.state !== 'refused').map(asSent);
  const today = summary?.days?.[0];
  const goal = summary?.goal;
  const mine = (sessions || []).filter((s) => localDate(new Date(s.started_at), user.time_zone) === day);
  const queuedToday = queued.filter((s) => localDate(new Date(s.started_at), user.time_zone) === day);
  // Only what the server stored counts: a session still waiting (a 5,000 mL typo, say) shows apart until it is.
  const totalMl = today?.total_ml ?? mine.reduce((sum, s) => sum + (s.total_ml || 0), 0);
  const waitingMl = queuedToday.reduce((sum, s) => sum + s.total_ml, 0);
  const count = today?.sessions ?? mine.length;
  const last = [...queued.map((s) => s.ended_at || s.started_at),
    ...(sessions || []).map((s) => s.ended_at || s.started_at)].sort().at(-1);
  const next = (reminders || []).filter((r) => r.status === 'pending' || !r.status)
    .sort((a, b) => a.send_after.localeCompare(b.send_after))[0];
  const pct = goal?.daily_volume_ml ? Math.min(100, Math.round((totalMl / goal.daily_volume_ml) * 100)) : 0;
  return h('section', { class: 'card', 'aria-labelledby': 'today-h' },
    h('h2', { id: 'today-h' }, t('Today')),
    h('p', { id: 'today-total', class: 'timer-readout' }, volume(totalMl, user.unit)),
    queuedToday.length ? h('p', { id: 'today-waiting', class: 'today-waiting' },
      t('+ {volume} waiting to send', { volume: volume(waitingMl, user.unit) })) : null,
    goal ? h('div', {},
      h('div', { class: 'progress', role: 'progressbar', 'aria-label': t('Daily volume goal'), 'aria-valuemin': 0,
        'aria-valuemax': 100, 'aria-valuenow': pct }, h('span', { dataset: { pct } })),
      h('p', { class: 'muted' }, householdId() ? t('{pct}% of her {goal} goal', { pct, goal: volume(goal.daily_volume_ml, user.unit) })
        : t('{pct}% of your {goal} goal', { pct, goal: volume(goal.daily_volume_ml, user.unit) }))) : null,
    h('div', { class: 'stats' },
      h('div', { class: 'stat' }, h('span', { class: 'value', id: 'today-count' },
        goal ? `${count} / ${goal.sessions_per_day}` : String(count)), h('span', { class: 'label' }, t('sessions today'))),
      h('div', { class: 'stat' }, h('span', { class: 'value' },
        last ? minutes((Date.now() - Date.parse(last)) / 60000) : '—'), h('span', { class: 'label' }, t('since last session'))),
      // Her reminders are hers: a helper never sees them.
      householdId() ? null : h('a', { class: 'stat stat-link', href: '#/reminders', id: 'next-reminder' }, h('span', { class: 'value' },
        next ? clock(next.send_after, user.time_zone) : '—'), h('span', { class: 'label' }, next ? next.title || t('next reminder') : t('no reminder set'))),
      h('div', { class: 'stat' }, h('span', { class: 'value' }, String(queued.length)),
        h('span', { class: 'label' }, t('waiting to send')))),
    summary ? null : h('p', { class: 'muted' }, t('Offline: showing what is saved on this phone.')),
    data.lastSeen ? h('p', { class: 'hint', id: 'today-updating', role: 'status' }, t('Updating…')) : null,
    h('p', { class: 'hint not-advice' }, t(NOT_ADVICE)));
}

/** Fix or discard a session the server refused; both end with the list redrawn. */
function attentionActions(user, item, rerender) {
  const fix = async () => {
    if (await fixSession(item, user.unit, user.time_zone) && runningSession()?.session_id === item.id) clearSession();
    rerender();
  };
  const discard = async () => {
    if (!await confirmDialog(t('Discard this session?'), t('It was never stored on the server and will be gone for good.'), t('Discard'), true)) return;
    await discardQueued(item.id);
    if (runningSession()?.session_id === item.id) clearSession();
    toast(t('Session discarded.'));
    rerender();
  };
  return h('div', { class: 'row' },
    h('button', { type: 'button', class: 'btn small', onclick: fix }, t('Fix')),
    h('button', { type: 'button', class: 'btn secondary small', onclick: discard }, t('Discard')));
}

/** Say what the server refused, with each field's reason. */
function refusalText(error) {
  const fields = Object.entries(error?.fields || {}).map(([key, v]) => `${key}: ${[].concat(v).join(' ')}`);
  return t('Needs attention: {reason}', { reason: fields.length ? fields.join('; ') : (error?.message ? t(error.message) : t('refused by the server')) });
}

/** A session still in the outbox as the server will list it: its total is both sides, as the server adds them up
 * (total_volume_ml in server/domain/sessions.py); the server's own total is shown for every session it has. */
function asSent(s) {
  return { ...s, total_ml: (s.left_ml || 0) + (s.right_ml || 0), queued: true };
}

/** Render today's sessions, newest first, including ones still queued. */
function sessionsCard(user, data, rerender) {
  // Refused sessions show whatever day they name (a start in 2030 must not hide); the rest show today's.
  const mine = [
    ...data.queued.map(asSent),
    ...(data.sessions || []),
  ].filter((s) => s.outbox?.state === 'refused' || localDate(new Date(s.started_at), user.time_zone) === data.day)
    .sort((a, b) => b.started_at.localeCompare(a.started_at));
  return h('section', { class: 'card', 'aria-labelledby': 'today-list-h' },
    h('h2', { id: 'today-list-h' }, t('Sessions today')),
    mine.length ? h('ul', { class: 'list', id: 'today-sessions' }, mine.map((s) => h('li', { id: `session-${s.id}`, tabindex: -1 },
      h('div', { class: 'item-head' }, h('span', {}, clock(s.started_at, user.time_zone)),
        h('span', {}, volume(s.total_ml, user.unit))),
      s.outbox?.state === 'refused'
        ? [h('p', { class: 'field-error' }, refusalText(s.outbox.error)), attentionActions(user, s.outbox, rerender)]
        : s.queued ? h('p', { class: 'hint' }, t('Waiting to send')) : null)))
      : h('p', { class: 'muted' }, t('Nothing logged yet today.')));
}

/** Render the Today screen; returns a cleanup function. */
export async function render(root, { user, name, args }) {
  let dock = null;
  let data = null;
  // The notification's Stop opens the Stop form once, on the first drawing.
  let stopNow = args[0] === 'stop';
  askedFor = null;
  const draw = () => {
    dock?.stopTicking?.();
    dock = timerDock(user, data, rerender, stopNow);
    stopNow = false;
    // "Same as last time" comes first: on a 568 px phone below the day's figures it would sit under the Start bar.
    mount(root, quickCard(user, data, rerender), dayCard(user, data), sessionsCard(user, data, rerender), dock);
    root.classList.toggle('with-dock', Boolean(dock));
    for (const bar of root.querySelectorAll('.progress > span')) bar.style.width = `${bar.dataset.pct}%`;
  };
  const rerender = async () => {
    const fresh = await loadDay(user);
    // The parent may have moved to another screen meanwhile: a detached Today must not start a ticking dock.
    if (data?.lastSeen && !root.isConnected) return;
    data = fresh;
    draw();
  };
  if (args[0] === 'start' && can('log_sessions') && !runningSession()) startSession();
  // The figures last seen show at once; the network's answer replaces them when it comes.
  data = await lastSeenDay(user);
  if (data) {
    draw();
    rerender();
  } else {
    await rerender();
  }
  if (args[0] === 'start' || args[0] === 'stop' || name === 'log') history.replaceState(null, '', '#/today');
  if (name === 'log' && can('log_sessions')) logPast(user, data, rerender);
  return () => dock?.stopTicking?.();
}
