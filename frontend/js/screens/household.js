// Settings → Household: invite a partner, caregiver or consultant (a single-use link sent with the phone's share
// sheet), withdraw an open invitation, revoke someone's access in one tap, let caregivers see her pumping; and the
// households she helps herself, each of which she can open or leave (docs/household.md).
import { api, cacheUser, describeError } from '../api.js';
import { busy, confirmDialog, h, mount, toast } from '../dom.js';
import { dateTime, longDate } from '../format.js';
import { ROLES, chooseHousehold, householdId, rememberParents, roleName, roleWord } from '../household.js';
import { t } from '../i18n.js';

/** Name the screen for the document title. */
export const title = () => t('Household');

/** Copy the link, and say so where she looks (`said`), not only in a passing toast. */
async function copyLink(url, said) {
  try {
    await navigator.clipboard.writeText(url);
    said.textContent = t('Link copied. Paste it into a message to send it.');
  } catch {
    said.textContent = t('Could not copy: press and hold the link above to copy it.');
  }
}

/** Hand the link to the phone's share sheet; without one (or when it fails), copy it. */
async function shareLink(url, role, said) {
  if (navigator.share) {
    try {
      await navigator.share({ title: 'Pumpwell', text: t('Join my Pumpwell as my {role}.', { role: roleWord(role) }), url });
      return;
    } catch (err) {
      if (err.name === 'AbortError') return;
    }
  }
  await copyLink(url, said);
}

/** The invitation just made: its link (shown this once), Share and Copy. */
function createdLink(invitation, user) {
  const url = new URL(invitation.url, location.origin).href;
  const said = h('p', { class: 'hint', id: 'invite-said', role: 'status' });
  return h('div', { class: 'notice', id: 'invite-link' },
    h('p', {}, t('Send this link to your {role}. It works once, until {until}, and is shown only now.', {
      role: roleWord(invitation.role), until: dateTime(invitation.expires_at, user.time_zone),
    })),
    h('p', { class: 'share-url', id: 'invite-url', translate: 'no' }, url),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn small', onclick: () => shareLink(url, invitation.role, said) }, t('Share link')),
      h('button', { type: 'button', class: 'btn secondary small', onclick: () => copyLink(url, said) }, t('Copy link'))),
    said);
}

/** Invite: choose a role (each says what it may see and do), then make a link. */
function inviteCard(user, refresh) {
  const made = h('div', { 'aria-live': 'polite' });
  const choices = Object.entries(ROLES).map(([role, words], i) => h('label', { class: 'role-choice' },
    h('input', { type: 'radio', name: 'role', value: role, checked: i === 0, 'aria-describedby': `role-${role}-says` }),
    h('span', {}, h('strong', {}, t(words.name)), h('span', { class: 'hint', id: `role-${role}-says` }, t(words.forParent)))));
  const form = h('form', { id: 'invite-form' },
    h('fieldset', {}, h('legend', {}, t('Their role')), choices),
    h('button', { type: 'submit', class: 'btn block' }, t('Create invitation link')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const role = new FormData(form).get('role');
    try {
      const invitation = await busy(event.submitter, t('Creating…'), () => api('POST', '/household/invitations', { role }));
      mount(made, createdLink(invitation, user));
      refresh();
    } catch (err) { toast(describeError(err)); }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'invite-h' }, h('h2', { id: 'invite-h' }, t('Invite someone')),
    h('p', { class: 'muted' }, t('They sign in or create an account, then accept. You can take access back any time.')),
    form, made);
}

/** Open invitations, each withdrawn with one tap (a link not yet used costs nothing to make again). */
function invitationsList(user, invitations, refresh) {
  return h('ul', { class: 'list', id: 'invitation-list' }, invitations.length ? invitations.map((invitation) => {
    const withdraw = async (event) => {
      try {
        await busy(event.target, t('Withdrawing…'), () => api('DELETE', `/household/invitations/${invitation.id}`));
        toast(t('Invitation withdrawn: its link no longer works.'));
      } catch (err) { toast(describeError(err)); }
      refresh();
    };
    const made = dateTime(invitation.created_at, user.time_zone);
    const withdrawLabel = t('Withdraw the {role} invitation made {made}', { role: roleWord(invitation.role), made });
    return h('li', {},
      h('div', { class: 'item-head' }, h('span', {}, t('{role} invitation', { role: roleName(invitation.role) })),
        h('button', { type: 'button', class: 'btn secondary small', onclick: withdraw, 'aria-label': withdrawLabel }, t('Withdraw'))),
      h('p', { class: 'muted small-text' }, t('Made {made} · expires {expires}', { made, expires: dateTime(invitation.expires_at, user.time_zone) })));
  }) : h('li', { class: 'muted' }, t('No open invitations.')));
}

/** Who has access, in what role and since when, each revoked in one tap (after a confirmation). */
function membersList(user, members, refresh) {
  return h('ul', { class: 'list', id: 'member-list' }, members.length ? members.map((member) => {
    const revoke = async (event) => {
      const says = t('{email} stops seeing your data from their next tap.', { email: member.email });
      if (!await confirmDialog(t('Take access back?'), says, t('Revoke'), true)) return;
      try {
        await busy(event.target, t('Revoking…'), () => api('DELETE', `/household/members/${member.id}`));
        toast(t('{email} no longer has access.', { email: member.email }));
      } catch (err) { toast(describeError(err)); }
      refresh();
    };
    return h('li', { dataset: { id: member.id } },
      h('div', { class: 'item-head' }, h('span', { class: 'member-email', translate: 'no' }, member.email),
        h('button', { type: 'button', class: 'btn secondary small', onclick: revoke, 'aria-label': t('Revoke {email}', { email: member.email }) }, t('Revoke'))),
      h('p', { class: 'muted small-text' }, t('{role} since {date}', { role: roleName(member.role), date: longDate(member.since, user.time_zone) })));
  }) : h('li', { class: 'muted' }, t('Nobody else has access.')));
}

/** "Let caregivers see my pumping": off by default, a caregiver sees only the stash. */
function pumpingToggle(user) {
  const box = h('input', { type: 'checkbox', id: 'caregivers-see-pumping', checked: Boolean(user.caregivers_see_pumping), 'aria-describedby': 'caregivers-see-pumping-says' });
  box.addEventListener('change', async () => {
    box.disabled = true;
    try {
      // The lists redraw with this user: it must say what was saved.
      cacheUser(Object.assign(user, await api('PATCH', '/me', { caregivers_see_pumping: box.checked })));
      toast(box.checked ? t('Caregivers now see your sessions and totals.') : t('Caregivers no longer see your pumping.'));
    } catch (err) {
      box.checked = !box.checked;
      toast(describeError(err));
    }
    box.disabled = false;
  });
  return h('div', {}, h('label', { class: 'check', for: 'caregivers-see-pumping' }, box, t('Let caregivers see my pumping')),
    h('p', { class: 'hint', id: 'caregivers-see-pumping-says' }, t('Your sessions, totals and plans. Partners and your consultant always see them.')));
}

/** The households she helps: open one, or leave it. */
function helpedCard(user, parents, refresh) {
  const list = h('ul', { class: 'list', id: 'helped-list' }, parents.map((parent) => {
    const open = () => {
      chooseHousehold(parent);
      location.hash = '#/households';
    };
    const leave = async (event) => {
      const says = t("You will no longer see {email}'s data. Only she can let you in again.", { email: parent.email });
      if (!await confirmDialog(t('Leave this household?'), says, t('Leave'), true)) return;
      try {
        await busy(event.target, t('Leaving…'), () => api('DELETE', `/household/parents/${parent.account_id}`));
        if (householdId() === String(parent.account_id)) chooseHousehold(null);
        toast(t("You left {email}'s household.", { email: parent.email }));
      } catch (err) { toast(describeError(err)); }
      refresh();
    };
    return h('li', {},
      h('p', { class: 'member-email', translate: 'no' }, parent.email),
      h('p', { class: 'muted small-text' }, t('{role} since {date}', { role: roleName(parent.role), date: longDate(parent.since, user.time_zone) })),
      h('div', { class: 'item-actions' },
        h('button', { type: 'button', class: 'btn secondary small', onclick: open, 'aria-label': t("Open {email}'s household", { email: parent.email }) }, t('Open')),
        h('button', { type: 'button', class: 'btn secondary small', onclick: leave, 'aria-label': t("Leave {email}'s household", { email: parent.email }) }, t('Leave'))));
  }));
  return h('section', { class: 'card', 'aria-labelledby': 'helped-h' }, h('h2', { id: 'helped-h' }, t('Households I help')),
    parents.length ? list : h('p', { class: 'muted' }, t('None yet. When someone invites you, open their link on this phone.')));
}

/** Render the Household screen: the invitation form stays put (a link just made shows there once), the lists redraw. */
export async function render(root) {
  const lists = h('div');
  let me;
  const draw = async () => {
    const [invitations, members, parents] = (await Promise.all([api('GET', '/household/invitations'),
      api('GET', '/household/members'), api('GET', '/household/parents')])).map((page) => page.items);
    rememberParents(parents);
    mount(lists,
      h('section', { class: 'card', 'aria-labelledby': 'members-h' }, h('h2', { id: 'members-h' }, t('Who has access')),
        membersList(me, members, refresh), pumpingToggle(me),
        h('h3', {}, t('Open invitations')), invitationsList(me, invitations, refresh)),
      helpedCard(me, parents, refresh));
  };
  const refresh = () => draw().catch((err) => toast(describeError(err)));
  try {
    me = cacheUser(await api('GET', '/me'));
    root.append(inviteCard(me, refresh), lists);
    await draw();
  } catch (err) {
    root.append(h('p', { class: 'card' }, describeError(err)));
  }
}
