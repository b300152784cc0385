// Build DOM nodes without innerHTML, so server text is never parsed as markup.
import { t } from './i18n.js';

/** Create an element with attributes, properties, listeners ("on*") and children. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    // Inputs get value and checked as defaults too, so form.reset() returns to them.
    else if (key === 'value' && el.tagName === 'INPUT') el.setAttribute('value', value);
    else if (key === 'checked') { el.checked = Boolean(value); el.defaultChecked = Boolean(value); }
    else if (key === 'value') el.value = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

/** Append children, flattening arrays and skipping empty values. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replace all of an element's children. */
export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let toastTimer;
let toastUndo = null;
/** Show a short message that screen readers announce (it replaces any earlier one). */
export function toast(message) {
  const box = document.getElementById('toast');
  toastUndo?.(false);
  mount(box, h('span', {}, message));
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => box.replaceChildren(), 4000);
}

/**
 * Show a message with an Undo button for `ms`; resolves true when the parent tapped Undo, false once
 * the window closed (or another toast took its place), so the caller only then makes the change final.
 */
export function undoToast(message, ms = 6000) {
  const box = document.getElementById('toast');
  toastUndo?.(false);
  clearTimeout(toastTimer);
  return new Promise((resolve) => {
    const settle = (undone) => {
      if (toastUndo !== settle) return;
      toastUndo = null;
      clearTimeout(toastTimer);
      box.replaceChildren();
      resolve(undone);
    };
    toastUndo = settle;
    mount(box, h('span', { class: 'with-action' }, message,
      h('button', { type: 'button', class: 'btn small undo', onclick: () => settle(true) }, t('Undo'))));
    toastTimer = setTimeout(() => settle(false), ms);
  });
}

/**
 * Run `work` from a button: the button says it is working at once (well within 100 ms), stays disabled
 * until the work ends, and the work is given up after `timeoutMs` with a clear message.
 */
export async function busy(button, workingLabel, work, timeoutMs = 20_000) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = workingLabel;
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(t('This is taking too long. Check your connection and try again.'))), timeoutMs);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

let waits = 0;
/** Show the thin progress bar under the top bar while `promise` is pending (any network wait). */
export function working(promise) {
  waits += 1;
  document.body.dataset.busy = 'true';
  const done = () => {
    waits -= 1;
    if (!waits) delete document.body.dataset.busy;
  };
  promise.then(done, done);
  return promise;
}

/** Grey placeholder blocks shown while a screen loads, so it never looks blank. */
export function skeleton() {
  return h('div', { class: 'skeleton', 'aria-busy': 'true', 'aria-label': t('Loading') },
    h('div', { class: 'skeleton-block tall' }), h('div', { class: 'skeleton-block' }), h('div', { class: 'skeleton-block' }));
}

/** Open a modal dialog holding the given content; resolves with the value passed to close. */
export function openDialog(title, build) {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
    const dialog = h('dialog', { 'aria-labelledby': titleId });
    const close = (value) => { dialog.close(); dialog.remove(); resolve(value); };
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(null); });
    append(dialog, [h('h2', { id: titleId }, title), build(close)]);
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Ask a yes/no question in a dialog. */
export function confirmDialog(title, message, yesLabel, danger = false) {
  return openDialog(title, (close) => h('div', {},
    h('p', {}, message),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn secondary', onclick: () => close(false) }, t('Cancel')),
      h('button', { type: 'button', class: danger ? 'btn danger' : 'btn', onclick: () => close(true) }, yesLabel))));
}

/** Build a labelled input field. */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

/** An error's field reasons as words (nested fields, e.g. quiet_hours.start, included). */
const reasonText = (value) => (value && typeof value === 'object' && !Array.isArray(value)
  ? Object.values(value).map(reasonText).join(' ') : [].concat(value).join(' '));

/** Show a refusal in a form: each field's reason beside its input (found by name, or through `fieldOf`), the rest on top. */
export function showFormError(form, err, fieldOf = {}) {
  for (const old of form.querySelectorAll('.field-error, .form-alert')) old.remove();
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    const rest = (input.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.endsWith('-error'));
    if (rest.length) input.setAttribute('aria-describedby', rest.join(' ')); else input.removeAttribute('aria-describedby');
  }
  const unplaced = [];
  for (const [key, value] of Object.entries(err.fields || {})) {
    const named = form.elements.namedItem(fieldOf[key] || key);
    const input = named instanceof RadioNodeList ? named[0] : named;
    if (!input) { unplaced.push(`${key}: ${reasonText(value)}`); continue; }
    const id = `${input.id || input.name}-error`;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    (input.closest('.field, fieldset') || input.parentElement).append(h('p', { class: 'field-error', id }, reasonText(value)));
  }
  if (unplaced.length || !Object.keys(err.fields || {}).length) {
    form.prepend(h('p', { class: 'notice form-alert', role: 'alert' }, [err.message || t('Not saved.'), ...unplaced].join(' ')));
  }
  // The first reason comes into view (and its input takes the focus), even in a long form scrolled down.
  const first = form.querySelector('.form-alert, [aria-invalid=true]');
  first?.scrollIntoView({ block: 'center' });
  if (first?.matches('[aria-invalid=true]')) first.focus();
}

/**
 * Open a form full screen on a phone (a dialog on a tall screen) with Cancel and Save fixed at its foot.
 * `save(form)` runs on submit: the form closes with its result (true if none) once it resolves, and shows
 * the reasons beside the fields when it throws; Cancel or Back resolve with null.
 */
export function openForm(title, { id, fields, save, submitLabel = t('Save'), workingLabel = t('Saving…'), fieldOf = {} }) {
  return openDialog(title, (close) => {
    const submit = h('button', { type: 'submit', class: 'btn' }, submitLabel);
    const form = h('form', { id, class: 'screen-form' }, fields,
      h('div', { class: 'row form-actions' },
        h('button', { type: 'button', class: 'btn secondary', onclick: () => close(null) }, t('Cancel')), submit));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      try {
        close((await busy(submit, workingLabel, () => save(form))) ?? true);
      } catch (err) { showFormError(form, err, fieldOf); }
    });
    return form;
  });
}
