"""Fixtures: stand-ins for Slack and Tavus, and the real bot application served over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_app
from bot.config import Settings, load_settings
from bot.store.schema import jobs
from tests.slack_client import SIGNING_SECRET, SlackSender
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn


@pytest.fixture
async def slack() -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
async def tavus() -> AsyncIterator[TavusStandIn]:
    standin = TavusStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
def settings(
    slack: SlackStandIn,
    tavus: TavusStandIn,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    # A developer's own .env must not leak into the tests.
    monkeypatch.chdir(tmp_path)
    return load_settings(
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        tavus_api_key=API_KEY,
        public_url=f"http://127.0.0.1:{unused_port()}",
        database_url=database_url,
        slack_api_url=slack.api_url,
        tavus_api_url=tavus.url,
        tavus_timeout=2,
    )


@dataclass
class Bot:
    """The running bot, and ways to reach it and look inside its database."""

    url: str
    settings: Settings
    slack: SlackStandIn
    tavus: TavusStandIn
    sender: SlackSender

    async def jobs(self) -> list[dict[str, Any]]:
        """Every stored job row, oldest first."""
        engine = create_async_engine(self.settings.sqlalchemy_url)
        try:
            async with engine.connect() as connection:
                result = await connection.execute(select(jobs).order_by(jobs.c.created_at))
                return [dict(row._mapping) for row in result]
        finally:
            await engine.dispose()


@pytest.fixture
async def bot(settings: Settings, slack: SlackStandIn, tavus: TavusStandIn) -> AsyncIterator[Bot]:
    port = int(str(settings.public_url).rstrip("/").rsplit(":", 1)[1])
    runner = web.AppRunner(await create_app(settings), shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    url = f"http://127.0.0.1:{port}"
    yield Bot(url, settings, slack, tavus, SlackSender(f"{url}/slack/events"))
    await runner.cleanup()
