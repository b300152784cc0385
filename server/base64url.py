"""Unpadded base64url, as web push keys, WebAuthn's JSON and our cursors write bytes: the one codec."""

import base64
import binascii


def encode(raw: bytes) -> str:
    """Encode bytes as unpadded base64url."""
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode(text: str) -> bytes:
    """Decode base64url with or without padding; raise ValueError on anything else."""
    if not isinstance(text, str) or not text or any(c in text for c in "+/ \n\t"):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc
