// Trends: 4, 8 or 12 weeks of daily totals with their 7-day mean, the two latest weeks side by side, plain
// statements of change, days of life from an optional birth date, and the published figures with their sources.
import { api, cacheUser, describeError } from '../api.js';
import { trendChart } from '../chart.js';
import { field, h, mount, openForm, toast } from '../dom.js';
import { NOT_ADVICE, localDate, longDate, minutes, number, toUnit, volume } from '../format.js';

const WEEKS = [4, 8, 12];

/** Name the screen for the document title. */
export const title = () => 'Trends';

/** The switch between History's two views, with the one shown marked as current. */
export function historyViews(current) {
  const link = (name, href, label) => h('a', { href, 'aria-current': current === name ? 'page' : null }, label);
  return h('nav', { class: 'segments', 'aria-label': 'History views' },
    link('history', '#/history', 'Sessions'), link('trends', '#/trends', 'Trends'));
}

/** Output per pumping minute: a tenth of a mL or a thousandth of an oz. */
const perMinute = (ml, unit) => (ml === null ? '—' : `${number(toUnit(ml, unit), unit === 'oz' ? 3 : 1)} ${unit === 'oz' ? 'oz' : 'mL'}`);
const share = (value) => (value === null ? '—' : `${Math.round(value * 100)}%`);
const perDay = (value) => (value === null ? '—' : number(value, 1));
/** A YYYY-MM-DD local date written as "Sun 1 Nov 2026" (noon UTC names the same date in every zone). */
const dayName = (isoDate) => longDate(`${isoDate}T12:00:00Z`, 'UTC');

/** The statements of change and the two latest weeks side by side. */
function weeksCard(trends) {
  const { latest_week: latest, previous_week: previous, unit } = trends;
  const card = h('section', { class: 'card', 'aria-labelledby': 'weeks-h' }, h('h2', { id: 'weeks-h' }, 'This week and the week before'),
    h('ul', { class: 'statements' }, trends.statements.map((s) => h('li', {}, s.text))));
  if (latest) {
    const rows = [
      ['Total', (w) => volume(w.total_ml, unit)],
      ['Sessions per 24 h', (w) => perDay(w.sessions_per_24h)],
      ['Pumping a day', (w) => minutes(w.pumping_min_per_day)],
      ['Per pumping minute', (w) => perMinute(w.ml_per_min, unit)],
      ['Left share', (w) => share(w.left_share)],
    ];
    card.append(h('table', { class: 'figures' },
      h('caption', {}, 'Whole days only: today is not over.'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Figure'), h('th', { scope: 'col' }, '7 days to yesterday'),
        h('th', { scope: 'col' }, '7 days before'))),
      h('tbody', {}, rows.map(([label, write]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, write(latest)),
        h('td', {}, previous ? write(previous) : '—'))))));
  }
  card.append(h('p', { class: 'hint not-advice' }, trends.not_advice || NOT_ADVICE));
  return card;
}

/** The chart, its key, and every day's figures as a table for those who cannot see the chart. */
function chartCard(trends) {
  const { unit } = trends;
  const head = ['Day', 'Total', '7-day mean', 'Sessions per 24 h', 'Pumping', 'Per minute', 'Left'];
  const row = (d) => h('tr', {},
    h('th', { scope: 'row' }, dayName(d.date), d.day_of_life === null ? '' : ` (day ${d.day_of_life})`, d.complete ? '' : ' (today so far)'),
    h('td', {}, volume(d.total_ml, unit)), h('td', {}, volume(d.rolling_mean_ml, unit)),
    h('td', {}, perDay(d.sessions_per_24h)), h('td', {}, minutes(d.pumping_min)),
    h('td', {}, perMinute(d.ml_per_min, unit)), h('td', {}, share(d.left_share)));
  const table = h('table', { class: 'figures' },
    h('thead', {}, h('tr', {}, head.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, [...trends.days].reverse().map(row)));
  return h('section', { class: 'card chart', 'aria-labelledby': 'trend-chart-h' },
    h('h2', { id: 'trend-chart-h' }, `Daily totals, ${trends.weeks} weeks`),
    trendChart(trends.days, trends.markers, unit),
    h('p', { class: 'hint' }, 'Bars: each day’s total. Line: the mean of the 7 days ending that day.',
      trends.markers.length ? ' Dashed lines: days 7 and 14 of life.' : ''),
    h('details', {}, h('summary', {}, 'Every day as a table'),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': 'Every day’s figures' }, table)));
}

/** Ask for the baby's birth date (empty forgets it), and save it to the account. */
async function askBirthDate(user, rerender) {
  const today = localDate(new Date(), user.time_zone);
  const saved = await openForm('Baby’s birth date', {
    id: 'birth-date-form',
    fields: [field('Birth date', h('input', { type: 'date', name: 'birth_date', value: user.birth_date || '', max: today }),
      'Leave it empty to forget it. Trends count the birth date as day 0.')],
    save: async (form) => cacheUser(await api('PATCH', '/me', { birth_date: form.elements.birth_date.value || null })),
  });
  if (saved) { toast('Birth date saved.'); rerender(); }
}

/** The birth date, and the published daily-volume figures with their sources. */
function referenceCard(trends, user, rerender) {
  const last = trends.days[trends.days.length - 1];
  const birth = trends.birth_date
    ? `Birth date ${dayName(trends.birth_date)}${last?.day_of_life !== null ? `: today is day ${last.day_of_life}` : ''}.`
    : 'No birth date given: with one, the chart marks days 7 and 14 of life.';
  return h('section', { class: 'card', 'aria-labelledby': 'refs-h' }, h('h2', { id: 'refs-h' }, 'Published figures'),
    h('p', {}, birth),
    h('button', { type: 'button', class: 'btn secondary small', onclick: () => askBirthDate(user, rerender) },
      trends.birth_date ? 'Change birth date' : 'Add birth date'),
    h('ul', { class: 'list' }, trends.references.map((r) => h('li', {}, r.text, ' ', h('span', { class: 'muted' }, `Source: ${r.source}.`)))),
    h('p', { class: 'hint not-advice' }, trends.not_advice || NOT_ADVICE));
}

/** Render the Trends screen: #/trends/4, #/trends/8 or #/trends/12. */
export async function render(root, { args, user }) {
  const weeks = WEEKS.includes(Number(args[0])) ? Number(args[0]) : 4;
  const rerender = () => render(mount(root), { args, user });
  const choose = h('nav', { class: 'segments', 'aria-label': 'Weeks shown' }, WEEKS.map((n) => h('a', {
    href: `#/trends/${n}`, 'aria-current': n === weeks ? 'true' : null }, `${n} weeks`)));
  root.append(historyViews('trends'), choose);
  try {
    const trends = await api('GET', `/trends?weeks=${weeks}`);
    root.append(weeksCard(trends), chartCard(trends), referenceCard(trends, { ...user, birth_date: trends.birth_date }, rerender));
  } catch (err) {
    root.append(h('section', { class: 'card' }, h('p', { class: 'muted' }, describeError(err)),
      h('p', { class: 'hint not-advice' }, NOT_ADVICE)));
  }
}
