"""Passkeys: add one in Settings, list and remove them, and sign in with one tap instead of a password."""

from apiflask import APIBlueprint, Schema, fields
from flask import current_app
from marshmallow import EXCLUDE, ValidationError

from server import base64url
from server.api.auth import auth, principal
from server.api.docs import links
from server.api.reasons import Length, OneOf
from server.api.signing_in import LIMITED, TokenOut, token_lifetime
from server.api.site import site_root
from server.db import get_db
from server.domain.languages import Text
from server.services import passkeys
from server.timeutil import app_now

bp = APIBlueprint("passkeys", __name__, url_prefix="/api", tag="Passkeys")

# Unpadded base64url, as WebAuthn's JSON forms write bytes; a length of 4n+1 decodes to nothing.
BASE64URL = r"^([A-Za-z0-9_-]{4})*([A-Za-z0-9_-]{2,3})?$"
# A credential id is at most 1,023 bytes: 1,364 characters.
CREDENTIAL_ID_CHARS = 1364
BASE64URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class Base64Url(fields.String):
    """Bytes written as unpadded base64url; loads as bytes."""

    def __init__(self, max_chars: int, **kwargs):
        super().__init__(metadata={"pattern": BASE64URL, "maxLength": max_chars}, **kwargs)
        self.max_chars = max_chars

    def _deserialize(self, value, attr, data, **kwargs):
        """Check the text is base64url within its length, and decode it."""
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > self.max_chars:
            raise ValidationError(Text("Longer than maximum length {max}.", max=self.max_chars))
        try:
            if len(text) % 4 == 1 or not set(text) <= BASE64URL_ALPHABET:
                raise ValueError("not base64url")
            return base64url.decode(text)  # refuses the empty text too
        except ValueError:
            raise ValidationError("Must be unpadded base64url.") from None


class Credential(Schema):
    """What every PublicKeyCredential.toJSON() holds; members this server does not read are ignored."""

    class Meta:
        unknown = EXCLUDE

    id = fields.String(required=True, validate=Length(max=CREDENTIAL_ID_CHARS), metadata={"pattern": BASE64URL})
    raw_id = Base64Url(CREDENTIAL_ID_CHARS, required=True, data_key="rawId")
    type = fields.String(required=True, validate=OneOf(["public-key"]))


class AttestationIn(Schema):
    """The new passkey's response: what the browser collected and what the authenticator made."""

    class Meta:
        unknown = EXCLUDE

    client_data_json = Base64Url(4096, required=True, data_key="clientDataJSON")
    attestation_object = Base64Url(40000, required=True, data_key="attestationObject")


class RegistrationCredentialIn(Credential):
    """A new passkey: navigator.credentials.create()'s answer in its JSON form."""

    response = fields.Nested(AttestationIn, required=True)


class AssertionIn(Schema):
    """A passkey's signature over the sign-in challenge, and what it signed."""

    class Meta:
        unknown = EXCLUDE

    client_data_json = Base64Url(4096, required=True, data_key="clientDataJSON")
    authenticator_data = Base64Url(4096, required=True, data_key="authenticatorData")
    signature = Base64Url(2048, required=True, data_key="signature")
    user_handle = Base64Url(88, allow_none=True, load_default=None, data_key="userHandle")


class AuthenticationCredentialIn(Credential):
    """A passkey sign-in: navigator.credentials.get()'s answer in its JSON form."""

    response = fields.Nested(AssertionIn, required=True)


class PasskeyIn(Schema):
    """The browser's new passkey and a name to tell it apart."""

    credential = fields.Nested(RegistrationCredentialIn, required=True)
    name = fields.String(load_default="", validate=Length(max=100), metadata={"example": "Pixel 8"})


class PasskeySignInIn(Schema):
    """The passkey's answer and a name for this device's token."""

    credential = fields.Nested(AuthenticationCredentialIn, required=True)
    device_label = fields.String(load_default="", validate=Length(max=100))


class PasskeyOut(Schema):
    """A passkey of the account (its public key stays on the server)."""

    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)


class PasskeyList(Schema):
    """The account's passkeys, oldest first."""

    items = fields.List(fields.Nested(PasskeyOut))


# Options are named as WebAuthn names them, so the browser's parse*OptionsFromJSON takes them as they are.
class CreationOptionsOut(Schema):
    """Options for navigator.credentials.create(), bytes in base64url."""

    rp = fields.Dict(keys=fields.String(), values=fields.String())
    user = fields.Dict(keys=fields.String(), values=fields.String())
    challenge = fields.String()
    pubKeyCredParams = fields.List(fields.Dict())
    timeout = fields.Integer()
    excludeCredentials = fields.List(fields.Dict())
    authenticatorSelection = fields.Dict()
    attestation = fields.String()


class RequestOptionsOut(Schema):
    """Options for navigator.credentials.get(), bytes in base64url; no allowCredentials: the phone offers its own."""

    challenge = fields.String()
    timeout = fields.Integer()
    rpId = fields.String()
    allowCredentials = fields.List(fields.Dict())
    userVerification = fields.String()


def _relying_party() -> passkeys.RelyingParty:
    """Return this site as a relying party: PUBLIC_URL when set, else the allowed address the request came to."""
    return passkeys.relying_party(site_root(), current_app.config["PASSKEY_RP_NAME"])


@bp.post("/me/passkeys/options")
@bp.auth_required(auth)
@bp.output(CreationOptionsOut)
def registration_options():
    """Start adding a passkey: options for navigator.credentials.create(), good once for five minutes."""
    return passkeys.registration_options(get_db(), principal().account, _relying_party(), app_now())


@bp.post("/me/passkeys")
@bp.auth_required(auth)
@bp.input(PasskeyIn, arg_name="body")
@bp.output(PasskeyOut, status_code=201, links=links(
    "/api/me/passkeys/{passkey_id}", {"RemovePasskey": "delete"}, passkey_id="id"))
@bp.doc(responses={409: "This passkey is added already"})
def add_passkey(body):
    """Add the passkey the browser just made, answering the options' challenge."""
    return passkeys.add_passkey(
        get_db(), principal().account, body["credential"], body["name"], _relying_party(), app_now())


@bp.get("/me/passkeys")
@bp.auth_required(auth)
@bp.output(PasskeyList)
def list_passkeys():
    """List the account's passkeys with when each was added and last used."""
    return {"items": passkeys.list_passkeys(get_db(), principal().account)}


@bp.delete("/me/passkeys/<int:passkey_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
@bp.doc(responses={404: "No such passkey"})
def remove_passkey(passkey_id):
    """Remove a passkey: it signs nobody in from now on (the phone may still list it)."""
    passkeys.remove_passkey(get_db(), principal().account, passkey_id)
    return ""


@bp.post("/auth/passkey/options")
@bp.output(RequestOptionsOut)
@bp.doc(responses=LIMITED)
def sign_in_options():
    """Start a passkey sign-in: options for navigator.credentials.get(), good once for five minutes."""
    return passkeys.sign_in_options(get_db(), _relying_party(), app_now())


@bp.post("/auth/passkey")
@bp.input(PasskeySignInIn, arg_name="body")
@bp.output(TokenOut)
@bp.doc(responses={401: "This passkey could not sign you in", **LIMITED})
def sign_in(body):
    """Sign this device in with a passkey: its own token, as a password sign-in gives."""
    user, token = passkeys.sign_in(
        get_db(), body["credential"], body["device_label"], token_lifetime(), _relying_party(), app_now())
    return {"token": token, "user": user}
