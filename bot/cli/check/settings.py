"""The settings check: which mode the settings choose."""

from __future__ import annotations

from bot.cli.check.result import Result, passed
from bot.config import Settings


def check_settings(settings: Settings) -> Result:
    """Which mode the settings choose (load_settings has refused any that are wrong)."""
    if settings.oauth:
        mode = "many workspaces, installed by OAuth (SLACK_CLIENT_ID)"
    elif settings.slack_app_token is not None:
        mode = "one workspace, Slack over Socket Mode (SLACK_APP_TOKEN)"
    else:
        mode = "one workspace, Slack over HTTP (SLACK_SIGNING_SECRET)"
    return passed("settings", mode)
