"""Web push: the server's public key, a user's device subscriptions, and a test notification."""

from apiflask import APIBlueprint, Schema, fields
from flask import current_app

from server.api.auth import auth, principal
from server.api.docs import links
from server.api.quotas import account_limited, per_account
from server.api.reasons import Length, OneOf
from server.db import get_db
from server.services import subscriptions
from server.timeutil import app_now

bp = APIBlueprint("push", __name__, url_prefix="/api/push", tag="Push")


class KeyOut(Schema):
    """The VAPID public key, raw base64url, as PushManager.subscribe's applicationServerKey wants it."""

    public_key = fields.String()


class KeysIn(Schema):
    """The subscription's keys from PushSubscription.toJSON()."""

    p256dh = fields.String(required=True, validate=Length(max=200))
    auth = fields.String(required=True, validate=Length(max=100))


class SubscriptionIn(Schema):
    """A browser's push subscription."""

    endpoint = fields.String(
        required=True, validate=Length(min=1, max=1000),
        metadata={"format": "uri", "description": "PushSubscription.endpoint: an allowed push service's https URL."},
    )
    keys = fields.Nested(KeysIn, required=True)
    user_agent = fields.String(allow_none=True, validate=Length(max=300))


class SubscriptionOut(Schema):
    """A stored subscription (its keys are not echoed)."""

    id = fields.Integer()
    endpoint = fields.String()
    user_agent = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_success_at = fields.DateTime(allow_none=True)
    failures = fields.Integer()
    state = fields.String(
        validate=OneOf(["active", "stopped"]),
        metadata={"description": "stopped: the push service kept refusing it; saving it again turns it on"})
    stopped_at = fields.DateTime(allow_none=True)
    stop_reason = fields.String(allow_none=True, metadata={"description": "Why it stopped, for the parent"})
    device_label = fields.String(allow_none=True, metadata={"description": "Label of the device that saved it"})
    current_device = fields.Boolean(metadata={"description": "Saved by the device making this request"})


class SubscriptionList(Schema):
    """The user's subscriptions, newest first."""

    items = fields.List(fields.Nested(SubscriptionOut))


class QueuedOut(Schema):
    """The queued test reminder."""

    reminder_id = fields.Integer()


@bp.get("/key")
@bp.output(KeyOut)
def get_key():
    """Show the VAPID public key."""
    # Imported here: only this route and the clock need cryptography and py_vapid; gunicorn's master loads them once
    # for every web worker (server/gunicorn_conf.py).
    from server.vapid import app_vapid, public_key_b64

    return {"public_key": public_key_b64(app_vapid(current_app))}


@bp.post("/subscriptions")
@bp.auth_required(auth)
@bp.input(SubscriptionIn, arg_name="body")
@bp.output(SubscriptionOut, status_code=201, links=links(
    "/api/push/subscriptions/{subscription_id}", {"DeleteSubscription": "delete"}, subscription_id="id",
))
@bp.doc(responses={
    200: "The endpoint was saved before; it is updated and turned on again.",
    409: "The endpoint is registered to another account with other keys.",
    422: "Endpoint or keys refused.",
})
def save_subscription(body):
    """Save this device's subscription (saving it again updates it and turns reminders on again)."""
    config, signed_in = current_app.config, principal()
    sub, created = subscriptions.save_subscription(
        get_db(), signed_in.account, signed_in.device_id, body["endpoint"], body["keys"]["p256dh"],
        body["keys"]["auth"], body.get("user_agent"), config["PUSH_ALLOWED_HOSTS"],
        config["PUSH_ALLOW_LOOPBACK_HTTP"], app_now(),
    )
    return sub, 201 if created else 200


@bp.get("/subscriptions")
@bp.auth_required(auth)
@bp.output(SubscriptionList)
def list_subscriptions():
    """List the account's devices with their state; current_device marks this one."""
    return {"items": subscriptions.list_subscriptions(get_db(), principal().account, principal().device_id)}


@bp.delete("/subscriptions/<int:subscription_id>")
@bp.auth_required(auth)
@bp.output({}, status_code=204)
def delete_subscription(subscription_id):
    """Remove a subscription (turn reminders off for that device)."""
    subscriptions.delete_subscription(get_db(), principal().account, subscription_id)
    return ""


@bp.post("/test")
@bp.auth_required(auth)
@per_account("PUSH_TEST_RATE_LIMIT", "test reminders")
@bp.doc(responses=account_limited("test reminders"))
@bp.output(QueuedOut, status_code=202, links={
    **links("/api/reminders/{reminder_id}/snooze", {"SnoozeReminder": "post"}, reminder_id="reminder_id"),
    **links("/api/reminders/{reminder_id}/skip", {"SkipReminder": "post"}, reminder_id="reminder_id"),
    **links("/api/reminders/{reminder_id}/done", {"DoneReminder": "post"}, reminder_id="reminder_id"),
})
def send_test():
    """Queue a test notification to all of the user's devices, due now."""
    return {"reminder_id": subscriptions.queue_test_reminder(get_db(), principal().account, app_now()).id}
