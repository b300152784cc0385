// The app in the parent's language. English is written in the code; every other language has a catalog a
// translator edits, frontend/locales/<language>.po, which the server hands the app as JSON (server/i18n.py).
// Texts name their placeholders: t('{name} joined', { name }); tc() gives a text in a context (gettext's msgctxt). Numbers and dates come from Intl in the same
// language (format.js asks `locale()`), so a comma or a month name follows the words around it. docs/languages.md.

// Each in its own words, as Settings lists them (server/domain/languages.py keeps the same list).
export const LANGUAGES = { en: 'English', es: 'Español', fr: 'Français' };
const DEFAULT = 'en';

let language = DEFAULT;
let messages = {};
let plurals = new Intl.PluralRules(DEFAULT);

/** The language texts are shown in now ("en", "es", "fr"). */
export const locale = () => language;

/** Mark a text to translate where it is used, not where it is written (a constant read before a language is set). */
export const N_ = (text) => text;

/** The supported language nearest the phone's own (its first preferred one we speak), else English. */
export function phoneLanguage() {
  for (const tag of navigator.languages || [navigator.language]) {
    const base = String(tag).split('-')[0].toLowerCase();
    if (base in LANGUAGES) return base;
  }
  return DEFAULT;
}

/**
 * Show texts in `wanted` from now on, fetching its catalog (the service worker keeps a copy for offline use);
 * returns whether the language changed, announced as 'pumpwell:language-changed'. A catalog that cannot be had
 * leaves the texts in English.
 */
export async function useLanguage(wanted) {
  const next = wanted in LANGUAGES ? wanted : DEFAULT;
  if (next === language) return false;
  let found = {};
  if (next !== DEFAULT) {
    try {
      const answer = await fetch(`/assets/locales/${next}.json`);
      if (answer.ok) found = await answer.json();
    } catch { /* offline without a copy: English, the language every text has */ }
  }
  language = next;
  messages = found;
  plurals = new Intl.PluralRules(next);
  document.documentElement.lang = next;
  window.dispatchEvent(new Event('pumpwell:language-changed'));
  return true;
}

/** Fill {name} placeholders from `values`. */
function fill(text, values) {
  return values ? text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole)) : text;
}

/** `text` in the current language, its {placeholders} filled from `values`. */
export function t(text, values) {
  return fill(messages[text]?.[0] || text, values);
}

/** `text` in the current language as `context` says it ("tab": a tab's short name), else as t() would. */
export function tc(context, text, values) {
  return messages[`${context}\u0004${text}`] ? fill(messages[`${context}\u0004${text}`][0], values) : t(text, values);
}

/**
 * The form of a counted text the current language uses for `count` ({count} is filled with it, as written by
 * Intl): tn('{count} session', '{count} sessions', n). Catalogs hold gettext's forms; for the languages of two
 * forms (ours), the first is the one Intl calls "one".
 */
export function tn(singular, plural, count, values) {
  const forms = messages[singular] || [singular, plural];
  const form = plurals.select(count) === 'one' ? forms[0] : forms[forms.length - 1];
  return fill(form, { count: new Intl.NumberFormat(language).format(count), ...values });
}
