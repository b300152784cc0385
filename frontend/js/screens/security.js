// Account and security, a card of Settings: change the password, see the devices signed in (sign one out),
// and sign out everywhere.
import { ApiError, api, clearToken, describeError } from '../api.js';
import { busy, confirmDialog, field, h, mount, openDialog, openForm, toast } from '../dom.js';
import { dateTime } from '../format.js';
import { t, tn } from '../i18n.js';
import { forgetSubscription } from '../push.js';

/** A device's name in the parent's words (the label she or the phone gave it is data, not a text to translate). */
const deviceName = (device) => device.label || t('Unnamed device');

/** Say when a device signed in and was last used. */
function deviceDates(device, timeZone) {
  const used = device.last_used_at ? t('last used {when}', { when: dateTime(device.last_used_at, timeZone) }) : t('not used since');
  return [t('Signed in {when}', { when: dateTime(device.created_at, timeZone) }), ' · ', used];
}

/** Run a request from a form; a failure without the server's reasons (no connection, time-out) is put in words. */
async function sending(request) {
  try {
    return await request;
  } catch (err) {
    throw err instanceof ApiError ? err : new Error(describeError(err));
  }
}

/** Say how many devices are signed in. */
function summarize(items) {
  const others = items.filter((device) => !device.current).length;
  if (!others) return t('Signed in on this phone only.');
  return tn('Signed in on this phone and {count} other device.', 'Signed in on this phone and {count} other devices.', others);
}

/**
 * The card: change password, and a button opening the signed-in devices (each with Sign out) and Sign out everywhere
 * in a dialog, where their buttons cannot be mistaken for this phone's Sign out on the screen.
 */
export async function securityCard(user) {
  const summary = h('p', { id: 'devices-summary' });
  const fill = (list, items, refresh) => mount(list, items.map((device) => {
    const signOut = async (event) => {
      try {
        await busy(event.target, t('Signing out…'), () => api('DELETE', `/me/devices/${device.id}`));
        toast(t('{device} is signed out.', { device: deviceName(device) }));
      } catch (err) { toast(describeError(err)); }
      refresh().catch((err) => toast(describeError(err)));
    };
    return h('li', {},
      h('div', { class: 'item-head' }, h('span', { translate: device.label ? 'no' : null }, deviceName(device)),
        device.current ? h('span', { class: 'badge' }, t('This phone')) : null),
      h('p', { class: 'muted small-text' }, deviceDates(device, user.time_zone)),
      device.current ? null : h('button', {
        type: 'button', class: 'btn secondary small', onclick: signOut, 'aria-label': t('Sign out {device}', { device: deviceName(device) }),
      }, t('Sign out')));
  }));
  const everywhere = async () => {
    const sure = await confirmDialog(t('Sign out everywhere?'),
      t('Every device signed in to your account, this phone included, is signed out. Reminders stop on them until you sign in again.'),
      t('Sign out everywhere'), true);
    if (!sure) return;
    try {
      await api('POST', '/auth/logout-everywhere');
    } catch (err) { toast(describeError(err)); return; }
    // The server dropped every device's subscription with its token; this phone forgets its own too.
    await forgetSubscription();
    await clearToken();
    location.hash = '#/signin';
    toast(t('Signed out everywhere.'));
  };
  const showDevices = () => openDialog(t('Signed-in devices'), (close) => {
    const list = h('ul', { class: 'list', id: 'signed-in-devices' }, h('li', { class: 'muted' }, t('Loading…')));
    const refresh = async () => {
      const { items } = await api('GET', '/me/devices');
      summary.textContent = summarize(items);
      fill(list, items, refresh);
    };
    refresh().catch((err) => mount(list, h('li', { class: 'muted' }, describeError(err))));
    return h('div', {}, list,
      h('p', { class: 'hint' }, t('To sign out this phone, use Sign out in Settings.')),
      h('button', { type: 'button', class: 'btn danger block spaced', onclick: () => { close(null); everywhere(); } }, t('Sign out everywhere')),
      h('button', { type: 'button', class: 'btn secondary block', onclick: () => close(null) }, t('Close')));
  });
  const changePassword = async () => {
    const changed = await openForm(t('Change password'), {
      id: 'password-change', submitLabel: t('Change password'), workingLabel: t('Changing…'),
      fields: [
        field(t('Current password'), h('input', { type: 'password', name: 'current_password', autocomplete: 'current-password', required: true })),
        field(t('New password'), h('input', { type: 'password', name: 'new_password', autocomplete: 'new-password', minlength: 8, required: true }),
          t('At least 8 characters, and not one of the common ones.')),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'keep_other_devices' }), t('Keep my other devices signed in')),
      ],
      save: (form) => sending(api('POST', '/me/password', {
        current_password: form.elements.current_password.value,
        new_password: form.elements.new_password.value,
        keep_other_devices: form.elements.keep_other_devices.checked,
      })),
    });
    if (!changed) return;
    toast(t('Password changed.'));
    api('GET', '/me/devices').then(({ items }) => { summary.textContent = summarize(items); }).catch(() => null);
  };
  try {
    summary.textContent = summarize((await api('GET', '/me/devices')).items);
  } catch (err) { summary.textContent = describeError(err); }
  return h('section', { class: 'card', 'aria-labelledby': 'security-h' }, h('h2', { id: 'security-h' }, t('Account and security')),
    summary,
    h('button', { type: 'button', class: 'btn secondary block spaced', id: 'devices-open', onclick: showDevices }, t('Signed-in devices')),
    h('button', { type: 'button', class: 'btn secondary block', id: 'password-change-open', onclick: changePassword }, t('Change password')));
}
