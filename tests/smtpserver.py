"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the password-reset e-mails."""

import email
import email.policy
import re
import socket
import threading
import time
from contextlib import contextmanager

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Inbox:
    """The messages the server accepted, in order of arrival."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        """Keep the message (aiosmtpd calls this for each one)."""
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int = 1, timeout: float = 10) -> list:
        """Wait until `count` messages came, and return them all."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"{len(self.messages)} message(s) arrived, {count} expected"
                self.arrived.wait(left)
            return list(self.messages)


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def smtp_server(username: str | None = None, password: str | None = None):
    """Serve SMTP on loopback (no TLS; with AUTH when given credentials); yield (inbox, port)."""
    inbox = Inbox()
    options = {}
    if username:
        def authenticate(server, session, envelope, mechanism, auth_data):
            """Accept only the configured login."""
            return AuthResult(success=(auth_data.login, auth_data.password) == (username.encode(), password.encode()))

        options = {"authenticator": authenticate, "auth_require_tls": False}
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def smtp_settings(port: int, **more) -> dict:
    """The app's settings for this loopback server: plain SMTP, no login; links to http://localhost."""
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_STARTTLS": False, "SMTP_USERNAME": "",
            "SMTP_PASSWORD": "", "SMTP_FROM": "Pumpwell <no-reply@pumpwell.test>", "PUBLIC_URL": "http://localhost",
            **more}


def reset_link(message) -> str:
    """The reset link in a password reset e-mail."""
    return re.search(r"\S+#/reset/\S+", message.get_content()).group(0)


def reset_token(message) -> str:
    """The token of the reset link in a password reset e-mail."""
    return reset_link(message).rsplit("/", 1)[1]
