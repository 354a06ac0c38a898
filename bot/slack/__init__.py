"""The Slack surface: one listener module per feature, each with its own register(app)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.slack import commands, consent, home, policy, shortcuts, training
from bot.slack import talks as talk
from bot.slack import workspaces as workspace
from bot.slack.deps import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    """Attach the dependency middleware and every listener to a Bolt app."""
    deps.install(app)
    commands.register(app)
    training.register(app)
    consent.register(app)
    home.register(app)
    policy.register(app)
    shortcuts.register(app)
    talk.register(app)
    workspace.register(app)
