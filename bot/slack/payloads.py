"""The few fields listeners read from Slack's payloads, each read in one place."""

from __future__ import annotations

from typing import Any

from bot.workspaces.accounts import Workspace


def team_of(body: dict[str, Any]) -> str:
    """The workspace whose install a click or a submission came to, as Bolt picks its token.

    Not the user's own (in a shared channel, or Grid, that may be another workspace): the job,
    its policy and its credentials are those of the install that served the request.
    """
    installed = (body.get("view") or {}).get("app_installed_team_id")
    team = body.get("team")
    found = installed or (team.get("id") if isinstance(team, dict) else team)
    return str(found or body.get("team_id") or body["user"].get("team_id"))


def enterprise_of(body: dict[str, Any]) -> str | None:
    """The Enterprise Grid org a request came from, if any (commands and views say it apart)."""
    enterprise = body.get("enterprise")
    found = enterprise.get("id") if isinstance(enterprise, dict) else enterprise
    team = body.get("team")
    found = found or body.get("enterprise_id")
    found = found or (team.get("enterprise_id") if isinstance(team, dict) else None)
    return str(found) if found else None


def workspace_of(body: dict[str, Any]) -> Workspace:
    """The workspace (and its Grid org) a click or a submission came from."""
    return Workspace(team_of(body), enterprise_of(body))


def action_value(body: dict[str, Any]) -> str:
    """The value of the button that was clicked ("" if it has none)."""
    return str(body["actions"][0].get("value") or "")


def message_of(body: dict[str, Any]) -> tuple[str, str] | None:
    """The message whose button was clicked (channel, ts), if the click came from one."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    return (str(channel), str(ts)) if channel and ts else None
