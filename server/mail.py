"""The only code that talks to an SMTP server: a small Sender protocol, its SMTP implementation, and our e-mails."""

import logging
import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Protocol

log = logging.getLogger(__name__)

# Seconds to wait for the SMTP server at each step (connect, each command).
SMTP_TIMEOUT_SECONDS = 15


class Sender(Protocol):
    """Sends one e-mail or raises."""

    def send(self, message: EmailMessage) -> None:
        """Send the message to its To address."""


class SmtpSender:
    """Send through one SMTP server: STARTTLS and login when configured, a fresh connection per message."""

    def __init__(self, host: str, port: int, username: str, password: str, starttls: bool, from_address: str):
        self.host, self.port, self.starttls = host, port, starttls
        self.username, self.password, self.from_address = username, password, from_address

    def send(self, message: EmailMessage) -> None:
        """Send the message, from SMTP_FROM unless it names its own sender."""
        if "From" not in message:
            message["From"] = self.from_address
        with smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if self.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)


def sender_from_config(config: Mapping) -> SmtpSender | None:
    """Return the configured SMTP sender, or None when SMTP_HOST is empty (e-mail is off)."""
    if not config["SMTP_HOST"]:
        return None
    return SmtpSender(config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USERNAME"], config["SMTP_PASSWORD"],
                      config["SMTP_STARTTLS"], config["SMTP_FROM"])


def send_quietly(sender: Sender, message: EmailMessage, what: str) -> bool:
    """Send, logging a failure by its kind only (an SMTP error's text can quote the address); tell if it went."""
    try:
        sender.send(message)
    except (OSError, smtplib.SMTPException) as error:
        code = getattr(error, "smtp_code", None)
        log.warning("%s e-mail not sent: %s%s", what, type(error).__name__, f" ({code})" if code else "")
        return False
    return True


def password_reset_message(to: str, link: str, minutes: int) -> EmailMessage:
    """Write the e-mail that carries a password reset link: plain text, short."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = "Choose a new Pumpwell password"
    message.set_content(
        "Someone, hopefully you, asked to choose a new password for the Pumpwell account of this e-mail address.\n"
        "\n"
        f"To choose one, open this link (it works once, for {minutes} minutes):\n"
        f"{link}\n"
        "\n"
        "Choosing a new password signs out your other devices.\n"
        "\n"
        "If it was not you, ignore this e-mail: nothing changes, and your password stays as it is.\n",
        cte="7bit",  # plain ASCII lines, readable as they are (quoted-printable would break the link's line)
    )
    return message
