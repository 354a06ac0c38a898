"""The form's submission: validate inline, or save the job, start it, and show how it went."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.intake import NotStarted, Started
from bot.jobs import Job, Requester
from bot.slack import blocks, form
from bot.slack.deps import Deps
from bot.slack.payloads import team_of
from bot.slack.permissions import creator_refusal
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

# The save must be done in time for Slack's 3-second deadline, with room for the answer.
SAVE_DEADLINE = 2.0


async def submit_form(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
) -> None:
    """Refuse bad input inline; otherwise save the job first, then create it at Tavus."""
    parsed = form.parse(view, models=deps.models, voices=deps.voices.current)
    if isinstance(parsed, form.Invalid):
        await ack(response_action="errors", errors=parsed.errors)
        return
    refusal = await creator_refusal(
        client, deps.governance, team_id=team_of(body), user_id=body["user"]["id"]
    )
    if refusal is not None:
        # A form opened before the rule changed, or by someone who became a guest since.
        await ack(response_action="errors", errors={form.NAME: refusal})
        return
    requester = Requester(
        team_id=team_of(body),
        user_id=body["user"]["id"],
        channel_id=parsed.channel_id,
    )
    # Saved before the acknowledgement: once the user sees "Starting…", the job exists.
    try:
        job = await deps.intake.accept(requester, parsed.request, within=SAVE_DEADLINE)
    except StoreUnavailable as exc:
        log.error("could not save a request: %s", exc)
        await ack(response_action="errors", errors={form.NAME: messages.ERROR_NOT_SAVED})
        return
    await ack(response_action="update", view=blocks.submitting_view(job.request.replica_name))
    await deps.after_ack(_start(job, view["id"], client, deps))


async def _start(job: Job, view_id: str, client: AsyncWebClient, deps: Deps) -> None:
    """Create the replica at Tavus and show in the modal how it went."""
    outcome = await deps.intake.start(job)
    if isinstance(outcome, Started):
        shown = blocks.started_view(outcome.job)
    elif isinstance(outcome, NotStarted):
        reason = messages.create_failure(outcome.error)
        shown = blocks.not_started_view(job.request.replica_name, reason)
    else:
        return  # the reconciler took it over; it tells the requester itself
    try:
        await client.views_update(view_id=view_id, view=shown)
    except SlackApiError as exc:
        # The user closed the modal: a refusal must still reach them.
        log.info("could not update the modal (%s)", exc.response.get("error"))
        if isinstance(outcome, NotStarted):
            await deps.intake.owe_not_started(outcome.job)


def register(app: AsyncApp) -> None:
    """Attach the view listeners."""
    app.view_submission(form.CALLBACK_ID)(submit_form)
