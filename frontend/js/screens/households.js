// The switcher: whose log the app shows, her own ("My pumping") or that of a parent she helps. Choosing one sends
// every later request about that data to her account (api.js) and shows only what the role allows (app.js tabs).
import { api, describeError } from '../api.js';
import { h } from '../dom.js';
import { ROLES, chooseHousehold, firstScreen, householdId, householdLabel, knownParents, rememberParents } from '../household.js';

/** Name the screen for the document title. */
export const title = () => 'Whose log';

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
    h('h2', { id: 'households-h' }, 'Whose log'), note,
    h('ul', { class: 'list plain', id: 'household-choices' },
      choice(null, 'Your own sessions, plans and stash.'),
      parents.map((parent) => choice(parent, ROLES[parent.role]?.forHelper || ''))),
    h('a', { href: '#/household' }, 'Invite someone, or leave a household')));
}
