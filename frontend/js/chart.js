// Charts drawn as SVG: History's 14 days of volume against the goal, and Trends' weeks with their 7-day mean.
import { volume } from './format.js';
import { locale, t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';

/** Create an SVG element with attributes. */
function s(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Draw daily totals ({date, total_ml}) against a goal in mL; returns an <svg>. */
export function volumeChart(days, goalMl, unit) {
  // Drawn about as wide as a small phone shows it (~255 px at 320), so 15-unit labels read at 14 px or more.
  const width = 260; const height = 170; const top = 20; const bottom = 26; const left = 4; const right = 4;
  const plotH = height - top - bottom;
  const max = Math.max(goalMl || 0, ...days.map((d) => d.total_ml || 0), 1) * 1.1;
  const slot = (width - left - right) / days.length;
  const y = (ml) => top + plotH - (ml / max) * plotH;
  const total = days.reduce((sum, d) => sum + (d.total_ml || 0), 0);
  const average = volume(total / days.length, unit);
  const summary = goalMl
    ? t('Daily volume for the last {days} days, average {average}, goal {goal}', { days: days.length, average, goal: volume(goalMl, unit) })
    : t('Daily volume for the last {days} days, average {average}', { days: days.length, average });
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary });
  svg.append(s('title', {}, summary));
  days.forEach((day, i) => {
    const ml = day.total_ml || 0;
    const x = left + i * slot + slot * 0.15;
    const bar = s('rect', {
      class: 'bar', x: x.toFixed(1), y: y(ml).toFixed(1), width: (slot * 0.7).toFixed(1),
      height: Math.max(0, top + plotH - y(ml)).toFixed(1), rx: 3,
    });
    bar.append(s('title', {}, `${day.date}: ${volume(ml, unit)}`));
    svg.append(bar);
    // Every other day, ending on the latest, so two-digit dates keep clear of one another.
    if ((days.length - 1 - i) % 2 === 0) {
      svg.append(s('text', { x: (x + slot * 0.35).toFixed(1), y: height - 8, 'text-anchor': 'middle' },
        String(Number(day.date.slice(8)))));
    }
  });
  if (goalMl) {
    const gy = y(goalMl).toFixed(1);
    svg.append(s('line', { class: 'goal', x1: left, x2: width - right, y1: gy, y2: gy }));
    const label = t('goal {volume}', { volume: volume(goalMl, unit) });
    svg.append(s('text', { class: 'goal-label', x: width - right, y: Number(gy) - 4, 'text-anchor': 'end' }, label));
  }
  return svg;
}

/**
 * Draw Trends' daily totals ({date, total_ml, rolling_mean_ml}) as bars with their 7-day mean as a line, and
 * dashed lines on the days of life in `markers` ({day_of_life, date}); returns an <svg>.
 */
export function trendChart(days, markers, unit) {
  const width = 260; const height = 190; const top = 44; const bottom = 26; const left = 4; const right = 4;
  const plotH = height - top - bottom;
  const max = Math.max(...days.map((d) => Math.max(d.total_ml || 0, d.rolling_mean_ml || 0)), 1) * 1.05;
  const slot = (width - left - right) / days.length;
  const y = (ml) => top + plotH - (ml / max) * plotH;
  const x = (i) => left + i * slot + slot / 2;
  const latest = [...days].reverse().find((d) => d.rolling_mean_ml !== null);
  const weeks = days.length / 7;
  const highest = volume(Math.max(...days.map((d) => d.total_ml)), unit);
  const summary = latest
    ? t('Daily totals over {weeks} weeks, highest {highest}; 7-day mean {mean} on {date}',
      { weeks, highest, mean: volume(latest.rolling_mean_ml, unit), date: latest.date })
    : t('Daily totals over {weeks} weeks, highest {highest}', { weeks, highest });
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary });
  svg.append(s('title', {}, summary));
  days.forEach((day, i) => {
    const ml = day.total_ml || 0;
    const bar = s('rect', {
      class: 'bar soft', x: (x(i) - slot * 0.35).toFixed(1), y: y(ml).toFixed(1), width: (slot * 0.7).toFixed(1),
      height: Math.max(0, top + plotH - y(ml)).toFixed(1),
    });
    bar.append(s('title', {}, `${day.date}: ${volume(ml, unit)}`));
    svg.append(bar);
  });
  // The mean as one path, broken where a day has none (before logging began, and today).
  let path = '';
  let drawing = false;
  days.forEach((day, i) => {
    if (day.rolling_mean_ml === null) { drawing = false; return; }
    path += `${drawing ? 'L' : 'M'}${x(i).toFixed(1)} ${y(day.rolling_mean_ml).toFixed(1)}`;
    drawing = true;
  });
  if (path) svg.append(s('path', { class: 'mean', d: path }));
  // Four dates along the bottom: the first day of each quarter of the range.
  for (let i = 0; i < days.length; i += days.length / 4) {
    const label = new Intl.DateTimeFormat(locale(), { day: 'numeric', month: 'short', timeZone: 'UTC' })
      .format(new Date(`${days[i].date}T12:00:00Z`));
    svg.append(s('text', { x: (x(i) - slot / 2).toFixed(1), y: height - 8, 'text-anchor': 'start' }, label));
  }
  // Marker labels on two rows, so day 7 and day 14 never cover one another however narrow a week is drawn.
  markers.forEach((marker, n) => {
    const i = days.findIndex((d) => d.date === marker.date);
    if (i < 0) return;
    svg.append(s('line', { class: 'marker', x1: x(i).toFixed(1), x2: x(i).toFixed(1), y1: 20 + 18 * n, y2: top + plotH }));
    const end = x(i) > width / 2;
    svg.append(s('text', { class: 'marker-label', x: (x(i) + (end ? -3 : 3)).toFixed(1), y: 16 + 18 * n, 'text-anchor': end ? 'end' : 'start' },
      t('day {day}', { day: marker.day_of_life })));
  });
  return svg;
}
