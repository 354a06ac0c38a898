"""Slack says the app has left a workspace (uninstalled, or its bot token revoked): forget it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.slack.deps import Deps
from bot.workspaces.accounts import Workspace

log = logging.getLogger(__name__)


def _workspace(body: dict[str, Any], context: AsyncBoltContext) -> tuple[Workspace, bool]:
    """The workspace (or org) an event says the app left, and whether the install was org-wide.

    Slack's envelope says so in `authorizations[0]` (is_enterprise_install, its team null for an
    org), not at its top level: Bolt reads it there into the context. An org-wide uninstall may
    carry the org's id alone.
    """
    team = context.team_id or body.get("team_id") or ""
    org = context.enterprise_id or body.get("enterprise_id") or None
    return Workspace(str(team), org), bool(context.is_enterprise_install)


def _sent_at(body: dict[str, Any]) -> datetime | None:
    # When Slack saw it happen: a retried event must not undo an install made since.
    moment = body.get("event_time")
    return datetime.fromtimestamp(moment, UTC) if isinstance(moment, int | float) else None


async def app_uninstalled(body: dict[str, Any], context: AsyncBoltContext, deps: Deps) -> None:
    """The app was uninstalled: the workspace's token and Tavus key go, its jobs end."""
    workspace, org_wide = _workspace(body, context)
    left = deps.departures.left(workspace, org_wide=org_wide, why="uninstalled", at=_sent_at(body))
    await deps.after_ack(left)


async def team_access_revoked(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """An org-wide install lost some workspaces of its org: each of them leaves."""
    org = body.get("enterprise_id") or None
    for team_id in event.get("team_ids") or []:
        left = deps.departures.left(
            Workspace(str(team_id), org), org_wide=False, why="access revoked", at=_sent_at(body)
        )
        await deps.after_ack(left)


async def tokens_revoked(
    body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext, deps: Deps
) -> None:
    """Tokens were revoked: if the bot's were, the workspace is left as if uninstalled."""
    if not (event.get("tokens") or {}).get("bot"):
        return  # only people's tokens, and the bot keeps none
    workspace, org_wide = _workspace(body, context)
    left = deps.departures.left(
        workspace, org_wide=org_wide, why="bot token revoked", at=_sent_at(body)
    )
    await deps.after_ack(left)


def register(app: AsyncApp) -> None:
    """Attach the event listeners."""
    app.event("app_uninstalled")(app_uninstalled)
    app.event("team_access_revoked")(team_access_revoked)
    app.event("tokens_revoked")(tokens_revoked)
