// The sign-in screen's word on what is still queued on this phone. Requests wait under the account that made
// them (signed out, or its token refused) and are sent when that account signs in again; another account
// never sends them. Each account's group can be discarded instead, after a confirmation.
import { forget, kept } from '../account.js';
import { confirmDialog, h, mount, toast } from '../dom.js';
import { t, tn } from '../i18n.js';
import { outboxAllAccounts, outboxDiscardAccount } from '../idb.js';
import { onOutboxChange } from '../outbox.js';

/** "a…@example.org": enough for its owner to recognise, too little to hand the address to whoever holds the phone. */
export function maskEmail(email) {
  const at = email.lastIndexOf('@');
  return `${email.slice(0, 1)}…${email.slice(at)}`;
}

/** What queued requests hold, in words: "2 sessions", "1 session and 1 stash change". */
export function describeQueued(items) {
  const sessions = items.filter((item) => item.path === '/sessions').length;
  const changes = items.length - sessions;
  const sessionWords = tn('{count} session', '{count} sessions', sessions);
  const changeWords = tn('{count} stash change', '{count} stash changes', changes);
  if (sessions && changes) return t('{sessions} and {changes}', { sessions: sessionWords, changes: changeWords });
  return sessions ? sessionWords : changes ? changeWords : '';
}

/** The queued requests grouped by account id (null: queued by the previous release for nobody in particular). */
async function groups() {
  const byAccount = new Map();
  for (const item of await outboxAllAccounts()) {
    const account = item.account ?? null;
    byAccount.set(account, [...(byAccount.get(account) || []), item]);
  }
  return byAccount;
}

/** Say whose a group is and what to do about it. */
function sentence(account, items) {
  const what = describeQueued(items);
  const count = items.length;
  if (account === null) {
    return tn('{what} saved before the last update waits; this phone cannot tell which account made it.',
      '{what} saved before the last update wait; this phone cannot tell which account made them.', count, { what });
  }
  const email = kept('user', account)?.email;
  if (!email) {
    return tn('{what} from another account waits to be sent: sign in as that account to send it.',
      '{what} from another account wait to be sent: sign in as that account to send them.', count, { what });
  }
  return tn('{what} from {email} waits to be sent: sign in as that account to send it.',
    '{what} from {email} wait to be sent: sign in as that account to send them.', count, { what, email: maskEmail(email) });
}

/** Discard a group after the parent confirms; resolves true when discarded. */
async function discardGroup(account, items) {
  const email = kept('user', account)?.email;
  const what = describeQueued(items);
  const lost = email ? t('{what} from {email} will never reach the server. This cannot be undone.', { what, email: maskEmail(email) })
    : t('{what} will never reach the server. This cannot be undone.', { what });
  const sure = await confirmDialog(t('Discard them?'), lost, t('Discard'), true);
  if (!sure) return false;
  await outboxDiscardAccount(account);
  if (account !== null) forget('user', account);
  toast(t('Discarded.'));
  return true;
}

/** Fill `notice` with one line and a Discard button per account with requests waiting; hidden when none. */
async function fill(notice) {
  const waiting = await groups();
  notice.hidden = waiting.size === 0;
  mount(notice, [...waiting].map(([account, items], index) => {
    const id = `waiting-${index}`;
    const discard = async () => { if (await discardGroup(account, items)) await fill(notice); };
    return h('div', {},
      h('p', { id }, sentence(account, items)),
      h('button', { type: 'button', class: 'btn secondary small', 'aria-describedby': id, onclick: discard }, t('Discard')));
  }));
}

// Whichever notice is on screen follows what changes elsewhere (an account deleted, a discard in another tab).
onOutboxChange(() => {
  const shown = document.getElementById('waiting');
  if (shown) fill(shown).catch(() => null);
});

/** The notice of requests waiting on this phone for their account, filled as soon as the outbox answers. */
export function waitingNotice() {
  const notice = h('section', { class: 'notice', id: 'waiting', 'aria-label': t('Waiting on this phone'), hidden: true });
  fill(notice).catch(() => null);
  return notice;
}
