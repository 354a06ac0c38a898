"""Restarts of the real process: SIGTERM and SIGKILL between the create and the callback."""

from __future__ import annotations

import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import Bot
from tests.flows import (
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    start_training,
    thread_replies,
)
from tests.processes import BotProcess, environment_of
from tests.slack_client import CHANNEL_ID, SlackSender
from tests.standins.server import Fault
from tests.standins.slack import SlackStandIn
from tests.standins.tavus import TavusStandIn

Start = Callable[[], Awaitable[BotProcess]]


@pytest.fixture
async def bot_process(
    settings: Settings, slack: SlackStandIn, tavus: TavusStandIn, tmp_path: Path
) -> AsyncIterator[tuple[Bot, Start]]:
    """A Bot handle whose `start` launches a fresh process on the same database and port."""
    port = int(str(settings.public_url).rstrip("/").rsplit(":", 1)[1])
    env = environment_of(settings.model_dump(), port)
    processes: list[BotProcess] = []

    async def start() -> BotProcess:
        process = BotProcess(env, tmp_path, port)
        await process.start()
        processes.append(process)
        return process

    url = f"http://127.0.0.1:{port}"
    yield (
        Bot(
            url,
            settings,
            slack,
            tavus,
            SlackSender(
                f"{url}/slack/events", respond_to=f"{slack.url}/respond", triggers=slack.trigger
            ),
        ),
        start,
    )
    for process in processes:
        await process.kill()


async def test_sigterm_between_create_and_callback_loses_nothing(
    bot_process: tuple[Bot, Start],
) -> None:
    bot, start = bot_process
    process = await start()
    post = await start_training(bot)

    assert await process.stop(signal.SIGTERM) == 0
    await start()
    [job] = await bot.jobs()
    status, _ = await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))

    assert status == 200
    await delivered(bot)
    [reply] = await thread_replies(bot, post)
    assert "ready" in reply["text"]
    assert len(bot.slack.posts(CHANNEL_ID)) == 2


async def test_sigkill_with_the_announcement_still_owed_loses_nothing(
    bot_process: tuple[Bot, Start],
) -> None:
    bot, start = bot_process
    process = await start()
    # Slack is failing: the announcement is owed, not yet delivered, when the process dies.
    bot.slack.fail_next(
        "chat.postMessage", Fault(503, {"ok": False}), times=1000, channel=CHANNEL_ID
    )
    await start_training(bot, announced=False)
    await bot.slack.wait_until(lambda: bot.slack.answers("chat.postMessage", 503) >= 1)

    assert await process.stop(signal.SIGKILL) == -signal.SIGKILL
    bot.slack.clear_faults()
    await start()
    await bot.slack.wait_for_posts(1, within=60, channel=CHANNEL_ID)
    [job] = await bot.jobs()
    status, _ = await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))

    assert status == 200
    await delivered(bot, within=30)
    [post, reply] = bot.slack.posts(CHANNEL_ID)
    assert reply["thread_ts"] == post["ts"]
    assert "ready" in reply["text"]


async def test_sigterm_while_a_create_is_unanswered_never_calls_it_refused(
    settings: Settings, slack: SlackStandIn, tavus: TavusStandIn, tmp_path: Path
) -> None:
    port = int(str(settings.public_url).rstrip("/").rsplit(":", 1)[1])
    env = environment_of({**settings.model_dump(), "shutdown_grace": 1, "tavus_timeout": 30}, port)
    process = BotProcess(env, tmp_path, port)
    url = f"http://127.0.0.1:{port}"
    bot = Bot(
        url,
        settings,
        slack,
        tavus,
        SlackSender(
            f"{url}/slack/events", respond_to=f"{slack.url}/respond", triggers=slack.trigger
        ),
    )
    try:
        await process.start()
        # Tavus makes the replica but answers only after the bot has been told to stop.
        tavus.fail_next("create", Fault(delay=4))
        job = await ask_for_consent(bot)
        await consent_request_of(bot, job["id"])
        await consent(bot, job["id"])
        await tavus.wait_until(lambda: bool(tavus.creates))

        assert await process.stop(signal.SIGTERM) == 0
        [job] = await bot.jobs()
        assert job["status"] == "creating"  # open, not "rejected": Tavus may have it
        # The requester was not told it was refused (and so to try again).
        assert not [p for p in slack.posts() if "was not created" in p["text"]]

        await tavus.wait_until(lambda: bool(tavus.replicas), within=10)
        await process.start()
        [replica_id] = tavus.replicas
        status, _ = await tavus.call_back(replica_id, tavus.finish(replica_id))
        assert status == 200
        await delivered(bot, within=20)
        [post, reply] = slack.posts(CHANNEL_ID)
        assert reply["thread_ts"] == post["ts"]
        assert "ready" in reply["text"]
    finally:
        await process.kill()


async def test_sigterm_right_after_slash_command_still_opens_the_form(
    bot_process: tuple[Bot, Start],
) -> None:
    bot, start = bot_process
    process = await start()
    # Slack answers views.open slowly: the stop must wait for the form, not drop it.
    bot.slack.fail_next("views.open", Fault(delay=1.0))
    status, _ = await bot.sender.command()
    assert status == 200

    assert await process.stop(signal.SIGTERM) == 0
    stopped = time.monotonic()

    [opened] = [call for call in bot.slack.calls if call.method == "views.open"]
    assert opened.args["_ok"]
    assert opened.at < stopped  # answered while the process was still there to hear it
