"""What a new password must not be: one of the passwords people pick most (the list comes from the caller)."""

from collections.abc import Container

from server.domain.errors import CommonPassword

COMMON_PASSWORD = "This password is one of the most common ones; choose another."


def is_common(password: str, common: Container[str]) -> bool:
    """Tell whether a password is on a list of common ones (given in lower case), whatever its case."""
    return password.lower() in common


def refuse_common(password: str, common: Container[str], field: str = "password") -> None:
    """Raise CommonPassword, naming the form's `field`, when a new password is a common one."""
    if is_common(password, common):
        raise CommonPassword(COMMON_PASSWORD, {field: [COMMON_PASSWORD]})
