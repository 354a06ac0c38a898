"""The Slack surface: listeners grouped by kind, each module with its own register(app)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack import (
    actions,
    commands,
    departures,
    home,
    policy,
    shortcuts,
    talk,
    tavus_account,
    views,
)
from bot.slack.deps import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the dependency middleware and every listener to a Bolt app."""
    deps.install(app)
    commands.register(app)
    views.register(app)
    actions.register(app)
    home.register(app)
    policy.register(app)
    shortcuts.register(app)
    tavus_account.register(app)
    talk.register(app)
    departures.register(app)
