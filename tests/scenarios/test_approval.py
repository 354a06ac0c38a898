"""Approval: once the person shown consents, one approver decides; the first decision wins."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from typing import Any

import pytest

from bot import messages
from bot.config import ConfigError, load_settings
from bot.governance.approvals import Approvals, Reviewed
from bot.governance.consent import Answered, Consent
from bot.governance.model import Approvers
from bot.governance.receipts import Decision
from bot.jobs import Job, JobStatus
from bot.jobs.intake import ORPHAN_GRACE
from bot.slack.blocks import form, kit
from tests.conftest import Bot, Launch
from tests.domain import REQUEST, REQUESTER, World
from tests.flows import (
    Someone,
    announcement_of,
    ask,
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    press,
    refusals,
    settled_create,
    thread_replies,
)
from tests.slack_client import CHANNEL_ID, USER_ID
from tests.standins.slack import TEAM_ID

DANA = "U0DANA"  # the person shown
ANN, BEN = "U0ANN", "U0BEN"  # approvers
STRANGER, ADA = "U0STRANGER", "U0ADA"  # a member with no part in it; a workspace admin
APPROVAL_CHANNEL = "C0APPROVE"


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or []) + message.get("text", "")


def approval_requests(bot: Bot, job_id: str) -> list[dict[str, Any]]:
    """The approval requests posted for a job, as they were posted."""
    return [
        post
        for post in bot.slack.posts()
        if job_id in shown(post) and kit.APPROVE_ACTION in shown(post)
    ]


async def asked_approval(bot: Bot, count: int = 1) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ask for Dana's replica, have her consent, and wait for `count` approval requests."""
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)
    await bot.slack.wait_until(lambda: len(approval_requests(bot, job["id"])) >= count)
    return job, approval_requests(bot, job["id"])


async def review(
    bot: Bot, post: dict[str, Any], job_id: str, *, by: str, approve: bool = True
) -> dict[str, Any]:
    action = kit.APPROVE_ACTION if approve else kit.REJECT_ACTION
    return await press(bot, post, action, job_id, user=by)


async def status_of(bot: Bot, job_id: str) -> str:
    return str(next(job for job in await bot.jobs() if job["id"] == job_id)["status"])


async def test_consent_then_waits_for_an_approver_each_asked_in_their_dm(launch: Launch) -> None:
    bot = await launch(replica_approvers=(ANN, BEN))

    job, requests = await asked_approval(bot, count=2)

    assert sorted(post["channel"] for post in requests) == [f"D{ANN}", f"D{BEN}"]
    for words in (f"<@{USER_ID}>", f"<@{DANA}>", "sales demo videos", "cdn.example.com"):
        assert words in shown(requests[0])
    assert await status_of(bot, job["id"]) == "pending_approval"
    assert bot.tavus.creates == []
    await delivered(bot)
    post = await announcement_of(bot, job["id"])
    card = bot.slack.card(post["channel"], post["ts"])
    assert messages.CARD_PENDING_APPROVAL.format(subject=DANA) in shown(card)


async def test_one_approval_sends_the_create_once_and_redraws_every_request(
    launch: Launch,
) -> None:
    bot = await launch(replica_approvers=(ANN, BEN))
    job, requests = await asked_approval(bot, count=2)
    await delivered(bot)
    ann = next(post for post in requests if post["channel"] == f"D{ANN}")

    answer = await review(bot, ann, job["id"], by=ANN)

    assert answer["replace_original"] is True
    assert f"Approved by <@{ANN}>" in shown(answer)
    assert kit.APPROVE_ACTION not in shown(answer)
    job = await settled_create(bot, job["id"])
    assert job["status"] == "training"
    assert len(bot.tavus.creates) == 1
    await delivered(bot)
    for post in requests:
        now = bot.slack.card(post["channel"], post["ts"])
        assert kit.APPROVE_ACTION not in shown(now)
        assert f"Approved by <@{ANN}>" in shown(now)
    actions = [row["action"] for row in await bot.audit()]
    assert actions[:4] == ["requested", "consent_given", "approved", "created"]
    approved = next(row for row in await bot.audit() if row["action"] == "approved")
    assert approved["actor"] == ANN
    status = await ask(bot, f"status {job['replica_id']}")
    assert f"Approved by <@{ANN}> on <!date^" in status["text"]


async def test_a_rejection_in_the_approval_channel_reaches_the_requester(launch: Launch) -> None:
    bot = await launch(replica_approvers=(ANN,), approval_channel=APPROVAL_CHANNEL)
    job, [request] = await asked_approval(bot)
    assert request["channel"] == APPROVAL_CHANNEL

    answer = await review(bot, request, job["id"], by=ANN, approve=False)

    assert f"Rejected by <@{ANN}>" in shown(answer)
    await delivered(bot)
    assert await status_of(bot, job["id"]) == "not_approved"
    assert bot.tavus.creates == []
    post = await announcement_of(bot, job["id"])
    [reply] = await thread_replies(bot, post)
    assert reply["text"] == messages.NOT_APPROVED.format(user=USER_ID, reviewer=ANN, name="Dana")
    card = bot.slack.card(post["channel"], post["ts"])
    assert messages.CARD_NOT_APPROVED.format(reviewer=ANN) in shown(card)
    assert (await bot.audit())[-1]["action"] == "rejected"


async def test_the_requester_and_the_person_shown_may_not_approve_their_own(
    launch: Launch,
) -> None:
    bot = await launch(replica_approvers=(USER_ID, DANA), approval_channel=APPROVAL_CHANNEL)
    job, [request] = await asked_approval(bot)

    for who in (USER_ID, DANA):
        answer = await review(bot, request, job["id"], by=who)
        assert answer["text"] == messages.APPROVAL_OWN
        assert answer["response_type"] == "ephemeral"

    assert await status_of(bot, job["id"]) == "pending_approval"
    assert bot.tavus.creates == []
    refused = [json.loads(r["details"]) for r in await bot.audit() if r["action"] == "refused"]
    assert refused == [{"what": "approve", "why": "own request"}] * 2


async def test_in_dms_the_requester_and_the_person_shown_are_not_asked(launch: Launch) -> None:
    bot = await launch(replica_approvers=(USER_ID, DANA, ANN))

    _, requests = await asked_approval(bot)
    await delivered(bot)

    assert [post["channel"] for post in requests] == [f"D{ANN}"]


# Everyone but an approver of the job's own workspace, and what each is told and why.
NOT_APPROVERS = {
    "requester": (Someone(USER_ID), messages.APPROVAL_OWN, "own request"),
    "unrelated member": (Someone(STRANGER), messages.APPROVAL_NOT_APPROVER, "not an approver"),
    "workspace admin": (Someone(ADA), messages.APPROVAL_NOT_APPROVER, "not an approver"),
    "approver's own id, from another workspace": (
        Someone(ANN, team="T0OTHER"),
        messages.OTHER_WORKSPACE,
        "another workspace's replica",
    ),
}


@pytest.mark.parametrize("approve", [True, False], ids=["approve", "reject"])
@pytest.mark.parametrize("who", NOT_APPROVERS)
async def test_anyone_but_an_approver_is_refused_on_record_and_nothing_changes(
    launch: Launch, who: str, approve: bool
) -> None:
    clicker, words, why = NOT_APPROVERS[who]
    bot = await launch(replica_approvers=(ANN,), approval_channel=APPROVAL_CHANNEL)
    bot.slack.admins.add(ADA)
    job, [request] = await asked_approval(bot)
    await delivered(bot)
    asked = len(bot.slack.called("chat.postMessage"))

    answer = await review(clicker.at(bot), request, job["id"], by=clicker.user, approve=approve)

    assert (answer["text"], answer.get("response_type")) == (words, "ephemeral")
    await delivered(bot)
    assert bot.slack.called("chat.postMessage")[asked:] == []
    assert kit.APPROVE_ACTION in shown(bot.slack.card(request["channel"], request["ts"]))
    assert await status_of(bot, job["id"]) == "pending_approval"
    assert bot.tavus.creates == []
    assert await refusals(bot) == [(clicker.team or TEAM_ID, clicker.user, "approve", why)]


async def test_approvers_may_be_a_user_group(launch: Launch) -> None:
    bot = await launch(replica_approvers=("S0LEGAL",))
    bot.slack.usergroups["S0LEGAL"] = [ANN]

    job, [request] = await asked_approval(bot)
    await review(bot, request, job["id"], by=ANN)

    assert request["channel"] == f"D{ANN}"
    assert (await settled_create(bot, job["id"]))["status"] == "training"


async def test_a_busy_slack_leaves_the_approval_undecided_and_says_try_again(
    launch: Launch,
) -> None:
    bot = await launch(replica_approvers=("S0LEGAL",), approval_channel=APPROVAL_CHANNEL)
    bot.slack.usergroups["S0LEGAL"] = [ANN]
    job, [request] = await asked_approval(bot)
    bot.slack.rate_limit("usergroups.users.list", 30)

    answer = await review(bot, request, job["id"], by=ANN)

    assert answer["text"] == messages.APPROVERS_UNKNOWN
    assert await status_of(bot, job["id"]) == "pending_approval"
    assert [r for r in await bot.audit() if r["action"] == "refused"] == []
    # The same click once Slack answers again decides it.
    await review(bot, request, job["id"], by=ANN)
    assert (await settled_create(bot, job["id"]))["status"] == "training"


async def test_a_busy_slack_at_consent_records_nothing_and_says_try_again(
    launch: Launch,
) -> None:
    bot = await launch(replica_approvers=("S0LEGAL",))
    bot.slack.usergroups["S0LEGAL"] = [ANN]
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    bot.slack.rate_limit("usergroups.users.list", 30)

    answer = await consent(bot, job["id"], user=DANA)

    assert answer["text"] == messages.APPROVERS_UNKNOWN
    assert await status_of(bot, job["id"]) == "awaiting_consent"
    assert await bot.receipts() == []
    await consent(bot, job["id"], user=DANA)
    await bot.slack.wait_until(lambda: len(approval_requests(bot, job["id"])) >= 1)


async def test_the_first_decision_wins_and_later_clicks_are_told(launch: Launch) -> None:
    bot = await launch(replica_approvers=(ANN, BEN), approval_channel=APPROVAL_CHANNEL)
    job, [request] = await asked_approval(bot)

    answers = await asyncio.gather(
        *(
            review(bot, request, job["id"], by=who, approve=approve)
            for who, approve in [(ANN, True), (BEN, False)] * 3
        )
    )

    told = [a for a in answers if a.get("response_type") == "ephemeral"]
    assert len(told) == 5
    assert all(a["text"].startswith("This request was already decided") for a in told)
    await delivered(bot)
    status = await status_of(bot, job["id"])
    if status == "not_approved":
        assert bot.tavus.creates == []
    else:
        assert (await settled_create(bot, job["id"]))["status"] == "training"
        assert len(bot.tavus.creates) == 1
    assert [r["action"] for r in await bot.audit()].count("approved") + [
        r["action"] for r in await bot.audit()
    ].count("rejected") == 1


async def test_withdrawing_while_it_waits_for_approval_cancels_it(launch: Launch) -> None:
    bot = await launch(replica_approvers=(ANN,))
    job, [request] = await asked_approval(bot)
    await delivered(bot)
    receipt = next(p for p in bot.slack.posts(f"D{DANA}") if job["id"] in shown(p))

    await press(bot, receipt, kit.WITHDRAW_ACTION, job["id"], user=DANA)

    await delivered(bot)
    assert await status_of(bot, job["id"]) == "withdrawn"
    assert bot.tavus.creates == []
    now = bot.slack.card(request["channel"], request["ts"])
    assert kit.APPROVE_ACTION not in shown(now)
    late = await review(bot, request, job["id"], by=ANN)
    assert late["text"].startswith("No longer waiting for approval")
    assert await status_of(bot, job["id"]) == "withdrawn"


async def test_without_approvers_consent_goes_straight_to_tavus(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)

    assert (await settled_create(bot, job["id"]))["status"] == "training"
    await delivered(bot)
    asked = [p for p in bot.slack.called("chat.postMessage") if job["id"] in shown(p)]
    assert [p for p in asked if kit.APPROVE_ACTION in shown(p)] == []
    assert CHANNEL_ID in {post["channel"] for post in bot.slack.posts()}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("replica_approvers", "everyone"),
        ("replica_approvers", "U0ANN,bob"),
        ("approval_channel", "#legal"),
    ],
)
def test_bad_approval_settings_stop_the_start_saying_why(
    name: str, value: str, base_settings: dict[str, object]
) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**{**base_settings, name: value})

    assert f"{name.upper()} is invalid" in str(caught.value)


def test_approvers_read_as_written() -> None:
    assert Approvers.parse([" U0ANN", "S0LEGAL", "S0LEGAL", ""]) == Approvers(
        users=frozenset({"U0ANN"}), groups=("S0LEGAL",)
    )
    assert not Approvers.parse([])


async def waiting_for_approval(world: World) -> Job:
    """A job of Dana's replica she has consented to, waiting for ANN's approval (no Slack)."""
    job = await world.intake.accept(REQUESTER, replace(REQUEST, subject_id=DANA))
    answers = Consent(store=world.store, lifecycle=world.lifecycle, accounts=world.accounts)
    answered, job = await answers.answer(job, Decision.GIVEN, by=DANA, approvers=[ANN])
    assert (answered, job.status) == (Answered.TAKEN, JobStatus.PENDING_APPROVAL)
    return job


async def test_an_approved_create_never_sent_is_sent_by_the_reconciler_after_its_grace(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.governance.approvals")
    job = await waiting_for_approval(world)
    approvals = Approvals(store=world.store, lifecycle=world.lifecycle)

    reviewed, approved = await approvals.review(job, approve=True, by=ANN)
    # The click's own start sends the create; here it never does (its process died).
    await world.reconciler.round()
    sent_at_once = len(world.tavus.creates)
    world.clock.advance(ORPHAN_GRACE)
    await world.reconciler.round()

    assert (reviewed, approved.status, approved.reviewer_id) == (
        Reviewed.TAKEN,
        JobStatus.QUEUED,
        ANN,
    )
    assert sent_at_once == 0
    assert len(world.tavus.creates) == 1
    assert f"job {job.id}: approved by {ANN}" in caplog.messages


async def test_a_rejected_request_is_never_sent(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.governance.approvals")
    job = await waiting_for_approval(world)
    approvals = Approvals(store=world.store, lifecycle=world.lifecycle)

    reviewed, rejected = await approvals.review(job, approve=False, by=ANN)
    world.clock.advance(ORPHAN_GRACE)
    await world.reconciler.round()

    assert (reviewed, rejected.status, rejected.next_check_at) == (
        Reviewed.TAKEN,
        JobStatus.NOT_APPROVED,
        None,
    )
    assert world.tavus.creates == []
    assert f"job {job.id}: rejected by {ANN}" in caplog.messages
