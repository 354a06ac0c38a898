"""The person shown consents in Slack themselves: the DM, only their click, the first answer,
decline, expiry, and the receipt kept of it."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot import messages
from bot.governance.consent import Answered, Consent, Crowded, MostWaiting, Withdrawn
from bot.governance.model import FaceMatch as Policing
from bot.governance.receipts import Decision, statement_for
from bot.jobs import Job, JobStatus
from bot.jobs.intake import ORPHAN_GRACE
from bot.slack.blocks import form, kit
from tests.conftest import Bot, Launch
from tests.domain import REQUEST, REQUESTER, World
from tests.flows import (
    USE,
    VIDEO,
    Someone,
    announcement_of,
    ask,
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    open_form,
    refusals,
    settled_create,
    thread_replies,
)
from tests.slack_client import CHANNEL_ID, USER_ID, filled
from tests.standins.server import Fault
from tests.standins.slack import TEAM_ID
from tests.store_helpers import transition

DANA = "U0DANA"
STRANGER, ADA = "U0STRANGER", "U0ADA"  # a member with no part in it; a workspace admin
# Everyone but the person shown: none of them may answer for her, nor withdraw her consent.
NOT_DANA = {
    "requester": Someone(USER_ID),
    "unrelated member": Someone(STRANGER),
    "workspace admin": Someone(ADA),
    "her own id, from another workspace": Someone(DANA, team="T0OTHER"),
}
SIGNED_VIDEO = (
    "https://cdn.example.com/people/dana%20take%202.mp4?X-Amz-Signature=secret&X-Amz-Expires=86400"
)


def shown(message: dict[str, Any]) -> str:
    return json.dumps(message.get("blocks") or []) + message.get("text", "")


async def test_the_person_shown_is_asked_in_their_own_dm_with_everything_they_agree_to(
    bot: Bot,
) -> None:
    bot.slack.profiles[DANA].update({"real_name": "Dana Doe"})

    job = await ask_for_consent(bot, **{form.SUBJECT: DANA, form.VIDEO: SIGNED_VIDEO})
    request = await consent_request_of(bot, job["id"])

    assert request["channel"] == f"D{DANA}"
    text = shown(request)
    for words in (f"<@{USER_ID}>", "*Dana*", "sales demo videos", "cdn.example.com"):
        assert words in text
    assert "dana take 2.mp4" in text
    assert "X-Amz-Signature" not in text
    assert "secret" not in text
    assert json.dumps(statement_for("Dana Doe"))[1:-1] in text
    buttons = [
        element
        for block in request["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]
    assert [b["action_id"] for b in buttons] == [
        kit.CONSENT_GIVE_ACTION,
        kit.CONSENT_DECLINE_ACTION,
    ]
    assert {"title", "text", "confirm", "deny"} <= buttons[0]["confirm"].keys()
    await delivered(bot)
    assert [row["status"] for row in await bot.jobs()] == ["awaiting_consent"]
    assert bot.tavus.creates == []


async def test_the_card_says_whose_consent_it_waits_for(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})

    post = await announcement_of(bot, job["id"])

    assert post["channel"] == CHANNEL_ID
    assert messages.CARD_AWAITING.format(subject=DANA) in shown(post)


async def test_their_consent_sends_the_create_once_and_keeps_a_receipt(bot: Bot) -> None:
    bot.slack.profiles[DANA].update({"real_name": "Dana Doe"})
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA, form.VIDEO: SIGNED_VIDEO})
    request = await consent_request_of(bot, job["id"])

    answer = await consent(bot, job["id"], user=DANA)

    job = await settled_create(bot, job["id"])
    assert job["status"] == "training"
    assert len(bot.tavus.creates) == 1
    assert bot.tavus.creates[0]["train_video_url"] == SIGNED_VIDEO  # Tavus gets the link itself
    [kept] = await bot.receipts()
    statement = statement_for("Dana Doe")
    assert {k: kept[k] for k in ("subject_id", "subject_name", "requester_id", "decision")} == {
        "subject_id": DANA,
        "subject_name": "Dana Doe",
        "requester_id": USER_ID,
        "decision": "given",
    }
    assert kept["statement"] == statement
    assert kept["statement_sha256"] == hashlib.sha256(statement.encode()).hexdigest()
    assert kept["intended_use"] == "sales demo videos"
    assert json.loads(kept["media"]) == [
        {
            "url": "https://cdn.example.com/people/dana%20take%202.mp4",
            "host": "cdn.example.com",
            "file": "dana take 2.mp4",
        }
    ]
    assert (kept["dm_channel"], kept["dm_ts"]) == (request["channel"], request["ts"])
    assert kept["replica_id"] == job["replica_id"]
    # The DM is redrawn in place as the receipt.
    assert answer["replace_original"] is True
    assert kept["statement_sha256"] in shown(answer)
    assert "You consented" in answer["text"]


async def test_status_says_who_consented_and_when(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)
    job = await settled_create(bot, job["id"])

    answer = await ask(bot, f"status {job['replica_id']}")

    assert f"Given by <@{DANA}> on <!date^" in answer["text"]


def refusal_for(who: Someone, words: str) -> tuple[str, str]:
    """What `who` is told, and why it is on record: `words` in the job's own workspace."""
    if who.team is None:
        return words, "not the person shown"
    return messages.OTHER_WORKSPACE, "another workspace's replica"


@pytest.mark.parametrize("action", [kit.CONSENT_GIVE_ACTION, kit.CONSENT_DECLINE_ACTION])
@pytest.mark.parametrize("who", NOT_DANA)
async def test_anyone_but_the_person_shown_is_refused_privately_and_nothing_changes(
    bot: Bot, who: str, action: str
) -> None:
    clicker = NOT_DANA[who]
    bot.slack.admins.add(ADA)
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    request = await consent_request_of(bot, job["id"])
    await delivered(bot)
    asked = len(bot.slack.called("chat.postMessage"))

    answer = await consent(clicker.at(bot), job["id"], user=clicker.user, action=action)

    words, why = refusal_for(clicker, messages.CONSENT_NOT_THEIRS.format(subject=DANA))
    assert (answer["text"], answer.get("response_type")) == (words, "ephemeral")
    assert answer.get("replace_original") is False
    await delivered(bot)
    assert bot.slack.called("chat.postMessage")[asked:] == []
    assert kit.CONSENT_GIVE_ACTION in shown(bot.slack.card(request["channel"], request["ts"]))
    assert [row["status"] for row in await bot.jobs()] == ["awaiting_consent"]
    assert await bot.receipts() == []
    assert bot.tavus.creates == []
    assert await refusals(bot) == [(clicker.team or TEAM_ID, clicker.user, "consent", why)]


async def test_clicks_at_once_on_both_buttons_are_decided_once_by_the_first(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])

    answers = await asyncio.gather(
        *(
            consent(bot, job["id"], user=DANA, action=action)
            for action in [kit.CONSENT_GIVE_ACTION, kit.CONSENT_DECLINE_ACTION] * 3
        )
    )

    [decided] = [a for a in answers if a.get("replace_original") is True]
    assert [a["text"] for a in answers if a is not decided] == [messages.CONSENT_ALREADY] * 5
    [kept] = await bot.receipts()
    job = (await bot.jobs())[0]
    if kept["decision"] == "given":
        job = await settled_create(bot, job["id"])
        assert len(bot.tavus.creates) == 1
    else:
        assert job["status"] == "declined"
        assert bot.tavus.creates == []


async def test_a_later_click_is_told_it_was_answered(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)

    again = await consent(bot, job["id"], user=DANA, action=kit.CONSENT_DECLINE_ACTION)

    assert again["text"] == messages.CONSENT_ALREADY
    await settled_create(bot, job["id"])
    assert len(bot.tavus.creates) == 1


async def test_a_decline_ends_the_job_and_tells_the_requester_in_the_thread(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])

    answer = await consent(bot, job["id"], user=DANA, action=kit.CONSENT_DECLINE_ACTION)

    assert "You declined" in answer["text"]
    await delivered(bot)
    [job] = await bot.jobs()
    assert job["status"] == "declined"
    assert bot.tavus.creates == []
    post = await announcement_of(bot, job["id"])
    [reply] = await thread_replies(bot, post)
    assert reply["text"] == messages.DECLINED.format(user=USER_ID, subject=DANA, name="Dana")
    card = bot.slack.card(post["channel"], post["ts"])
    assert messages.CARD_DECLINED.format(subject=DANA) in shown(card)
    [kept] = await bot.receipts()
    assert kept["decision"] == "declined"
    assert [r["action"] for r in await bot.audit()] == ["requested", "consent_declined"]


async def test_no_answer_in_time_expires_the_request_and_a_late_click_is_told(
    launch: Launch,
) -> None:
    bot = await launch(consent_timeout=0.3, tavus_poll_interval=0.1)
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])

    async with asyncio.timeout(10):
        while (await bot.jobs())[0]["status"] != "expired":
            await asyncio.sleep(0.05)
    late = await consent(bot, job["id"], user=DANA)

    assert late["text"] == messages.CONSENT_EXPIRED
    assert bot.tavus.creates == []
    assert await bot.receipts() == []
    await delivered(bot)
    post = await announcement_of(bot, job["id"])
    [reply] = await thread_replies(bot, post)
    assert "in time" in reply["text"]
    assert (await bot.audit())[-1]["action"] == "consent_expired"


@pytest.mark.parametrize(
    ("profile", "problem"),
    [
        ({"is_restricted": True}, messages.ERROR_SUBJECT_GUEST),
        ({"is_ultra_restricted": True}, messages.ERROR_SUBJECT_GUEST),
        ({"is_bot": True}, messages.ERROR_SUBJECT_BOT),
        ({"deleted": True}, messages.ERROR_SUBJECT_GONE),
    ],
)
async def test_only_a_full_member_can_be_the_person_shown(
    bot: Bot, profile: dict[str, bool], problem: str
) -> None:
    bot.slack.profiles[DANA].update(profile)
    view = await _form(bot)

    status, answer = await bot.sender.submit(_filled(view, DANA))

    assert (status, answer) == (
        200,
        {"response_action": "errors", "errors": {form.SUBJECT: problem}},
    )
    assert await bot.jobs() == []


async def test_when_slack_cannot_say_who_the_person_is_the_form_asks_to_try_again(
    bot: Bot,
) -> None:
    view = await _form(bot)
    # The requester's answer is kept from opening the form: the person shown is asked anew.
    bot.slack.fail("users.info", "internal_error", times=2)

    _, answer = await bot.sender.submit(_filled(view, DANA))

    assert answer == {
        "response_action": "errors",
        "errors": {form.SUBJECT: messages.ERROR_SUBJECT_UNKNOWN},
    }
    assert await bot.jobs() == []


async def _form(bot: Bot) -> dict[str, Any]:
    return await open_form(bot)


def _filled(view: dict[str, Any], subject: str) -> dict[str, Any]:
    return filled(
        view,
        **{
            form.NAME: "Dana",
            form.VIDEO: VIDEO,
            form.CONSENT: True,
            form.USE: USE,
            form.SUBJECT: subject,
        },
    )


# --- withdrawal -----------------------------------------------------------------------------


async def consented_training(bot: Bot) -> tuple[dict[str, Any], dict[str, Any]]:
    """A job of Dana's, consented and training; its consent request DM."""
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    request = await consent_request_of(bot, job["id"])
    answer = await consent(bot, job["id"], user=DANA)
    assert kit.WITHDRAW_ACTION in shown(answer)  # the receipt offers it
    return await settled_create(bot, job["id"]), request


async def test_withdrawing_deletes_the_replica_with_its_footage_and_tells_the_requester(
    bot: Bot,
) -> None:
    job, _ = await consented_training(bot)
    await delivered(bot)

    answer = await consent(bot, job["id"], user=DANA, action=kit.WITHDRAW_ACTION)

    assert bot.tavus.hard_deletes == [job["replica_id"]]
    assert job["replica_id"] not in bot.tavus.replicas
    assert answer["replace_original"] is True
    assert "You withdrew this consent" in shown(answer)
    assert kit.WITHDRAW_ACTION not in shown(answer)
    [now] = await bot.jobs()
    assert now["status"] == "withdrawn"
    await delivered(bot)
    post = await announcement_of(bot, job["id"])
    [reply] = await thread_replies(bot, post)
    assert reply["text"] == messages.WITHDRAWN.format(user=USER_ID, subject=DANA, name="Dana")
    card = bot.slack.card(post["channel"], post["ts"])
    assert messages.CARD_WITHDRAWN.format(subject=DANA) in shown(card)
    [kept] = await bot.receipts()
    assert kept["decision"] == "given"  # the receipt itself is never changed
    assert (await bot.audit())[-1]["action"] == "consent_withdrawn"
    assert (await bot.audit())[-1]["actor"] == DANA


async def withdraw_as(bot: Bot, who: Someone, job_id: str, *, from_home: bool) -> str:
    """Click Withdraw consent as `who`, in the receipt's DM or on App Home: what they are told."""
    if not from_home:
        answer = await consent(who.at(bot), job_id, user=who.user, action=kit.WITHDRAW_ACTION)
        assert (answer.get("response_type"), answer.get("replace_original")) == ("ephemeral", False)
        return str(answer["text"])
    opened = len(bot.slack.modals)
    status, _ = await who.at(bot).sender.action(
        kit.WITHDRAW_ACTION, job_id, user=who.user, container={"type": "view", "view_id": "V0"}
    )
    assert status == 200
    told = await bot.slack.wait_for_modal(opened + 1)
    return str(told["blocks"][0]["text"]["text"])


@pytest.mark.parametrize("from_home", [False, True], ids=["dm", "home"])
@pytest.mark.parametrize("who", NOT_DANA)
async def test_only_the_person_shown_may_withdraw(bot: Bot, who: str, from_home: bool) -> None:
    clicker = NOT_DANA[who]
    bot.slack.admins.add(ADA)
    job, _ = await consented_training(bot)
    await delivered(bot)
    asked = len(bot.slack.called("chat.postMessage"))
    kept = await bot.receipts()

    told = await withdraw_as(bot, clicker, job["id"], from_home=from_home)

    words, why = refusal_for(clicker, messages.WITHDRAW_NOT_THEIRS.format(subject=DANA))
    assert told == words
    await delivered(bot)
    assert bot.slack.called("chat.postMessage")[asked:] == []
    assert (bot.tavus.deletes, bot.tavus.hard_deletes) == ([], [])
    assert job["replica_id"] in bot.tavus.replicas
    assert [row["status"] for row in await bot.jobs()] == ["training"]
    assert await bot.receipts() == kept
    assert await refusals(bot) == [(clicker.team or TEAM_ID, clicker.user, "withdraw", why)]


async def test_when_tavus_refuses_the_delete_nothing_changes_and_the_person_is_told(
    bot: Bot,
) -> None:
    job, _ = await consented_training(bot)
    bot.tavus.fail_next("delete", Fault(500, {"error": "try later"}))

    answer = await consent(bot, job["id"], user=DANA, action=kit.WITHDRAW_ACTION)

    assert "couldn't delete" in answer["text"]
    assert answer["response_type"] == "ephemeral"
    assert (await bot.jobs())[0]["status"] == "training"


async def test_a_withdrawal_while_the_create_is_on_its_way_asks_to_try_again(bot: Bot) -> None:
    bot.tavus.fail_next("create", Fault(delay=1.5))
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)
    await bot.tavus.wait_until(lambda: bool(bot.tavus.creates))

    answer = await consent(bot, job["id"], user=DANA, action=kit.WITHDRAW_ACTION)

    assert answer["text"] == messages.WITHDRAW_NOT_NOW
    assert bot.tavus.deletes == []


async def test_the_home_tab_lists_the_replicas_of_me_and_withdraws_from_there(bot: Bot) -> None:
    job, _ = await consented_training(bot)

    await bot.sender.event({"type": "app_home_opened", "user": DANA, "tab": "home"})
    await bot.slack.wait_for("views.publish")
    [home] = bot.slack.called("views.publish")
    assert home["user_id"] == DANA
    assert messages.HOME_OF_ME in shown(home["view"])
    assert f"Given by <@{DANA}>" in shown(home["view"])
    assert kit.WITHDRAW_ACTION in shown(home["view"])

    status, _ = await bot.sender.action(
        kit.WITHDRAW_ACTION, job["id"], user=DANA, container={"type": "view", "view_id": "V0HOME"}
    )

    assert status == 200
    await bot.slack.wait_for("views.publish", 2)
    redrawn = bot.slack.called("views.publish")[1]["view"]
    assert kit.WITHDRAW_ACTION not in shown(redrawn)
    assert bot.tavus.hard_deletes == [job["replica_id"]]
    assert (await bot.jobs())[0]["status"] == "withdrawn"


async def test_a_declined_receipt_offers_nothing_to_withdraw(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])

    answer = await consent(bot, job["id"], user=DANA, action=kit.CONSENT_DECLINE_ACTION)

    assert kit.WITHDRAW_ACTION not in shown(answer)
    again = await consent(bot, job["id"], user=DANA, action=kit.WITHDRAW_ACTION)
    assert again["text"] == messages.WITHDRAW_NOTHING


async def test_withdrawing_before_the_create_ends_the_job_without_calling_tavus(
    world: World,
) -> None:
    asking = replace(REQUEST, subject_id=DANA, subject_name="Dana Doe", intended_use="demos")
    job = await world.intake.accept(REQUESTER, asking)
    consenting = Consent(store=world.store, lifecycle=world.lifecycle, accounts=world.accounts)
    answered, queued = await consenting.answer(job, Decision.GIVEN, by=DANA)
    assert (answered, queued.status) == (Answered.TAKEN, JobStatus.QUEUED)

    outcome, withdrawn = await consenting.withdraw(queued, by=DANA)

    assert (outcome, withdrawn.status) == (Withdrawn.DONE, JobStatus.WITHDRAWN)
    assert world.tavus.creates == []
    assert world.tavus.deletes == []
    # The reconciler no longer sends it.
    world.clock.advance(minutes=5)
    await world.reconciler.round()
    assert world.tavus.creates == []


async def asking_dana(world: World, **more: Any) -> tuple[Consent, Job]:
    """A request to train Dana's replica, waiting for her consent; who takes her answer."""
    asking = replace(REQUEST, subject_id=DANA, subject_name="Dana Doe", intended_use="demos")
    job = await world.intake.accept(REQUESTER, asking)
    answers = Consent(store=world.store, lifecycle=world.lifecycle, accounts=world.accounts, **more)
    return answers, job


async def test_a_consent_whose_click_dies_before_the_create_is_sent_a_minute_later(
    world: World,
) -> None:
    answers, job = await asking_dana(world)

    answered, queued = await answers.answer(job, Decision.GIVEN, by=DANA)
    # The click's own start sends the create; here its process died first.
    await world.reconciler.round()
    sent_at_once = len(world.tavus.creates)
    world.clock.advance(ORPHAN_GRACE)
    await world.reconciler.round()

    assert (answered, queued.status) == (Answered.TAKEN, JobStatus.QUEUED)
    assert sent_at_once == 0
    assert len(world.tavus.creates) == 1


async def test_consent_given_owes_each_approver_a_request(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    answers, job = await asking_dana(world)

    _, waiting = await answers.answer(job, Decision.GIVEN, by=DANA, approvers=["U0ANN"])

    assert waiting.status is JobStatus.PENDING_APPROVAL
    assert "approval_request" in await world.owed(job.id)
    assert "no approver" not in caplog.text


async def test_approval_asked_of_nobody_is_logged_for_the_operator(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    answers, job = await asking_dana(world)

    _, waiting = await answers.answer(job, Decision.GIVEN, by=DANA, approvers=[])

    assert waiting.status is JobStatus.PENDING_APPROVAL
    assert f"job {job.id}: no approver but the requester or the person shown" in caplog.text


@pytest.mark.parametrize(
    ("status", "answered"),
    [
        (JobStatus.EXPIRED, Answered.EXPIRED),
        (JobStatus.REJECTED, Answered.GONE),
        (JobStatus.DELETED, Answered.GONE),
    ],
    ids=["expired", "saved too late", "deleted"],
)
async def test_a_click_on_a_request_that_ended_unanswered_says_how_it_ended(
    world: World, status: JobStatus, answered: Answered
) -> None:
    answers, job = await asking_dana(world)
    ended = await transition(world.store, job.id, from_=(job.status,), to=status)
    assert ended is not None

    assert await answers.answer(job, Decision.GIVEN, by=DANA) == (answered, ended)


@pytest.mark.parametrize("requester", [True, False], ids=["by requester", "of person shown"])
async def test_requests_already_over_the_limit_refuse_one_more(
    world: World, requester: bool
) -> None:
    # Two forms submitted at the very same moment may both pass: the count is then over.
    await asking_dana(world)
    limited = MostWaiting(per_requester=1, per_subject=9)
    if not requester:
        limited = MostWaiting(per_requester=9, per_subject=1)
    strict, _ = await asking_dana(world, most_waiting=limited)

    crowded = await strict.crowded(
        team_id=REQUESTER.team_id, requester_id=REQUESTER.user_id, subject_id=DANA
    )

    assert crowded == Crowded(requester=requester, count=2)


async def test_withdrawing_a_lost_create_has_it_looked_for_and_a_queued_one_not(
    world: World,
) -> None:
    answers, lost = await asking_dana(world)
    unknown = await transition(world.store, lost.id, from_=(lost.status,), to=JobStatus.UNKNOWN)
    _, queued = await answers.answer((await asking_dana(world))[1], Decision.GIVEN, by=DANA)
    assert unknown is not None

    lost_outcome, withdrawn_lost = await answers.withdraw(unknown, by=DANA)
    queued_outcome, withdrawn_queued = await answers.withdraw(queued, by=DANA)

    assert (lost_outcome, queued_outcome) == (Withdrawn.DONE, Withdrawn.DONE)

    # A create whose answer was lost may have made the replica: it is looked for, and deleted.
    assert (withdrawn_lost.status, withdrawn_lost.next_check_at) == (
        JobStatus.WITHDRAWN,
        world.clock.now,
    )
    assert (withdrawn_queued.status, withdrawn_queued.next_check_at) == (JobStatus.WITHDRAWN, None)


async def test_nothing_is_withdrawn_before_consent_nor_from_a_request_deleted_meanwhile(
    world: World,
) -> None:
    answers, waiting = await asking_dana(world)
    _, queued = await answers.answer((await asking_dana(world))[1], Decision.GIVEN, by=DANA)
    deleted = await transition(world.store, queued.id, from_=(queued.status,), to=JobStatus.DELETED)

    assert await answers.withdraw(waiting, by=DANA) == (Withdrawn.NOTHING, waiting)
    # The click saw it queued; the requester has deleted it since: it is told as it is now.
    assert await answers.withdraw(queued, by=DANA) == (Withdrawn.NOTHING, deleted)


async def test_consent_under_a_face_match_holds_the_job_for_its_match_keeping_what_it_needs(
    world: World,
) -> None:
    hold = timedelta(minutes=5)
    answers, job = await asking_dana(world, match_hold=hold)

    answered, matching = await answers.answer(
        job,
        Decision.GIVEN,
        by=DANA,
        approvers=["U0ANN"],
        face_match=Policing.WARN,
        photo="https://a.example.com/dana.jpg",
    )

    assert answered is Answered.TAKEN
    assert (matching.status, matching.next_check_at) == (
        JobStatus.MATCHING,
        world.clock.now + hold,
    )
    assert (matching.approvers, matching.profile_photo) == (
        ("U0ANN",),
        "https://a.example.com/dana.jpg",
    )
