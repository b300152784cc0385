// Bring your data (from Settings): a Pumpwell export, Baby Buddy (its export file, or its server and API key) or
// Huckleberry's CSV. The file is previewed first (what it holds, what is here already, what cannot be read), and
// imported only when the parent confirms; both send the file with its upload progress shown.
import { ApiError, api, cacheUser, describeError, forgetLastSeen, upload } from '../api.js';
import { field, h, mount, toast } from '../dom.js';
import { longDate } from '../format.js';
import { N_, locale, t, tn } from '../i18n.js';

/** Name the screen for the document title. */
export const title = () => t('Bring your data');

// What each choice sends: its source (Baby Buddy's file: by its ending), the files it takes, where the parent finds
// them, and whether it asks for the file's zone (times written without one) and unit (amounts written without one).
const SOURCES = {
  pumpwell: {
    source: 'pumpwell', accept: '.json,application/json',
    hint: N_('The file "Download all my data" saved (pumpwell-export.json): sessions, plans, stash and settings.'),
  },
  'babybuddy-file': {
    accept: '.csv,.xlsx,text/csv', zone: true, unit: true,
    hint: N_('In Baby Buddy\'s admin, open Pumping, choose Export and the CSV or XLSX format.'),
  },
  'babybuddy-server': { source: 'babybuddy-api', unit: true },
  huckleberry: {
    source: 'huckleberry', accept: '.csv,text/csv', zone: true,
    hint: N_('Huckleberry\'s data export, the CSV file its settings send you. Its pump entries are imported.'),
  },
};

/** How many plans: "1 plan", "3 plans". */
const plans = (n) => tn('{count} plan', '{count} plans', n);

/** How many stash containers: "1 stash container". */
const containers = (n) => tn('{count} stash container', '{count} stash containers', n);

/** A share as the language writes it: "40%", "40 %". */
const percent = (share) => new Intl.NumberFormat(locale(), { style: 'percent' }).format(share);

/** A product's name, which no language translates. */
const brand = (name) => h('span', { translate: 'no' }, name);

/** The source a chosen file is read as: Baby Buddy's export by its name's ending. */
function sourceOf(choice, file) {
  if (choice !== 'babybuddy-file') return SOURCES[choice].source;
  return /\.xlsx$/i.test(file?.name || '') ? 'babybuddy-xlsx' : 'babybuddy-csv';
}

/** Say why a file was not taken, in words she can act on. */
function refusal(err) {
  if (err instanceof ApiError && err.status === 413) return t('This file is larger than this server takes. Ask whoever runs it, or split the file.');
  if (err instanceof ApiError && err.status === 429) return t('{reason} Nothing was imported.', { reason: err.message });
  if (err instanceof ApiError) return err.message;
  if (!navigator.onLine) return t('You are offline. Connect to the internet to bring your data in; nothing was sent.');
  return t('{reason} Nothing was imported.', { reason: describeError(err) });
}

/** The preview's figures: sessions, their dates, what is here already, and (a Pumpwell export) plans and containers. */
function previewFigures(preview, timeZone) {
  const kinds = preview.source === 'pumpwell' ? [['plans', plans], ['containers', containers]] : [];
  const dates = preview.first ? { first: longDate(preview.first, timeZone), last: longDate(preview.last, timeZone) } : null;
  return h('ul', { class: 'list', id: 'import-figures' },
    h('li', { id: 'import-sessions' }, dates
      ? tn('{count} session in the file ({first} to {last}).', '{count} sessions in the file ({first} to {last}).', preview.sessions, dates)
      : tn('{count} session in the file.', '{count} sessions in the file.', preview.sessions)),
    h('li', { id: 'import-present' }, preview.already_present
      ? tn('{count} already here: it is skipped.', '{count} already here: they are skipped.', preview.already_present)
      : t('None of them is here yet.')),
    kinds.map(([key, found]) => h('li', {}, t('{found}, {present} already here.', { found: found(preview[key].found), present: preview[key].already_present }))),
    preview.settings ? h('li', {}, t('Your settings (time zone, unit, quiet hours) are replaced by the file\'s.')) : null);
}

/** The rows that cannot be read, each with its line and why. */
function unreadableList(answer) {
  if (!answer.unreadable_count) return null;
  const more = answer.unreadable_count - answer.unreadable.length;
  return h('div', { class: 'notice', id: 'import-unreadable' },
    h('p', {}, tn('{count} line cannot be read and is left out:', '{count} lines cannot be read and are left out:', answer.unreadable_count)),
    h('ul', {}, answer.unreadable.map((row) => h('li', {}, t('Line {line}: {reason}', { line: row.line, reason: row.reason })))),
    more > 0 ? h('p', {}, tn('and {count} more.', 'and {count} more.', more)) : null);
}

/** Render the screen. */
export async function render(root, { user }) {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [user.time_zone];
  if (!zones.includes(user.time_zone)) zones.unshift(user.time_zone);
  const radios = (name, options, checked) => h('div', { class: 'choices' }, options.map(([value, label]) => h('label', {},
    h('input', { type: 'radio', name, value, checked: value === checked }), label)));

  const fileInput = h('input', { type: 'file', name: 'file', id: 'import-file', required: true });
  const fileHint = h('p', { class: 'hint', id: 'import-file-hint' });
  fileInput.setAttribute('aria-describedby', fileHint.id);
  const fileField = h('div', { class: 'field' }, h('label', { for: fileInput.id }, t('File')), fileInput, fileHint);
  const serverFields = h('div', {},
    // The address she types, its example included, is no text to translate.
    field(t('Baby Buddy address'), h('input', {
      type: 'url', name: 'url', id: 'import-url', inputmode: 'url', autocomplete: 'url', placeholder: 'https://baby.example.com', translate: 'no',
    }), t('The address you open Baby Buddy at.')),
    field(t('API key'), h('input', { type: 'password', name: 'token', id: 'import-token', autocomplete: 'off', spellcheck: 'false' }),
      t('In Baby Buddy, open your user settings: the key is under API. Pumpwell uses it for this import only and does not keep it.')));
  // Time zones by their names (Europe/Paris), as every language writes them.
  const zoneField = field(t('Times in the file are in'), h('select', { name: 'zone', id: 'import-zone', translate: 'no' },
    zones.map((zone) => h('option', { value: zone, selected: zone === user.time_zone }, zone))),
  t('These files write times without a time zone: choose the one the app was set to.'));
  const unitField = h('fieldset', { id: 'import-unit' }, h('legend', {}, t('Amounts in the file are in')),
    radios('unit', [['ml', 'mL'], ['oz', t('US fl oz')]], user.unit), h('p', { class: 'hint' }, t('Baby Buddy does not write the unit down.')));
  const howField = h('fieldset', { id: 'import-how' }, h('legend', {}, t('From Baby Buddy\'s')),
    radios('how', [['file', t('Export file')], ['server', t('Server')]], 'file'));
  const previewButton = h('button', { type: 'submit', class: 'btn block', id: 'import-preview' }, t('Preview'));
  const form = h('form', { id: 'import-form', novalidate: true },
    h('fieldset', {}, h('legend', {}, t('Where is your data from?')),
      radios('from', [['pumpwell', brand('Pumpwell')], ['babybuddy', brand('Baby Buddy')], ['huckleberry', brand('Huckleberry')]], 'pumpwell')),
    howField, fileField, serverFields, zoneField, unitField, previewButton);

  const progress = h('progress', { id: 'import-progress', max: 100, 'aria-label': t('Upload') });
  const progressText = h('p', { id: 'import-progress-text', role: 'status', 'aria-live': 'polite' });
  const working = h('div', { class: 'stack', id: 'import-working', hidden: true }, progressText, progress);
  const outcome = h('div', { id: 'import-outcome', 'aria-live': 'polite' });
  const card = h('section', { class: 'card', 'aria-labelledby': 'import-h' }, h('h2', { id: 'import-h' }, t('Bring your data')),
    h('p', {}, t('Bring in your history from Pumpwell on another server, Baby Buddy or Huckleberry. You see what the file holds before anything is saved.')),
    form, working, outcome);
  mount(root, h('p', {}, h('a', { href: '#/settings' }, t('← Settings'))), card);

  /** The choice the form shows: pumpwell, babybuddy-file, babybuddy-server or huckleberry. */
  const choice = () => {
    const from = form.elements.from.value;
    if (from !== 'babybuddy') return from;
    return form.elements.how.value === 'server' ? 'babybuddy-server' : 'babybuddy-file';
  };
  const showChoice = () => {
    const chosen = SOURCES[choice()];
    howField.hidden = form.elements.from.value !== 'babybuddy';
    fileField.hidden = choice() === 'babybuddy-server';
    serverFields.hidden = !fileField.hidden;
    zoneField.hidden = !chosen.zone;
    unitField.hidden = !chosen.unit;
    fileInput.accept = chosen.accept || '';
    fileHint.textContent = chosen.hint ? t(chosen.hint) : '';
    mount(outcome);
  };
  form.addEventListener('change', (event) => { if (event.target.type === 'radio') showChoice(); else mount(outcome); });
  showChoice();
  /** Show the form again for another file, or the same one with other choices. */
  const again = (label) => h('button', {
    type: 'button', class: 'btn secondary block', onclick: () => { form.hidden = false; mount(outcome); fileInput.focus(); },
  }, label);

  /** What the form asks to send: the address (with the source, zone and unit) and the body. */
  const request = () => {
    const chosen = SOURCES[choice()];
    const params = new URLSearchParams({ source: sourceOf(choice(), fileInput.files[0]) });
    if (chosen.zone) params.set('zone', form.elements.zone.value);
    if (chosen.unit) params.set('unit', form.elements.unit.value);
    if (choice() === 'babybuddy-server') {
      const body = JSON.stringify({ url: form.elements.url.value.trim(), token: form.elements.token.value.trim() });
      return { params, body, contentType: 'application/json', size: null };
    }
    const file = fileInput.files[0];
    return { params, body: file, contentType: 'application/octet-stream', size: file?.size ?? 0 };
  };

  /** Send the file to `path`, showing the upload's progress and then what the server is at (`doing`, e.g.
   * "Reading the file…"); the screen's controls wait meanwhile. */
  const send = async (path, doing, { params, body, contentType, size }) => {
    const controls = [...card.querySelectorAll('button, input, select')].filter((control) => !control.disabled);
    controls.forEach((control) => { control.disabled = true; });
    working.hidden = false;
    // In view above the tabs, however far down the form she tapped.
    working.scrollIntoView({ block: 'center' });
    progress.removeAttribute('value');
    progressText.textContent = size ? t('Sending the file… {percent}', { percent: percent(0) }) : doing;
    const onProgress = (sent, total) => {
      if (!total) return;
      const done = Math.round((100 * sent) / total);
      if (sent < total) {
        progress.value = done;
        progressText.textContent = t('Sending the file… {percent}', { percent: percent(done / 100) });
      } else {
        // All of it sent: what is left is the server's reading, which reports no progress.
        progress.removeAttribute('value');
        progressText.textContent = doing;
      }
    };
    root.setAttribute('aria-busy', 'true');
    try {
      return await upload(`${path}?${params}`, body, { contentType, onProgress });
    } finally {
      root.removeAttribute('aria-busy');
      working.hidden = true;
      controls.forEach((control) => { control.disabled = false; });
    }
  };

  const showRefusal = (err) => {
    mount(outcome, h('p', { class: 'notice', role: 'alert', id: 'import-refused' }, refusal(err)));
  };

  /** Import what the preview showed, then show what was done. */
  const confirm = async (button, sent, preview) => {
    const label = button.textContent;
    button.textContent = t('Importing…');
    outcome.querySelector('#import-refused')?.remove();
    let result;
    try {
      result = await send('/account/imports', t('Importing…'), sent);
    } catch (err) {
      // The preview stays, so she can try again or choose another file.
      button.textContent = label;
      outcome.prepend(h('p', { class: 'notice', role: 'alert', id: 'import-refused' }, refusal(err)));
      return;
    }
    // The answers kept for offline use predate these sessions; the next screens ask afresh.
    forgetLastSeen();
    if (result.settings) cacheUser(await api('GET', '/me').catch(() => user));
    const message = result.skipped
      ? tn('Imported {count} session; {skipped} already here.', 'Imported {count} sessions; {skipped} already here.', result.added, { skipped: result.skipped })
      : tn('Imported {count} session.', 'Imported {count} sessions.', result.added);
    if (!root.isConnected) { toast(message); return; }
    form.reset();
    showChoice();
    mount(outcome, h('div', { class: 'stack' },
      h('div', { class: 'stat', role: 'status', id: 'import-done' }, h('p', {}, message),
        preview.source === 'pumpwell'
          ? h('p', {}, t('{plans} and {containers} added.', { plans: plans(result.plans.added), containers: containers(result.containers.added) }))
          : null),
      h('div', { class: 'row' }, h('a', { class: 'btn', href: '#/history' }, t('See History')),
        h('a', { class: 'btn secondary', href: '#/today' }, t('Today'))),
      again(t('Bring in another file'))));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const sent = request();
    if (choice() === 'babybuddy-server' ? !form.elements.url.value.trim() || !form.elements.token.value.trim() : !sent.body) {
      mount(outcome, h('p', { class: 'notice', role: 'alert', id: 'import-refused' },
        choice() === 'babybuddy-server' ? t('Give Baby Buddy\'s address and your API key.') : t('Choose a file first.')));
      return;
    }
    if (!navigator.onLine) { showRefusal(new TypeError('offline')); return; }
    mount(outcome);
    let preview;
    try {
      preview = await send('/account/imports/preview', choice() === 'babybuddy-server' ? t('Reading your Baby Buddy…') : t('Reading the file…'), sent);
    } catch (err) { showRefusal(err); return; }
    const toAdd = preview.to_add + (preview.plans?.to_add || 0) + (preview.containers?.to_add || 0);
    const importButton = h('button', { type: 'button', class: 'btn block', id: 'import-confirm' },
      preview.to_add ? tn('Import {count} session', 'Import {count} sessions', preview.to_add) : t('Import'));
    importButton.addEventListener('click', () => confirm(importButton, sent, preview));
    // The preview takes the form's place, so the figures and Import fit a phone's screen.
    form.hidden = true;
    mount(outcome, h('section', { class: 'stack', 'aria-labelledby': 'import-preview-h' },
      h('h3', { id: 'import-preview-h', tabindex: '-1' }, t('What this file holds')),
      previewFigures(preview, user.time_zone),
      unreadableList(preview),
      toAdd || preview.settings ? importButton
        : h('p', { class: 'notice', id: 'import-nothing' }, t('Everything in this file is here already: there is nothing to import.')),
      again(t('Choose another file'))));
    outcome.querySelector('#import-preview-h').focus();
  });
}
