// The switcher: whose log the app shows, her own ("My pumping") or that of a parent she helps. Choosing one sends
// every later request about that data to her account (api.js) and shows only what the role allows (app.js tabs).
import { api, describeError } from '../api.js';
import { h, mount, toast } from '../dom.js';
import { chooseHousehold, firstScreen, householdId, householdLabel, knownParents, rememberParents, roleForHelper } from '../household.js';
import { t } from '../i18n.js';
import { outboxAll } from '../idb.js';
import { discardQueued } from '../outbox.js';
import { describeQueued } from './waiting.js';

/** Name the screen for the document title. */
export const title = () => t('Whose log');

/** One choice: a big button saying whose log it is and what she may do there. */
function choice(parent, says) {
  const id = parent ? String(parent.account_id) : null;
  const current = householdId() === id;
  const choose = () => {
    chooseHousehold(parent);
    location.hash = firstScreen();
  };
  return h('li', {}, h('button', {
    type: 'button', class: current ? 'btn block household-choice' : 'btn secondary block household-choice',
    'aria-current': current ? 'true' : null, 'aria-describedby': `says-${id ?? 'mine'}`, onclick: choose,
  }, householdLabel(parent)), h('p', { class: 'hint', id: `says-${id ?? 'mine'}` }, says));
}

/**
 * What she queued for a household she no longer helps (let go, or left, before it was sent): refused there, shown
 * nowhere else, so said here with a way to let it go.
 */
async function orphansNotice(parents) {
  const known = new Set(parents.map((parent) => String(parent.account_id)));
  const orphans = (await outboxAll()).filter((item) => item.household && !known.has(item.household));
  if (!orphans.length) return null;
  const box = h('div', { class: 'notice', id: 'household-orphans' });
  const discard = async () => {
    for (const item of orphans) await discardQueued(item.id);
    toast(t('{what} discarded.', { what: describeQueued(orphans) }));
    box.remove();
  };
  return mount(box, h('p', {}, t('{what} saved for a household you no longer help cannot be sent.', { what: describeQueued(orphans) })),
    h('button', { type: 'button', class: 'btn secondary small', onclick: discard }, t('Discard')));
}

/** Render the switcher, from the households last seen, then as the server lists them now. */
export async function render(root) {
  let note = null;
  try {
    rememberParents((await api('GET', '/household/parents')).items);
  } catch (err) {
    note = h('p', { class: 'notice' }, describeError(err));
  }
  const parents = knownParents();
  root.append(h('section', { class: 'card', 'aria-labelledby': 'households-h' },
    h('h2', { id: 'households-h' }, t('Whose log')), note, note ? null : await orphansNotice(parents),
    h('ul', { class: 'list plain', id: 'household-choices' },
      choice(null, t('Your own sessions, plans and stash.')),
      parents.map((parent) => choice(parent, roleForHelper(parent.role)))),
    h('a', { href: '#/household' }, t('Invite someone, or leave a household'))));
}
