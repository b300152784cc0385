// A 14-day bar chart of daily volume with the goal as a dashed line, drawn as SVG.
import { volume } from './format.js';

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
  const summary = `Daily volume for the last ${days.length} days, average ${volume(total / days.length, unit)}`
    + (goalMl ? `, goal ${volume(goalMl, unit)}` : '');
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
    const label = `goal ${volume(goalMl, unit)}`;
    svg.append(s('text', { class: 'goal-label', x: width - right, y: Number(gy) - 4, 'text-anchor': 'end' }, label));
  }
  return svg;
}
