"""Web Push, the only package that talks to push services: messages and the Sender protocol (messages),
what may be contacted (validation), encryption and its worker processes (encryption), the sending client (client).

The client (aiohttp, pywebpush) is imported from server.push.client by the clock alone, so web
processes, which only validate subscriptions, never load it."""

from server.base64url import decode as b64url_decode
from server.base64url import encode as b64url_encode
from server.push.messages import Message, Result, Sender, Subscription, topic_for
from server.push.validation import DEFAULT_ALLOWED_HOSTS, endpoint_problem, keys_problem

__all__ = [
    "DEFAULT_ALLOWED_HOSTS", "Message", "Result", "Sender", "Subscription",
    "b64url_decode", "b64url_encode", "endpoint_problem", "keys_problem", "topic_for",
]
