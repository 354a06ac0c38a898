"""Modals opened within the 3 seconds a trigger lives: "Working…" at once, the real view after."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.slack import blocks

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
        opened = await client.views_open(trigger_id=trigger_id, view=blocks.working_view())
    except BaseException:
        _close(view)
        raise
    view_id = str(opened["view"]["id"])
    try:
        made = await view
    except Exception:
        # The user is looking at "Working…": tell them it went wrong, then let it be logged.
        failed = blocks.status_view(messages.WORKING_TITLE, messages.WORKING_FAILED)
        await client.views_update(view_id=view_id, view=failed)
        raise
    await client.views_update(view_id=view_id, view=made)


def _close(view: Awaitable[dict[str, Any]]) -> None:
    # A coroutine never awaited would warn: it is dropped with the modal it was for.
    close = getattr(view, "close", None)
    if callable(close):
        close()
