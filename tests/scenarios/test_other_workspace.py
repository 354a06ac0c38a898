"""Buttons clicked from another workspace than their job's (a shared channel): refused, unchanged.

The bot serves one workspace here; the clicks come signed as Slack sends them from a second
one sharing the channel, by the same user ids (as in Enterprise Grid) and by its admins.
"""

from __future__ import annotations

import json
from typing import Any

from bot import messages
from bot.slack.blocks import form, kit
from tests.conftest import Bot
from tests.flows import (
    as_workspace,
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    refusals,
    start_training,
    thread_replies,
)
from tests.slack_client import USER_ID

OTHER_TEAM = "T0OTHER"
DANA = "U0DANA"  # the person shown
ADA = "U0ADA"  # an admin (Slack's stand-in says so whichever workspace asks)


async def job_of(bot: Bot, job_id: str) -> dict[str, Any]:
    return next(job for job in await bot.jobs() if job["id"] == job_id)


# Consent, withdrawal and approval clicked from another workspace: with everyone else who may
# not make them, in test_consent.py and test_approval.py.


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
