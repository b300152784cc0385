"""The household's roles: presets of permissions, private by default."""

import pytest

from server.domain.household import PRESETS, Permission, Role, permissions, roles_reminded
from server.domain.storage import STASH_REMINDER


def test_a_caregiver_runs_the_stash_and_sees_no_pumping_unless_the_parent_ticks_it():
    assert permissions("caregiver", False) == {Permission.SEE_STASH, Permission.CHANGE_STASH}
    assert permissions("caregiver", True) == {Permission.SEE_STASH, Permission.CHANGE_STASH, Permission.SEE_PUMPING}


@pytest.mark.parametrize("ticked", [False, True])
def test_the_tick_widens_only_the_caregiver(ticked):
    assert permissions("partner", ticked) == PRESETS[Role.PARTNER]
    assert permissions("consultant", ticked) == PRESETS[Role.CONSULTANT]


def test_only_a_partner_logs_sessions_and_only_a_consultant_exports_and_proposes():
    assert [r for r in Role if Permission.LOG_SESSIONS in PRESETS[r]] == [Role.PARTNER]
    assert [r for r in Role if Permission.EXPORT in PRESETS[r]] == [Role.CONSULTANT]
    assert [r for r in Role if Permission.PROPOSE_PLANS in PRESETS[r]] == [Role.CONSULTANT]
    assert Permission.CHANGE_STASH not in PRESETS[Role.CONSULTANT]


def test_stash_expiry_reaches_those_who_change_the_stash_and_pumping_reminders_nobody_else():
    assert roles_reminded(STASH_REMINDER) == {Role.CAREGIVER, Role.PARTNER}
    for kind in ("plan_slot", "phase_change", "gap", "test"):
        assert roles_reminded(kind) == set()


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError):
        permissions("grandmother", False)
