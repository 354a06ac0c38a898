"""The database out of reach while the bot runs, on each backend: seen, refused clearly, survived.

The outage is real: on SQLite the database's folder is moved away (and the bot's pooled
connections dropped), on PostgreSQL a TCP proxy in front of the server cuts the line. What the
bot meets is the driver's own error, which its store must turn into StoreUnavailable.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import STORE
from bot.ops.metrics_http import PATH as METRICS_PATH
from bot.slack.blocks import form
from tests.conftest import Bot, Launch
from tests.flows import VIDEO, delivered, open_form, start_training, thread_replies
from tests.slack_client import filled
from tests.standins.tcp_proxy import TcpProxy
from tests.store_helpers import FolderAway, LineCut, Outage, alone_in_a_folder, behind_a_proxy

METRICS_TOKEN = "a-metrics-token-long-enough"


@dataclass
class Reach:
    """Where the bot's database is, and the proxy in front of it (PostgreSQL)."""

    url: str
    proxy: TcpProxy | None = None

    def outage(self, bot: Bot) -> Outage:
        """A way to put the running bot's database out of reach, and back."""
        if self.proxy is not None:
            return LineCut(self.proxy)
        assert bot.runner is not None
        return FolderAway(self.url, bot.runner.app[STORE])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def reach(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Reach]:
    if request.param == "sqlite":
        yield Reach(alone_in_a_folder(tmp_path / "data"))
        return
    server: str = request.getfixturevalue("postgres_server")
    async with behind_a_proxy(server) as (through, proxy):
        yield Reach(through.set(drivername="postgresql").render_as_string(False), proxy)


@pytest.fixture
def database_url(reach: Reach) -> str:
    return reach.url


async def health(bot: Bot) -> int:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        return response.status


async def store_up(bot: Bot) -> float | None:
    """What /metrics says of the database: 1 up, 0 out of reach (the real snapshot, scraped)."""
    headers = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bot.url}{METRICS_PATH}", headers=headers) as answer,
    ):
        families = text_string_to_metric_families(await answer.text())
    return next(
        (s.value for f in families for s in f.samples if s.name == "store_up"),
        None,
    )


async def test_a_database_outage_is_visible_refused_clearly_and_survived(
    launch: Launch, reach: Reach
) -> None:
    bot = await launch(database_timeout=1, metrics_token=METRICS_TOKEN)
    outage = reach.outage(bot)
    assert await health(bot) == 200
    assert await store_up(bot) == 1

    opened_before = await open_form(bot)

    await outage.cut()

    assert await health(bot) == 503
    assert await store_up(bot) == 0
    # Without the database the workspace's policy cannot be read: no form opens, and says why.
    opened = len(bot.slack.modals)
    assert await bot.sender.command() == (200, "")
    refused = await bot.slack.wait_for_modal(opened + 1)
    assert "callback_id" not in refused  # no form
    assert "try again" in json.dumps(refused)
    # A form opened before the outage is refused on submit, under its first field.
    status, answer = await bot.sender.submit(
        filled(
            opened_before,
            **{
                form.NAME: "Dana",
                form.VIDEO: VIDEO,
                form.CONSENT: True,
                form.USE: "sales demo videos",
            },
        )
    )
    assert status == 200
    assert answer["response_action"] == "errors"
    assert "try again" in answer["errors"][form.NAME]
    assert bot.tavus.creates == []

    outage.restore()

    assert await health(bot) == 200
    assert await store_up(bot) == 1
    post = await start_training(bot)
    assert "Dana" in post["text"]


async def test_a_callback_during_an_outage_is_refused_and_its_redelivery_settles(
    launch: Launch, reach: Reach
) -> None:
    bot = await launch(database_timeout=1)
    outage = reach.outage(bot)
    post = await start_training(bot)
    [job] = await bot.jobs()
    body = bot.tavus.finish(job["replica_id"])

    await outage.cut()
    status, _ = await bot.tavus.call_back(job["replica_id"], body)
    assert status == 503  # Tavus is asked to send it again
    outage.restore()
    status, _ = await bot.tavus.call_back(job["replica_id"], body)

    assert status == 200
    await delivered(bot)
    assert len(await thread_replies(bot, post)) == 1
