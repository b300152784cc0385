// Reminders: what will be sent, soonest first, each with Snooze, Skip and Done.
import { api, describeError } from '../api.js';
import { busy, h, mount, toast } from '../dom.js';
import { NOT_ADVICE, dateTime } from '../format.js';
import { N_, t } from '../i18n.js';

/** Name the screen for the document title. */
export const title = () => t('Reminders');

const KINDS = {
  plan_slot: N_('Plan'), phase_change: N_('Phase change'), gap: N_('Gap'), stash_expiry: N_('Milk to use soon'), test: N_('Test'),
};

/** One reminder with its three actions; each says it is working and ends with a toast. */
function reminderRow(user, reminder, refresh) {
  const act = (working, path, body, said) => async (event) => {
    try {
      await busy(event.target, working, () => api('POST', `/reminders/${reminder.id}/${path}`, body));
      toast(said);
      refresh();
    } catch (err) { toast(describeError(err)); }
  };
  const kind = KINDS[reminder.kind] ? t(KINDS[reminder.kind]) : null;
  const what = reminder.title || kind || t('Reminder');
  return h('li', { dataset: { id: reminder.id } },
    h('div', { class: 'item-head' }, h('span', {}, dateTime(reminder.send_after, user.time_zone)),
      h('span', { class: 'muted small-text' }, kind || reminder.kind)),
    h('p', { class: 'small-text' }, what, reminder.body ? h('span', { class: 'muted' }, ` · ${reminder.body}`) : null),
    h('div', { class: 'item-actions' },
      h('button', { type: 'button', class: 'btn secondary small', 'aria-label': t('Snooze {what} 10 minutes', { what }),
        onclick: act(t('Snoozing…'), 'snooze', { minutes: 10 }, t('Snoozed for 10 minutes.')) }, t('Snooze 10 min')),
      h('button', { type: 'button', class: 'btn secondary small', 'aria-label': t('Skip {what}', { what }),
        onclick: act(t('Skipping…'), 'skip', undefined, t('Skipped.')) }, t('Skip')),
      h('button', { type: 'button', class: 'btn secondary small', 'aria-label': t('Mark {what} done', { what }),
        onclick: act(t('Saving…'), 'done', undefined, t('Marked done.')) }, t('Done'))));
}

/** Render the Reminders screen. */
export async function render(root, { user }) {
  const refresh = () => render(mount(root), { user });
  const list = h('ul', { class: 'list', id: 'reminder-list' });
  try {
    const { items } = await api('GET', '/reminders');
    mount(list, items.length ? items.slice(0, 50).map((r) => reminderRow(user, r, refresh))
      : h('li', { class: 'muted' }, t('Nothing will be sent. Start a plan, or set a longest gap in Settings.')));
  } catch (err) {
    mount(list, h('li', { class: 'muted' }, describeError(err)));
  }
  root.append(h('section', { class: 'card', 'aria-labelledby': 'rem-list-h' },
    h('h2', { id: 'rem-list-h' }, t('Coming reminders')),
    h('p', { class: 'muted small-text' }, t('Times in {zone}.', { zone: user.time_zone })), list,
    h('p', { class: 'hint not-advice' }, t(NOT_ADVICE))));
}
