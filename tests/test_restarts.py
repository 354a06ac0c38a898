"""Restarts of the real process: SIGTERM and SIGKILL between the create and the callback."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from bot.config import Settings
from tests.conftest import Bot
from tests.flows import delivered, start_training, thread_replies
from tests.processes import BotProcess, environment_of
from tests.slack_client import SlackSender
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
    yield Bot(url, settings, slack, tavus, SlackSender(f"{url}/slack/events")), start
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
    assert len(bot.slack.posts()) == 2


async def test_sigkill_with_the_announcement_still_owed_loses_nothing(
    bot_process: tuple[Bot, Start],
) -> None:
    bot, start = bot_process
    process = await start()
    # Slack is failing: the announcement is owed, not yet delivered, when the process dies.
    bot.slack.fail_next("chat.postMessage", Fault(503, {"ok": False}), times=1000)
    await start_training(bot, announced=False)
    await bot.slack.wait_until(lambda: bot.slack.answers("chat.postMessage", 503) >= 1)

    assert await process.stop(signal.SIGKILL) == -signal.SIGKILL
    bot.slack.clear_faults()
    await start()
    await bot.slack.wait_for_posts(1, within=60)
    [job] = await bot.jobs()
    status, _ = await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))

    assert status == 200
    await delivered(bot, within=30)
    [post, reply] = bot.slack.posts()
    assert reply["thread_ts"] == post["ts"]
    assert "ready" in reply["text"]
