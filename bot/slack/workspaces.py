"""The workspace's own listeners: Connect Tavus from App Home, and Slack saying the app has left."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.governance.rules import may_connect
from bot.slack import modals
from bot.slack.blocks import cards, screens
from bot.slack.blocks.kit import CONNECT_TAVUS_ACTION, OPEN_LINK_ACTION
from bot.slack.deps import Deps
from bot.slack.payloads import workspace_of
from bot.store import StoreUnavailable
from bot.workspaces.accounts import Workspace
from bot.workspaces.connect import ConnectTavus

log = logging.getLogger(__name__)


async def connect_tavus(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    """An admin asks to connect Tavus: a modal with their own link to the page, or why not.

    A modal rather than a message: the link is seen by them alone, and no chat history keeps a
    link that works once.
    """
    await ack()
    if deps.connect is None:
        return  # one workspace: TAVUS_API_KEY serves it, and App Home shows no such button
    view = _view(body, deps.connect, deps)
    await deps.after_ack(modals.open_then(client, body["trigger_id"], view))


async def _view(body: dict[str, Any], connect: ConnectTavus, deps: Deps) -> dict[str, Any]:
    workspace, user = workspace_of(body), body["user"]["id"]
    try:
        if not await may_connect(deps.people, user):
            log.info("%s may not connect Tavus in %s", user, workspace.team_id)
            return cards.status_view(messages.CONNECT_TITLE, messages.CONNECT_NOT_ADMIN)
        link = await connect.link(
            team_id=workspace.team_id, user_id=user, enterprise_id=workspace.enterprise_id
        )
    except StoreUnavailable as exc:
        log.error("could not make a Connect Tavus link: %s", exc)
        return cards.status_view(messages.CONNECT_TITLE, messages.CONNECT_UNAVAILABLE)
    return screens.connect_link_view(link, connect.minutes)


async def link_opened(ack: AsyncAck) -> None:
    """A click on a button that opens a link: Slack still wants it acknowledged."""
    await ack()


# Slack says the app has left a workspace (uninstalled, or its bot token revoked): forget it.
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
    """Attach the Connect Tavus buttons and the listeners of the app's leaving."""
    app.action(CONNECT_TAVUS_ACTION)(connect_tavus)
    app.action(OPEN_LINK_ACTION)(link_opened)
    app.event("app_uninstalled")(app_uninstalled)
    app.event("team_access_revoked")(team_access_revoked)
    app.event("tokens_revoked")(tokens_revoked)
