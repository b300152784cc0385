// Sign up and sign in. Sign-up sends the browser's time zone so reminders land at local times.
import { api, describeError, signIn } from '../api.js';
import { append, field, h } from '../dom.js';
import { afterSignIn, pendingJoin } from '../household.js';
import { locale, t } from '../i18n.js';
import { passkeySignInButton } from '../passkeys.js';
import { waitingNotice } from './waiting.js';

/** Name the screen for the document title. */
export const title = (name) => (name === 'signup' ? t('Create account') : t('Sign in'));

/** Guess a label for this device's token, shown in the list of signed-in devices. */
export function deviceLabel() {
  const ua = navigator.userAgent;
  if (/iPhone|iPad/.test(ua)) return 'iPhone';
  if (/Android/.test(ua)) return 'Android phone';
  return 'Browser';
}

/** Render the sign-in or sign-up form. */
export function render(root, { name }) {
  const signup = name === 'signup';
  const status = h('p', { class: 'notice', role: 'alert', hidden: true });
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true });
  const password = h('input', {
    type: 'password', name: 'password', minlength: 8, required: true,
    autocomplete: signup ? 'new-password' : 'current-password',
  });
  const unit = h('select', { name: 'unit' }, h('option', { value: 'ml' }, t('millilitres (mL)')),
    h('option', { value: 'oz' }, t('US fluid ounces (oz)')));
  const submit = h('button', { type: 'submit', class: 'btn block' }, signup ? t('Create account') : t('Sign in'));
  const form = h('form', { class: 'card', novalidate: false },
    h('h2', {}, signup ? t('Create your account') : t('Sign in')),
    status,
    field(t('Email'), email),
    field(t('Password'), password, signup ? t('At least 8 characters.') : null),
    signup ? field(t('Show volumes in'), unit) : null,
    submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    status.hidden = true;
    const body = { email: email.value.trim(), password: password.value, device_label: deviceLabel() };
    if (signup) Object.assign(body, { unit: unit.value, time_zone: Intl.DateTimeFormat().resolvedOptions().timeZone, language: locale() });
    try {
      const result = await api('POST', signup ? '/auth/register' : '/auth/login', body);
      await signIn(result);
      location.hash = afterSignIn();
    } catch (err) {
      status.textContent = describeError(err);
      status.hidden = false;
      submit.disabled = false;
    }
  });
  // append() skips what does not apply (null); Element.append would print "null".
  append(root, [
    h('p', { class: 'muted' }, t('Log pumping sessions with one hand, follow a plan, get reminders.')),
    pendingJoin() ? h('p', { class: 'notice', id: 'join-waiting' }, signup
      ? t('You have an invitation to a household: create your account, then accept it.')
      : t('You have an invitation to a household: sign in or create an account, then accept it.')) : null,
    waitingNotice(),
    signup ? null : passkeySignInButton(status),
    form,
    signup ? null : h('p', {}, h('a', { href: '#/forgot' }, t('Forgot password?'))),
    h('p', {}, signup ? t('Already have an account?') : t('New here?'), ' ',
      h('a', { href: signup ? '#/signin' : '#/signup' }, signup ? t('Sign in') : t('Create an account')))]);
}
