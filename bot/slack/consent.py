"""Consent and approval: I consent, I decline, Withdraw consent, Approve and Reject."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.governance.approvals import Reviewed
from bot.governance.consent import Answered, Withdrawn
from bot.governance.model import FaceMatch
from bot.governance.receipts import Decision
from bot.governance.rules import (
    OWN_REQUEST,
    CannotTell,
    approval_refusal,
    approvers_to_ask,
    elsewhere,
    profile_photo,
)
from bot.jobs import Job, JobStatus
from bot.slack import home, modals
from bot.slack.blocks import cards, screens
from bot.slack.blocks.consent import approval_outcome, approval_settled, receipt
from bot.slack.blocks.kit import (
    APPROVE_ACTION,
    CONSENT_DECLINE_ACTION,
    CONSENT_GIVE_ACTION,
    REJECT_ACTION,
    WITHDRAW_ACTION,
)
from bot.slack.deps import Deps
from bot.slack.payloads import action_value, message_of, team_of, workspace_of
from bot.store import StoreUnavailable
from bot.tavus import TavusError

ANOTHER_WORKSPACE = "another workspace's replica"


log = logging.getLogger(__name__)


async def consent_given(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    """The person shown consented (past Slack's confirm dialog): the create goes to Tavus."""
    await ack()
    await deps.after_ack(_answer(Decision.GIVEN, body, client, respond, deps))


async def consent_declined(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    """The person shown declined: the job ends, and the requester is told without a reason."""
    await ack()
    await deps.after_ack(_answer(Decision.DECLINED, body, client, respond, deps))


async def _answer(
    decision: Decision,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    job = await deps.replicas.get(action_value(body))
    if job is None:
        return
    user = body["user"]["id"]
    if await _from_elsewhere(job, body, "consent", deps):
        await respond(
            text=messages.OTHER_WORKSPACE, response_type="ephemeral", replace_original=False
        )
        return
    try:
        given = await _given(job, deps) if decision is Decision.GIVEN else None
    except CannotTell:
        # Nothing is recorded: the same click in a minute counts as if it were the first.
        await respond(
            text=messages.APPROVERS_UNKNOWN, response_type="ephemeral", replace_original=False
        )
        return
    approvers, policy, photo = given or (None, FaceMatch.OFF, None)
    answered, now = await deps.consent.answer(
        job,
        decision,
        by=user,
        where=message_of(body),
        approvers=approvers,
        face_match=policy,
        photo=photo,
    )
    if answered is Answered.TAKEN:
        if now.status is JobStatus.QUEUED:
            # Its own follow-up: the create goes out whatever becomes of redrawing the DM.
            # Nobody watches a form now: a refusal from Tavus is owed to the requester as a DM.
            await deps.after_ack(deps.intake.start(now, tell_by_dm=True))
        await _show_receipt(job.id, now, respond, deps)
        return
    if answered is Answered.NOT_THEIRS:
        await deps.governance.refused(
            team_id=team_of(body), user_id=user, what="consent", why="not the person shown"
        )
    words = {
        Answered.NOT_THEIRS: messages.CONSENT_NOT_THEIRS,
        Answered.ALREADY: messages.CONSENT_ALREADY,
        Answered.EXPIRED: messages.CONSENT_EXPIRED,
        Answered.GONE: messages.CONSENT_GONE,
    }[answered].format(subject=job.request.subject_id)
    await respond(text=words, response_type="ephemeral", replace_original=False)


async def _show_receipt(job_id: str, job: Job, respond: AsyncRespond, deps: Deps) -> None:
    """Replace the request clicked with the receipt of the answer.

    A face match that ended before this landed redrew the DM already, and this would draw
    over it with the receipt as it was: looked at again, it is shown as it now is.
    """
    drawn = None
    while (kept := await deps.consent.receipt(job_id)) is not None and kept != drawn:
        shown = receipt(kept, job if drawn is None else await deps.replicas.get(job_id) or job)
        await respond(text=shown.text, blocks=shown.blocks, replace_original=True)
        drawn = kept


async def _given(job: Job, deps: Deps) -> tuple[list[str] | None, FaceMatch, str | None]:
    """Consent given: who approves, the face match's policy, the photo to compare it with.

    The job's own workspace's rules; the photo only where a face match runs.
    """
    policy = await deps.governance.policy(job.requester.team_id)
    approvers = await approvers_to_ask(deps.people, policy, job)
    if deps.face_matches is None:
        return approvers, FaceMatch.OFF, None
    try:
        photo: str | None = profile_photo(await deps.people.user(job.request.subject_id or ""))
    except CannotTell:
        photo = None  # compared as a photo that could not be read: the policy decides
    return approvers, policy.face_match, photo


async def approve(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    """An approver approved: the create goes to Tavus."""
    await ack()
    await deps.after_ack(_review(True, body, respond, deps))


async def reject(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    """An approver rejected (past the confirm dialog): the requester is told."""
    await ack()
    await deps.after_ack(_review(False, body, respond, deps))


async def _review(approve: bool, body: dict[str, Any], respond: AsyncRespond, deps: Deps) -> None:
    job = await deps.replicas.get(action_value(body))
    if job is None:
        return
    if await _from_elsewhere(job, body, "approve", deps):
        await respond(
            text=messages.OTHER_WORKSPACE, response_type="ephemeral", replace_original=False
        )
        return
    user, team = body["user"]["id"], team_of(body)
    # The job's own workspace's rules decide it (the same workspace as the click, checked above).
    policy = await deps.governance.policy(job.requester.team_id)
    try:
        why = await approval_refusal(deps.people, policy, user_id=user, job=job)
    except CannotTell:
        await respond(
            text=messages.APPROVERS_UNKNOWN, response_type="ephemeral", replace_original=False
        )
        return
    if why is not None:
        await deps.governance.refused(team_id=team, user_id=user, what="approve", why=why)
        words = messages.APPROVAL_OWN if why == OWN_REQUEST else messages.APPROVAL_NOT_APPROVER
        await respond(text=words, response_type="ephemeral", replace_original=False)
        return
    reviewed, now = await deps.approvals.review(job, approve=approve, by=user)
    if reviewed is Reviewed.TAKEN and now.status is JobStatus.QUEUED:
        # Its own follow-up: the create goes out whatever becomes of redrawing the message.
        await deps.after_ack(deps.intake.start(now, tell_by_dm=True))
    if reviewed is not Reviewed.TAKEN:
        words = approval_outcome(now)
        if reviewed is Reviewed.ALREADY:
            words = messages.APPROVAL_ALREADY.format(status=words)
        await respond(text=words, response_type="ephemeral", replace_original=False)
    # The message clicked shows the outcome at once; delivery redraws the other requests.
    shown = approval_settled(now)
    await respond(text=shown.text, blocks=shown.blocks, replace_original=True)


async def withdraw_consent(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond,
    deps: Deps,
) -> None:
    """The person shown takes their consent back (past the confirm dialog), from DM or Home."""
    await ack()
    await deps.after_ack(_withdraw(body, client, respond, deps))


async def _withdraw(
    body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond, deps: Deps
) -> None:
    if (body.get("container") or {}).get("type") == "view":
        # From App Home: no response_url; the outcome is told in a modal, opened first.
        await modals.open_then(client, body["trigger_id"], _withdrawn_in_home(body, client, deps))
        return
    done = await _withdrawal(body, deps)
    if done is None:
        return
    words, job = done
    if words:
        await respond(text=words, response_type="ephemeral", replace_original=False)
    elif (kept := await deps.consent.receipt(job.id)) is not None:
        shown = receipt(kept, job)
        await respond(text=shown.text, blocks=shown.blocks, replace_original=True)


async def _withdrawn_in_home(
    body: dict[str, Any], client: AsyncWebClient, deps: Deps
) -> dict[str, Any]:
    done = await _withdrawal(body, deps)
    if done is None:
        return cards.status_view(messages.WITHDRAW_DIALOG_TITLE, messages.WITHDRAW_NOTHING)
    words, job = done
    try:
        await home.publish(workspace_of(body), body["user"]["id"], client, deps)
    except (SlackApiError, StoreUnavailable) as exc:
        # The withdrawal stands: a Home tab left as it was must not say it failed.
        log.warning("could not redraw %s's Home after a withdrawal: %s", body["user"]["id"], exc)
    if not words:
        words = screens.about(messages.WITHDRAW_DONE, job)
    return cards.status_view(messages.WITHDRAW_DIALOG_TITLE, words)


async def _withdrawal(body: dict[str, Any], deps: Deps) -> tuple[str, Job] | None:
    """Withdraw the clicked job's consent: what to tell the user ("" if done), and the job."""
    job = await deps.replicas.get(action_value(body))
    if job is None:
        return None
    if await _from_elsewhere(job, body, "withdraw", deps):
        return messages.OTHER_WORKSPACE, job
    user, team = body["user"]["id"], team_of(body)
    try:
        outcome, now = await deps.consent.withdraw(job, by=user)
    except TavusError as error:
        reason = messages.create_failure(error)
        words = screens.about(messages.WITHDRAW_FAILED, job, reason=reason)
    else:
        if outcome is Withdrawn.NOT_THEIRS:
            await deps.governance.refused(
                team_id=team, user_id=user, what="withdraw", why="not the person shown"
            )
        words = {
            Withdrawn.DONE: "",
            Withdrawn.NOT_THEIRS: screens.about(messages.WITHDRAW_NOT_THEIRS, job),
            Withdrawn.NOT_NOW: messages.WITHDRAW_NOT_NOW,
            Withdrawn.NOTHING: messages.WITHDRAW_NOTHING,
        }[outcome]
        job = now
    return words, job


async def _from_elsewhere(job: Job, body: dict[str, Any], what: str, deps: Deps) -> bool:
    """Whether the click came from another workspace than the job's; if so, on record.

    Recorded in the clicking workspace's log, as every refusal is, naming no job of the other.
    """
    if not elsewhere(job, workspace_of(body)):
        return False
    await deps.governance.refused(
        team_id=team_of(body), user_id=body["user"]["id"], what=what, why=ANOTHER_WORKSPACE
    )
    return True


def register(app: AsyncApp) -> None:
    """Attach the consent and approval buttons."""
    app.action(CONSENT_GIVE_ACTION)(consent_given)
    app.action(CONSENT_DECLINE_ACTION)(consent_declined)
    app.action(WITHDRAW_ACTION)(withdraw_consent)
    app.action(APPROVE_ACTION)(approve)
    app.action(REJECT_ACTION)(reject)
