// Trends: 4, 8 or 12 weeks of daily totals with their 7-day mean, the two latest weeks side by side, plain
// statements of change, days of life from an optional birth date, and the published figures with their sources.
import { api, cacheUser, describeError } from '../api.js';
import { trendChart } from '../chart.js';
import { field, h, mount, openForm, toast } from '../dom.js';
import { NOT_ADVICE, localDate, longDate, minutes, number, toUnit, volume } from '../format.js';
import { locale, t, tn } from '../i18n.js';

const WEEKS = [4, 8, 12];

/** Name the screen for the document title. */
export const title = () => t('Trends');

/** The switch between History's two views, with the one shown marked as current. */
export function historyViews(current) {
  const link = (name, href, label) => h('a', { href, 'aria-current': current === name ? 'page' : null }, label);
  return h('nav', { class: 'segments', 'aria-label': t('History views') },
    link('history', '#/history', t('Sessions')), link('trends', '#/trends', t('Trends')));
}

/** Output per pumping minute: a tenth of a mL or a thousandth of an oz. */
const perMinute = (ml, unit) => (ml === null ? '—' : `${number(toUnit(ml, unit), unit === 'oz' ? 3 : 1)} ${unit === 'oz' ? 'oz' : 'mL'}`);
const share = (value) => (value === null ? '—' : new Intl.NumberFormat(locale(), { style: 'percent' }).format(value));
const perDay = (value) => (value === null ? '—' : number(value, 1));
/** A YYYY-MM-DD local date written as "Sun 1 Nov 2026" (noon UTC names the same date in every zone). */
const dayName = (isoDate) => longDate(`${isoDate}T12:00:00Z`, 'UTC');

/** The statements of change and the two latest weeks side by side. */
function weeksCard(trends) {
  const { latest_week: latest, previous_week: previous, unit } = trends;
  const card = h('section', { class: 'card', 'aria-labelledby': 'weeks-h' }, h('h2', { id: 'weeks-h' }, t('This week and the week before')),
    h('ul', { class: 'statements' }, trends.statements.map((s) => h('li', {}, s.text))));
  if (latest) {
    const rows = [
      [t('Total'), (w) => volume(w.total_ml, unit)],
      [t('Sessions per 24 h'), (w) => perDay(w.sessions_per_24h)],
      [t('Pumping a day'), (w) => minutes(w.pumping_min_per_day)],
      [t('Per pumping minute'), (w) => perMinute(w.ml_per_min, unit)],
      [t('Left share'), (w) => share(w.left_share)],
    ];
    card.append(h('table', { class: 'figures' },
      h('caption', {}, t('Whole days only: today is not over.')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('Figure')), h('th', { scope: 'col' }, t('7 days to yesterday')),
        h('th', { scope: 'col' }, t('7 days before')))),
      h('tbody', {}, rows.map(([label, write]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, write(latest)),
        h('td', {}, previous ? write(previous) : '—'))))));
  }
  card.append(h('p', { class: 'hint not-advice' }, trends.not_advice || t(NOT_ADVICE)));
  return card;
}

/** The chart, its key, and every day's figures as a table for those who cannot see the chart. */
function chartCard(trends) {
  const { unit } = trends;
  const head = [t('Day'), t('Total'), t('7-day mean'), t('Sessions per 24 h'), t('Pumping'), t('Per minute'), t('Left')];
  const row = (d) => h('tr', {},
    h('th', { scope: 'row' }, dayName(d.date), d.day_of_life === null ? '' : ` ${t('(day {day})', { day: d.day_of_life })}`,
      d.complete ? '' : ` ${t('(today so far)')}`),
    h('td', {}, volume(d.total_ml, unit)), h('td', {}, volume(d.rolling_mean_ml, unit)),
    h('td', {}, perDay(d.sessions_per_24h)), h('td', {}, minutes(d.pumping_min)),
    h('td', {}, perMinute(d.ml_per_min, unit)), h('td', {}, share(d.left_share)));
  const table = h('table', { class: 'figures' },
    h('thead', {}, h('tr', {}, head.map((name) => h('th', { scope: 'col' }, name)))),
    h('tbody', {}, [...trends.days].reverse().map(row)));
  return h('section', { class: 'card chart', 'aria-labelledby': 'trend-chart-h' },
    h('h2', { id: 'trend-chart-h' }, tn('Daily totals, {count} week', 'Daily totals, {count} weeks', trends.weeks)),
    trendChart(trends.days, trends.markers, unit),
    h('p', { class: 'hint' }, t('Bars: each day’s total. Line: the mean of the 7 days ending that day.'),
      trends.markers.length ? ` ${t('Dashed lines: days 7 and 14 of life.')}` : ''),
    h('details', {}, h('summary', {}, t('Every day as a table')),
      h('div', { class: 'table-scroll', tabindex: '0', role: 'region', 'aria-label': t('Every day’s figures') }, table)));
}

/** Ask for the baby's birth date (empty forgets it), and save it to the account. */
async function askBirthDate(user, rerender) {
  const today = localDate(new Date(), user.time_zone);
  const saved = await openForm(t('Baby’s birth date'), {
    id: 'birth-date-form',
    fields: [field(t('Birth date'), h('input', { type: 'date', name: 'birth_date', value: user.birth_date || '', max: today }),
      t('Leave it empty to forget it. Trends count the birth date as day 0.'))],
    save: async (form) => cacheUser(await api('PATCH', '/me', { birth_date: form.elements.birth_date.value || null })),
  });
  if (saved) { toast(t('Birth date saved.')); rerender(); }
}

/** The birth date, and the published daily-volume figures with their sources. */
function referenceCard(trends, user, rerender) {
  const last = trends.days[trends.days.length - 1];
  const birthDay = trends.birth_date ? dayName(trends.birth_date) : null;
  const birth = !birthDay ? t('No birth date given: with one, the chart marks days 7 and 14 of life.')
    : last?.day_of_life !== null ? t('Birth date {date}: today is day {day}.', { date: birthDay, day: last.day_of_life })
      : t('Birth date {date}.', { date: birthDay });
  return h('section', { class: 'card', 'aria-labelledby': 'refs-h' }, h('h2', { id: 'refs-h' }, t('Published figures')),
    h('p', {}, birth),
    h('button', { type: 'button', class: 'btn secondary small', onclick: () => askBirthDate(user, rerender) },
      trends.birth_date ? t('Change birth date') : t('Add birth date')),
    h('ul', { class: 'list' }, trends.references.map((r) => h('li', {}, r.text, ' ',
      h('span', { class: 'muted' }, t('Source: {source}.', { source: r.source }))))),
    h('p', { class: 'hint not-advice' }, trends.not_advice || t(NOT_ADVICE)));
}

/** Render the Trends screen: #/trends/4, #/trends/8 or #/trends/12. */
export async function render(root, { args, user }) {
  const weeks = WEEKS.includes(Number(args[0])) ? Number(args[0]) : 4;
  const rerender = () => render(mount(root), { args, user });
  const choose = h('nav', { class: 'segments', 'aria-label': t('Weeks shown') }, WEEKS.map((n) => h('a', {
    href: `#/trends/${n}`, 'aria-current': n === weeks ? 'true' : null }, tn('{count} week', '{count} weeks', n))));
  root.append(historyViews('trends'), choose);
  try {
    const trends = await api('GET', `/trends?weeks=${weeks}`);
    root.append(weeksCard(trends), chartCard(trends), referenceCard(trends, { ...user, birth_date: trends.birth_date }, rerender));
  } catch (err) {
    root.append(h('section', { class: 'card' }, h('p', { class: 'muted' }, describeError(err)),
      h('p', { class: 'hint not-advice' }, t(NOT_ADVICE))));
  }
}
