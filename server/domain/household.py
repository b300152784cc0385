"""The household around a parent: the roles she grants and what each role may do with her data."""

import enum

from server.domain.languages import N_
from server.domain.storage import STASH_REMINDER


class Role(enum.StrEnum):
    """What another account is to the parent who granted it access."""

    CAREGIVER = "caregiver"
    PARTNER = "partner"
    CONSULTANT = "consultant"


# The roles' names, as a sentence about one names it in the reader's language.
ROLE_NAMES = (N_("caregiver"), N_("partner"), N_("consultant"))


class Permission(enum.StrEnum):
    """One thing a role may do with the parent's data; the parent herself may do everything."""

    SEE_STASH = "see_stash"
    CHANGE_STASH = "change_stash"
    # Sessions, summaries, goals and plans.
    SEE_PUMPING = "see_pumping"
    LOG_SESSIONS = "log_sessions"
    EXPORT = "export"
    PROPOSE_PLANS = "propose_plans"


# The roles are presets of permissions: private by default, a caregiver runs the stash and sees no pumping.
PRESETS: dict[Role, frozenset[Permission]] = {
    Role.CAREGIVER: frozenset({Permission.SEE_STASH, Permission.CHANGE_STASH}),
    Role.PARTNER: frozenset({Permission.SEE_STASH, Permission.CHANGE_STASH, Permission.SEE_PUMPING,
                             Permission.LOG_SESSIONS}),
    Role.CONSULTANT: frozenset({Permission.SEE_STASH, Permission.SEE_PUMPING, Permission.EXPORT,
                                Permission.PROPOSE_PLANS}),
}
# How long an invitation link can be accepted, and how many a parent may hold open at once.
INVITATION_LIFETIME_HOURS = 72
MAX_OPEN_INVITATIONS = 10


def permissions(role: str, caregivers_see_pumping: bool) -> frozenset[Permission]:
    """Return what a role may do, with pumping added for caregivers when the parent ticked "let caregivers see"."""
    granted = PRESETS[Role(role)]
    if role == Role.CAREGIVER and caregivers_see_pumping:
        return granted | {Permission.SEE_PUMPING}
    return granted


def roles_reminded(kind: str) -> frozenset[Role]:
    """Return the roles whose phones get a reminder of this kind besides the parent's.

    Stash expiry goes to whoever may change the stash, since whoever feeds the baby uses the milk; pumping reminders
    go to the parent alone.
    """
    if kind == STASH_REMINDER:
        return frozenset(role for role, granted in PRESETS.items() if Permission.CHANGE_STASH in granted)
    return frozenset()
