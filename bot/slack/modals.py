"""Modals opened within the 3 seconds a trigger lives: "Working…" at once, the real view after."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.delivery.retry import error_word
from bot.slack.blocks import cards

log = logging.getLogger(__name__)


async def open_then(
    client: AsyncWebClient, trigger_id: str, view: Awaitable[dict[str, Any]]
) -> None:
    """Open a modal now, then show `view` in it once it is made.

    A trigger_id expires 3 seconds after the click and works once (expired_trigger_id,
    exchanged_trigger_id): anything slow (Slack's people look-ups, the database, Tavus) comes
    after the modal is open, and views.update, which needs no trigger, shows what it made.
    """
    try:
        opened = await client.views_open(trigger_id=trigger_id, view=cards.working_view())
    except BaseException:
        _close(view)
        raise
    view_id = str(opened["view"]["id"])
    failed = cards.status_view(messages.WORKING_TITLE, messages.WORKING_FAILED)
    try:
        made = await view
    except Exception:
        # The user is looking at "Working…": tell them it went wrong, then let it be logged.
        await _show(client, view_id, failed)
        raise
    try:
        await _show(client, view_id, made)
    except Exception:
        # Refused, or Slack in trouble: "Working…" must not stay up for good.
        await _show(client, view_id, failed)
        raise


async def _show(client: AsyncWebClient, view_id: str, view: dict[str, Any]) -> None:
    """views.update, but a modal the user has closed meanwhile (not_found) is no error."""
    try:
        await client.views_update(view_id=view_id, view=view)
    except SlackApiError as exc:
        if error_word(exc) != "not_found":
            raise
        log.info("modal %s was closed before it was filled in", view_id)


def _close(view: Awaitable[dict[str, Any]]) -> None:
    # A coroutine never awaited would warn: it is dropped with the modal it was for.
    close = getattr(view, "close", None)
    if callable(close):
        close()
