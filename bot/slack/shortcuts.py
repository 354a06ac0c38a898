"""The message shortcut "Make a replica from this": the form, trained from the message's file."""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.delivery.retry import error_word
from bot.jobs import ReplicaRequest
from bot.media.slack_files import SlackFiles, is_media, is_stub, usable
from bot.slack import modals
from bot.slack.blocks import cards, form
from bot.slack.deps import Deps
from bot.slack.payloads import team_of

log = logging.getLogger(__name__)

CALLBACK_ID = "make_replica_from_file"
# What files.info answers for a file the bot may not read (files.info's documented errors).
HIDDEN = frozenset({"file_not_found", "file_deleted", "not_visible", "access_denied"})


async def from_message(
    ack: AsyncAck,
    body: dict[str, Any],
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    """Open the form with the message's video or image; or say why it can't be."""
    await ack()
    files = list((shortcut.get("message") or {}).get("files") or [])
    if usable(files) is None and not any(is_stub(file) for file in files):
        await respond(text=messages.SHORTCUT_NO_FILE, response_type="ephemeral")
        return
    if deps.fetcher is None or deps.files is None:
        await respond(text=messages.SHORTCUT_NO_MEDIA, response_type="ephemeral")
        return
    view = _view(body, files, deps.files, client, deps)
    await deps.after_ack(modals.open_then(client, body["trigger_id"], view))


async def _view(
    body: dict[str, Any],
    files: list[dict[str, Any]],
    slack_files: SlackFiles,
    client: AsyncWebClient,
    deps: Deps,
) -> dict[str, Any]:
    user = body["user"]["id"]
    refusal = await deps.refusal(team_of(body), user)
    if refusal is not None:
        return cards.status_view(messages.NOT_A_CREATOR_TITLE, refusal)
    file, hidden = await _first_media(files, slack_files, client)
    if file is None:
        # A file the bot may not read (a private channel it is not in) is said so now, before
        # anyone fills in a form that would be refused at the end.
        words = messages.FILE_NO_ACCESS if hidden else messages.SHORTCUT_NO_FILE
        return cards.status_view(messages.FORM_TITLE, words)
    name = str(file.get("name") or file.get("id"))
    title = str(file.get("title") or PurePath(name).stem)[: form.NAME_LIMIT]
    prefill = ReplicaRequest(
        replica_name=title,
        model_name=deps.models[0],
        slack_file=str(file["id"]),
        slack_file_name=name,
    )
    channel = (body.get("channel") or {}).get("id") or user
    return deps.form(team_of(body), channel, user, prefill)


async def _first_media(
    files: list[dict[str, Any]], slack_files: SlackFiles, client: AsyncWebClient
) -> tuple[dict[str, Any] | None, bool]:
    """The message's first video or image the bot may read, and whether one was hidden from it.

    files.info is asked about each candidate: it fills in Slack Connect stubs, and it says
    whether the bot may read the file at all (file_not_found for one it cannot see).
    """
    hidden = False
    for file in files:
        if not is_stub(file) and not is_media(str(file.get("mimetype", ""))):
            continue
        try:
            found = await slack_files.info(client, str(file.get("id", "")))
        except SlackApiError as exc:
            if error_word(exc) not in HIDDEN:
                raise  # Slack's trouble, not the file's: "try again" (modals.open_then)
            # Not shared with the bot, or gone: another of the message's files may do.
            log.info("files.info %s: %s", file.get("id"), error_word(exc))
            hidden = True
            continue
        if is_media(found.mimetype):
            return {
                "id": found.id,
                "name": found.name,
                "title": found.title,
                "mimetype": found.mimetype,
            }, hidden
    return None, hidden


def register(app: AsyncApp) -> None:
    """Attach the message shortcut."""
    app.shortcut(CALLBACK_ID)(from_message)
