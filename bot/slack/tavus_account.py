"""Connect Tavus from App Home: who may, and the single-use link to the page that takes the key."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.governance.rules import may_connect
from bot.slack import modals
from bot.slack.blocks import cards
from bot.slack.blocks.kit import CONNECT_TAVUS_ACTION, OPEN_LINK_ACTION, actions, button
from bot.slack.deps import Deps
from bot.slack.payloads import workspace_of
from bot.store import StoreUnavailable
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
    return _link_view(link, connect.minutes)


def _link_view(link: str, minutes: int) -> dict[str, Any]:
    view = cards.status_view(messages.CONNECT_TITLE, messages.CONNECT_LINK.format(minutes=minutes))
    view["blocks"].append(
        actions(
            button(messages.CONNECT_OPEN, OPEN_LINK_ACTION, "connect", style="primary", url=link)
        )
    )
    return view


async def link_opened(ack: AsyncAck) -> None:
    """A click on a button that opens a link: Slack still wants it acknowledged."""
    await ack()


def register(app: AsyncApp) -> None:
    """Attach the listeners."""
    app.action(CONNECT_TAVUS_ACTION)(connect_tavus)
    app.action(OPEN_LINK_ACTION)(link_opened)
