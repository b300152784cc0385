"""Passkeys (WebAuthn, through py_webauthn): add one to an account, list and remove them, sign in with one.

Each ceremony starts with a challenge stored in passkey_challenges: good once, for CHALLENGE_LIFETIME. The browser
signs it into clientDataJSON, which is how its answer finds the challenge again (no server-side session needed).
py_webauthn is imported inside the functions that run a ceremony: it loads cryptography and more, 14 MiB in every web
process, most of which never see a passkey (tests/test_web_imports.py).
"""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import base64url
from server.domain.errors import PasskeyNotAdded, PasskeySignInFailed, PasskeyTaken
from server.models import Passkey, PasskeyChallenge, User
from server.services.access import Account, owned
from server.services.accounts import issue_token

CHALLENGE_LIFETIME = timedelta(minutes=5)
# The browser may give up sooner; it need not wait past the challenge's end.
TIMEOUT_MS = int(CHALLENGE_LIFETIME.total_seconds() * 1000)
NOT_ADDED = "This passkey could not be added. Try again."
NOT_SIGNED_IN = "This passkey could not sign you in."


@dataclass(frozen=True)
class RelyingParty:
    """Who asks for the passkey: the site's host (RP ID), the name the phone shows, and the page's origin."""

    id: str
    name: str
    origin: str


def relying_party(site_root: str, name: str) -> RelyingParty:
    """Name the relying party after the site's origin."""
    parts = urlsplit(site_root)
    return RelyingParty(id=parts.hostname or "", name=name, origin=f"{parts.scheme}://{parts.netloc}")


def user_handle(user_id: int) -> bytes:
    """Return the account's WebAuthn user handle: its id, never its e-mail (the handle is not secret)."""
    return str(user_id).encode()


def registration_options(db: Session, user: Account, rp: RelyingParty, now: datetime) -> dict:
    """Hand out options (and a challenge) for adding a passkey to the account, in WebAuthn's JSON form."""
    from webauthn import generate_registration_options
    from webauthn.helpers import options_to_json_dict
    from webauthn.helpers.structs import (
        AuthenticatorSelectionCriteria,
        PublicKeyCredentialDescriptor,
        ResidentKeyRequirement,
        UserVerificationRequirement,
    )

    mine = db.scalars(select(Passkey.credential_id).where(Passkey.user_id == user.id)).all()
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=user_handle(user.id),
        # The phone's passkey picker shows the name: the e-mail is what the parent recognises.
        user_name=user.email, user_display_name=user.email, timeout=TIMEOUT_MS,
        # Resident (discoverable): sign-in then needs no e-mail, the phone offers the account itself.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url.decode(key)) for key in mine],
    )
    _hand_out(db, options.challenge, "register", user.id, now)
    return options_to_json_dict(options)


def add_passkey(db: Session, user: Account, answer: dict, name: str, rp: RelyingParty, now: datetime) -> Passkey:
    """Verify the browser's new passkey (its answer as the API parsed it, bytes decoded) against a live challenge of
    this account and keep its public key."""
    from webauthn import verify_registration_response
    from webauthn.helpers.structs import AuthenticatorAttestationResponse, RegistrationCredential

    credential = RegistrationCredential(id=answer["id"], raw_id=answer["raw_id"],
                                        response=AuthenticatorAttestationResponse(**answer["response"]))
    challenge = _challenge_of(credential.response.client_data_json, PasskeyNotAdded(NOT_ADDED))
    if not _take(db, challenge, "register", user.id, now):
        raise PasskeyNotAdded(NOT_ADDED, {"credential": ["The request expired or was used already."]})
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin)
    except Exception as error:  # whatever fails in an untrusted blob means the same to the parent
        raise PasskeyNotAdded(NOT_ADDED, {"credential": [str(error)[:200]]}) from None
    if verified.credential_id != credential.raw_id:
        raise PasskeyNotAdded(NOT_ADDED, {"credential": ["The authenticator's data does not match its answer."]})
    passkey = Passkey(
        user_id=user.id, credential_id=base64url.encode(verified.credential_id),
        public_key=verified.credential_public_key, sign_count=verified.sign_count,
        name=name.strip() or "Passkey", created_at=now,
    )
    db.add(passkey)
    try:
        db.commit()
    except IntegrityError:
        # The unique credential id decides, not a look-up first: the same passkey can arrive twice at once.
        db.rollback()
        raise PasskeyTaken("This passkey is added already.") from None
    return passkey


def list_passkeys(db: Session, user: Account) -> list[Passkey]:
    """Return the account's passkeys, oldest first."""
    return list(db.scalars(select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)))


def remove_passkey(db: Session, user: Account, passkey_id: int) -> None:
    """Forget one of the account's passkeys: it signs nobody in from now on."""
    db.delete(owned(db, Passkey, passkey_id, user, "passkey"))
    db.commit()


def sign_in_options(db: Session, rp: RelyingParty, now: datetime) -> dict:
    """Hand out options (and a challenge) for signing in with any passkey of this site, in WebAuthn's JSON form."""
    from webauthn import generate_authentication_options
    from webauthn.helpers import options_to_json_dict
    from webauthn.helpers.structs import UserVerificationRequirement

    # No allowCredentials: the phone offers its discoverable passkeys, so nobody types an e-mail.
    options = generate_authentication_options(
        rp_id=rp.id, timeout=TIMEOUT_MS, user_verification=UserVerificationRequirement.PREFERRED)
    _hand_out(db, options.challenge, "sign_in", None, now)
    return options_to_json_dict(options)


def sign_in(
    db: Session, answer: dict, device_label: str, token_lifetime: timedelta, rp: RelyingParty, now: datetime,
) -> tuple[User, str]:
    """Check a passkey's signature (its answer as the API parsed it, bytes decoded) over a live sign-in challenge and
    issue a token for this device."""
    from webauthn import verify_authentication_response
    from webauthn.helpers.structs import AuthenticationCredential, AuthenticatorAssertionResponse

    credential = AuthenticationCredential(id=answer["id"], raw_id=answer["raw_id"],
                                          response=AuthenticatorAssertionResponse(**answer["response"]))
    failed = PasskeySignInFailed(NOT_SIGNED_IN)
    challenge = _challenge_of(credential.response.client_data_json, failed)
    live = _take(db, challenge, "sign_in", None, now)
    passkey = db.scalar(select(Passkey).where(Passkey.credential_id == base64url.encode(credential.raw_id)))
    handle = credential.response.user_handle
    if not live or passkey is None or (handle is not None and handle != user_handle(passkey.user_id)):
        raise failed
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge, expected_rp_id=rp.id, expected_origin=rp.origin,
            credential_public_key=passkey.public_key, credential_current_sign_count=passkey.sign_count)
    except Exception:  # a bad signature, origin, RP ID or a count gone backwards: all one answer
        raise failed from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    user = db.get(User, passkey.user_id)
    token = issue_token(db, user, device_label, token_lifetime, now)
    db.commit()
    return user, token


def _hand_out(db: Session, challenge: bytes, purpose: str, user_id: int | None, now: datetime) -> None:
    """Store a challenge for one ceremony, and drop the ones that expired meanwhile."""
    db.execute(delete(PasskeyChallenge).where(PasskeyChallenge.expires_at <= now))
    db.add(PasskeyChallenge(
        user_id=user_id, purpose=purpose, challenge=base64url.encode(challenge),
        created_at=now, expires_at=now + CHALLENGE_LIFETIME,
    ))
    db.commit()


def _challenge_of(client_data_json: bytes, refusal: Exception) -> bytes:
    """Return the challenge the browser signed into its client data, or raise `refusal` when there is none."""
    try:
        return base64url.decode(json.loads(client_data_json)["challenge"])
    except Exception:  # malformed JSON, a missing key or a challenge that is not base64url
        raise refusal from None


def _take(db: Session, challenge: bytes, purpose: str, user_id: int | None, now: datetime) -> bool:
    """Consume a challenge whatever happens next; tell whether it was live and handed out for this purpose and account.

    One DELETE ... RETURNING: of two requests racing with the same challenge, only one gets it back.
    """
    taken = db.execute(
        delete(PasskeyChallenge).where(PasskeyChallenge.challenge == base64url.encode(challenge))
        .returning(PasskeyChallenge.purpose, PasskeyChallenge.user_id, PasskeyChallenge.expires_at)
    ).first()
    db.commit()
    return taken is not None and taken.purpose == purpose and taken.user_id == user_id and now < taken.expires_at
