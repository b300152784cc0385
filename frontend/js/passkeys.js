// Passkeys: sign in with one tap (the phone's fingerprint, face or screen lock) instead of typing a password.
// The server speaks WebAuthn's JSON forms (bytes as base64url); the browser's own parse/toJSON are used where it has
// them, the small converters below where it has not.
import { api, describeError, signIn } from './api.js';
import { busy, confirmDialog, h, mount, toast } from './dom.js';
import { dateTime } from './format.js';
import { afterSignIn } from './household.js';
import { t } from './i18n.js';
import { deviceLabel } from './screens/auth.js';

/** Tell whether this browser can make and use passkeys. */
export const passkeysSupported = () => Boolean(window.PublicKeyCredential && navigator.credentials);

/** Bytes of unpadded base64url text. */
function toBytes(text) {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((text.length + 3) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Unpadded base64url text of bytes (an ArrayBuffer or a view). */
function toText(bytes) {
  let binary = '';
  const view = ArrayBuffer.isView(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  for (const byte of view) {
    binary += String.fromCharCode(byte);
  }
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** navigator.credentials.create()'s options from the server's JSON. */
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: toBytes(json.challenge),
    user: { ...json.user, id: toBytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })),
  };
}

/** navigator.credentials.get()'s options from the server's JSON. */
function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: toBytes(json.challenge), allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: toBytes(c.id) })) };
}

/** A credential as JSON, as PublicKeyCredential.toJSON() writes it. */
function credentialJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const { response } = credential;
  const json = {
    id: credential.id, rawId: toText(credential.rawId), type: credential.type,
    authenticatorAttachment: credential.authenticatorAttachment ?? null,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {},
    response: { clientDataJSON: toText(response.clientDataJSON) },
  };
  if (response.attestationObject) {
    Object.assign(json.response, { attestationObject: toText(response.attestationObject), transports: response.getTransports?.() ?? [] });
  } else {
    Object.assign(json.response, {
      authenticatorData: toText(response.authenticatorData), signature: toText(response.signature),
      userHandle: response.userHandle ? toText(response.userHandle) : null,
    });
  }
  return json;
}

/** Put a browser's refusal in words: cancelled (or timed out) is the common one and needs no alarm. */
function describePasskeyError(err) {
  if (err?.name === 'NotAllowedError' || err?.name === 'AbortError') return t('No passkey was used. Try again, or use your password.');
  if (err?.name === 'InvalidStateError') return t('This phone has a passkey for your account already.');
  return describeError(err);
}

/** Sign in with a passkey the phone offers (no email needed), then do what a password sign-in does. */
async function signInWithPasskey() {
  const options = await api('POST', '/auth/passkey/options');
  const credential = await navigator.credentials.get({ publicKey: requestOptions(options) });
  const result = await api('POST', '/auth/passkey', { credential: credentialJSON(credential), device_label: deviceLabel() });
  await signIn(result);
  location.hash = afterSignIn();
}

/** The sign-in screen's "Sign in with a passkey" button (null where the browser has no passkeys); `status` shows failures. */
export function passkeySignInButton(status) {
  if (!passkeysSupported()) return null;
  const button = h('button', { type: 'button', class: 'btn block spaced', id: 'passkey-sign-in' }, t('Sign in with a passkey'));
  button.addEventListener('click', async () => {
    status.hidden = true;
    try {
      // The phone's own prompt may wait on the parent for a while: its timeout is the server's (5 minutes).
      await busy(button, t('Waiting for your passkey…'), signInWithPasskey, 300_000);
    } catch (err) {
      status.textContent = describePasskeyError(err);
      status.hidden = false;
    }
  });
  return button;
}

/** Settings' Passkeys card: the account's passkeys with Remove, and "Add a passkey" where the browser can. */
export async function passkeysCard(user) {
  const list = h('ul', { class: 'list', id: 'passkey-list' });
  const refresh = async () => {
    const { items } = await api('GET', '/me/passkeys');
    mount(list, items.length ? items.map((passkey) => {
      const remove = async () => {
        const sure = await confirmDialog(t('Remove passkey?'),
          t('"{name}" will no longer sign you in. Your password still works.', { name: passkey.name }), t('Remove'), true);
        if (!sure) return;
        try { await api('DELETE', `/me/passkeys/${passkey.id}`); toast(t('Passkey removed.')); } catch (err) { toast(describeError(err)); }
        refresh().catch((err) => toast(describeError(err)));
      };
      const used = passkey.last_used_at ? t('last used {when}', { when: dateTime(passkey.last_used_at, user.time_zone) }) : t('not used yet');
      return h('li', {},
        h('div', { class: 'item-head' }, h('span', { translate: 'no' }, passkey.name),
          h('button', {
            type: 'button', class: 'btn secondary small', onclick: remove, 'aria-label': t('Remove {name}', { name: passkey.name }),
          }, t('Remove'))),
        h('p', { class: 'muted small-text' }, t('Added {when}', { when: dateTime(passkey.created_at, user.time_zone) }), ' · ', used));
    }) : h('li', { class: 'muted' }, t('No passkeys yet.')));
  };
  const add = async (event) => {
    try {
      await busy(event.target, t('Waiting for your phone…'), async () => {
        const options = await api('POST', '/me/passkeys/options');
        const credential = await navigator.credentials.create({ publicKey: creationOptions(options) });
        await api('POST', '/me/passkeys', { credential: credentialJSON(credential), name: deviceLabel() });
      }, 300_000);
      toast(t('Passkey added. Next time, sign in with one tap.'));
    } catch (err) { toast(describePasskeyError(err)); }
    refresh().catch((err) => toast(describeError(err)));
  };
  await refresh().catch((err) => mount(list, h('li', { class: 'muted' }, describeError(err))));
  return h('section', { class: 'card', 'aria-labelledby': 'passkeys-h' }, h('h2', { id: 'passkeys-h' }, t('Passkeys')),
    h('p', { class: 'muted' }, t('Sign in with your fingerprint, face or screen lock instead of typing your password.')),
    list,
    passkeysSupported()
      ? h('button', { type: 'button', class: 'btn secondary block', id: 'passkey-add', onclick: add }, t('Add a passkey'))
      : h('p', { class: 'muted' }, t('This browser cannot use passkeys.')));
}
