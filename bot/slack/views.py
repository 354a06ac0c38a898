"""The form's submission: validate inline, or start the training and show how it went."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.jobs import Requester
from bot.service import NotStarted
from bot.slack import blocks, form
from bot.slack.deps import Deps

log = logging.getLogger(__name__)


async def submit_form(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """Refuse bad input inline; otherwise start the job and report back in the modal."""
    deps = Deps.of(context)
    parsed = form.parse(view, models=deps.models)
    if isinstance(parsed, form.Invalid):
        await ack(response_action="errors", errors=parsed.errors)
        return
    name = parsed.request.replica_name
    await ack(response_action="update", view=blocks.submitting_view(name))
    user_id = body["user"]["id"]
    requester = Requester(
        team_id=body["user"].get("team_id") or body["team"]["id"],
        user_id=user_id,
        channel_id=parsed.channel_id,
    )
    outcome = await deps.service.start(requester, parsed.request)
    if isinstance(outcome, NotStarted):
        reason = messages.create_failure(outcome.error)
        shown = blocks.not_started_view(name, reason)
    else:
        shown = blocks.started_view(outcome.job)
    try:
        await client.views_update(view_id=view["id"], view=shown)
    except SlackApiError as exc:
        # The user closed the modal: what matters still has to reach them.
        log.info("could not update the modal (%s)", exc.response.get("error"))
        if isinstance(outcome, NotStarted):
            await deps.notifier.tell(user_id, blocks.create_failed(name, reason))


def register(app: AsyncApp) -> None:
    """Attach the view listeners."""
    app.view_submission(form.CALLBACK_ID)(submit_form)
