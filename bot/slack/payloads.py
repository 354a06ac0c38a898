"""The few fields listeners read from Slack's payloads, each read in one place."""

from __future__ import annotations

from typing import Any


def team_of(body: dict[str, Any]) -> str:
    """The workspace a click or a submission came from (the user's own, in a shared channel)."""
    return str(body["user"].get("team_id") or body["team"]["id"])


def action_value(body: dict[str, Any]) -> str:
    """The value of the button that was clicked ("" if it has none)."""
    return str(body["actions"][0].get("value") or "")
