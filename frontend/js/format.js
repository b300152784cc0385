// Units and local times for display, in the language the app speaks (i18n.js). Volumes are stored in mL; oz is
// only shown.
import { N_, locale } from './i18n.js';

export const ML_PER_OZ = 29.5735295625;

// The short line every screen that shows a goal, a limit or a plan carries (the plan disclaimer says more).
// Shown as t(NOT_ADVICE).
export const NOT_ADVICE = N_('General information, not medical advice: ask a lactation consultant (IBCLC) or your healthcare provider.');

/** Convert mL to the user's unit. */
export function toUnit(ml, unit) {
  return unit === 'oz' ? ml / ML_PER_OZ : ml;
}

/** Convert an amount in the user's unit to mL. */
export function fromUnit(amount, unit) {
  return unit === 'oz' ? amount * ML_PER_OZ : amount;
}

// Decimal places shown, as server/domain/units.py: whole mL, hundredths of an oz (so 1.25 oz reads back as 1.25).
export const DISPLAY_PLACES = { ml: 0, oz: 2 };

/** Write a number with at most `places` decimals and no trailing zeros ("4.06", "1.25", "4"; "4,06" in French). */
export function number(value, places) {
  // Rounded as the server rounds (toFixed), then written with the language's decimal sign; no grouping, as typed.
  const rounded = Number(value.toFixed(places));
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: places, useGrouping: false }).format(rounded === 0 ? 0 : rounded);
}

/** Format a volume in mL for the user's unit, e.g. "120 mL" or "4.06 oz". */
export function volume(ml, unit) {
  if (ml === null || ml === undefined) return '—';
  return unit === 'oz' ? `${number(toUnit(ml, 'oz'), DISPLAY_PLACES.oz)} oz` : `${number(ml, DISPLAY_PLACES.ml)} mL`;
}

/** The step the -/+ buttons move by in this unit. */
export function stepFor(unit) {
  return unit === 'oz' ? 0.25 : 5;
}

/** The finest amount that can be typed: any whole mL, any hundredth of an oz (so 1.3 or 1.35 oz). */
export function typedStep(unit) {
  return unit === 'oz' ? 0.01 : 1;
}

/** Today's date (YYYY-MM-DD) in a time zone. */
export function localDate(date, timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .format(date);
}

/** Add days to a YYYY-MM-DD date. */
export function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Format a time of day like "3:05 AM" in the user's zone. */
export function clock(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { timeZone, hour: 'numeric', minute: '2-digit' }).format(new Date(iso));
}

/** Format a date and time like "Sat 28 Nov, 3:05 AM" in the user's zone. */
export function dateTime(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), {
    timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit',
  }).format(new Date(iso));
}

/** Format a date with its year, like "Sat 28 Nov 2026", in the user's zone. */
export function longDate(iso, timeZone) {
  return new Intl.DateTimeFormat(locale(), { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' })
    .format(new Date(iso));
}

/** Format minutes as "1 h 05 min" or "25 min". */
export function minutes(total) {
  const m = Math.max(0, Math.round(total));
  return m >= 60 ? `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min` : `${m} min`;
}

/** Format seconds as "mm:ss" (or "h:mm:ss"). */
export function stopwatch(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** Send a Date as ISO 8601 with an explicit offset, as the API expects. */
export function isoWithOffset(date) {
  return date.toISOString().replace('Z', '+00:00');
}

/** How far `timeZone`'s wall clock is ahead of UTC at `date`, in ms. */
function zoneOffset(date, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return wall - Math.floor(date.getTime() / 1000) * 1000;
}

/** Value for a datetime-local input showing `date` on the account's clock (the phone's without a zone). */
export function toLocalInput(date, timeZone) {
  const offset = timeZone ? zoneOffset(date, timeZone) : -date.getTimezoneOffset() * 60000;
  return new Date(date.getTime() + offset).toISOString().slice(0, 16);
}

/** The moment a datetime-local value ("2026-11-28T03:05") names on the account's clock. */
export function fromLocalInput(value, timeZone) {
  if (!timeZone) return new Date(value);
  const wall = Date.parse(`${value}:00Z`);
  let moment = wall - zoneOffset(new Date(wall), timeZone);
  // Near a clock change the offset at the guess may differ from the one at the answer.
  moment = wall - zoneOffset(new Date(moment), timeZone);
  return new Date(moment);
}

/** The time of day "HH:MM" of `date` on the account's clock. */
export function clockValue(date, timeZone) {
  return toLocalInput(date, timeZone).slice(11, 16);
}
