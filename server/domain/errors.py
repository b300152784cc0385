"""Named domain errors; server/api/errors.py maps each to an HTTP status and the one JSON error shape."""


class DomainError(Exception):
    """Base of the errors a user can cause."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class InvalidInput(DomainError):
    """Values that are each well-formed but break a rule together (end before start)."""


class NotFound(DomainError):
    """The thing does not exist or belongs to someone else (we never say which)."""


class Conflict(DomainError):
    """The request clashes with what is stored."""


class EmailTaken(Conflict):
    """An account with this email exists already."""


class SessionIdReused(Conflict):
    """A client session id was sent again with a different body."""


class PasswordRequired(DomainError):
    """Deleting an account needs the password or a fresh sign-in (the device stays signed in)."""


class BadCredentials(DomainError):
    """Email or password is wrong; we do not say which."""


class UnknownTemplate(InvalidInput):
    """No plan template has this key."""


class InvalidPlanParams(InvalidInput):
    """A plan's start time or parameter overrides break the template's limits."""


class PlanConflict(Conflict):
    """A plan of the same template is active already (start with replace=true to replace it)."""


class SubscriptionRejected(InvalidInput):
    """A push subscription's endpoint is not an allowed push service, or its keys are unusable."""


class CommonPassword(InvalidInput):
    """A new password is one of the passwords people pick most, so it is among the first an attacker tries."""


class WrongPassword(DomainError):
    """The current password given to change it is wrong (403: the device stays signed in)."""


class ResetLinkInvalid(InvalidInput):
    """A password reset link is unknown, used already or expired; we do not say which."""


class CurrentDevice(Conflict):
    """The device asked to be signed out from the list is the one asking: it signs out itself instead."""


class PasskeyNotAdded(InvalidInput):
    """A new passkey could not be verified: its challenge expired or was used, or it was made for another site."""


class PasskeyTaken(Conflict):
    """This passkey is added to an account already."""


class PasskeySignInFailed(BadCredentials):
    """A passkey could not sign anyone in; we do not say why (unknown passkey, stale challenge, bad signature)."""


class NotAllowed(DomainError):
    """The household role the request acts in does not allow this (the parent decides what a role may do)."""
