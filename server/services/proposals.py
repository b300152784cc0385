"""Plans a consultant proposes to a parent: nothing changes until she accepts one, which starts the plan."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.domain.errors import Conflict, DomainError, NotAllowed
from server.domain.household import Role
from server.domain.languages import N_
from server.domain.templates import TEMPLATES
from server.models import PlanProposal, User
from server.services import plans
from server.services.access import Account, Household, owned

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
# Why a decided proposal takes no second decision, a whole sentence for each decision.
ALREADY_DECIDED = {ACCEPTED: N_("This proposal was accepted already."),
                   DECLINED: N_("This proposal was declined already.")}
# Only the consultant's preset holds propose_plans (server/domain/household.py), so a proposal's role is hers.
PROPOSER_ROLE = Role.CONSULTANT
# A parent sees this many proposals at most: the newest.
LISTED = 50


@dataclass(frozen=True)
class ProposalView:
    """A proposed plan, who proposed it and what the parent decided."""

    id: int
    template: str
    name: str
    starts_at: datetime
    overrides: dict
    note: str | None
    status: str
    proposed_by_role: str
    # None once the consultant deleted her account.
    proposed_by_email: str | None
    created_at: datetime
    decided_at: datetime | None
    plan_id: int | None


def propose_plan(db: Session, household: Household, values: dict, now: datetime) -> ProposalView:
    """Store a consultant's proposal for the parent, checked as a preview of the plan is; change nothing else."""
    if household.role is None:
        raise NotAllowed("A consultant proposes plans to a parent; start your own plan on the Plans screen.")
    plans.draft_plan(household.account, values, now)
    proposal = PlanProposal(
        user_id=household.account.id, proposed_by_id=household.actor_id, template=values["template"],
        starts_at=values["starts_at"], overrides=values.get("params") or {}, note=values.get("note") or None,
        status=PENDING, created_at=now,
    )
    db.add(proposal)
    db.commit()
    return _views(db, [proposal])[0]


def list_proposals(db: Session, household: Household) -> list[ProposalView]:
    """Return the parent's proposals, newest first."""
    rows = db.scalars(select(PlanProposal).where(PlanProposal.user_id == household.account.id)
                      .order_by(PlanProposal.created_at.desc(), PlanProposal.id.desc()).limit(LISTED)).all()
    return _views(db, rows)


def accept_proposal(db: Session, user: Account, proposal_id: int, replace: bool, now: datetime) -> ProposalView:
    """Start the proposed plan as the parent's (recorded as the consultant's proposal) and mark it accepted."""
    proposal = _decide(db, user, proposal_id, ACCEPTED, now)
    values = {"template": proposal.template, "starts_at": proposal.starts_at, "params": proposal.overrides,
              "replace": replace}
    logged_by = {"logged_by_id": proposal.proposed_by_id, "logged_by_role": PROPOSER_ROLE.value}
    try:
        plan, _ = plans.add_plan(db, user, values, now, logged_by)
    except DomainError:
        # The proposal stays pending: she can cancel the plan in the way, or decline.
        db.rollback()
        raise
    proposal.plan_id = plan.id
    db.commit()
    return _views(db, [proposal])[0]


def decline_proposal(db: Session, user: Account, proposal_id: int, now: datetime) -> ProposalView:
    """Mark the proposal declined; nothing else changes."""
    proposal = _decide(db, user, proposal_id, DECLINED, now)
    db.commit()
    return _views(db, [proposal])[0]


def _decide(db: Session, user: Account, proposal_id: int, status: str, now: datetime) -> PlanProposal:
    """Mark the user's pending proposal `status`, inside the caller's transaction; a decided one is a Conflict."""
    proposal = owned(db, PlanProposal, proposal_id, user, "plan proposal")
    # One conditional write: of two decisions racing, only one finds the proposal pending.
    decided = db.execute(update(PlanProposal).where(PlanProposal.id == proposal.id, PlanProposal.status == PENDING)
                         .values(status=status, decided_at=now).execution_options(synchronize_session=False))
    if decided.rowcount != 1:
        db.rollback()
        raise Conflict(ALREADY_DECIDED.get(proposal.status, N_("This proposal was decided already.")))
    db.refresh(proposal)
    return proposal


def _views(db: Session, rows: list[PlanProposal]) -> list[ProposalView]:
    """Return the proposals' views, with their proposers' e-mails in one read."""
    ids = {row.proposed_by_id for row in rows if row.proposed_by_id is not None}
    emails = dict(db.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}
    return [ProposalView(row.id, row.template, TEMPLATES[row.template].name, row.starts_at, row.overrides, row.note,
                         row.status, PROPOSER_ROLE.value, emails.get(row.proposed_by_id), row.created_at,
                         row.decided_at, row.plan_id) for row in rows]
