"""Password changes, reset links and device sign-outs against the database, with e-mails kept in a list."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.domain.errors import CurrentDevice, NotFound, ResetLinkInvalid, WrongPassword
from server.models import ApiToken, PasswordReset, User
from server.services import devices, passwords
from server.services.accounts import Passwords, issue_token, login
from server.services.common_passwords import common_passwords
from server.services.tokens import hash_token
from tests.conftest import PASSWORD

NOW = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)
LINK = passwords.ResetLink("https://pumpwell.example/", timedelta(minutes=30))
HASHER = Passwords(1024, 1)


@pytest.fixture
def user(make_user, db):
    """A stored user with one device."""
    data, _ = make_user()
    return db.get(User, data["id"])


def device(db, user, label: str = "", at: datetime = NOW) -> ApiToken:
    """Sign a device in at `at` and return its token row."""
    token = issue_token(db, user, label, timedelta(days=90), at)
    db.commit()
    return db.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))


def test_zxcvbns_list_is_read_in_full_in_lower_case():
    common = common_passwords()
    assert len(common) > 29_000
    assert {"123456789", "password1", "iloveyou"} <= common
    assert "correct horse battery" not in common
    assert all(password == password.lower() for password in common)


def test_a_reset_request_for_an_unknown_address_sends_nothing_and_stores_nothing(db, user):
    sent = []
    passwords.request_reset(db, "nobody@example.com", LINK, NOW, sent.append)
    assert sent == [] and db.scalars(select(PasswordReset)).all() == []


def test_a_reset_request_stores_the_links_hash_and_its_lifetime(db, user):
    sent = []
    passwords.request_reset(db, user.email.upper(), LINK, NOW, sent.append)
    [message] = sent
    link = next(line for line in message.get_content().splitlines() if "#/reset/" in line)
    assert link.startswith("https://pumpwell.example/#/reset/") and "30 minutes" in message.get_content()
    [stored] = db.scalars(select(PasswordReset)).all()
    assert stored.token_hash == hash_token(link.rsplit("/", 1)[1])
    assert stored.expires_at == NOW + timedelta(minutes=30) and stored.used_at is None


def test_a_link_works_once_and_only_before_it_expires(db, user):
    sent = []
    passwords.request_reset(db, user.email, LINK, NOW, sent.append)
    passwords.request_reset(db, user.email, LINK, NOW, sent.append)
    first, second = (m.get_content().split("#/reset/")[1].split()[0] for m in sent)
    with pytest.raises(ResetLinkInvalid):
        passwords.reset_password(db, HASHER, first, "a quiet night", "", timedelta(days=1), NOW + timedelta(minutes=30))
    _, token = passwords.reset_password(db, HASHER, first, "a quiet night", "Laptop", timedelta(days=1), NOW)
    assert db.scalar(select(ApiToken.label).where(ApiToken.token_hash == hash_token(token))) == "Laptop"
    # The password changed: the other link asked for before is void too.
    for used in (first, second):
        with pytest.raises(ResetLinkInvalid):
            passwords.reset_password(db, HASHER, used, "another night", "", timedelta(days=1), NOW)


def test_old_links_are_cleared_when_a_new_one_is_asked_for(db, user):
    passwords.request_reset(db, user.email, LINK, NOW, lambda message: None)
    passwords.request_reset(db, user.email, LINK, NOW + timedelta(hours=1), lambda message: None)
    assert len(db.scalars(select(PasswordReset)).all()) == 1


def test_a_password_change_checks_the_current_one_first(db, user):
    phone = device(db, user)
    with pytest.raises(WrongPassword):
        passwords.change_password(db, HASHER, phone.id, "wrong", "a quiet night", False, NOW)
    passwords.change_password(db, HASHER, phone.id, PASSWORD, "a quiet night", False, NOW)
    assert login(db, HASHER, user.email, "a quiet night", "", timedelta(days=1), NOW)


def test_the_device_list_keeps_only_live_devices_most_recently_used_first(db, user):
    for token in db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        db.delete(token)
    stale = device(db, user, "Old tablet", at=NOW - timedelta(days=40))
    phone = device(db, user, "Phone", at=NOW - timedelta(days=2))
    laptop = device(db, user, "Laptop", at=NOW - timedelta(days=3))
    laptop.last_used_at = NOW - timedelta(hours=1)
    db.commit()
    listed = devices.list_devices(db, user, phone.id, timedelta(days=30), NOW)
    assert [(d.label, d.current) for d in listed] == [("Laptop", False), ("Phone", True)]
    assert stale.id not in {d.id for d in listed}


def test_a_device_is_signed_out_by_its_owner_only_and_not_from_itself(db, user, make_user):
    phone, tablet = device(db, user, "Phone"), device(db, user, "Tablet")
    other = db.get(User, make_user()[0]["id"])
    with pytest.raises(NotFound):
        devices.sign_out_device(db, other, tablet.id, device(db, other).id)
    with pytest.raises(CurrentDevice):
        devices.sign_out_device(db, user, phone.id, phone.id)
    devices.sign_out_device(db, user, tablet.id, phone.id)
    assert db.get(ApiToken, tablet.id) is None and db.get(ApiToken, phone.id) is not None
