// Reminders: what will be sent, soonest first, each with Snooze, Skip and Done.
import { api, describeError } from '../api.js';
import { busy, h, mount, toast } from '../dom.js';
import { NOT_ADVICE, dateTime } from '../format.js';

/** Name the screen for the document title. */
export const title = () => 'Reminders';

const KINDS = { plan_slot: 'Plan', phase_change: 'Phase change', gap: 'Gap', test: 'Test' };

/** One reminder with its three actions; each says it is working and ends with a toast. */
function reminderRow(user, reminder, refresh) {
  const act = (working, path, body, said) => async (event) => {
    try {
      await busy(event.target, working, () => api('POST', `/reminders/${reminder.id}/${path}`, body));
      toast(said);
      refresh();
    } catch (err) { toast(describeError(err)); }
  };
  const what = reminder.title || KINDS[reminder.kind] || 'Reminder';
  return h('li', { dataset: { id: reminder.id } },
    h('div', { class: 'item-head' }, h('span', {}, dateTime(reminder.send_after, user.time_zone)),
      h('span', { class: 'muted small-text' }, KINDS[reminder.kind] || reminder.kind)),
    h('p', { class: 'small-text' }, what, reminder.body ? h('span', { class: 'muted' }, ` · ${reminder.body}`) : null),
    h('div', { class: 'item-actions' },
      h('button', { type: 'button', class: 'btn secondary small', 'aria-label': `Snooze ${what} 10 minutes`,
        onclick: act('Snoozing…', 'snooze', { minutes: 10 }, 'Snoozed for 10 minutes.') }, 'Snooze 10 min'),
      h('button', { type: 'button', class: 'btn secondary small', 'aria-label': `Skip ${what}`,
        onclick: act('Skipping…', 'skip', undefined, 'Skipped.') }, 'Skip'),
      h('button', { type: 'button', class: 'btn secondary small', 'aria-label': `Mark ${what} done`,
        onclick: act('Saving…', 'done', undefined, 'Marked done.') }, 'Done')));
}

/** Render the Reminders screen. */
export async function render(root, { user }) {
  const refresh = () => render(mount(root), { user });
  const list = h('ul', { class: 'list', id: 'reminder-list' });
  try {
    const { items } = await api('GET', '/reminders');
    mount(list, items.length ? items.slice(0, 50).map((r) => reminderRow(user, r, refresh))
      : h('li', { class: 'muted' }, 'Nothing will be sent. Start a plan, or set a longest gap in Settings.'));
  } catch (err) {
    mount(list, h('li', { class: 'muted' }, describeError(err)));
  }
  root.append(h('section', { class: 'card', 'aria-labelledby': 'rem-list-h' },
    h('h2', { id: 'rem-list-h' }, 'Coming reminders'),
    h('p', { class: 'muted small-text' }, `Times in ${user.time_zone}.`), list,
    h('p', { class: 'hint not-advice' }, NOT_ADVICE)));
}
