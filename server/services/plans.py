"""Previewing, starting, following, cancelling and exporting pumping plans."""

from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.domain.errors import Conflict, PlanConflict
from server.domain.plans import (
    LoggedSession,
    Phase,
    PlanDraft,
    Progress,
    Slot,
    check_start,
    expand_plan,
    plan_progress,
    plan_status,
)
from server.domain.reminders import describe_phases, plan_reminders
from server.domain.templates import DISCLAIMER, TEMPLATES
from server.models import Plan, PlanSlot, PumpSession, Reminder, User
from server.services.ownership import owned
from server.services.reminders import cancel_pending, upsert_reminders

# Plans ended longer ago than this no longer gain or lose sessions when one is logged.
RELINK_AFTER_END = timedelta(days=2)


def plan_templates() -> dict:
    """Return every template with its parameters, evidence and source, and the disclaimer."""
    items = [
        {
            "key": t.key, "name": t.name, "description": t.description, "evidence": t.evidence, "source": t.source,
            "params": [vars(spec) for spec in t.params],
        }
        for t in TEMPLATES.values()
    ]
    return {"items": items, "disclaimer": DISCLAIMER}


def preview_plan(db: Session, user: User, values: dict, now: datetime) -> dict:
    """Return the plan a start would store, with progress against the sessions logged so far; store nothing."""
    check_start(values["starts_at"], now)
    draft = expand_plan(values["template"], values["starts_at"], values.get("params"), user.time_zone)
    sessions = _sessions_near(db, user, draft.starts_at, draft.ends_at)
    progress = plan_progress(draft.slots, sessions, draft.starts_at, now)
    return _view(None, draft, "active", [None] * len(draft.slots), progress)


def start_plan(db: Session, user: User, values: dict, now: datetime) -> dict:
    """Store a plan and its reminders; refuse (409) while one of the template is active unless asked to replace it."""
    check_start(values["starts_at"], now)
    draft = expand_plan(values["template"], values["starts_at"], values.get("params"), user.time_zone)
    # Close plans that ran out, so only truly active ones count and the unique index lets a new one in.
    db.execute(
        update(Plan)
        .where(Plan.user_id == user.id, Plan.status == "active", Plan.ends_at <= now)
        .values(status="finished")
    )
    active = db.scalars(
        select(Plan).where(Plan.user_id == user.id, Plan.template == draft.template, Plan.status == "active")
    ).all()
    if active and not values.get("replace"):
        raise PlanConflict("A plan of this kind is active; cancel it or start with replace=true.")
    for plan in active:
        _cancel(db, user, plan, now)
    db.flush()
    plan = Plan(
        user_id=user.id, template=draft.template, status="active", params=draft.params, time_zone=draft.time_zone,
        starts_at=draft.starts_at, ends_at=draft.ends_at, created_at=now,
        slots=[
            PlanSlot(index=s.index, starts_at=s.starts_at, ends_at=s.ends_at, phases=[p.as_dict() for p in s.phases])
            for s in draft.slots
        ],
    )
    db.add(plan)
    try:
        db.flush()
    except IntegrityError:
        # Another request started the same kind of plan at the same moment; the unique index kept just one.
        db.rollback()
        raise PlanConflict("A plan of this kind is active; cancel it or start with replace=true.") from None
    slot_ids = {slot.index: slot.id for slot in plan.slots}
    drafts = plan_reminders(plan.id, TEMPLATES[plan.template].name, draft.slots, now)
    upsert_reminders(db, user, [(d, plan.id, slot_ids[d.slot_index]) for d in drafts], now)
    _link_sessions(db, user, plan, now)
    db.commit()
    return plan_view(db, user, plan, now)


def list_plans(db: Session, user: User, now: datetime) -> list[dict]:
    """Return summaries of the user's plans, newest start first."""
    plans = db.scalars(
        select(Plan).where(Plan.user_id == user.id).order_by(Plan.starts_at.desc(), Plan.id.desc()).limit(200)
    )
    return [_summary(plan, now) for plan in plans]


def get_plan(db: Session, user: User, plan_id: int, now: datetime) -> dict:
    """Return one of the user's plans with its slots and progress."""
    return plan_view(db, user, owned(db, Plan, plan_id, user, "plan"), now)


def cancel_plan(db: Session, user: User, plan_id: int, now: datetime) -> dict:
    """Cancel an active plan and its pending reminders; the plan stays readable."""
    plan = owned(db, Plan, plan_id, user, "plan")
    if plan_status(plan.status, plan.ends_at, now) != "active":
        raise Conflict("Only an active plan can be cancelled.")
    _cancel(db, user, plan, now)
    db.commit()
    return plan_view(db, user, plan, now)


def plan_calendar(db: Session, user: User, plan_id: int) -> bytes:
    """Return the plan as an iCalendar file: one event per slot with an alarm at its start and its phases."""
    plan = owned(db, Plan, plan_id, user, "plan")
    name = TEMPLATES[plan.template].name
    calendar = Calendar()
    calendar.add("prodid", "-//Pumpwell//Pumping plans//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Pumpwell: {name}")
    notes = {s.index: s.note for s in expand_plan(plan.template, plan.starts_at, plan.params, plan.time_zone).slots}
    for slot in plan.slots:
        phases = _phases(slot)
        steps = "\n".join(f"{n}. {describe_phases([p])}" for n, p in enumerate(phases, 1))
        if notes.get(slot.index):
            steps += f"\n\n{notes[slot.index]}"
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


def relink_plan_sessions(db: Session, user: User, now: datetime) -> None:
    """Link sessions to the slots they fulfil in the user's current plans, inside the caller's transaction."""
    plans = db.scalars(
        select(Plan).where(Plan.user_id == user.id, Plan.ends_at > now - RELINK_AFTER_END)
    ).all()
    for plan in plans:
        _link_sessions(db, user, plan, now)


def plan_view(db: Session, user: User, plan: Plan, now: datetime) -> dict:
    """Return a stored plan with its slots and progress, as the API shows it."""
    # Notes are not stored: expanding the plan again gives the same slots and says why any of them moved.
    notes = {s.index: s.note for s in expand_plan(plan.template, plan.starts_at, plan.params, plan.time_zone).slots}
    slots = [_slot(row, notes.get(row.index)) for row in plan.slots]
    sessions = _sessions_near(db, user, plan.starts_at, plan.ends_at)
    progress = plan_progress(slots, sessions, plan.starts_at, now, plan.cancelled_at)
    draft = PlanDraft(plan.template, plan.params, plan.time_zone, plan.starts_at, plan.ends_at, tuple(slots))
    status = plan_status(plan.status, plan.ends_at, now)
    return _view(plan.id, draft, status, [row.id for row in plan.slots], progress)


def _view(plan_id: int | None, draft: PlanDraft, status: str, slot_ids: list, progress: Progress) -> dict:
    """Return the plan's JSON-ready view."""
    template = TEMPLATES[draft.template]
    by_index = {p.index: p for p in progress.slots}
    return {
        "id": plan_id, "template": template.key, "name": template.name, "evidence": template.evidence_for(draft.params),
        "status": status, "time_zone": draft.time_zone, "starts_at": draft.starts_at, "ends_at": draft.ends_at,
        "params": draft.params, "disclaimer": DISCLAIMER,
        "slots": [
            {
                "id": slot_id, "index": slot.index, "starts_at": slot.starts_at, "ends_at": slot.ends_at,
                "phases": [p.as_dict() for p in slot.phases], "status": by_index[slot.index].status,
                "late_min": by_index[slot.index].late_min, "session_id": by_index[slot.index].session_id,
                "note": slot.note,
            }
            for slot_id, slot in zip(slot_ids, draft.slots, strict=True)
        ],
        "progress": {
            "done": progress.done, "missed": progress.missed, "upcoming": progress.upcoming,
            "daily_volume_during_ml": progress.daily_volume_during_ml,
            "daily_volume_before_ml": progress.daily_volume_before_ml,
        },
    }


def _summary(plan: Plan, now: datetime) -> dict:
    """Return a plan without its slots."""
    template = TEMPLATES[plan.template]
    return {
        "id": plan.id, "template": plan.template, "name": template.name, "evidence": template.evidence_for(plan.params),
        "status": plan_status(plan.status, plan.ends_at, now), "time_zone": plan.time_zone,
        "starts_at": plan.starts_at, "ends_at": plan.ends_at, "cancelled_at": plan.cancelled_at,
        "params": plan.params, "disclaimer": DISCLAIMER,
    }


def _cancel(db: Session, user: User, plan: Plan, now: datetime) -> None:
    """Mark the plan cancelled and withdraw its pending reminders."""
    plan.status = "cancelled"
    plan.cancelled_at = now
    cancel_pending(db, user, now, Reminder.plan_id == plan.id)


def _link_sessions(db: Session, user: User, plan: Plan, now: datetime) -> None:
    """Point each session at the slot it fulfils, unlink the rest, and withdraw reminders of fulfilled slots."""
    rows = db.scalars(
        select(PumpSession).where(
            PumpSession.user_id == user.id,
            PumpSession.started_at >= plan.starts_at - timedelta(days=1),
            PumpSession.started_at < plan.ends_at + timedelta(days=1),
        )
    ).all()
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


def _sessions_near(db: Session, user: User, starts_at: datetime, ends_at: datetime) -> list[LoggedSession]:
    """Return the user's sessions from a week before the plan to a day after it."""
    rows = db.scalars(
        select(PumpSession).where(
            PumpSession.user_id == user.id,
            PumpSession.started_at >= starts_at - timedelta(days=7),
            PumpSession.started_at < ends_at + timedelta(days=1),
        )
    )
    return [_logged(row) for row in rows]


def _logged(row: PumpSession) -> LoggedSession:
    """Return the facts of a session that adherence needs."""
    return LoggedSession(str(row.id), row.started_at.astimezone(UTC), (row.left_ml or 0) + (row.right_ml or 0))


def _slot(row: PlanSlot, note: str | None = None) -> Slot:
    """Return a stored slot as the domain's slot."""
    return Slot(row.index, row.starts_at, row.ends_at, _phases(row), note)


def _phases(row: PlanSlot) -> tuple[Phase, ...]:
    """Return a stored slot's phases."""
    return tuple(Phase(p["kind"], p.get("side"), int(p["minutes"])) for p in row.phases)
