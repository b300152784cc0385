"""Random secrets handed out once (device tokens, reset links) and the hashes they are stored under."""

import hashlib
import secrets


def new_token() -> str:
    """Return a new 256-bit secret, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()
