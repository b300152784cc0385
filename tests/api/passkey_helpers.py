"""A passkey authenticator in software, answering as a phone's browser would (PublicKeyCredential.toJSON())."""

import base64
import hashlib
import json
import os
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes

ORIGIN = "http://localhost"  # the Flask test client's root URL
UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: user present, user verified, attested credential data


def b64(data: bytes) -> str:
    """Write bytes as unpadded base64url, as WebAuthn's JSON forms do."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass
class StoredPasskey:
    """What the authenticator keeps for one discoverable credential."""

    credential_id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes


class SoftAuthenticator:
    """A platform authenticator with P-256 keys, 'none' attestation and a sign count per credential it is told."""

    def __init__(self):
        self.passkeys: list[StoredPasskey] = []

    def create(self, options: dict, origin: str = ORIGIN, rp_id: str | None = None, sign_count: int = 0,
               credential_id: bytes | None = None) -> dict:
        """Make a discoverable credential for the options of navigator.credentials.create()."""
        key = ec.generate_private_key(ec.SECP256R1())
        credential_id = credential_id or os.urandom(16)
        rp_id = rp_id or options["rp"]["id"]
        self.passkeys.append(StoredPasskey(credential_id, key, rp_id, base64url_to_bytes(options["user"]["id"])))
        point = key.public_key().public_numbers()
        # COSE_Key: kty EC2, alg ES256, crv P-256, x, y.
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: point.x.to_bytes(32, "big"), -3: point.y.to_bytes(32, "big")})
        attested = bytes(16) + len(credential_id).to_bytes(2, "big") + credential_id + cose
        auth_data = self._auth_data(rp_id, UP | UV | AT, sign_count) + attested
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {
            "id": b64(credential_id), "rawId": b64(credential_id), "type": "public-key",
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
            "response": {"clientDataJSON": b64(client_data), "attestationObject": b64(attestation),
                         "transports": ["internal"]},
        }

    def get(self, options: dict, origin: str = ORIGIN, rp_id: str | None = None, sign_count: int = 1,
            passkey: StoredPasskey | None = None) -> dict:
        """Sign the options' challenge with the newest passkey of their site (or the one given)."""
        passkey = passkey or next(p for p in reversed(self.passkeys) if p.rp_id == options["rpId"])
        auth_data = self._auth_data(rp_id or passkey.rp_id, UP | UV, sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = passkey.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64(passkey.credential_id), "rawId": b64(passkey.credential_id), "type": "public-key",
            "authenticatorAttachment": "platform", "clientExtensionResults": {},
            "response": {"clientDataJSON": b64(client_data), "authenticatorData": b64(auth_data),
                         "signature": b64(signature), "userHandle": b64(passkey.user_handle)},
        }

    @staticmethod
    def _auth_data(rp_id: str, flags: int, sign_count: int) -> bytes:
        """The authenticator data's fixed part: RP ID hash, flags, sign count."""
        return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + sign_count.to_bytes(4, "big")

    @staticmethod
    def _client_data(kind: str, challenge: str, origin: str) -> bytes:
        """What the browser collects and the authenticator signs a hash of."""
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()


def add_passkey(client, headers, authenticator: SoftAuthenticator, name: str = "Pixel 8", **create) -> dict:
    """Add a passkey for the signed-in parent through the API; return the answer's JSON."""
    options = client.post("/api/me/passkeys/options", headers=headers)
    assert options.status_code == 200, options.json
    credential = authenticator.create(options.json, **create)
    response = client.post("/api/me/passkeys", json={"credential": credential, "name": name}, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def passkey_sign_in(client, authenticator: SoftAuthenticator, device_label: str = "Pixel 8", **get):
    """Sign in with the authenticator's passkey through the API; return the response."""
    options = client.post("/api/auth/passkey/options")
    assert options.status_code == 200, options.json
    credential = authenticator.get(options.json, **get)
    return client.post("/api/auth/passkey", json={"credential": credential, "device_label": device_label})
