// /#/join/<token>: accept an invitation into a parent's household. Signed out, the app keeps the token for this
// tab and asks her to sign in or up first (app.js), then comes back here.
import { ApiError, api, describeError } from '../api.js';
import { busy, h, mount } from '../dom.js';
import { ROLES, chooseHousehold, firstScreen, keepJoin, rememberParents, roleForHelper, roleName, roleWord } from '../household.js';
import { t } from '../i18n.js';

/** Name the screen for the document title. */
export const title = () => t('Accept an invitation');

/** Say why a link cannot be accepted, in plain words. */
function refusal(err) {
  if (err instanceof ApiError && err.status === 404) {
    return t('This invitation link cannot be used: it was already accepted, it expired (links last 3 days) or it was withdrawn. Ask for a new link.');
  }
  if (err instanceof ApiError && err.status === 409) return t('This is your own invitation link: send it to the person you want to invite.');
  return describeError(err);
}

/** What she may now do in the household she joined, and the way in. */
function joined(grant) {
  const open = () => {
    chooseHousehold(grant);
    location.hash = firstScreen();
  };
  return h('section', { class: 'card', 'aria-labelledby': 'join-h' },
    h('h2', { id: 'join-h' }, t("You are {email}'s {role}", { email: grant.email, role: roleWord(grant.role) })),
    h('p', {}, roleForHelper(grant.role)),
    h('p', { class: 'muted' }, t('She can take access back at any time; you can leave from Settings → Household.')),
    h('button', { type: 'button', class: 'btn block', id: 'join-open', onclick: open }, t("Open {email}'s log", { email: grant.email })));
}

/** Render the invitation: what each role may do, Accept, or why it cannot be accepted. */
export function render(root, { args }) {
  const token = args[0] || '';
  const status = h('p', { class: 'notice', role: 'alert', id: 'join-error', hidden: true });
  const accept = async (event) => {
    status.hidden = true;
    try {
      const grant = await busy(event.target, t('Accepting…'), () => api('POST', '/household/join', { token }));
      keepJoin(null);
      rememberParents(await api('GET', '/household/parents').then((page) => page.items, () => [grant]));
      mount(root, joined(grant));
    } catch (err) {
      // A refused link stays refused: this tab stops coming back to it.
      if (err instanceof ApiError) keepJoin(null);
      status.textContent = refusal(err);
      status.hidden = false;
    }
  };
  const notNow = () => {
    keepJoin(null);
    location.hash = '#/today';
  };
  root.append(h('section', { class: 'card', 'aria-labelledby': 'join-h' },
    h('h2', { id: 'join-h' }, t('Join a household')),
    h('p', {}, t('A parent invited you to help with her Pumpwell log. Accepting lets you do what the role she chose allows:')),
    h('ul', { class: 'role-list' }, Object.keys(ROLES).map((role) => h('li', {},
      h('strong', {}, t('{role}:', { role: roleName(role) })), ' ', roleForHelper(role)))),
    h('p', { class: 'muted' }, t('Her settings, reminders and account stay hers alone.')),
    status,
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn secondary', onclick: notNow }, t('Not now')),
      h('button', { type: 'button', class: 'btn', id: 'join-accept', onclick: accept }, t('Accept')))));
}
