// Plans: templates with their evidence, a preview of exact times, start, and every active plan's progress and times.
// In a parent's household a helper reads her active plans; starting, changing and stopping them are hers alone.
// A consultant proposes a plan there with the same form; the parent accepts or declines it here (nothing changes
// until she accepts).
import { api, ApiError, describeError } from '../api.js';
import { append, busy, confirmDialog, field, h, mount, toast } from '../dom.js';
import { NOT_ADVICE, clock, dateTime, fromLocalInput, isoWithOffset, toLocalInput } from '../format.js';
import { byWhom, can, household, householdId } from '../household.js';
import { N_, t, tn } from '../i18n.js';

/** Name the screen for the document title. */
export const title = () => t('Plans');

/** One phase in words: "pump 20", "pump left 10", "rest 10" (its kind and side as the server names them otherwise). */
function phaseWords({ kind, side, minutes }) {
  if (kind === 'rest') return t('rest {minutes}', { minutes });
  if (kind === 'pump' && side === 'left') return t('pump left {minutes}', { minutes });
  if (kind === 'pump' && side === 'right') return t('pump right {minutes}', { minutes });
  if (kind === 'pump') return t('pump {minutes}', { minutes });
  return `${kind}${side && side !== 'both' ? ` ${side}` : ''} ${minutes}`;
}

/** Describe a slot's phases, e.g. "pump 20 · rest 10 · pump 10", each phase a text of its own. */
const phaseText = (phases) => phases.flatMap((p, i) => (i ? [' · ', phaseWords(p)] : [phaseWords(p)]));

/** A past slot's status in words (one session: the singular of the counts' labels). */
const slotStatus = (status) => ({ done: tn('done', 'done', 1), missed: tn('missed', 'missed', 1), cancelled: t('cancelled') }[status] || status);

/** Whether a slot has phase changes worth a full-screen timer. */
const hasPhases = (slot) => slot.phases.length > 1;

/** Render the list of a plan's slots with local times. */
function slotList(user, slots, limit = 60) {
  return h('ol', { class: 'slots', 'aria-label': t('Session times'), tabindex: 0 }, slots.slice(0, limit).map((slot) => h('li', {},
    h('span', {}, dateTime(slot.starts_at, user.time_zone)),
    h('span', { class: 'muted' }, slot.status && slot.status !== 'upcoming' ? slotStatus(slot.status) : phaseText(slot.phases)),
    slot.note ? h('p', { class: 'hint small-text' }, slot.note) : null)),
  slots.length > limit ? h('li', { class: 'muted' }, tn('…and {count} more', '…and {count} more', slots.length - limit)) : null);
}

/** Say how to change the times of a plan the server cannot move (one that runs by the clock from its start). */
function restartInstead(plan) {
  return h('details', { class: 'spaced' }, h('summary', {}, t('Change times')),
    h('p', {}, t('{name} runs round the clock from its start, so its times cannot be moved. To change them, start it again from a new time: the new plan replaces this one.', { name: plan.name })),
    h('a', { class: 'btn secondary block', href: `#/plans/${plan.template}` }, t('Start again at a new time')));
}

/** Ask for new times of a plan's blocks not yet begun: the daily start and the days left. */
function scheduleForm(user, plan, rerender) {
  const upcoming = plan.slots.filter((s) => s.status === 'upcoming');
  if (!upcoming.length) return null;
  // The server moves only day-by-day plans (edit_plan in server/services/plans.py); the rest are started anew.
  if (!('days' in (plan.params || {}))) return restartInstead(plan);
  const perDay = Math.max(1, Math.round(plan.slots.length / plan.params.days));
  const startTime = 'start_time' in plan.params
    ? h('input', { type: 'time', name: 'start_time', value: plan.params.start_time, required: true }) : null;
  const daysLeft = h('input', {
    type: 'number', name: 'days_left', min: 1, max: 90, step: 1, inputmode: 'numeric', required: true,
    value: String(Math.ceil(upcoming.length / perDay)),
  });
  const save = h('button', { type: 'submit', class: 'btn block' }, t('Save new times'));
  const form = h('form', { class: 'stack', 'aria-label': t('Change the times of {name}', { name: plan.name }) },
    startTime ? field(t('Daily start'), startTime, t('In {zone}; blocks already begun stay as they were', { zone: user.time_zone })) : null,
    field(t('Days left'), daysLeft), save);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { days_left: Number(daysLeft.value), ...(startTime ? { start_time: startTime.value } : {}) };
    try {
      await busy(save, t('Saving…'), () => api('PATCH', `/plans/${plan.id}/schedule`, body));
      toast(t('New times saved.'));
      rerender();
    } catch (err) { toast(describeError(err)); }
  });
  return h('details', { class: 'spaced' }, h('summary', {}, t('Change times')), form);
}

/** Render one active plan with progress, next slots, a phase timer entry, its times and Stop. */
function activeCard(user, plan, rerender) {
  const upcoming = plan.slots.filter((s) => s.status === 'upcoming');
  const now = Date.now();
  const current = plan.slots.find((s) => Date.parse(s.starts_at) <= now && now < Date.parse(s.ends_at)) || upcoming[0];
  const cancel = async (event) => {
    if (!await confirmDialog(t('Stop this plan?'), t('{name}: its remaining reminders will be cancelled.', { name: plan.name }), t('Stop plan'), true)) return;
    try {
      await busy(event.target, t('Stopping…'), () => api('POST', `/plans/${plan.id}/cancel`));
      toast(t('{name} stopped.', { name: plan.name }));
    } catch (err) { toast(describeError(err)); }
    rerender();
  };
  const p = plan.progress || {};
  const headingId = `active-h-${plan.id}`;
  const hers = !householdId();
  const who = byWhom(plan, 'started', user.id);
  return h('section', { class: 'card active-plan', id: `active-plan-${plan.id}`, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('Active: {name}', { name: plan.name })),
    h('p', { class: 'muted' }, t('{start} to {end}', { start: dateTime(plan.starts_at, user.time_zone), end: dateTime(plan.ends_at, user.time_zone) })),
    who ? h('p', { class: 'muted small-text by-whom' }, who) : null,
    h('div', { class: 'stats' },
      // Each label agrees with the count above it.
      h('div', { class: 'stat' }, h('span', { class: 'value' }, String(p.done ?? 0)), h('span', { class: 'label' }, tn('done', 'done', p.done ?? 0))),
      h('div', { class: 'stat' }, h('span', { class: 'value' }, String(p.missed ?? 0)), h('span', { class: 'label' }, tn('missed', 'missed', p.missed ?? 0))),
      h('div', { class: 'stat' }, h('span', { class: 'value' }, String(p.upcoming ?? 0)), h('span', { class: 'label' }, t('to go'))),
      h('div', { class: 'stat' }, h('span', { class: 'value' }, current ? clock(current.starts_at, user.time_zone) : '—'),
        h('span', { class: 'label' }, t('next session')))),
    hers && current && hasPhases(current)
      ? h('a', { class: 'btn block spaced', href: `#/timer/${plan.id}/${current.id}` }, t('Open phase timer')) : null,
    h('h3', {}, t('Coming up')),
    slotList(user, upcoming, 12),
    hers ? scheduleForm(user, plan, rerender) : null,
    h('p', { class: 'hint' }, plan.disclaimer || ''),
    hers ? h('button', { type: 'button', class: 'btn secondary block', onclick: cancel }, t('Stop {name}', { name: plan.name })) : null);
}

/** Load every active plan with its slots (the last copies seen, offline). */
async function activePlans() {
  const { items } = await api('GET', '/plans');
  return Promise.all(items.filter((p) => p.status === 'active').map((p) => api('GET', `/plans/${p.id}`)));
}

/** Now, to the minute: a plan started "now" must not lose its first block to the seconds. */
function defaultStart() {
  const d = new Date();
  d.setSeconds(0, 0);
  return d;
}

// A parameter's unit as its label shows it; min and h read the same in every language we speak.
const UNITS = { days: N_('days'), sessions: N_('sessions') };

/** An input for one template parameter ("integer" or a local "time" HH:MM). */
function paramInput(param) {
  const words = (param.description || param.name).replace(/\.$/, '');
  const unit = param.unit && param.type !== 'time' ? (UNITS[param.unit] ? t(UNITS[param.unit]) : param.unit) : null;
  const label = unit ? t('{label} ({unit})', { label: words, unit }) : words;
  if (param.type === 'time') return field(label, h('input', { type: 'time', name: param.name, value: param.default, required: true }));
  return field(label, h('input', {
    type: 'number', name: param.name, value: String(param.default ?? ''), min: param.min ?? null, max: param.max ?? null,
    step: 1, inputmode: 'numeric', required: true,
  }));
}

/** Render the choose/preview/start form for a template; `propose` makes it a consultant's proposal to the parent. */
function templateForm(user, template, rerender, propose = false) {
  const start = h('input', { type: 'datetime-local', name: 'starts_at', required: true, value: toLocalInput(defaultStart(), user.time_zone) });
  const preview = h('div', { class: 'preview', 'aria-live': 'polite' });
  const note = propose ? h('textarea', { name: 'note', maxlength: 1000, rows: 3 }) : null;
  const named = { name: template.name };
  const form = h('form', { class: 'stack', 'aria-label': propose ? t('Propose {name}', named) : t('Set up {name}', named) },
    field(t('Start'), start, t('In {zone}', { zone: user.time_zone })), (template.params || []).map(paramInput),
    propose ? field(t('Note for her (optional)'), note) : null,
    h('div', { class: 'row' },
      // A preview expands in the asker's zone: the parent's own times show once she has it on her Plans screen.
      propose ? null : h('button', { type: 'submit', class: 'btn secondary', name: 'action', value: 'preview' }, t('Preview times')),
      h('button', { type: 'button', class: 'btn', 'data-start': template.key }, propose ? t('Propose plan') : t('Start plan'))),
    preview);
  // The daily block follows the start the parent picks, until she sets its time herself: no second field wins silently.
  // A template whose time says when the daily block (or window) begins: starting now means the block begins now.
  const blockTime = (template.params || []).find((p) => p.name === 'start_time' && p.opens_block);
  const blockInput = blockTime ? form.elements.start_time : null;
  let blockTouched = false;
  const follow = () => {
    if (blockInput && !blockTouched && start.value) blockInput.value = start.value.slice(11, 16);
  };
  blockInput?.addEventListener('input', () => { blockTouched = true; });
  start.addEventListener('input', follow);
  follow();
  const body = () => {
    const params = {};
    for (const param of template.params || []) {
      const input = form.elements[param.name];
      params[param.name] = param.type === 'time' ? input.value : Number(input.value);
    }
    return { template: template.key, starts_at: isoWithOffset(fromLocalInput(start.value, user.time_zone)), params };
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const plan = await api('POST', '/plans/preview', body());
      mount(preview, h('h3', {}, tn('{count} session', '{count} sessions', plan.slots.length)),
        plan.evidence !== template.evidence ? h('p', { class: 'notice' }, plan.evidence) : null, slotList(user, plan.slots),
        h('p', { class: 'hint' }, plan.disclaimer || ''));
    } catch (err) { mount(preview, h('p', { class: 'notice' }, describeError(err))); }
  });
  const startButton = form.querySelector('[data-start]');
  if (propose) {
    startButton.addEventListener('click', async () => {
      if (!form.reportValidity()) return;
      const { params, ...rest } = body();
      try {
        await busy(startButton, t('Proposing…'), () => api('POST', '/plans/proposals', { ...rest, overrides: params, note: note.value.trim() || null }));
      } catch (err) { showProblem(preview, err); return; }
      const email = household()?.email;
      toast(email ? t('{name} proposed to {email}.', { ...named, email }) : t('{name} proposed to her.', named));
      rerender();
    });
    return form;
  }
  startButton.addEventListener('click', async () => {
    if (!form.reportValidity()) return;
    const payload = body();
    try {
      await busy(startButton, t('Starting…'), () => api('POST', '/plans', payload));
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409)) { toast(describeError(err)); return; }
      if (!await confirmDialog(t('Replace your plan?'), t('You already have an active {name}. Start this one instead?', named), t('Replace'))) return;
      try { await api('POST', '/plans', { ...payload, replace: true }); } catch (err2) { toast(describeError(err2)); return; }
    }
    toast(t('{name} started.', named));
    location.hash = '#/plans';
    rerender();
  });
  return form;
}

/** Say in the form what the server refused. */
function showProblem(box, err) {
  mount(box, h('p', { class: 'notice', role: 'alert' }, describeError(err)));
}

/** Render one template card; `open` shows its form straight away, `propose` as a consultant's proposal. */
function templateCard(user, template, open, rerender, propose = false) {
  const holder = h('div');
  const named = { name: template.name };
  const choose = h('button', { type: 'button', class: 'btn secondary block', 'aria-expanded': 'false' },
    propose ? t('Propose {name}', named) : t('Choose {name}', named));
  const show = () => {
    mount(holder, templateForm(user, template, rerender, propose));
    choose.setAttribute('aria-expanded', 'true');
    choose.hidden = true;
  };
  choose.addEventListener('click', show);
  if (open) show();
  return h('section', { class: 'card', id: `tpl-${template.key}`, 'aria-labelledby': `tpl-h-${template.key}` },
    h('h3', { id: `tpl-h-${template.key}` }, template.name),
    h('p', {}, h('span', { class: template.evidence_limited ? 'badge limited' : 'badge' }, template.evidence || t('evidence not rated'))),
    h('p', {}, template.description || ''),
    template.source ? h('p', { class: 'hint' }, t('Source: {source}', { source: template.source })) : null,
    choose, holder);
}

/** What a proposal sets: its start and the settings the consultant changed. */
function proposalTerms(user, proposal) {
  const settings = Object.entries(proposal.overrides || {}).map(([name, value]) => `${name.replace(/_/g, ' ')}: ${value}`);
  const when = dateTime(proposal.starts_at, user.time_zone);
  return settings.length ? t('from {when} ({settings})', { when, settings: settings.join(', ') }) : t('from {when}', { when });
}

/** A proposal waiting for the parent: what her consultant proposes, with Accept and Decline. */
function proposalCard(user, proposal, rerender) {
  const headingId = `proposal-h-${proposal.id}`;
  const decide = (decision, replace = false) => async (event) => {
    const button = event.currentTarget;
    try {
      await busy(button, decision === 'accept' ? t('Starting…') : t('Declining…'),
        () => api('POST', `/plans/proposals/${proposal.id}/${decision}`, decision === 'accept' ? { replace } : undefined));
    } catch (err) {
      // A 409 is a plan of the template already active, or (asked again) a proposal decided on another phone.
      if (!(decision === 'accept' && !replace && err instanceof ApiError && err.status === 409)) {
        toast(describeError(err));
        if (err instanceof ApiError && err.status === 409) rerender();
        return;
      }
      if (await confirmDialog(t('Replace your plan?'), t('You already have an active {name}. Start the proposed one instead?', { name: proposal.name }), t('Replace'))) {
        decide('accept', true)({ currentTarget: button });
      }
      return;
    }
    toast(decision === 'accept' ? t('{name} started.', { name: proposal.name }) : t('Proposal declined.'));
    rerender();
  };
  return h('section', { class: 'card proposal', id: `proposal-${proposal.id}`, 'aria-labelledby': headingId },
    h('h2', { id: headingId }, t('Your consultant proposes: {name}', { name: proposal.name })),
    h('p', {}, proposalTerms(user, proposal)),
    proposal.proposed_by_email ? h('p', { class: 'muted' }, t('From {email}', { email: proposal.proposed_by_email })) : null,
    proposal.note ? h('blockquote', { class: 'proposal-note', translate: 'no' }, proposal.note) : null,
    h('p', { class: 'hint' }, t('Nothing changes until you accept. Accepting starts the plan and its reminders.')),
    h('div', { class: 'row' },
      h('button', { type: 'button', class: 'btn', onclick: decide('accept') }, t('Accept')),
      h('button', { type: 'button', class: 'btn secondary', onclick: decide('decline') }, t('Decline'))));
}

/** The proposals a consultant made to the parent shown, with what she decided. */
function proposalList(user, proposals) {
  if (!proposals.length) return null;
  const said = { pending: t('waiting for her answer'), accepted: t('accepted'), declined: t('declined') };
  return h('section', { class: 'card', 'aria-labelledby': 'proposals-h' }, h('h2', { id: 'proposals-h' }, t('Proposed plans')),
    h('ul', { class: 'list plain' }, proposals.map((p) => h('li', {},
      h('strong', {}, p.name), ' ', proposalTerms(user, p), ': ', h('span', { class: `badge status-${p.status}` }, said[p.status] || p.status)))));
}

/** Render a parent's plans as a helper sees them: read-only, and for a consultant her proposals and the form. */
async function renderHousehold(root, user, rerender) {
  const propose = can('propose_plans');
  try {
    const [active, proposals, templates] = await Promise.all([activePlans(),
      propose ? api('GET', '/plans/proposals') : null, propose ? api('GET', '/plans/templates') : null]);
    append(root, [active.length ? active.map((plan) => activeCard(user, plan, rerender)) : h('p', { class: 'card muted' }, t('No active plan.'))]);
    if (!propose) return;
    append(root, [proposalList(user, proposals.items),
      h('h2', { id: 'propose-h' }, t('Propose a plan')),
      h('p', { class: 'hint' }, t('{email} sees it on her Plans screen and accepts or declines it.', { email: household().email })),
      templates.disclaimer ? h('p', { class: 'notice' }, templates.disclaimer) : null,
      templates.items.map((template) => templateCard(user, template, false, rerender, true))]);
  } catch (err) { root.append(h('p', { class: 'card' }, describeError(err))); }
}

/** Render the Plans screen. */
export async function render(root, { user, args }) {
  const rerender = () => render(mount(root), { user, args: [] });
  if (householdId()) {
    await renderHousehold(root, user, rerender);
    return;
  }
  try {
    const [active, templates, proposals] = await Promise.all([activePlans(), api('GET', '/plans/templates'),
      api('GET', '/plans/proposals').catch(() => ({ items: [] }))]);
    const pending = proposals.items.filter((p) => p.status === 'pending');
    append(root, [pending.map((proposal) => proposalCard(user, proposal, rerender)),
      active.length ? active.map((plan) => activeCard(user, plan, rerender))
      : h('p', { class: 'muted' }, t('No active plan. Pick one below to get reminders at the right times.')),
      h('h2', {}, t('Plans')),
      templates.disclaimer ? h('p', { class: 'notice' }, templates.disclaimer) : null,
      templates.items.map((template) => templateCard(user, template, args[0] === template.key, rerender))]);
    if (args[0]) document.getElementById(`tpl-${args[0]}`)?.scrollIntoView();
  } catch (err) {
    root.append(h('section', { class: 'card' }, h('p', {}, describeError(err)), h('p', { class: 'notice' }, t(NOT_ADVICE))));
  }
}
