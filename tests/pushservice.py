"""A local Web Push service for tests: checks VAPID, decrypts, records, answers as told."""

import json
import os
import re
import sys
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt

from server.push import Subscription, b64url_encode

_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SUB = re.compile(r"^(mailto:.+@.+|https://.+)$")


@dataclass
class Reply:
    """A scripted answer: status, extra headers, and a delay before answering."""

    status: int = 201
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class TestSubscription:
    """A subscription with real P-256 keys whose private half the service keeps to decrypt."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    __test__ = False  # not a pytest class

    @property
    def p256dh(self) -> str:
        """Return the public key as the browser would send it."""
        raw = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url_encode(raw)

    @property
    def auth(self) -> str:
        """Return the auth secret as the browser would send it."""
        return b64url_encode(self.auth_secret)

    def as_push(self) -> Subscription:
        """Return the subscription as push.py takes it."""
        return Subscription(self.endpoint, self.p256dh, self.auth)

    def as_json(self) -> dict:
        """Return the subscription as PushSubscription.toJSON() gives it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


@dataclass
class Received:
    """One request the service answered, with its checked claims and decrypted payload."""

    token: str
    status: int
    headers: dict
    claims: dict | None
    payload: bytes | None
    problem: str | None
    at: float
    peer: tuple  # the client's (host, port): one per connection, so reuse shows

    def json(self) -> dict:
        """Return the decrypted payload parsed as JSON."""
        return json.loads(self.payload)


class _Server(ThreadingHTTPServer):
    """A threading HTTP server with a listen backlog deep enough for a burst of connections."""

    request_queue_size = 256

    def handle_error(self, request, client_address):
        """Stay quiet when a sender vanishes mid-request (the clock tests kill it on purpose)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LocalPushService:
    """Run a push service on 127.0.0.1 in a thread; trust only the given VAPID public key."""

    def __init__(self, vapid_public_key: str, max_body: int = 4096):
        """Prepare the service; call start() or use it as a context manager."""
        self.vapid_public_key = vapid_public_key
        self.max_body = max_body
        self.requests: list[Received] = []
        self._subs: dict[str, TestSubscription] = {}
        self._script: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> "LocalPushService":
        """Start serving."""
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop serving."""
        self.stop()

    def start(self) -> None:
        """Listen on a free loopback port in a daemon thread."""
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, so the client's connection reuse is real

            def do_POST(self):
                """Hand the request to the service."""
                service._handle(self)

            def log_message(self, *args):
                """Stay quiet."""

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._server.server_close()

    @property
    def origin(self) -> str:
        """Return the service's origin, which is the JWT `aud` it expects."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def subscribe(self) -> TestSubscription:
        """Create a subscription with fresh P-256 keys and a 16-byte auth secret."""
        token = b64url_encode(os.urandom(12))
        sub = TestSubscription(
            token=token,
            endpoint=f"{self.origin}/wpush/{token}",
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=os.urandom(16),
        )
        with self._lock:
            self._subs[token] = sub
        return sub

    def answer(self, sub: TestSubscription, *replies) -> None:
        """Queue answers (status ints or Reply) for a subscription's next requests; then 201."""
        with self._lock:
            for reply in replies:
                self._script[sub.token].append(reply if isinstance(reply, Reply) else Reply(reply))

    def delivered(self, sub: TestSubscription | None = None) -> list[Received]:
        """Return the requests answered 2xx, optionally for one subscription."""
        with self._lock:
            return [r for r in self.requests
                    if 200 <= r.status < 300 and (sub is None or r.token == sub.token)]

    def requests_for(self, sub: TestSubscription) -> list[Received]:
        """Return every request made to a subscription's endpoint."""
        with self._lock:
            return [r for r in self.requests if r.token == sub.token]

    def _check(self, headers: dict, body: bytes, sub: TestSubscription) -> tuple:
        """Verify the request; return (status, problem, claims, plaintext)."""
        claims = None
        try:
            scheme, _, params = headers.get("authorization", "").partition(" ")
            parts = dict(p.split("=", 1) for p in params.split(","))
            if scheme.lower() != "vapid" or parts.get("k") != self.vapid_public_key:
                return 403, "unknown VAPID key", None, None
            claims = jwt.decode(parts["t"], parts["k"])
        except (ValueError, KeyError, InvalidSignature):
            return 403, "bad VAPID token", None, None
        now = time.time()
        if claims.get("aud") != self.origin:
            return 403, f"aud {claims.get('aud')} is not {self.origin}", claims, None
        exp = claims.get("exp")
        if not isinstance(exp, int) or not now < exp <= now + 86400:
            return 403, "exp not within the next 24 h", claims, None
        if not _SUB.match(str(claims.get("sub", ""))):
            return 403, "sub is not mailto: or https:", claims, None
        if not headers.get("ttl", "").isdigit():
            return 400, "TTL missing", claims, None
        if headers.get("urgency", "normal") not in ("very-low", "low", "normal", "high"):
            return 400, "bad Urgency", claims, None
        if "topic" in headers and not _TOPIC.match(headers["topic"]):
            return 400, "bad Topic", claims, None
        if len(body) > self.max_body:
            return 413, "payload too large", claims, None
        if headers.get("content-encoding") != "aes128gcm":
            return 400, "Content-Encoding must be aes128gcm", claims, None
        try:
            plain = http_ece.decrypt(body, private_key=sub.private_key,
                                     auth_secret=sub.auth_secret, version="aes128gcm")
        except Exception as exc:  # http_ece raises several types on bad ciphertext
            return 400, f"cannot decrypt: {exc}", claims, None
        return 201, None, claims, plain

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        """Check, record and answer one push request."""
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        headers = {k.lower(): v for k, v in handler.headers.items()}
        token = handler.path.rsplit("/", 1)[-1]
        with self._lock:
            sub = self._subs.get(token)
            scripted = self._script[token].popleft() if self._script.get(token) else None
        if sub is None:
            status, problem, claims, plain = 404, "no such subscription", None, None
        else:
            status, problem, claims, plain = self._check(headers, body, sub)
        reply = scripted if (scripted and status == 201) else Reply(status)
        if reply.delay:
            time.sleep(reply.delay)
        with self._lock:
            self.requests.append(Received(token, reply.status, headers, claims,
                                          plain if 200 <= reply.status < 300 else None,
                                          problem, time.time(), handler.client_address))
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if 200 <= reply.status < 300:
            handler.send_header("Location", f"{self.origin}/message/{b64url_encode(os.urandom(6))}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

