"""VAPID keys: from settings, else generated once into instance/ and reused; contact checks."""

import stat

import pytest
from py_vapid import Vapid

from server.push import b64url_decode
from server.vapid import VapidKeyError, load_vapid, public_key_b64, subject_problem


def test_key_is_generated_once_with_mode_0600_and_reused(tmp_path):
    first = load_vapid(None, None, str(tmp_path))
    key_file = tmp_path / "vapid_private.pem"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert public_key_b64(load_vapid(None, None, str(tmp_path))) == public_key_b64(first)


def test_public_key_is_raw_uncompressed_point_in_base64url(tmp_path):
    raw = b64url_decode(public_key_b64(load_vapid(None, None, str(tmp_path))))
    assert len(raw) == 65 and raw[0] == 4


def test_keys_from_settings_win_over_the_instance_file(tmp_path):
    given = Vapid()
    given.generate_keys()
    pem = given.private_pem().decode()
    loaded = load_vapid(pem, public_key_b64(given), str(tmp_path))
    assert public_key_b64(loaded) == public_key_b64(given)
    assert not (tmp_path / "vapid_private.pem").exists()


def test_mismatched_public_key_is_refused(tmp_path):
    given, other = Vapid(), Vapid()
    given.generate_keys()
    other.generate_keys()
    with pytest.raises(VapidKeyError):
        load_vapid(given.private_pem().decode(), public_key_b64(other), str(tmp_path))


def test_garbage_private_key_is_refused(tmp_path):
    with pytest.raises(VapidKeyError):
        load_vapid("not-a-key", None, str(tmp_path))


@pytest.mark.parametrize("subject, development, ok", [
    ("mailto:ops@pumpwell.example", False, True),
    ("https://pumpwell.example/contact", False, True),
    ("mailto:dev@localhost", False, False),
    ("mailto:dev@localhost", True, True),
    ("https://localhost:5000", False, False),
    ("https://127.0.0.1", False, False),
    ("http://pumpwell.example", False, False),
    ("ops@pumpwell.example", False, False),
    ("", True, False),
    (None, True, False),
])
def test_subject_must_be_a_real_contact(subject, development, ok):
    assert (subject_problem(subject, development) is None) is ok
