"""The message shortcut "Make a replica from this": the form, trained from the message's file."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.jobs import ReplicaRequest
from bot.media.slack_files import usable
from bot.slack import blocks, form
from bot.slack.deps import Deps
from bot.slack.payloads import team_of

CALLBACK_ID = "make_replica_from_file"


async def from_message(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    """Open the form at once with the message's video or image; or say why it can't be."""
    await ack()
    file = usable(list((shortcut.get("message") or {}).get("files") or []))
    if file is None:
        await respond(text=messages.SHORTCUT_NO_FILE, response_type="ephemeral")
        return
    if deps.fetcher is None:
        await respond(text=messages.SHORTCUT_NO_MEDIA, response_type="ephemeral")
        return
    user = body["user"]["id"]
    refusal = await deps.refusal(team_of(body), user)
    if refusal is not None:
        view = blocks.status_view(messages.NOT_A_CREATOR_TITLE, refusal)
        await client.views_open(trigger_id=body["trigger_id"], view=view)
        return
    name = str(file.get("name") or file.get("id"))
    title = str(file.get("title") or PurePath(name).stem)[: form.NAME_LIMIT]
    prefill = ReplicaRequest(
        replica_name=title,
        model_name=deps.models[0],
        slack_file=str(file["id"]),
        slack_file_name=name,
    )
    channel = (body.get("channel") or {}).get("id") or user
    await client.views_open(
        trigger_id=body["trigger_id"], view=deps.form(team_of(body), channel, user, prefill)
    )


def register(app: AsyncApp) -> None:
    """Attach the message shortcut."""
    app.shortcut(CALLBACK_ID)(from_message)
