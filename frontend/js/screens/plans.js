// Plans: templates with their evidence, a preview of exact times, start, and the active plan's progress.
import { api, ApiError, describeError } from '../api.js';
import { append, confirmDialog, field, h, mount, toast } from '../dom.js';
import { clock, dateTime, isoWithOffset, toLocalInput } from '../format.js';

/** Name the screen for the document title. */
export const title = () => 'Plans';

/** Describe a slot's phases, e.g. "pump 20 · rest 10 · pump 10". */
function phaseText(phases) {
  return phases.map((p) => `${p.kind}${p.side && p.side !== 'both' ? ` ${p.side}` : ''} ${p.minutes}`).join(' · ');
}

/** Whether a slot has phase changes worth a full-screen timer. */
const hasPhases = (slot) => slot.phases.length > 1;

/** Render the list of a plan's slots with local times. */
function slotList(user, slots, limit = 60) {
  return h('ol', { class: 'slots', 'aria-label': 'Session times', tabindex: 0 }, slots.slice(0, limit).map((slot) => h('li', {},
    h('span', {}, dateTime(slot.starts_at, user.time_zone)),
    h('span', { class: 'muted' }, slot.status && slot.status !== 'upcoming' ? slot.status : phaseText(slot.phases)),
    slot.note ? h('p', { class: 'hint small-text' }, slot.note) : null)),
  slots.length > limit ? h('li', { class: 'muted' }, `…and ${slots.length - limit} more`) : null);
}

/** Render the active plan with progress, next slots and a phase timer entry. */
async function activeCard(user, rerender) {
  const { items } = await api('GET', '/plans');
  const active = items.find((p) => p.status === 'active');
  if (!active) return null;
  const plan = await api('GET', `/plans/${active.id}`);
  const upcoming = plan.slots.filter((s) => s.status === 'upcoming');
  const now = Date.now();
  const current = plan.slots.find((s) => Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at)) || upcoming[0];
  const cancel = async () => {
    if (!await confirmDialog('Stop this plan?', 'Its remaining reminders will be cancelled.', 'Stop plan', true)) return;
    await api('POST', `/plans/${plan.id}/cancel`).catch((err) => toast(describeError(err)));
    rerender();
  };
  const p = plan.progress || {};
  return h('section', { class: 'card', id: 'active-plan', 'aria-labelledby': 'active-h' },
    h('h2', { id: 'active-h' }, `Active: ${plan.name}`),
    h('p', { class: 'muted' }, `${dateTime(plan.starts_at, user.time_zone)} to ${dateTime(plan.ends_at, user.time_zone)}`),
    h('div', { class: 'stats' },
      h('div', { class: 'stat' }, h('span', { class: 'value' }, String(p.done ?? 0)), h('span', { class: 'label' }, 'done')),
      h('div', { class: 'stat' }, h('span', { class: 'value' }, String(p.missed ?? 0)), h('span', { class: 'label' }, 'missed')),
      h('div', { class: 'stat' }, h('span', { class: 'value' }, String(p.upcoming ?? 0)), h('span', { class: 'label' }, 'to go')),
      h('div', { class: 'stat' }, h('span', { class: 'value' }, current ? clock(current.starts_at, user.time_zone) : '—'),
        h('span', { class: 'label' }, 'next session'))),
    current && hasPhases(current)
      ? h('a', { class: 'btn block spaced', href: `#/timer/${plan.id}/${current.id}` }, 'Open phase timer') : null,
    h('h3', {}, 'Coming up'),
    slotList(user, upcoming, 12),
    h('p', { class: 'hint' }, plan.disclaimer || ''),
    h('button', { type: 'button', class: 'btn secondary block', onclick: cancel }, 'Stop plan'));
}

/** Default start: the next whole quarter hour. */
function defaultStart() {
  const d = new Date(Date.now() + 15 * 60000);
  d.setMinutes(Math.floor(d.getMinutes() / 15) * 15, 0, 0);
  return d;
}

/** An input for one template parameter ("integer" or a local "time" HH:MM). */
function paramInput(param) {
  const label = `${param.description || param.name}${param.unit ? ` (${param.unit})` : ''}`;
  if (param.type === 'time') return field(label, h('input', { type: 'time', name: param.name, value: param.default, required: true }));
  return field(label, h('input', {
    type: 'number', name: param.name, value: String(param.default ?? ''), min: param.min ?? null, max: param.max ?? null,
    step: 1, inputmode: 'numeric', required: true,
  }));
}

/** Render the choose/preview/start form for a template. */
function templateForm(user, template, rerender) {
  const start = h('input', { type: 'datetime-local', name: 'starts_at', required: true, value: toLocalInput(defaultStart()) });
  const preview = h('div', { class: 'preview', 'aria-live': 'polite' });
  const form = h('form', { class: 'stack', 'aria-label': `Set up ${template.name}` },
    field('Start', start), (template.params || []).map(paramInput),
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'btn secondary', name: 'action', value: 'preview' }, 'Preview times'),
      h('button', { type: 'button', class: 'btn', 'data-start': template.key }, 'Start plan')),
    preview);
  const body = () => {
    const params = {};
    for (const param of template.params || []) {
      const input = form.elements[param.name];
      params[param.name] = param.type === 'time' ? input.value : Number(input.value);
    }
    return { template: template.key, starts_at: isoWithOffset(new Date(start.value)), params };
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const plan = await api('POST', '/plans/preview', body());
      mount(preview, h('h3', {}, `${plan.slots.length} sessions`),
        plan.evidence !== template.evidence ? h('p', { class: 'notice' }, plan.evidence) : null, slotList(user, plan.slots),
        h('p', { class: 'hint' }, plan.disclaimer || ''));
    } catch (err) { mount(preview, h('p', { class: 'notice' }, describeError(err))); }
  });
  form.querySelector('[data-start]').addEventListener('click', async () => {
    const payload = body();
    try {
      await api('POST', '/plans', payload);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409)) { toast(describeError(err)); return; }
      if (!await confirmDialog('Replace your plan?', 'You already have an active plan. Start this one instead?', 'Replace')) return;
      try { await api('POST', '/plans', { ...payload, replace: true }); } catch (err2) { toast(describeError(err2)); return; }
    }
    toast(`${template.name} started.`);
    location.hash = '#/plans';
    rerender();
  });
  return form;
}

/** Render one template card; `open` shows its form straight away. */
function templateCard(user, template, open, rerender) {
  const limited = /limited|no standard|weak|single/i.test(template.evidence || '');
  const holder = h('div');
  const choose = h('button', { type: 'button', class: 'btn secondary block', 'aria-expanded': 'false' }, `Choose ${template.name}`);
  const show = () => {
    mount(holder, templateForm(user, template, rerender));
    choose.setAttribute('aria-expanded', 'true');
    choose.hidden = true;
  };
  choose.addEventListener('click', show);
  if (open) show();
  return h('section', { class: 'card', id: `tpl-${template.key}`, 'aria-labelledby': `tpl-h-${template.key}` },
    h('h3', { id: `tpl-h-${template.key}` }, template.name),
    h('p', {}, h('span', { class: limited ? 'badge limited' : 'badge' }, template.evidence || 'evidence not rated')),
    h('p', {}, template.description || ''),
    template.source ? h('p', { class: 'hint' }, `Source: ${template.source}`) : null,
    choose, holder);
}

/** Render the Plans screen. */
export async function render(root, { user, args }) {
  const rerender = () => render(mount(root), { user, args: [] });
  try {
    const [active, templates] = await Promise.all([activeCard(user, rerender), api('GET', '/plans/templates')]);
    append(root, [active || h('p', { class: 'muted' }, 'No active plan. Pick one below to get reminders at the right times.'),
      h('h2', {}, 'Plans'),
      templates.disclaimer ? h('p', { class: 'notice' }, templates.disclaimer) : null,
      templates.items.map((t) => templateCard(user, t, args[0] === t.key, rerender))]);
    if (args[0]) document.getElementById(`tpl-${args[0]}`)?.scrollIntoView();
  } catch (err) {
    root.append(h('p', { class: 'card' }, describeError(err)));
  }
}
