"""The request form: opened again (Try again, Train a new replica) and submitted, then saved."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.delivery.retry import error_word
from bot.governance.rules import check_subject, elsewhere, is_admin
from bot.jobs import ReplicaRequest, Requester
from bot.media.links import Finding, Kind, Problem, Unchecked
from bot.media.slack_files import SlackFile, refusal
from bot.slack import modals
from bot.slack.blocks import cards, form, kit, submission
from bot.slack.blocks.kit import OPEN_FORM_ACTION, RETRY_ACTION
from bot.slack.deps import Deps
from bot.slack.payloads import action_value, enterprise_of, team_of, workspace_of
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

# The save must be done in time for Slack's 3-second deadline, with room for the answer.
SAVE_DEADLINE = 2.0
# Every link in the form is checked at once, for this long at most; one not done goes unchecked.
LINK_BUDGET = 2.0
# When the answer to Slack must be on its way, counted from the submission's arrival.
ANSWER_BY = 2.7
MIN_SAVE = 0.3  # a save is always given this long, however long the checks took


async def _slack_file(
    request: ReplicaRequest,
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
    team_id: str,
) -> SlackFile | dict[str, str] | None:
    """The file posted in Slack to train from, or what is wrong with it (by field); None if none."""
    if not request.slack_file:
        return None
    # Under the file's own field if uploaded; under the first one when the shortcut chose it.
    where = form.NAME if submission.shortcut_file(view.get("private_metadata")) else form.IMAGE_FILE
    if deps.files is None or deps.fetcher is None:
        return {where: messages.SHORTCUT_NO_MEDIA}
    try:
        file = await deps.files.info(client, request.slack_file)
    except SlackApiError as exc:
        log.info("files.info %s: %s", request.slack_file, error_word(exc))
        return {where: messages.FILE_NO_ACCESS}
    problem = refusal(file)
    if problem is not None:
        return {where: problem}
    if file.is_image and request.voice_name is None:
        return {form.VOICE: messages.ERROR_IMAGE_NEEDS_VOICE}
    try:
        full = await deps.fetcher.room(team_id, file)
    except StoreUnavailable as exc:
        log.error("could not read the media quota of %s: %s", team_id, exc)
        return {where: messages.ERROR_NOT_SAVED}
    return file if full is None else {where: full}


async def _crowded(
    request: ReplicaRequest, team_id: str, user_id: str, deps: Deps
) -> dict[str, str]:
    """Too many requests waiting for consent, by this requester or of this person (by field)."""
    try:
        crowded = await deps.consent.crowded(
            team_id=team_id, requester_id=user_id, subject_id=request.subject_id
        )
    except StoreUnavailable as exc:
        log.error("could not count the requests waiting for consent: %s", exc)
        return {form.NAME: messages.ERROR_NOT_SAVED}
    if crowded is None:
        return {}
    if crowded.requester:
        return {form.NAME: messages.ERROR_TOO_MANY_WAITING.format(count=crowded.count)}
    return {form.SUBJECT: messages.ERROR_SUBJECT_BUSY.format(count=crowded.count)}


async def _check_links(request: ReplicaRequest, deps: Deps) -> dict[str, Finding]:
    """Each of the form's links judged (or Unchecked), by field; none where checks are off."""
    if deps.prober is None:
        return {}
    links = {
        name: (url, kind)
        for name, url, kind in (
            (form.VIDEO, request.train_video_url, Kind.VIDEO),
            (form.IMAGE, request.train_image_url, Kind.IMAGE),
            (form.CONSENT_VIDEO, request.consent_video_url, Kind.VIDEO),
        )
        if url
    }
    return await deps.prober.check_all(links, budget=LINK_BUDGET)


async def submit_form(
    ack: AsyncAck,
    body: dict[str, Any],
    view: dict[str, Any],
    client: AsyncWebClient,
    deps: Deps,
) -> None:
    """Refuse bad input inline; otherwise save the job, which asks the person shown to consent."""
    voices = deps.voices.current(team_of(body))
    parsed = submission.parse(view, models=deps.models, voices=voices)
    if isinstance(parsed, kit.Invalid):
        await ack(response_action="errors", errors=kit.errors(parsed.errors))
        return
    started = time.monotonic()
    team, user = team_of(body), body["user"]["id"]
    # All asked at once: the answer to Slack is due within 3 seconds.
    refusal, subject, crowded, private, verdicts, slack_file = await asyncio.gather(
        deps.refusal(team, user),
        check_subject(deps.people, parsed.request.subject_id or ""),
        _crowded(parsed.request, team, user, deps),
        deps.people.is_private(parsed.channel_id),
        _check_links(parsed.request, deps),
        _slack_file(parsed.request, view, client, deps, team),
    )
    if refusal is not None:
        # A form opened before the rule changed, or by someone who became a guest since.
        await ack(response_action="errors", errors=kit.errors({form.NAME: refusal}))
        return
    if isinstance(subject, str):
        await ack(response_action="errors", errors=kit.errors({form.SUBJECT: subject}))
        return
    if crowded:
        # Nothing saved, nobody asked: the person shown gets no DM.
        await ack(response_action="errors", errors=kit.errors(crowded))
        return
    problems = {name: v.words for name, v in verdicts.items() if isinstance(v, Problem)}
    if isinstance(slack_file, dict):
        problems.update(slack_file)
    if problems:
        await ack(response_action="errors", errors=kit.errors(problems))
        return
    requester = Requester(
        team_id=team,
        user_id=user,
        channel_id=parsed.channel_id,
        private=private,
        enterprise_id=enterprise_of(body),
    )
    unchecked = tuple(name for name, v in verdicts.items() if isinstance(v, Unchecked))
    request = replace(parsed.request, subject_name=subject.name, unchecked=unchecked)
    # Saved before the acknowledgement: once the user sees the request taken, the job exists.
    try:
        # What the checks left of Slack's 3 seconds, with room for the answer.
        left = ANSWER_BY - (time.monotonic() - started)
        job = await deps.intake.accept(
            requester, request, within=max(MIN_SAVE, min(SAVE_DEADLINE, left))
        )
    except StoreUnavailable as exc:
        log.error("could not save a request: %s", exc)
        not_saved = kit.errors({form.NAME: messages.ERROR_NOT_SAVED})
        await ack(response_action="errors", errors=not_saved)
        return
    await ack(response_action="update", view=cards.awaiting_consent_view(job))
    if isinstance(slack_file, SlackFile) and deps.fetcher is not None:
        # Copied after the answer: 750 MB cannot wait for Slack's 3 seconds.
        await deps.after_ack(deps.fetcher.fetch(job, slack_file))


async def try_again(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    """Reopen the form filled in with a failed job's values, in the job's channel."""
    await ack()
    await deps.after_ack(_reopen_form(action_value(body), body, client, deps))


async def _reopen_form(
    job_id: str, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    await modals.open_then(client, body["trigger_id"], _refilled(job_id, body, deps))


async def _refilled(job_id: str, body: dict[str, Any], deps: Deps) -> dict[str, Any]:
    """The failed job's form for its requester; for an admin, without what may be secret.

    Anyone else in the channel sees the button too: they are told no, and nothing of the job.
    """
    job = await deps.replicas.get(job_id)
    if job is None:
        return cards.status_view(messages.FORM_TITLE, messages.JOB_GONE)
    if elsewhere(job, workspace_of(body)):
        return cards.status_view(messages.FORM_TITLE, messages.OTHER_WORKSPACE)
    prefill = job.request
    if body["user"]["id"] != job.requester.user_id:
        if not await is_admin(deps.people, body["user"]["id"]):
            return cards.status_view(messages.FORM_TITLE, messages.RETRY_NOT_YOURS)
        prefill = form.shareable(prefill)
    return await _form(body, deps, job.requester.channel_id, prefill)


async def open_form_from_home(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> None:
    """Open the form from App Home; news goes to the user's DM with the bot."""
    await ack()
    # A user id as the channel posts in the App's Messages tab, the user's DM with the bot.
    view = _form(body, deps, body["user"]["id"])
    await deps.after_ack(modals.open_then(client, body["trigger_id"], view))


async def _form(
    body: dict[str, Any],
    deps: Deps,
    channel_id: str,
    prefill: ReplicaRequest | None = None,
) -> dict[str, Any]:
    """The form, or, for someone the workspace does not let create replicas, why not."""
    refusal = await deps.refusal(team_of(body), body["user"]["id"])
    if refusal is None:
        return deps.form(team_of(body), channel_id, body["user"]["id"], prefill)
    return cards.status_view(messages.NOT_A_CREATOR_TITLE, refusal)


def register(app: AsyncApp) -> None:
    """Attach the form's listeners: opened again from a button, and submitted."""
    app.action(RETRY_ACTION)(try_again)
    app.action(OPEN_FORM_ACTION)(open_form_from_home)
    app.view_submission(form.CALLBACK_ID)(submit_form)
