// The consultant's workspace: every parent who let her in as a consultant, with what asks for a look. Cards on a
// phone, a sortable table on a laptop (the same answer, both drawn; CSS shows one). Opening a client shows her log
// through the switcher (household.js), read-only as her role allows.
import { kept, keep } from '../account.js';
import { api, describeError } from '../api.js';
import { h, mount } from '../dom.js';
import { clock, dateTime, minutes, number, volume } from '../format.js';
import { chooseHousehold, firstScreen, householdId } from '../household.js';
import { N_, locale, t, tn } from '../i18n.js';

/** Name the screen for the document title. */
export const title = () => t('Clients');

const SORT = 'workspace.sort';
// The sorts the API offers, in the words of the control.
const SORTS = { flags: N_('Needs a look'), name: N_('E-mail'), last_logged: N_('Last logged'), total: N_('Last 24 h vs goal') };
// Each flag in words and with an icon, so colour never carries it alone.
const FLAG_ICONS = { nothing_logged: '∅', night_gap: '☾', below_goal: '↓' };

/** The flags as a list of icon and words, or "Nothing to flag". */
function flagList(client) {
  if (!client.flags.length) return h('p', { class: 'muted flag-none' }, t('✓ Nothing to flag'));
  return h('ul', { class: 'flags', 'aria-label': t('Flags') }, client.flags.map((flag) => h('li', { class: `flag flag-${flag.code}` },
    h('span', { class: 'flag-icon', 'aria-hidden': 'true', translate: 'no' }, FLAG_ICONS[flag.code] || '!'), ` ${flag.message}`)));
}

/** A share as the language writes it: "85%", "85 %". */
const percent = (share) => new Intl.NumberFormat(locale(), { style: 'percent' }).format(share);

/** The last 24 hours against her goal, e.g. "640 mL of 750 mL (85%)". */
function lastDay(client, unit) {
  const values = { total: volume(client.last_24h.total_ml, unit), goal: volume(client.goal_ml, unit), share: percent(client.goal_progress) };
  return client.goal_ml ? t('{total} of {goal} ({share})', values) : t('{total} of {goal}', values);
}

/** The longest gap between two sessions in the last 24 hours, or a dash. */
const longestGap = (client) => (client.last_24h.longest_gap_min == null ? '—' : minutes(client.last_24h.longest_gap_min));

/** Her active plan's adherence, e.g. "Frequent boost: 10 done, 2 missed", or "No active plan". */
function planText(client) {
  const plan = client.plan;
  if (!plan) return t('No active plan');
  const decided = plan.done + plan.missed;
  const values = { plan: plan.name, done: plan.done, missed: plan.missed, share: percent(plan.done / decided) };
  return decided ? t('{plan}: {done} done, {missed} missed ({share})', values) : t('{plan}: {done} done, {missed} missed', values);
}

/** When her latest session ended, in the consultant's zone. */
function lastLogged(client, user) {
  if (!client.last_logged_at) return t('Never');
  const hours = (Date.now() - new Date(client.last_logged_at)) / 3_600_000;
  const when = hours < 20 ? clock(client.last_logged_at, user.time_zone) : dateTime(client.last_logged_at, user.time_zone);
  return hours < 1 ? t('{when} (under an hour ago)', { when }) : t('{when} ({hours} h ago)', { when, hours: number(Math.floor(hours), 0) });
}

/** Seven small bars of the daily totals against her goal, with the figures in words for screen readers. */
function trend(client, unit) {
  const top = Math.max(client.goal_ml, ...client.trend.map((day) => day.total_ml), 1);
  const words = client.trend.map((day) => `${day.date.slice(5)} ${volume(day.total_ml, unit)}`).join(', ');
  return h('span', { class: 'trend', role: 'img', 'aria-label': t('7 days: {days}', { days: words }) }, client.trend.map((day) => {
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
  return h('button', { type: 'button', class: cls, onclick: () => open(client), 'aria-label': t("Open {email}'s log", { email: client.email }), translate: 'no' }, client.email);
}

/** A client as a card (phones). */
function card(client, user) {
  return h('li', { class: 'card client-card', dataset: { account: String(client.account_id) } },
    h('h3', {}, openButton(client, 'link-button client-name')),
    flagList(client),
    h('dl', { class: 'client-facts' },
      h('dt', {}, t('Last 24 h')), h('dd', {}, lastDay(client, user.unit)),
      h('dt', {}, t('Sessions, longest gap')), h('dd', {}, `${client.last_24h.sessions}, ${longestGap(client)}`),
      h('dt', {}, t('7 days')), h('dd', {}, trend(client, user.unit)),
      h('dt', {}, t('Plan')), h('dd', {}, planText(client)),
      h('dt', {}, t('Last session ended')), h('dd', {}, lastLogged(client, user))));
}

/** A sortable column header: a button that asks the server for that order. */
function sortHeader(label, sort, current, resort) {
  return h('th', { scope: 'col', 'aria-sort': sort === current ? (sort === 'name' ? 'ascending' : 'other') : null },
    h('button', { type: 'button', class: 'link-button', onclick: () => resort(sort) }, label, sort === current ? ' ▾' : ''));
}

/** The clients as a table (laptops). */
function table(clients, user, sort, resort) {
  return h('table', { class: 'clients-table' },
    h('caption', { class: 'sr-only' }, t('Your clients, sorted by {order}', { order: t(SORTS[sort]).toLowerCase() })),
    h('thead', {}, h('tr', {},
      sortHeader(t('Client'), 'name', sort, resort), sortHeader(t('Flags'), 'flags', sort, resort),
      sortHeader(t('Last 24 h'), 'total', sort, resort), h('th', { scope: 'col' }, t('Sessions')),
      h('th', { scope: 'col' }, t('Longest gap')), h('th', { scope: 'col' }, t('7 days')), h('th', { scope: 'col' }, t('Plan')),
      sortHeader(t('Last session'), 'last_logged', sort, resort))),
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
    Object.entries(SORTS).map(([value, label]) => h('option', { value, selected: value === sort ? true : null }, t(label))));
  select.value = sort;
  root.append(h('section', { 'aria-labelledby': 'workspace-h' },
    h('div', { class: 'workspace-head' }, h('h2', { id: 'workspace-h' }, t('Your clients')),
      h('label', { class: 'workspace-sort' }, t('Sort by'), ' ', select)),
    clients.length
      ? [h('p', { class: 'hint' },
          tn('{count} parent has let you in as their consultant.', '{count} parents have let you in as their consultant.', clients.length),
          ' ', tn('{count} flagged.', '{count} flagged.', clients.filter((c) => c.flags.length).length)),
        h('ul', { class: 'list plain client-cards' }, clients.map((client) => card(client, user))),
        table(clients, user, sort, resort)]
      : h('p', { class: 'card muted' }, t('No parent has let you in as her consultant yet. When one invites you, open her link to accept.'))));
  return () => main.classList.remove('wide');
}
