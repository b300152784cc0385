"""Previewing, starting, following, cancelling and exporting pumping plans."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain.errors import Conflict, InvalidPlanParams, PlanConflict
from server.domain.plans import (
    LoggedSession,
    Phase,
    PlanDraft,
    PlanStatus,
    Progress,
    Slot,
    check_start,
    expand_plan,
    follows_wall_clock,
    keep_local_times,
    plan_progress,
    plan_status,
    session_window,
)
from server.domain.reminders import describe_phases, plan_reminders
from server.domain.sessions import total_volume_ml
from server.domain.templates import DISCLAIMER, TEMPLATES, Template
from server.models import Plan, PlanSlot, PumpSession, Reminder
from server.services.access import Account, owned
from server.services.reminders import cancel_pending, upsert_reminders

# Plans ended longer ago than this no longer gain or lose sessions when one is logged.
RELINK_AFTER_END = timedelta(days=2)
# What a plan set by local times of day keeps when the account's zone changes.
KEEP_LOCAL_TIMES, KEEP_INSTANTS = "local_times", "instants"


def plans_to_relink(owner) -> Select:
    """Select the plans of `owner` (a user id, bound or read by the statement) that still gain or lose the sessions
    logged now (bound as `since`: see relink_since)."""
    return select(Plan).where(Plan.user_id == owner, Plan.ends_at > bindparam("since"))


# Run by every session write (a new session's insert asks whether it finds any): built once, as building it cost
# more than the database's answer when no plan is near.
PLANS_TO_RELINK = plans_to_relink(bindparam("user_id"))


@dataclass(frozen=True)
class SlotView:
    """A planned block and how it went."""

    id: int | None  # None in a preview: nothing is stored
    index: int
    starts_at: datetime
    ends_at: datetime
    phases: tuple[Phase, ...]
    status: str
    late_min: int | None
    session_id: str | None
    note: str | None


@dataclass(frozen=True)
class PlanView:
    """A plan as its owner, and a share page, see it; a list's summaries carry no slots or progress."""

    id: int | None  # None in a preview: nothing is stored
    template: str
    name: str
    evidence: str
    status: PlanStatus
    time_zone: str
    starts_at: datetime
    ends_at: datetime
    cancelled_at: datetime | None
    params: dict
    disclaimer: str
    slots: tuple[SlotView, ...] = ()
    progress: Progress | None = None
    # Who started it for the parent (a consultant whose proposal she accepted); None when she did.
    logged_by_role: str | None = None
    logged_by_id: int | None = None


def plan_templates() -> dict:
    """Return every template with its parameters, evidence and source, and the disclaimer."""
    items = [
        {
            "key": t.key, "name": t.name, "description": t.description, "evidence": t.evidence,
            "evidence_limited": t.evidence_limited, "source": t.source, "params": [vars(spec) for spec in t.params],
        }
        for t in TEMPLATES.values()
    ]
    return {"items": items, "disclaimer": DISCLAIMER}


def preview_plan(db: Session, user: Account, values: dict, now: datetime) -> PlanView:
    """Return the plan a start would store, with progress against the sessions logged so far; store nothing."""
    draft = draft_plan(user, values, now)
    rows = _sessions_for(db, user, draft.starts_at, draft.ends_at)
    progress = plan_progress(draft.slots, [_logged(row) for row in rows], draft.starts_at, now)
    return _view(draft, PlanStatus.ACTIVE, None, progress)


def draft_plan(user: Account, values: dict, now: datetime) -> PlanDraft:
    """Check a plan's template, start and parameter overrides (`params`) and expand it in the user's zone: the one
    validation of a preview, a start and a consultant's proposal."""
    check_start(values["starts_at"], now)
    return expand_plan(values["template"], values["starts_at"], values.get("params"), user.time_zone)


def start_plan(db: Session, user: Account, values: dict, now: datetime) -> PlanView:
    """Store a plan and its reminders; refuse (409) while one of the template is active unless asked to replace it."""
    plan, progress = add_plan(db, user, values, now)
    db.commit()
    return plan_view(db, user, plan, now, progress)


def add_plan(db: Session, user: Account, values: dict, now: datetime,
             logged_by: dict | None = None) -> tuple[Plan, Progress]:
    """Store a plan and its reminders inside the caller's transaction, as start_plan does; `logged_by` holds the
    who-did-what columns when the plan was not the parent's own idea (a consultant's proposal she accepted)."""
    draft = draft_plan(user, values, now)
    # Close plans that ran out, so only truly active ones count and the unique index lets a new one in.
    db.execute(
        update(Plan)
        .where(Plan.user_id == user.id, Plan.status == PlanStatus.ACTIVE, Plan.ends_at <= now)
        .values(status=PlanStatus.FINISHED)
    )
    active = db.scalars(
        select(Plan).where(Plan.user_id == user.id, Plan.template == draft.template, _active(now))
    ).all()
    if active and not values.get("replace"):
        raise PlanConflict("A plan of this kind is active; cancel it or start with replace=true.")
    for plan in active:
        _cancel(db, user, plan, now)
    db.flush()
    plan = Plan(
        user_id=user.id, template=draft.template, status=PlanStatus.ACTIVE, params=draft.params,
        time_zone=draft.time_zone, starts_at=draft.starts_at, ends_at=draft.ends_at, created_at=now,
        slots=[_slot_row(s) for s in draft.slots], **(logged_by or {}),
    )
    db.add(plan)
    try:
        db.flush()
    except IntegrityError:
        # Another request started the same kind of plan at the same moment; the unique index kept just one.
        db.rollback()
        raise PlanConflict("A plan of this kind is active; cancel it or start with replace=true.") from None
    return plan, plan_added(db, user, plan, now)


def plan_added(db: Session, user: Account, plan: Plan, now: datetime) -> Progress:
    """Write the reminders of a stored plan's blocks and link the sessions that fulfil them, inside the caller's
    transaction; return the plan's progress."""
    slot_ids = {slot.index: slot.id for slot in plan.slots}
    drafts = plan_reminders(plan.id, TEMPLATES[plan.template].name, tuple(_slot(row) for row in plan.slots), now)
    upsert_reminders(db, user, [(d, plan.id, slot_ids[d.slot_index]) for d in drafts], now)
    return _link_sessions(db, user, plan, now)


def list_plans(db: Session, user: Account, now: datetime) -> list[PlanView]:
    """Return summaries of the user's plans, newest start first."""
    plans = db.scalars(
        select(Plan).where(Plan.user_id == user.id).order_by(Plan.starts_at.desc(), Plan.id.desc()).limit(200)
    )
    return [_view(_draft(plan), plan_status(plan.status, plan.ends_at, now), plan) for plan in plans]


def get_plan(db: Session, user: Account, plan_id: int, now: datetime) -> PlanView:
    """Return one of the user's plans with its slots and progress."""
    return plan_view(db, user, owned(db, Plan, plan_id, user, "plan"), now)


def cancel_plan(db: Session, user: Account, plan_id: int, now: datetime) -> PlanView:
    """Cancel an active plan and its pending reminders; the plan stays readable."""
    plan = owned(db, Plan, plan_id, user, "plan")
    if plan_status(plan.status, plan.ends_at, now) != PlanStatus.ACTIVE:
        raise Conflict("Only an active plan can be cancelled.")
    _cancel(db, user, plan, now)
    db.commit()
    return plan_view(db, user, plan, now)


def edit_plan(db: Session, user: Account, plan_id: int, values: dict, now: datetime) -> PlanView:
    """Move an active plan's slots not yet begun: a new daily start time and/or the days left; the rest stay."""
    plan = owned(db, Plan, plan_id, user, "plan")
    if plan_status(plan.status, plan.ends_at, now) != PlanStatus.ACTIVE:
        raise Conflict("Only an active plan can be changed.")
    template = TEMPLATES[plan.template]
    _check_changeable(template, values)
    params = {**plan.params, **({"start_time": values["start_time"]} if values.get("start_time") else {})}
    kept = [slot for slot in plan.slots if slot.starts_at <= now]
    ahead = [slot for slot in plan.slots if slot.starts_at > now]
    per_day = _slots_per_day(plan, template, params, now)
    days_left = values.get("days_left") or math.ceil(len(ahead) / per_day)
    days = template.param("days")
    if days_left > days.max:
        raise InvalidPlanParams("Too many days.", {"days_left": [f"At most {days.max}."]})
    # Expand the longest plan the template allows from here and keep the first days_left days of it.
    begin = max([now, plan.starts_at, *(slot.ends_at for slot in kept)])
    fresh = expand_plan(plan.template, begin, {**params, "days": days.max}, plan.time_zone).slots
    moved = _replace_slots_ahead(db, plan, kept, ahead, fresh[: days_left * per_day])
    plan.params = {**params, "days": min(days.max, max(days.min, math.ceil(len(kept) / per_day) + days_left))}
    plan.ends_at = max([plan.starts_at, *(s.ends_at for s in kept), *(s.ends_at for s in moved)])
    db.flush()
    slot_ids = {slot.index: slot.id for slot in plan.slots}
    drafts = plan_reminders(plan.id, template.name, moved, now)
    upsert_reminders(db, user, [(d, plan.id, slot_ids[d.slot_index]) for d in drafts], now)
    _link_sessions(db, user, plan, now)
    db.commit()
    return plan_view(db, user, plan, now)


def _check_changeable(template: Template, values: dict) -> None:
    """Refuse a change the plan's template has no setting for."""
    known = {spec.name for spec in template.params}
    # Only day-by-day plans have days to count and (most) a daily start; the others are stopped and started anew.
    wrong = {key: ["This plan has no such setting."] for key, param in (("start_time", "start_time"),
             ("days_left", "days")) if "days" not in known or (values.get(key) is not None and param not in known)}
    if wrong:
        raise InvalidPlanParams("This plan cannot be changed that way.", wrong)


def _slots_per_day(plan: Plan, template: Template, params: dict, now: datetime) -> int:
    """Return how many blocks a day of the plan holds, as its template lays out its shortest plan."""
    shortest = template.param("days").min
    return len(expand_plan(plan.template, now, {**params, "days": shortest}, plan.time_zone).slots) // shortest


def _replace_slots_ahead(
    db: Session, plan: Plan, kept: list[PlanSlot], ahead: list[PlanSlot], fresh: list[Slot],
) -> list[Slot]:
    """Replace the slots not yet begun (and their reminders) by `fresh`, numbered after the kept ones; return them."""
    gone = [slot.id for slot in ahead]
    if gone:
        db.execute(delete(Reminder).where(Reminder.plan_slot_id.in_(gone)))
    for slot in ahead:
        plan.slots.remove(slot)
    db.flush()
    first = max((slot.index for slot in kept), default=-1) + 1
    moved = [Slot(first + n, s.starts_at, s.ends_at, s.phases, s.note) for n, s in enumerate(fresh)]
    plan.slots.extend(_slot_row(s) for s in moved)
    return moved


def plans_in_another_zone(db: Session, user: Account, now: datetime) -> list[PlanView]:
    """Return the active plans set by local times of day in a zone other than the account's, first starts first."""
    plans = db.scalars(select(Plan).where(Plan.user_id == user.id, _active(now), Plan.time_zone != user.time_zone)
                       .order_by(Plan.starts_at, Plan.id))
    return [_view(_draft(plan), PlanStatus.ACTIVE, plan) for plan in plans if follows_wall_clock(plan.template)]


def move_plan_to_zone(db: Session, user: Account, plan_id: int, keep: str, now: datetime) -> PlanView:
    """Settle an active plan after the account's zone changed: keep its local times (the slots not yet begun move
    to the same local date and time in the account's zone, with their reminders) or keep its instants (nothing
    moves: the plan stays on its own zone's clock)."""
    plan = owned(db, Plan, plan_id, user, "plan")
    if plan_status(plan.status, plan.ends_at, now) != PlanStatus.ACTIVE:
        raise Conflict("Only an active plan can move to another time zone.")
    if keep == KEEP_LOCAL_TIMES and plan.time_zone != user.time_zone:
        _keep_local_times(db, user, plan, now)
        db.commit()
    return plan_view(db, user, plan, now)


def _keep_local_times(db: Session, user: Account, plan: Plan, now: datetime) -> None:
    """Move the plan's slots not yet begun, its end and their reminders to the account's zone, local times kept."""
    ahead = [row for row in plan.slots if row.starts_at > now]
    old, new = ZoneInfo(plan.time_zone), ZoneInfo(user.time_zone)
    moved, plan.ends_at = keep_local_times([_slot(row) for row in ahead], plan.ends_at, old, new, now)
    plan.time_zone = user.time_zone
    if ahead:
        db.execute(delete(Reminder).where(Reminder.plan_slot_id.in_([row.id for row in ahead])))
    by_index = {slot.index: slot for slot in moved}
    for row in ahead:
        if row.index in by_index:
            row.starts_at, row.ends_at = by_index[row.index].starts_at, by_index[row.index].ends_at
        else:
            plan.slots.remove(row)
    db.flush()
    slot_ids = {row.index: row.id for row in plan.slots}
    drafts = plan_reminders(plan.id, TEMPLATES[plan.template].name, moved, now)
    upsert_reminders(db, user, [(d, plan.id, slot_ids[d.slot_index]) for d in drafts], now)
    _link_sessions(db, user, plan, now)


def plan_calendar(db: Session, user: Account, plan_id: int) -> bytes:
    """Return the plan as an iCalendar file: one event per slot with an alarm at its start and its phases."""
    # Imported here: the clock and the commands never load icalendar (and dateutil); gunicorn's master loads it once
    # for every web worker (server/gunicorn_conf.py).
    from icalendar import Alarm, Calendar, Event

    plan = owned(db, Plan, plan_id, user, "plan")
    name = TEMPLATES[plan.template].name
    calendar = Calendar()
    calendar.add("prodid", "-//Pumpwell//Pumping plans//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Pumpwell: {name}")
    for slot in plan.slots:
        phases = _phases(slot)
        steps = "\n".join(f"{n}. {describe_phases([p])}" for n, p in enumerate(phases, 1))
        if slot.note:
            steps += f"\n\n{slot.note}"
        event = Event()
        event.add("uid", f"pumpwell-plan-{plan.id}-slot-{slot.index}")
        event.add("dtstamp", plan.created_at)
        event.add("dtstart", slot.starts_at)
        event.add("dtend", slot.ends_at)
        event.add("summary", f"Pump: {name}")
        event.add("description", f"{steps}\n\n{DISCLAIMER}")
        if plan.cancelled_at is not None and slot.starts_at >= plan.cancelled_at:
            event.add("status", "CANCELLED")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Time to pump: {describe_phases(phases)}")
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


def relink_since(now: datetime) -> datetime:
    """Return the end after which a plan still gains or loses the sessions logged now (PLANS_TO_RELINK's since)."""
    return now - RELINK_AFTER_END


def relink_plan_sessions(db: Session, user: Account, now: datetime) -> bool:
    """Link sessions to the slots they fulfil in the user's current plans, inside the caller's transaction;
    return whether there was any such plan."""
    plans = db.scalars(PLANS_TO_RELINK, {"user_id": user.id, "since": relink_since(now)}).all()
    for plan in plans:
        _link_sessions(db, user, plan, now)
    return bool(plans)


def plan_overview(db: Session, user: Account, now: datetime) -> PlanView | None:
    """Return the user's active plan, or else the one started last, with its progress."""
    plans = select(Plan).where(Plan.user_id == user.id)
    plan = db.scalar(plans.where(_active(now)).order_by(Plan.starts_at.desc()).limit(1)) or db.scalar(
        plans.order_by(Plan.starts_at.desc(), Plan.id.desc()).limit(1)
    )
    return None if plan is None else plan_view(db, user, plan, now)


@dataclass(frozen=True)
class PlanAdherence:
    """An active plan and how it is followed, without its slots."""

    id: int
    template: str
    name: str
    progress: Progress


def active_plans_of_many(db: Session, user_ids: list[int], now: datetime) -> dict[int, PlanAdherence]:
    """Return, by account id, each account's active plan started last with its progress, in three reads for all.

    Columns, not rows: progress needs no phases, and decoding every slot's JSON cost most of the time.
    """
    if not user_ids:
        return {}
    latest = {row.user_id: row for row in db.execute(
        select(Plan.id, Plan.user_id, Plan.template, Plan.starts_at, Plan.ends_at, Plan.cancelled_at)
        .where(Plan.user_id.in_(user_ids), _active(now)).order_by(Plan.starts_at, Plan.id))}
    if not latest:
        return {}
    slots: dict[int, list[Slot]] = {plan.id: [] for plan in latest.values()}
    for plan_id, index, starts_at, ends_at in db.execute(
            select(PlanSlot.plan_id, PlanSlot.index, PlanSlot.starts_at, PlanSlot.ends_at)
            .where(PlanSlot.plan_id.in_(list(slots)))):
        slots[plan_id].append(Slot(index, starts_at, ends_at, ()))
    windows = [and_(PumpSession.user_id == plan.user_id, PumpSession.started_at >= first, PumpSession.started_at < last)
               for plan in latest.values() for first, last in [session_window(plan.starts_at, plan.ends_at)]]
    logged: dict[int, list[LoggedSession]] = {user_id: [] for user_id in latest}
    for user_id, *facts in db.execute(select(
            PumpSession.user_id, PumpSession.id, PumpSession.started_at, PumpSession.left_ml, PumpSession.right_ml,
            PumpSession.unsided_ml).where(or_(*windows))):
        logged[user_id].append(_logged_facts(*facts))
    return {user_id: PlanAdherence(plan.id, plan.template, TEMPLATES[plan.template].name, plan_progress(
                slots[plan.id], logged[user_id], plan.starts_at, now, plan.cancelled_at))
            for user_id, plan in latest.items()}


def plan_view(db: Session, user: Account, plan: Plan, now: datetime, progress: Progress | None = None) -> PlanView:
    """Return a stored plan with its slots and progress (computed here unless the caller has it)."""
    draft = _draft(plan, tuple(_slot(row) for row in plan.slots))
    if progress is None:
        rows = _sessions_for(db, user, plan.starts_at, plan.ends_at)
        progress = plan_progress(draft.slots, [_logged(r) for r in rows], plan.starts_at, now, plan.cancelled_at)
    return _view(draft, plan_status(plan.status, plan.ends_at, now), plan, progress)


def _draft(plan: Plan, slots: tuple[Slot, ...] = ()) -> PlanDraft:
    """Return a stored plan as the domain's draft, with the given slots."""
    return PlanDraft(plan.template, plan.params, plan.time_zone, plan.starts_at, plan.ends_at, slots)


def _view(draft: PlanDraft, status: PlanStatus, plan: Plan | None, progress: Progress | None = None) -> PlanView:
    """Return the view of a plan: stored (plan given) or previewed, with slots when progress is given."""
    template = TEMPLATES[draft.template]
    slots = ()
    if progress is not None:
        by_index = {p.index: p for p in progress.slots}
        ids = {row.index: row.id for row in plan.slots} if plan is not None else {}
        slots = tuple(
            SlotView(ids.get(slot.index), slot.index, slot.starts_at, slot.ends_at, slot.phases,
                     by_index[slot.index].status, by_index[slot.index].late_min, by_index[slot.index].session_id,
                     slot.note)
            for slot in draft.slots
        )
    return PlanView(
        plan.id if plan is not None else None, template.key, template.name, template.evidence_for(draft.params),
        status, draft.time_zone, draft.starts_at, draft.ends_at, plan.cancelled_at if plan is not None else None,
        draft.params, DISCLAIMER, slots, progress,
        plan.logged_by_role if plan is not None else None, plan.logged_by_id if plan is not None else None,
    )


def _active(now: datetime):
    """Match the plans plan_status calls active: stored active and not over."""
    return and_(Plan.status == PlanStatus.ACTIVE, Plan.ends_at > now)


def _cancel(db: Session, user: Account, plan: Plan, now: datetime) -> None:
    """Mark the plan cancelled and withdraw its pending reminders."""
    plan.status = PlanStatus.CANCELLED
    plan.cancelled_at = now
    cancel_pending(db, user, now, Reminder.plan_id == plan.id)


def _link_sessions(db: Session, user: Account, plan: Plan, now: datetime) -> Progress:
    """Point each session at the slot it fulfils, unlink the rest, withdraw reminders of fulfilled slots;
    return the plan's progress."""
    rows = _sessions_for(db, user, plan.starts_at, plan.ends_at)
    sessions = [_logged(row) for row in rows]
    progress = plan_progress([_slot(s) for s in plan.slots], sessions, plan.starts_at, now, plan.cancelled_at)
    slot_ids = {slot.index: slot.id for slot in plan.slots}
    chosen = {p.session_id: slot_ids[p.index] for p in progress.slots if p.session_id}
    for row in rows:
        if str(row.id) in chosen:
            row.plan_slot_id = chosen[str(row.id)]
        elif row.plan_slot_id in slot_ids.values():
            row.plan_slot_id = None
    if chosen:
        cancel_pending(db, user, now, Reminder.plan_slot_id.in_(list(chosen.values())))
    return progress


def _sessions_for(db: Session, user: Account, starts_at: datetime, ends_at: datetime) -> list[PumpSession]:
    """Return the user's sessions in the domain's window around a plan."""
    first, last = session_window(starts_at, ends_at)
    return list(db.scalars(select(PumpSession).where(
        PumpSession.user_id == user.id, PumpSession.started_at >= first, PumpSession.started_at < last,
    )))


def _logged(row: PumpSession) -> LoggedSession:
    """Return the facts of a session that adherence needs."""
    return _logged_facts(row.id, row.started_at, row.left_ml, row.right_ml, row.unsided_ml)


def _logged_facts(session_id, started_at: datetime, left_ml, right_ml, unsided_ml) -> LoggedSession:
    """Return the facts adherence needs from a session's columns."""
    volume = total_volume_ml(left_ml, right_ml, unsided_ml) or 0.0
    return LoggedSession(str(session_id), started_at.astimezone(UTC), volume)


def _slot(row: PlanSlot) -> Slot:
    """Return a stored slot as the domain's slot."""
    return Slot(row.index, row.starts_at, row.ends_at, _phases(row), row.note)


def _slot_row(slot: Slot) -> PlanSlot:
    """Return a planned slot as a row to store, its note included (an edited plan cannot expand it again)."""
    return PlanSlot(index=slot.index, starts_at=slot.starts_at, ends_at=slot.ends_at,
                    phases=[p.as_dict() for p in slot.phases], note=slot.note)


def _phases(row: PlanSlot) -> tuple[Phase, ...]:
    """Return a stored slot's phases."""
    return tuple(Phase(p["kind"], p.get("side"), int(p["minutes"])) for p in row.phases)
