"""The /replica slash command: acknowledge, then open the form while the trigger is fresh."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import form
from bot.slack.deps import Deps

COMMAND = "/replica"


async def open_form(
    ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Open the replica form; trigger_id lives 3 s, so nothing runs before views.open."""
    await ack()
    view = form.build(channel_id=command["channel_id"], models=Deps.of(context).models)
    await client.views_open(trigger_id=command["trigger_id"], view=view)


def register(app: AsyncApp) -> None:
    """Attach the command listeners."""
    app.command(COMMAND)(open_form)
