"""Restarts of the real process: SIGTERM and SIGKILL between the create and the callback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import HELP, Settings
from tests.conftest import Bot
from tests.flows import delivered, start_training, thread_replies
from tests.slack_client import SlackSender
from tests.standins.server import Fault
from tests.standins.slack import SlackStandIn
from tests.standins.tavus import TavusStandIn


class BotProcess:
    """`python -m bot` in a child process, configured through its environment."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self._env = env
        self._cwd = cwd
        self.process: asyncio.subprocess.Process | None = None

    async def start(self, port: int) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=self._cwd, env=self._env
        )
        async with asyncio.timeout(30), aiohttp.ClientSession() as session:
            while not await _healthy(session, port):
                assert self.process.returncode is None, "the bot exited before serving"
                await asyncio.sleep(0.1)

    async def stop(self, sig: signal.Signals) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        async with asyncio.timeout(30):
            return await self.process.wait()


async def _healthy(session: aiohttp.ClientSession, port: int) -> bool:
    try:
        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


Start = Callable[[], Awaitable[BotProcess]]


@pytest.fixture
async def bot_process(
    settings: Settings, slack: SlackStandIn, tavus: TavusStandIn, tmp_path: Path
) -> AsyncIterator[tuple[Bot, Start]]:
    """A Bot handle whose `start` launches a fresh process on the same database and port."""
    port = int(str(settings.public_url).rstrip("/").rsplit(":", 1)[1])
    env = {k: v for k, v in os.environ.items() if k.lower() not in HELP}
    env.update(_environment(settings.model_dump(), port))
    processes: list[BotProcess] = []

    async def start() -> BotProcess:
        process = BotProcess(env, tmp_path)
        await process.start(port)
        processes.append(process)
        return process

    url = f"http://127.0.0.1:{port}"
    yield Bot(url, settings, slack, tavus, SlackSender(f"{url}/slack/events")), start
    for process in processes:
        if process.process is not None and process.process.returncode is None:
            process.process.kill()
            await process.process.wait()


def _environment(values: dict[str, Any], port: int) -> dict[str, str]:
    env = {
        name.upper(): str(value)
        for name, value in values.items()
        if value is not None and name != "tavus_models"
    }
    env["TAVUS_MODELS"] = ",".join(values["tavus_models"])
    env["PORT"] = str(port)
    return env


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
