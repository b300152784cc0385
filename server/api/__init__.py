"""The JSON API: one blueprint module per resource."""

from apiflask import APIFlask

from server.api import (
    account,
    accounts,
    export,
    goals,
    household,
    imports,
    passkeys,
    plans,
    proposals,
    push,
    reminders,
    security,
    sessions,
    shares,
    stash,
    workspace,
)


def register_blueprints(app: APIFlask) -> None:
    """Register every API blueprint (add new resources here)."""
    for module in (
        accounts, account, security, passkeys, sessions, goals, push, export, shares, plans, reminders, stash, imports,
        household, proposals, workspace,
    ):
        app.register_blueprint(module.bp)
