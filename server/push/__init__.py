"""Web Push, the only package that talks to push services: messages and the Sender protocol (messages),
what may be contacted (validation), encryption and its worker processes (encryption), the sending client (client)."""

from server.push.client import PushClient, VapidHeaders, parse_retry_after
from server.push.messages import Message, Result, Sender, Subscription, b64url_decode, b64url_encode, topic_for
from server.push.validation import DEFAULT_ALLOWED_HOSTS, endpoint_problem, keys_problem

__all__ = [
    "DEFAULT_ALLOWED_HOSTS", "Message", "PushClient", "Result", "Sender", "Subscription", "VapidHeaders",
    "b64url_decode", "b64url_encode", "endpoint_problem", "keys_problem", "parse_retry_after", "topic_for",
]
