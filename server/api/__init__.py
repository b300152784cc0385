"""The JSON API: one blueprint module per resource."""

from apiflask import APIFlask

from server.api import (
    account,
    accounts,
    export,
    goals,
    household,
    imports,
    insight,
    passkeys,
    plans,
    proposals,
    push,
    reminders,
    security,
    sessions,
    shares,
    stash,
    trends,
    workspace,
)


def register_blueprints(app: APIFlask) -> None:
    """Register every API blueprint (add new resources here)."""
    for module in (
        accounts, account, security, passkeys, sessions, goals, push, export, shares, plans, reminders, stash, imports,
        household,
        insight,
        proposals,
        trends,
        workspace,
    ):
        app.register_blueprint(module.bp)
