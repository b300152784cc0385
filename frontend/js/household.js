// Whose data the app shows: her own ("My pumping"), or that of a parent who let her in as a partner, caregiver or
// consultant (docs/household.md). The choice is the account's (account.js), so it outlives a restart; requests
// for a parent's data carry her id in the Pumpwell-Account header (api.js, outbox-core.js), and what the phone keeps
// for a household (timers, the last answers seen, queued requests) is kept under that household's name.
import { forget, forgetAll, keep, kept } from './account.js';
import { N_, t } from './i18n.js';

const CHOSEN = 'household';
const PARENTS = 'parents';
// Counts what changed whose log is shown or who she helps, so an answer overtaken on its way can tell (app.js).
let changes = 0;
// What each role may do, in the parent's words (inviting) and in the helper's (accepting, switching); its name as a
// heading says it and as a sentence does ("your caregiver"). Marked only: shown with t() where used.
export const ROLES = {
  partner: {
    name: N_('Partner'),
    word: N_('partner'),
    forParent: N_('Sees your sessions, totals and plans, runs the stash, and can log a session for you.'),
    forHelper: N_('See her sessions, totals, plans and stash, add to or use the stash, and log a session for her.'),
  },
  caregiver: {
    name: N_('Caregiver'),
    word: N_('caregiver'),
    forParent: N_('Runs the stash: adds, moves, uses and discards milk. Sees no pumping unless you allow it.'),
    forHelper: N_('See her stash and add, move, use or discard milk; her pumping only if she allows it.'),
  },
  consultant: {
    name: N_('Consultant'),
    word: N_('consultant'),
    forParent: N_('Reads your sessions, totals, plans and stash, downloads your exports, and can propose a plan.'),
    forHelper: N_('Read her sessions, totals, plans and stash, download her exports, and propose a plan.'),
  },
};

/** A role's name as a heading says it ("Caregiver"), in the current language; a role the app does not know, as the API wrote it. */
export const roleName = (role) => (ROLES[role] ? t(ROLES[role].name) : role);

/** A role as a sentence names it ("caregiver"), in the current language. */
export const roleWord = (role) => (ROLES[role] ? t(ROLES[role].word) : role);

/** What a role lets a helper do, in the current language ('' for a role the app does not know). */
export const roleForHelper = (role) => (ROLES[role] ? t(ROLES[role].forHelper) : '');

/** The household the app shows ({account_id, email, role, permissions}), or null for her own. */
export const household = () => kept(CHOSEN);

/** The id (a string) of the parent whose data the app shows, or null for her own. */
export const householdId = () => (household() ? String(household().account_id) : null);

/** Whether the app may offer `permission` here: always in her own household, else as the parent granted. */
export function can(permission) {
  const chosen = household();
  return !chosen || chosen.permissions.includes(permission);
}

/** Show `parent`'s data from now on (null: her own), announced as 'pumpwell:household-changed'. */
export function chooseHousehold(parent) {
  changes += 1;
  if (parent) keep(CHOSEN, { account_id: parent.account_id, email: parent.email, role: parent.role, permissions: parent.permissions });
  else forget(CHOSEN);
  window.dispatchEvent(new Event('pumpwell:household-changed'));
}

/** How many times the households she helps, or the one shown, changed on this page. */
export const householdChanges = () => changes;

/** The households she helps as last seen ([] before the first answer). */
export const knownParents = () => kept(PARENTS) || [];

/**
 * Remember the households she helps, from GET /household/parents; the one shown follows its grant (a permission
 * the parent changed), and one whose grant is gone falls back to her own. What the phone kept for a household she
 * no longer helps (answers, timers) is forgotten: its data has no business on her phone any more. Returns the parent
 * no longer reachable, or null. Announced as 'pumpwell:household-changed' (a consultant's first client shows the
 * Clients tab at once).
 */
export function rememberParents(parents) {
  changes += 1;
  const helped = new Set(parents.map((parent) => String(parent.account_id)));
  for (const parent of knownParents()) {
    if (helped.has(String(parent.account_id))) continue;
    // Its cached answers (cache.household.<id>.…) and its timers (household.<id>.…).
    const prefix = scoped('', String(parent.account_id));
    forgetAll(`cache.${prefix}`);
    forgetAll(prefix);
  }
  keep(PARENTS, parents);
  window.dispatchEvent(new Event('pumpwell:household-changed'));
  const chosen = household();
  if (!chosen) return null;
  const still = parents.find((parent) => String(parent.account_id) === String(chosen.account_id));
  if (!still) {
    chooseHousehold(null);
    return chosen;
  }
  if (still.role !== chosen.role || still.permissions.join() !== chosen.permissions.join()) chooseHousehold(still);
  return null;
}

/** `name` as a household (the current one by default) keeps it: her own under the plain name, a parent's under `household.<id>.<name>`. */
export function scoped(name, id = householdId()) {
  return id ? `household.${id}.${name}` : name;
}

/** Whether a queued request (outbox item) belongs to the household the app shows. */
export const isHere = (item) => String(item.household ?? '') === String(householdId() ?? '');

/** The household's name in the switcher: "My pumping", or "maria@example.com — caregiver" (her address is all the API tells). */
export function householdLabel(parent = household()) {
  return parent ? t('{email} — {role}', { email: parent.email, role: roleWord(parent.role) }) : t('My pumping');
}

// What a helper did, each a whole sentence (the word for the deed agrees with what it was done to).
const DEEDS = {
  logged: N_('Logged by {who}'), started: N_('Started by {who}'), added: N_('Added by {who}'),
  moved: N_('Moved by {who}'), used: N_('Used by {who}'), offered: N_('Offered by {who}'), discarded: N_('Discarded by {who}'),
};
// Who, as the parent reads it and as a helper does.
const DOERS = {
  mine: { partner: N_('your partner'), caregiver: N_('your caregiver'), consultant: N_('your consultant') },
  hers: { partner: N_('her partner'), caregiver: N_('her caregiver'), consultant: N_('her consultant') },
};

/**
 * Who did it, when it was not the parent: "Logged by your partner" as she reads it, "Logged by you" or
 * "Logged by her caregiver" as a helper does; null for her own rows. `deed` is logged, started, added, moved, used,
 * offered or discarded.
 */
export function byWhom(row, deed, myId) {
  const role = row?.logged_by_role;
  if (!role) return null;
  let who;
  if (!householdId()) who = t(DOERS.mine[role] || role);
  else if (row.logged_by_id != null && String(row.logged_by_id) === String(myId)) who = t('you');
  else who = t(DOERS.hers[role] || role);
  return t(DEEDS[deed], { who });
}

// The tabs, each with the permissions of which it needs one (none: always shown, her own settings).
const TABS = {
  today: ['see_pumping', 'log_sessions'], history: ['see_pumping'], plans: ['see_pumping'], stash: ['see_stash'], settings: [],
};

/** Whether the household shown offers a tab (a screen outside the tabs: always). */
export function shows(tab) {
  // The consultant's workspace is hers, whichever client she looks at: shown once a parent let her in as one.
  if (tab === 'workspace') return knownParents().some((parent) => parent.role === 'consultant');
  const needs = TABS[tab];
  return !needs?.length || needs.some(can);
}

/** The route of the first tab the household shows: Today, or the Stash for a caregiver. */
export const firstScreen = () => `#/${Object.keys(TABS).find(shows)}`;

const JOIN = 'pumpwell.join';

/** The invitation token this tab is on its way to accept (kept per tab across signing in or up), or null. */
export const pendingJoin = () => sessionStorage.getItem(JOIN);

/** Remember (a token) or forget (null) the invitation this tab will come back to once signed in. */
export function keepJoin(token) {
  if (token) sessionStorage.setItem(JOIN, token);
  else sessionStorage.removeItem(JOIN);
}

/** Where signing in leads: back to an invitation on its way, else Today. */
export const afterSignIn = () => (pendingJoin() ? `#/join/${pendingJoin()}` : '#/today');
