"""Load the server's VAPID key pair from the environment or from instance/, creating it once."""

import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from server.push import b64url_decode, b64url_encode

KEY_FILE = "vapid_private.pem"
_LOCAL_HOST = re.compile(
    r"^(mailto:[^@]*@|https://)(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(/.*)?$", re.IGNORECASE
)


class VapidKeyError(RuntimeError):
    """The configured VAPID keys are unusable."""


def public_key_b64(vapid: Vapid) -> str:
    """Return the public key as the raw base64url point `applicationServerKey` expects."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(raw)


def _from_setting(private_key: str) -> Vapid:
    """Parse a private key given as PEM, base64url DER or a raw 32-byte base64url scalar."""
    text = private_key.strip()
    try:
        if "-----BEGIN" in text:
            return Vapid.from_pem(text.replace("\\n", "\n").encode())
        return Vapid.from_string(text)
    except Exception as exc:  # py_vapid raises assorted types for malformed keys
        raise VapidKeyError(f"VAPID_PRIVATE_KEY is not a usable P-256 private key: {exc}") from exc


def _from_file(path: Path) -> Vapid:
    """Read the key file, or generate it with mode 0600 without racing a second process."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = Vapid()
        fresh.generate_keys()
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(fresh.private_pem())
        try:
            # link() fails if another process won the race, so both end up with one key.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return Vapid.from_pem(path.read_bytes())


def load_vapid(private_key: str | None, public_key: str | None, instance_path: str) -> Vapid:
    """Return the VAPID key from the settings when given, else from instance/vapid_private.pem."""
    vapid = _from_setting(private_key) if private_key else _from_file(Path(instance_path) / KEY_FILE)
    if public_key:
        try:
            given = b64url_decode(public_key.strip())
        except ValueError as exc:
            raise VapidKeyError("VAPID_PUBLIC_KEY is not base64url") from exc
        if b64url_encode(given) != public_key_b64(vapid):
            raise VapidKeyError("VAPID_PUBLIC_KEY does not match VAPID_PRIVATE_KEY")
    return vapid


def subject_problem(subject: str | None, development: bool) -> str | None:
    """Return why a VAPID `sub` contact is unusable, or None when push services will accept it."""
    if not subject:
        return "VAPID_SUBJECT is not set"
    if not re.match(r"^(mailto:[^@\s]+@[^@\s]+|https://[^\s/]+(/\S*)?)$", subject):
        return "VAPID_SUBJECT must be a mailto: or https: contact"
    # Apple's push service rejects localhost contacts with 403 BadJwtToken.
    if _LOCAL_HOST.match(subject) and not development:
        return "VAPID_SUBJECT points at localhost; set a real contact outside development"
    return None


def app_vapid(app) -> Vapid:
    """Return the app's VAPID key, loaded (or created) once per process."""
    if "vapid" not in app.extensions:
        app.extensions["vapid"] = load_vapid(
            app.config.get("VAPID_PRIVATE_KEY"), app.config.get("VAPID_PUBLIC_KEY"), app.instance_path
        )
    return app.extensions["vapid"]
