// The consultant's workspace: every parent who let her in as a consultant, with what asks for a look. Cards on a
// phone, a sortable table on a laptop (the same answer, both drawn; CSS shows one). Opening a client shows her log
// through the switcher (household.js), read-only as her role allows.
import { kept, keep } from '../account.js';
import { api, describeError } from '../api.js';
import { h, mount } from '../dom.js';
import { clock, dateTime, minutes, number, volume } from '../format.js';
import { chooseHousehold, firstScreen, householdId } from '../household.js';

/** Name the screen for the document title. */
export const title = () => 'Clients';

const SORT = 'workspace.sort';
// The sorts the API offers, in the words of the control.
const SORTS = { flags: 'Needs a look', name: 'E-mail', last_logged: 'Last logged', total: 'Last 24 h vs goal' };
// Each flag in words and with an icon, so colour never carries it alone.
const FLAG_ICONS = { nothing_logged: '∅', night_gap: '☾', below_goal: '↓' };

/** The flags as a list of icon and words, or "Nothing to flag". */
function flagList(client) {
  if (!client.flags.length) return h('p', { class: 'muted flag-none' }, '✓ Nothing to flag');
  return h('ul', { class: 'flags', 'aria-label': 'Flags' }, client.flags.map((flag) => h('li', { class: `flag flag-${flag.code}` },
    h('span', { class: 'flag-icon', 'aria-hidden': 'true' }, FLAG_ICONS[flag.code] || '!'), ` ${flag.message}`)));
}

/** The last 24 hours against her goal, e.g. "640 mL of 750 mL (85%)". */
function lastDay(client, unit) {
  const share = client.goal_ml ? ` (${Math.round(client.goal_progress * 100)}%)` : '';
  return `${volume(client.last_24h.total_ml, unit)} of ${volume(client.goal_ml, unit)}${share}`;
}

/** The longest gap between two sessions in the last 24 hours, or a dash. */
const longestGap = (client) => (client.last_24h.longest_gap_min == null ? '—' : minutes(client.last_24h.longest_gap_min));

/** Her active plan's adherence, e.g. "Frequent boost: 10 done, 2 missed", or "No active plan". */
function planText(client) {
  const plan = client.plan;
  if (!plan) return 'No active plan';
  const decided = plan.done + plan.missed;
  return `${plan.name}: ${plan.done} done, ${plan.missed} missed${decided ? ` (${Math.round((100 * plan.done) / decided)}%)` : ''}`;
}

/** When her latest session ended, in the consultant's zone. */
function lastLogged(client, user) {
  if (!client.last_logged_at) return 'Never';
  const hours = (Date.now() - new Date(client.last_logged_at)) / 3_600_000;
  const when = hours < 20 ? clock(client.last_logged_at, user.time_zone) : dateTime(client.last_logged_at, user.time_zone);
  return `${when} (${hours < 1 ? 'under an hour' : `${number(Math.floor(hours), 0)} h`} ago)`;
}

/** Seven small bars of the daily totals against her goal, with the figures in words for screen readers. */
function trend(client, unit) {
  const top = Math.max(client.goal_ml, ...client.trend.map((day) => day.total_ml), 1);
  const words = client.trend.map((day) => `${day.date.slice(5)} ${volume(day.total_ml, unit)}`).join(', ');
  return h('span', { class: 'trend', role: 'img', 'aria-label': `7 days: ${words}` }, client.trend.map((day) => {
    const bar = h('span', { class: day.total_ml >= client.goal_ml ? 'trend-bar met' : 'trend-bar' });
    // Through the CSSOM: the page's policy refuses style attributes.
    bar.style.height = `${Math.max(4, Math.round((100 * day.total_ml) / top))}%`;
    return bar;
  }));
}

/** Open a client's log: the app shows her household (read-only, as the consultant role allows). */
function open(client) {
  chooseHousehold({ account_id: client.account_id, email: client.email, role: client.role, permissions: client.permissions });
  location.hash = firstScreen();
}

/** The button that opens a client, named by her e-mail. */
function openButton(client, cls) {
  return h('button', { type: 'button', class: cls, onclick: () => open(client), 'aria-label': `Open ${client.email}'s log` }, client.email);
}

/** A client as a card (phones). */
function card(client, user) {
  return h('li', { class: 'card client-card', dataset: { account: String(client.account_id) } },
    h('h3', {}, openButton(client, 'link-button client-name')),
    flagList(client),
    h('dl', { class: 'client-facts' },
      h('dt', {}, 'Last 24 h'), h('dd', {}, lastDay(client, user.unit)),
      h('dt', {}, 'Sessions, longest gap'), h('dd', {}, `${client.last_24h.sessions}, ${longestGap(client)}`),
      h('dt', {}, '7 days'), h('dd', {}, trend(client, user.unit)),
      h('dt', {}, 'Plan'), h('dd', {}, planText(client)),
      h('dt', {}, 'Last session ended'), h('dd', {}, lastLogged(client, user))));
}

/** A sortable column header: a button that asks the server for that order. */
function sortHeader(label, sort, current, resort) {
  return h('th', { scope: 'col', 'aria-sort': sort === current ? (sort === 'name' ? 'ascending' : 'other') : null },
    h('button', { type: 'button', class: 'link-button', onclick: () => resort(sort) }, label, sort === current ? ' ▾' : ''));
}

/** The clients as a table (laptops). */
function table(clients, user, sort, resort) {
  return h('table', { class: 'clients-table' },
    h('caption', { class: 'sr-only' }, `Your clients, sorted by ${SORTS[sort].toLowerCase()}`),
    h('thead', {}, h('tr', {},
      sortHeader('Client', 'name', sort, resort), sortHeader('Flags', 'flags', sort, resort),
      sortHeader('Last 24 h', 'total', sort, resort), h('th', { scope: 'col' }, 'Sessions'),
      h('th', { scope: 'col' }, 'Longest gap'), h('th', { scope: 'col' }, '7 days'), h('th', { scope: 'col' }, 'Plan'),
      sortHeader('Last session', 'last_logged', sort, resort))),
    h('tbody', {}, clients.map((client) => h('tr', { dataset: { account: String(client.account_id) } },
      h('th', { scope: 'row' }, openButton(client, 'link-button client-name')), h('td', {}, flagList(client)),
      h('td', {}, lastDay(client, user.unit)), h('td', {}, String(client.last_24h.sessions)), h('td', {}, longestGap(client)),
      h('td', {}, trend(client, user.unit)), h('td', {}, planText(client)), h('td', {}, lastLogged(client, user))))));
}

/** Render the workspace, in the order last chosen. */
export async function render(root, { user }) {
  // The workspace is the consultant's own: coming back to it leaves the client she was looking at.
  if (householdId()) chooseHousehold(null);
  const main = document.getElementById('main');
  main.classList.add('wide');
  const sort = SORTS[kept(SORT)] ? kept(SORT) : 'flags';
  const resort = (next) => {
    keep(SORT, next);
    render(mount(root), { user });
  };
  let clients;
  try {
    clients = (await api('GET', `/workspace?sort=${sort}`)).items;
  } catch (err) {
    root.append(h('p', { class: 'card' }, describeError(err)));
    return () => main.classList.remove('wide');
  }
  const select = h('select', { id: 'workspace-sort', onchange: (event) => resort(event.target.value) },
    Object.entries(SORTS).map(([value, label]) => h('option', { value, selected: value === sort ? true : null }, label)));
  select.value = sort;
  root.append(h('section', { 'aria-labelledby': 'workspace-h' },
    h('div', { class: 'workspace-head' }, h('h2', { id: 'workspace-h' }, 'Your clients'),
      h('label', { class: 'workspace-sort' }, 'Sort by ', select)),
    clients.length
      ? [h('p', { class: 'hint' }, `${clients.length} ${clients.length === 1 ? 'parent has' : 'parents have'} let you in as their consultant. `
          + `${clients.filter((c) => c.flags.length).length} flagged.`),
        h('ul', { class: 'list plain client-cards' }, clients.map((client) => card(client, user))),
        table(clients, user, sort, resort)]
      : h('p', { class: 'card muted' }, 'No parent has let you in as her consultant yet. When one invites you, open her link to accept.')));
  return () => main.classList.remove('wide');
}
