// History: a 14-day chart against the goal and every session, newest first, with edit and delete (hers alone:
// a helper reads the parent's history), and who logged a session when it was not the parent.
import { api, describeError } from '../api.js';
import { volumeChart } from '../chart.js';
import { h, mount, toast, undoToast } from '../dom.js';
import { NOT_ADVICE, addDays, dateTime, localDate, minutes, volume } from '../format.js';
import { byWhom, can, householdId } from '../household.js';
import { askSession } from './session-form.js';

/** Name the screen for the document title. */
export const title = () => 'History';

/** Render the 14-day chart card. */
async function chartCard(user) {
  const to = localDate(new Date(), user.time_zone);
  const from = addDays(to, -13);
  const card = h('section', { class: 'card chart', 'aria-labelledby': 'chart-h' }, h('h2', { id: 'chart-h' }, 'Last 14 days'));
  try {
    const summary = await api('GET', `/summary/daily?from=${from}&to=${to}`);
    card.append(volumeChart(summary.days, summary.goal?.daily_volume_ml, user.unit));
  } catch (err) {
    card.append(h('p', { class: 'muted' }, describeError(err)));
  }
  // Also when the chart could not load: the card still speaks of the goal.
  card.append(h('p', { class: 'hint not-advice' }, NOT_ADVICE));
  return card;
}

/** Render one session row with its actions. */
function sessionRow(user, session, refresh) {
  const edit = async () => {
    const body = await askSession('Edit session', { unit: user.unit, session, times: true, timeZone: user.time_zone });
    if (!body) return;
    try {
      await api('PATCH', `/sessions/${session.id}`, body);
      toast('Session updated.');
      await refresh();
      // The list is drawn anew: the edited row's Edit button takes the focus back, as the dialog's opener would.
      document.querySelector(`#history-list li[data-id="${session.id}"] button`)?.focus();
    } catch (err) { toast(describeError(err)); }
  };
  const remove = async (event) => {
    // The row goes at once; the server is only told once the Undo window has passed.
    const row = event.target.closest('li');
    row.hidden = true;
    if (await undoToast(`Session from ${dateTime(session.started_at, user.time_zone)} deleted.`)) {
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
  const sides = `L ${volume(session.left_ml, user.unit)} · R ${volume(session.right_ml, user.unit)}`;
  const who = byWhom(session, 'Logged', user.id);
  const hers = !householdId();
  const stash = session.total_ml > 0 && can('change_stash');
  return h('li', { dataset: { id: session.id } },
    h('div', { class: 'item-head' }, h('span', {}, dateTime(session.started_at, user.time_zone)),
      h('span', { class: 'total' }, volume(session.total_ml, user.unit))),
    h('p', { class: 'muted small-text' }, `${minutes(session.duration_min || 0)} · ${sides} · ${session.mode}`),
    who ? h('p', { class: 'muted small-text by-whom' }, who) : null,
    session.notes ? h('p', { class: 'small-text' }, session.notes) : null,
    hers || stash ? h('div', { class: 'item-actions' },
      hers ? h('button', { type: 'button', class: 'btn secondary small', onclick: edit, 'aria-label': `Edit session from ${dateTime(session.started_at, user.time_zone)}` }, 'Edit') : null,
      hers ? h('button', { type: 'button', class: 'btn secondary small', onclick: remove, 'aria-label': `Delete session from ${dateTime(session.started_at, user.time_zone)}` }, 'Delete') : null,
      // One tap to the Stash screen's add form, filled with this session's milk.
      stash ? h('a', { class: 'btn secondary small', href: `#/stash/${session.id}`, 'aria-label': `Stash the milk of the session from ${dateTime(session.started_at, user.time_zone)}` }, 'Stash') : null) : null);
}

/** Render the History screen. */
export async function render(root, { user }) {
  const refresh = () => render(mount(root), { user });
  const list = h('ul', { class: 'list', id: 'history-list' });
  const more = h('button', { type: 'button', class: 'btn secondary block', hidden: true }, 'Show older sessions');
  const listCard = h('section', { class: 'card', 'aria-labelledby': 'hist-h' }, h('h2', { id: 'hist-h' }, 'Sessions'), list, more);
  let cursor = null;
  const load = async () => {
    try {
      const page = await api('GET', `/sessions?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const s of page.items) list.append(sessionRow(user, s, refresh));
      if (!list.children.length) list.append(h('li', { class: 'muted' }, 'No sessions yet.'));
      cursor = page.next_cursor;
      more.hidden = !cursor;
    } catch (err) {
      list.append(h('li', { class: 'muted' }, describeError(err)));
    }
  };
  more.addEventListener('click', load);
  root.append(await chartCard(user), listCard);
  await load();
}
