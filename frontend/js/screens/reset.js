// Forgotten password: ask for a link by e-mail (#/forgot), then choose a new password from it (#/reset/<token>).
import { api, describeError, signIn } from '../api.js';
import { field, h, mount, toast } from '../dom.js';
import { t } from '../i18n.js';
import { deviceLabel } from './auth.js';

/** Name the screen for the document title. */
export const title = (name) => (name === 'reset' ? t('Choose a new password') : t('Forgot password'));

/** A form in a card that sends with `submit` and shows its refusal on top, in words. */
function cardForm(heading, fields, submitLabel, send) {
  const status = h('p', { class: 'notice', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn block' }, submitLabel);
  const form = h('form', { class: 'card' }, h('h2', {}, heading), status, fields, submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.hidden = true;
    try {
      await send(form);
    } catch (err) {
      status.textContent = describeError(err);
      status.hidden = false;
    }
    submit.disabled = false;
  });
  return form;
}

/** Ask for a link: the answer is the same whether or not an account uses the address. */
function forgot(root) {
  const sent = h('p', { class: 'notice', role: 'status', id: 'reset-sent', hidden: true });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const form = cardForm(t('Forgot your password?'), [
    h('p', {}, t('Enter the e-mail address of your account. We send it a link to choose a new password.')),
    field(t('Email'), email),
  ], t('Send me a link'), async () => {
    const answer = await api('POST', '/auth/password-reset', { email: email.value.trim() });
    // The server's sentence, then ours: each is one text of its own catalog.
    mount(sent, answer.message, ' ', t('Check your inbox (and spam folder); the link works once.'));
    sent.hidden = false;
  });
  root.append(form, sent, h('p', {}, h('a', { href: '#/signin' }, t('Back to sign in'))));
}

/** Choose a new password with the link's token; this phone is then signed in and every other device signed out. */
function reset(root, token) {
  const password = h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', minlength: 8, required: true });
  const form = cardForm(t('Choose a new password'), [
    field(t('New password'), password, t('At least 8 characters, and not one of the common ones.')),
  ], t('Save and sign in'), async () => {
    const result = await api('POST', '/auth/password-reset/confirm', { token, new_password: password.value, device_label: deviceLabel() });
    await signIn(result);
    // Replaced, not added: the used link leaves the history.
    location.replace('#/today');
    toast(t('New password saved. Your other devices are signed out.'));
  });
  root.append(form, h('p', {}, t('Link expired?'), ' ', h('a', { href: '#/forgot' }, t('Ask for a new one'))));
}

/** Render the forgot-password or the new-password screen. */
export function render(root, { name, args }) {
  if (name === 'reset' && args[0]) reset(root, args[0]);
  else forgot(root);
}
