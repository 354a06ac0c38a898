"""Fixtures: stand-ins for Slack and Tavus, and the real bot application served over HTTP."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import create_app
from bot.config import Settings, load_settings
from bot.store.schema import audit, jobs, notices, receipts, relays
from tests import postgres
from tests.domain import World, world_on
from tests.slack_client import SIGNING_SECRET, SlackSender
from tests.standins.media import MediaStandIn
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """An async SQLAlchemy URL of a PostgreSQL database: TEST_POSTGRES_URL, or a server started
    for this run (once, at the first test that asks) and stopped at its end; skips without one."""
    if given := os.environ.get("TEST_POSTGRES_URL"):
        yield given
        return
    programs = postgres.programs()
    if programs is None:
        pytest.skip(f"{postgres.NOT_RUN}: {postgres.HOW}")
    server = postgres.Throwaway(programs)
    try:
        server.start()
        yield server.url
    finally:
        server.stop()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say plainly, at the end, how many PostgreSQL tests did not run and how to run them."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if postgres.NOT_RUN in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} PostgreSQL test{'s' if len(skipped) > 1 else ''} did not run: "
            f"{postgres.HOW}",
            yellow=True,
            bold=True,
        )


@pytest.fixture
async def slack(request: pytest.FixtureRequest) -> AsyncIterator[SlackStandIn]:
    standin = SlackStandIn()
    await standin.start()
    yield standin
    try:
        # A message Slack refuses fails the test that sent it, even when the bot gave up on it
        # quietly; a test about refusals marks itself slack_refuses, or empties the list.
        if request.node.get_closest_marker("slack_refuses") is None and standin.refused_blocks:
            pytest.fail(f"Slack refused the bot's Block Kit: {standin.refused_blocks}")
    finally:
        await standin.stop()


@pytest.fixture
async def tavus() -> AsyncIterator[TavusStandIn]:
    standin = TavusStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
async def media() -> AsyncIterator[MediaStandIn]:
    standin = MediaStandIn()
    await standin.start()
    yield standin
    await standin.stop()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def world(database_url: str, tavus: TavusStandIn) -> AsyncIterator[World]:
    """The domain (intake, callbacks, reconciler) on a real store, without Slack."""
    async with world_on(database_url, tavus) as made:
        yield made


@pytest.fixture
def base_settings(slack: SlackStandIn, tavus: TavusStandIn, database_url: str) -> dict[str, Any]:
    """The settings every test bot gets; a test overrides what it is about."""
    return {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "tavus_api_key": API_KEY,
        "public_url": f"http://127.0.0.1:{unused_port()}",
        "database_url": database_url,
        "slack_api_url": slack.api_url,
        "tavus_api_url": tavus.url,
        "tavus_timeout": 2,
        "slack_timeout": 2,
        # The tests' links are example.com addresses nobody serves: the link checks have their
        # own tests, against the media stand-in (tests/scenarios/test_preflight.py).
        "media_check_links": False,
        # The same links, looked into after the save: the media check has its own tests, on
        # real files the media stand-in serves (tests/scenarios/test_media_check_flow.py).
        "media_check": False,
    }


@pytest.fixture
def settings(
    base_settings: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    # A developer's own .env must not leak into the tests.
    monkeypatch.chdir(tmp_path)
    return load_settings(**base_settings)


@dataclass
class Bot:
    """A running bot, and ways to reach it and look inside its database."""

    url: str
    settings: Settings
    slack: SlackStandIn
    tavus: TavusStandIn
    sender: SlackSender
    # The in-process server, if the bot runs in this process.
    runner: web.AppRunner | None = field(default=None, repr=False)

    async def stop(self) -> None:
        """Shut the bot down as SIGTERM would."""
        if self.runner is not None:
            runner, self.runner = self.runner, None
            await runner.cleanup()

    async def jobs(self) -> list[dict[str, Any]]:
        """Every stored job row, oldest first."""
        return await self._rows(select(jobs).order_by(jobs.c.created_at))

    async def notices(self) -> list[dict[str, Any]]:
        """Every owed or delivered notice, oldest first."""
        return await self._rows(select(notices).order_by(notices.c.created_at))

    async def audit(self) -> list[dict[str, Any]]:
        """Every audit record, oldest first."""
        return await self._rows(select(audit).order_by(audit.c.seq))

    async def relays(self) -> list[dict[str, Any]]:
        """How far each copy of the audit log has been owed."""
        return await self._rows(select(relays))

    async def receipts(self) -> list[dict[str, Any]]:
        """Every consent receipt."""
        return await self._rows(select(receipts))

    async def rows(self, table: Any) -> list[dict[str, Any]]:
        """Every row of one table."""
        return await self._rows(select(table))

    async def _rows(self, statement: Any) -> list[dict[str, Any]]:
        engine = create_async_engine(self.settings.sqlalchemy_url)
        try:
            async with engine.connect() as connection:
                return [dict(row._mapping) for row in await connection.execute(statement)]
        finally:
            await engine.dispose()


Launch = Callable[..., Awaitable[Bot]]


@pytest.fixture
async def launch(
    settings: Settings, slack: SlackStandIn, tavus: TavusStandIn
) -> AsyncIterator[Launch]:
    """Start a bot (again) on the test's database and port; settings may be overridden."""
    running: list[Bot] = []

    async def start(**overrides: Any) -> Bot:
        chosen = settings.model_copy(update=overrides) if overrides else settings
        port = int(str(settings.public_url).rstrip("/").rsplit(":", 1)[1])
        runner = web.AppRunner(await create_app(chosen), shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        url = f"http://127.0.0.1:{port}"
        sender = SlackSender(
            f"{url}/slack/events", respond_to=f"{slack.url}/respond", triggers=slack.trigger
        )
        bot = Bot(url, chosen, slack, tavus, sender, runner)
        running.append(bot)
        return bot

    yield start
    for bot in running:
        await bot.stop()


@pytest.fixture
async def bot(launch: Launch) -> Bot:
    return await launch()
