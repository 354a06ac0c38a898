"""Talk to it: the ready result's button opens one Tavus conversation, privately, if allowed."""

from __future__ import annotations

import asyncio
import json

from bot.slack.blocks.kit import TALK_ACTION
from tests.conftest import Bot
from tests.flows import click, start_training, thread_replies
from tests.standins.server import Fault


async def ready(bot: Bot) -> tuple[str, str]:
    """A replica trained and its result posted: the job id and the replica id."""
    announcement = await start_training(bot)
    [replica_id] = list(bot.tavus.replicas)
    await bot.tavus.call_back(replica_id, bot.tavus.finish(replica_id))
    async with asyncio.timeout(10):
        while not await thread_replies(bot, announcement):
            await asyncio.sleep(0.05)
    [job] = await bot.jobs()
    return job["id"], replica_id


async def test_the_ready_result_offers_talk_to_it(bot: Bot) -> None:
    announcement = await start_training(bot)
    [replica_id] = list(bot.tavus.replicas)
    await bot.tavus.call_back(replica_id, bot.tavus.finish(replica_id))
    async with asyncio.timeout(10):
        while not (replies := await thread_replies(bot, announcement)):
            await asyncio.sleep(0.05)

    assert TALK_ACTION in json.dumps(replies[-1]["blocks"])


async def test_the_requester_gets_a_private_room_said_to_be_an_ai_replica(bot: Bot) -> None:
    job_id, replica_id = await ready(bot)

    answer = await click(bot, TALK_ACTION, job_id)

    [opened] = bot.tavus.conversations
    assert opened["replica_id"] == replica_id
    assert answer["response_type"] == "ephemeral"
    assert opened["conversation_url"] in answer["text"]
    assert "AI-generated replica" in answer["text"]


async def test_a_double_click_opens_one_conversation_and_both_get_its_link(bot: Bot) -> None:
    job_id, _ = await ready(bot)
    bot.tavus.fail_next("converse", Fault(delay=0.5))  # Tavus takes its time to answer

    first, second = await asyncio.gather(
        click(bot, TALK_ACTION, job_id), click(bot, TALK_ACTION, job_id)
    )

    [opened] = bot.tavus.conversations
    assert len(bot.tavus.conversation_requests) == 1
    assert opened["conversation_url"] in first["text"]
    assert opened["conversation_url"] in second["text"]


async def test_anyone_else_is_refused_privately_and_nothing_opens(bot: Bot) -> None:
    job_id, _ = await ready(bot)

    answer = await click(bot, TALK_ACTION, job_id, user="U0STRANGER")

    assert answer["response_type"] == "ephemeral"
    assert "Only whoever asked for" in answer["text"]
    assert bot.tavus.conversation_requests == []


async def test_an_admin_may_talk_to_it(bot: Bot) -> None:
    job_id, _ = await ready(bot)
    bot.slack.admins.add("U0ADMIN")

    answer = await click(bot, TALK_ACTION, job_id, user="U0ADMIN")

    assert "tavus.daily.co" in answer["text"]
    assert bot.tavus.conversation_requests[0]["replica_id"] in bot.tavus.replicas


async def test_tavus_refusing_is_told_in_plain_words_and_a_retry_opens_one(bot: Bot) -> None:
    job_id, _ = await ready(bot)
    bot.tavus.fail_next("converse", Fault(402, {"message": "Out of conversational credits"}))

    refused = await click(bot, TALK_ACTION, job_id)
    retried = await click(bot, TALK_ACTION, job_id)

    assert "Out of conversational credits" in refused["text"]
    assert "plan and credits" in refused["text"]
    assert len(bot.tavus.conversations) == 1
    assert bot.tavus.conversations[0]["conversation_url"] in retried["text"]


async def test_an_answer_tavus_lost_opens_no_second_room_for_a_while(bot: Bot) -> None:
    job_id, _ = await ready(bot)
    bot.tavus.fail_next("converse", Fault(delay=3))  # beyond TAVUS_TIMEOUT: no answer

    lost = await click(bot, TALK_ACTION, job_id)
    await bot.sender.action(TALK_ACTION, job_id)  # waits for the room it may be opening
    key = bot.sender.last_response_key
    await bot.slack.wait_until(lambda: bool(bot.slack.responses[key]), within=20)
    [again] = bot.slack.responses[key]

    assert "Tavus did not answer in time" in lost["text"]
    assert "Tavus did not answer in time" in again["text"]
    assert len(bot.tavus.conversation_requests) == 1  # Tavus may have opened one: not asked again
