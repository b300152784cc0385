// History: a 14-day chart against the goal, the report to print or send with the equipment changes, and every
// session, newest first, with edit and delete (hers alone: a helper reads the parent's history), and who logged a
// session when it was not the parent.
import { api, describeError } from '../api.js';
import { volumeChart } from '../chart.js';
import { h, mount, toast, undoToast } from '../dom.js';
import { downloadAction } from '../download.js';
import { NOT_ADVICE, addDays, dateTime, localDate, minutes, volume } from '../format.js';
import { byWhom, can, householdId } from '../household.js';
import { N_, t, tn } from '../i18n.js';
import { askSession, equipmentNodes, equipmentWords, sideAmounts } from './session-form.js';
import { historyViews } from './trends.js';

/** Name the screen for the document title. */
export const title = () => t('History');

// How each session's sides are said in its line.
const MODES = { double: N_('double'), left: N_('left'), right: N_('right'), hand: N_('hand') };

/** Render the 14-day chart card. */
async function chartCard(user) {
  const to = localDate(new Date(), user.time_zone);
  const from = addDays(to, -13);
  const card = h('section', { class: 'card chart', 'aria-labelledby': 'chart-h' }, h('h2', { id: 'chart-h' }, t('Last 14 days')));
  try {
    const summary = await api('GET', `/summary/daily?from=${from}&to=${to}`);
    card.append(volumeChart(summary.days, summary.goal?.daily_volume_ml, user.unit));
  } catch (err) {
    card.append(h('p', { class: 'muted' }, describeError(err)));
  }
  // Also when the chart could not load: the card still speaks of the goal.
  card.append(h('p', { class: 'hint not-advice' }, t(NOT_ADVICE)));
  return card;
}

/** Say one side of an equipment change: its medians and how many sessions they come from. */
function sideWords(side, unit) {
  const perMin = side.median_ml_per_min == null ? '–' : `${volume(side.median_ml_per_min, unit)}/min`;
  const perSession = side.median_ml_per_session == null ? '–' : volume(side.median_ml_per_session, unit);
  return tn('{perSession} a session, {perMin} (medians of {count} session)', '{perSession} a session, {perMin} (medians of {count} sessions)',
    side.sessions, { perSession, perMin });
}

/** Render the report downloads and the equipment changes of the last 90 days, said as observations. */
async function reportCard(user) {
  const to = localDate(new Date(), user.time_zone);
  const range = `from=${addDays(to, -27)}&to=${to}`;
  const card = h('section', { class: 'card', 'aria-labelledby': 'report-h' }, h('h2', { id: 'report-h' }, t('Report and equipment')),
    can('export') ? h('p', { class: 'hint' }, t('One page of the last 4 weeks for your consultant or pediatrician.')) : null,
    // A partner or caregiver reads her history but may not take the report away: only she and a consultant.
    can('export') ? h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn secondary', onclick: downloadAction(`/report.pdf?${range}&paper=a4`, 'pumpwell-report.pdf', { forHousehold: true }) }, t('Report (PDF, A4)')),
      h('button', { type: 'button', class: 'btn secondary', onclick: downloadAction(`/report.pdf?${range}&paper=letter`, 'pumpwell-report.pdf', { forHousehold: true }) }, t('Report (PDF, Letter)'))) : null,
    h('h3', {}, t('Equipment changes')));
  try {
    const found = await api('GET', '/equipment');
    if (!found.changes.length) card.append(h('p', { class: 'muted' }, t('No change of pump or flange size in the last 90 days.')));
    const list = h('ul', { class: 'list', id: 'equipment-changes' });
    for (const change of [...found.changes].reverse()) {
      const from = equipmentNodes({ pump: change.before.pump, flange_mm: change.before.flange_mm });
      const into = equipmentNodes({ pump: change.after.pump, flange_mm: change.after.flange_mm });
      list.append(h('li', {}, h('p', {}, `${dateTime(change.at, user.time_zone)}: `, from, ' → ', into),
        h('p', { class: 'muted small-text' }, t('Before: {figures}', { figures: sideWords(change.before, user.unit) })),
        h('p', { class: 'muted small-text' }, t('After: {figures}', { figures: sideWords(change.after, user.unit) }))));
    }
    if (found.changes.length) card.append(list, h('p', { class: 'hint' }, found.observation));
  } catch (err) {
    card.append(h('p', { class: 'muted' }, describeError(err)));
  }
  return card;
}

/** Render one session row with its actions. */
function sessionRow(user, session, refresh) {
  const edit = async () => {
    const body = await askSession(t('Edit session'), { unit: user.unit, session, times: true, timeZone: user.time_zone });
    if (!body) return;
    try {
      await api('PATCH', `/sessions/${session.id}`, body);
      toast(t('Session updated.'));
      await refresh();
      // The list is drawn anew: the edited row's Edit button takes the focus back, as the dialog's opener would.
      document.querySelector(`#history-list li[data-id="${session.id}"] button`)?.focus();
    } catch (err) { toast(describeError(err)); }
  };
  const remove = async (event) => {
    // The row goes at once; the server is only told once the Undo window has passed.
    const row = event.target.closest('li');
    row.hidden = true;
    if (await undoToast(t('Session from {time} deleted.', { time: dateTime(session.started_at, user.time_zone) }))) {
      row.hidden = false;
      return;
    }
    try {
      await api('DELETE', `/sessions/${session.id}`);
      if (row.isConnected) refresh();
    } catch (err) {
      row.hidden = false;
      toast(describeError(err));
    }
  };
  const when = dateTime(session.started_at, user.time_zone);
  const who = byWhom(session, 'logged', user.id);
  const hers = !householdId();
  const stash = session.total_ml > 0 && can('change_stash');
  return h('li', { dataset: { id: session.id } },
    h('div', { class: 'item-head' }, h('span', {}, when),
      h('span', { class: 'total' }, volume(session.total_ml, user.unit))),
    h('p', { class: 'muted small-text' }, `${minutes(session.duration_min || 0)} · `, sideAmounts(session, user.unit), ' · ',
      MODES[session.mode] ? t(MODES[session.mode]) : session.mode),
    equipmentWords(session) ? h('p', { class: 'muted small-text' }, equipmentNodes(session)) : null,
    who ? h('p', { class: 'muted small-text by-whom' }, who) : null,
    session.notes ? h('p', { class: 'small-text', translate: 'no' }, session.notes) : null,
    hers || stash ? h('div', { class: 'item-actions' },
      hers ? h('button', { type: 'button', class: 'btn secondary small', onclick: edit, 'aria-label': t('Edit session from {time}', { time: when }) }, t('Edit')) : null,
      hers ? h('button', { type: 'button', class: 'btn secondary small', onclick: remove, 'aria-label': t('Delete session from {time}', { time: when }) }, t('Delete')) : null,
      // One tap to the Stash screen's add form, filled with this session's milk.
      stash ? h('a', { class: 'btn secondary small', href: `#/stash/${session.id}`, 'aria-label': t('Stash the milk of the session from {time}', { time: when }) }, t('Stash')) : null) : null);
}

/** Render the History screen. */
export async function render(root, { user }) {
  const refresh = () => render(mount(root), { user });
  const list = h('ul', { class: 'list', id: 'history-list' });
  const more = h('button', { type: 'button', class: 'btn secondary block', hidden: true }, t('Show older sessions'));
  const listCard = h('section', { class: 'card', 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, t('Sessions')), list, more);
  let cursor = null;
  const load = async () => {
    try {
      const page = await api('GET', `/sessions?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const s of page.items) list.append(sessionRow(user, s, refresh));
      if (!list.children.length) list.append(h('li', { class: 'muted' }, t('No sessions yet.')));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      list.append(h('li', { class: 'muted' }, describeError(err)));
    }
  };
  more.addEventListener('click', load);
  root.append(historyViews('history'), await chartCard(user), listCard, await reportCard(user));
  await load();
}
