"""Buttons clicked from another workspace than their job's (a shared channel): refused, unchanged.

The bot serves one workspace here; the clicks come signed as Slack sends them from a second
one sharing the channel, by the same user ids (as in Enterprise Grid) and by its admins.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import messages
from bot.slack.blocks import form, kit
from tests.conftest import Bot, Launch
from tests.flows import (
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    press,
    start_training,
    thread_replies,
)
from tests.scenarios.test_approval import ANN, approval_requests, asked_approval
from tests.scenarios.test_workspaces import as_workspace
from tests.slack_client import USER_ID

OTHER_TEAM = "T0OTHER"
DANA = "U0DANA"  # the person shown
ADA = "U0ADA"  # an admin (Slack's stand-in says so whichever workspace asks)


async def job_of(bot: Bot, job_id: str) -> dict[str, Any]:
    return next(job for job in await bot.jobs() if job["id"] == job_id)


async def refusals(bot: Bot) -> list[tuple[str, str, str]]:
    """Each refusal on record: its workspace, who, and what they were refused."""
    rows = [row for row in await bot.audit() if row["action"] == "refused"]
    return [(row["team_id"], row["actor"], json.loads(row["details"])["what"]) for row in rows]


@pytest.mark.parametrize("action", [kit.CONSENT_GIVE_ACTION, kit.CONSENT_DECLINE_ACTION])
async def test_consent_from_another_workspace_is_refused_on_record(bot: Bot, action: str) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    request = await consent_request_of(bot, job["id"])
    outsider = as_workspace(bot, OTHER_TEAM)

    answer = await press(outsider, request, action, job["id"], user=DANA)

    assert (answer["text"], answer["response_type"]) == (messages.OTHER_WORKSPACE, "ephemeral")
    assert (await job_of(bot, job["id"]))["status"] == "awaiting_consent"
    assert await bot.receipts() == []
    assert bot.tavus.creates == []
    assert await refusals(bot) == [(OTHER_TEAM, DANA, "consent")]


@pytest.mark.parametrize("action", [kit.APPROVE_ACTION, kit.REJECT_ACTION])
async def test_an_approver_in_another_workspace_decides_nothing(
    launch: Launch, action: str
) -> None:
    bot = await launch(replica_approvers=(ANN,))
    job, [request] = await asked_approval(bot)
    outsider = as_workspace(bot, OTHER_TEAM)

    answer = await press(outsider, request, action, job["id"], user=ANN)

    assert answer["text"] == messages.OTHER_WORKSPACE
    assert (await job_of(bot, job["id"]))["status"] == "pending_approval"
    assert bot.tavus.creates == []
    assert await refusals(bot) == [(OTHER_TEAM, ANN, "approve")]
    await delivered(bot)
    assert kit.APPROVE_ACTION in json.dumps(approval_requests(bot, job["id"])[0]["blocks"])


@pytest.mark.parametrize("container", [None, {"type": "view", "view_id": "V0HOME"}])
async def test_withdrawing_from_another_workspace_deletes_nothing(
    bot: Bot, container: dict[str, Any] | None
) -> None:
    await start_training(bot)  # of USER_ID, who consented
    [job] = await bot.jobs()
    outsider = as_workspace(bot, OTHER_TEAM)
    opened = len(bot.slack.modals)

    status, _ = await outsider.sender.action(
        kit.WITHDRAW_ACTION, job["id"], user=USER_ID, container=container
    )

    assert status == 200
    if container is None:
        answer = await bot.slack.wait_for_response(outsider.sender.last_response_key)
        assert answer["text"] == messages.OTHER_WORKSPACE
    else:
        shown = await bot.slack.wait_for_modal(opened + 1)
        assert shown["blocks"][0]["text"]["text"] == messages.OTHER_WORKSPACE
    assert bot.tavus.deletes == []
    assert (await job_of(bot, job["id"]))["status"] == "training"
    assert await refusals(bot) == [(OTHER_TEAM, USER_ID, "withdraw")]


async def test_an_admin_of_another_workspace_neither_deletes_nor_talks(bot: Bot) -> None:
    post = await start_training(bot)
    [job] = await bot.jobs()
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    await delivered(bot)
    assert await thread_replies(bot, post)
    bot.slack.admins.add(ADA)
    outsider = as_workspace(bot, OTHER_TEAM)

    for action in (kit.DELETE_ACTION, kit.TALK_ACTION):
        status, _ = await outsider.sender.action(action, job["id"], user=ADA)
        assert status == 200
        answer = await bot.slack.wait_for_response(outsider.sender.last_response_key)
        assert answer["text"] == messages.OTHER_WORKSPACE, action

    assert bot.tavus.deletes == []
    assert bot.tavus.conversation_requests == []
    assert (await job_of(bot, job["id"]))["status"] == "ready"


async def test_try_again_from_another_workspace_opens_no_form(bot: Bot) -> None:
    post = await start_training(bot)
    [job] = await bot.jobs()
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"], "No luck"))
    await delivered(bot)
    assert await thread_replies(bot, post)
    outsider = as_workspace(bot, OTHER_TEAM)
    opened = len(bot.slack.modals)

    # Its own requester, by the same user id, in the other workspace.
    status, _ = await outsider.sender.action(kit.RETRY_ACTION, job["id"], user=USER_ID)

    assert status == 200
    shown = await bot.slack.wait_for_modal(opened + 1)
    assert shown["blocks"][0]["text"]["text"] == messages.OTHER_WORKSPACE
    assert "callback_id" not in shown
    assert "cdn.example.com" not in json.dumps(bot.slack.modal(opened))


async def test_the_same_clicks_from_the_jobs_own_workspace_still_work(bot: Bot) -> None:
    job = await ask_for_consent(bot, **{form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])

    answer = await consent(bot, job["id"], user=DANA)

    assert answer["text"] != messages.OTHER_WORKSPACE
    await bot.tavus.wait_until(lambda: len(bot.tavus.creates) == 1)
    assert await refusals(bot) == []
