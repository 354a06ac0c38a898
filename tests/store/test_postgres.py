"""Several instances on one PostgreSQL (a database outage, on either backend: test_outage.py)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp.test_utils import unused_port
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.jobs import new_id
from bot.slack.blocks import form
from tests.conftest import Bot
from tests.flows import (
    VIDEO,
    consent,
    consent_request_of,
    delivered,
    open_form,
    settled_create,
    start_training,
    thread_replies,
)
from tests.processes import BotProcess, environment_of
from tests.recordings import recording
from tests.slack_client import SlackSender, filled
from tests.standins.media import MediaStandIn
from tests.standins.slack import SlackStandIn
from tests.standins.tavus import TavusStandIn

pytestmark = pytest.mark.postgres


@pytest.fixture
async def database(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty database on the test server; its URL as DATABASE_URL takes it."""
    url = make_url(postgres_server)
    name = f"replica_bot_{new_id()}"
    admin = await asyncpg.connect(
        user=url.username, host=url.host, port=url.port, database=url.database
    )
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(drivername="postgresql", database=name).render_as_string(False)
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def test_two_instances_share_one_database_and_reply_once_per_job(
    settings: Settings,
    database: str,
    slack: SlackStandIn,
    tavus: TavusStandIn,
    tmp_path: Path,
) -> None:
    ports = [int(str(settings.public_url).rstrip("/").rsplit(":", 1)[1]), unused_port()]
    shared = {
        **settings.model_dump(),
        "database_url": database,
        "tavus_poll_interval": 0.3,
        # Five requests wait for the same person's consent at once: more than the default.
        "consent_waiting_per_subject": 5,
    }
    instances = [BotProcess(environment_of(shared, port), tmp_path, port) for port in ports]
    handles = [
        Bot(
            f"http://127.0.0.1:{port}",
            settings.model_copy(update=shared),
            slack,
            tavus,
            SlackSender(
                f"http://127.0.0.1:{port}/slack/events",
                respond_to=f"{slack.url}/respond",
                triggers=slack.trigger,
            ),
        )
        for port in ports
    ]
    try:
        await asyncio.gather(*(instance.start() for instance in instances))
        await _five_jobs_across_both(handles)
        jobs = await handles[0].jobs()
        assert len(jobs) == 5
        await _callbacks_to_both_at_once(handles, jobs)
        notices = await delivered(handles[0], within=30)
        # Cards redrawn as consent came and training began are left out: they post nothing.
        kinds = sorted(n["kind"] for n in notices if n["kind"] != "card")
        assert kinds == ["announcement"] * 5 + ["consent_request"] * 5 + ["result"] * 5
        announcements = [p for p in in_channels(slack) if "thread_ts" not in p]
        for post in announcements:
            assert len(await thread_replies(handles[0], post)) == 1
        assert len(in_channels(slack)) == 10

        # Both restarted, both still serving.
        for instance in instances:
            assert await instance.stop(signal.SIGTERM) == 0
        await asyncio.gather(*(instance.start() for instance in instances))
        post = await start_training(handles[1], "C0AFTER")
        [job] = [j for j in await handles[0].jobs() if j["channel_id"] == "C0AFTER"]
        tavus.finish(job["replica_id"])
        await slack.wait_until(lambda: len(in_channels(slack)) >= 12, within=30)
        assert len(await thread_replies(handles[0], post)) == 1
    finally:
        for instance in instances:
            await instance.kill()


async def test_a_media_check_cut_off_on_one_instance_is_run_once_by_the_others(
    settings: Settings,
    database: str,
    slack: SlackStandIn,
    tavus: TavusStandIn,
    media: MediaStandIn,
    tmp_path: Path,
) -> None:
    ports = [int(str(settings.public_url).rstrip("/").rsplit(":", 1)[1]), unused_port()]
    shared = {
        **settings.model_dump(),
        "database_url": database,
        "tavus_poll_interval": 0.3,  # the reconciler's rounds come as often
        "media_check": True,
        "media_allow_private_hosts": True,  # the media stand-in is on loopback
        "shutdown_grace": 0.2,
    }
    instances = [BotProcess(environment_of(shared, port), tmp_path, port) for port in ports]
    handles = [
        Bot(
            f"http://127.0.0.1:{port}",
            settings.model_copy(update=shared),
            slack,
            tavus,
            SlackSender(
                f"http://127.0.0.1:{port}/slack/events",
                respond_to=f"{slack.url}/respond",
                triggers=slack.trigger,
            ),
        )
        for port in ports
    ]
    # A host that holds the first instance's check until it is stopped.
    url = media.put("dana.mp4", recording(), "video/mp4", delay=60)
    try:
        await asyncio.gather(*(instance.start() for instance in instances))
        view = await open_form(handles[0])
        values = {form.NAME: "Dana", form.VIDEO: url, form.CONSENT: True, form.USE: "demos"}
        status, answer = await handles[0].sender.submit(filled(view, **values))
        assert (status, answer["response_action"]) == (200, "update")
        [job] = await handles[0].jobs()
        await media.wait_until(lambda: any(r["path"] == "dana.mp4" for r in media.requests))

        assert await instances[0].stop(signal.SIGTERM) == 0
        media.served["dana.mp4"].delay = 0
        await instances[0].start()  # both up again: either may take the check handed back
        await consent_request_of(handles[1], job["id"], within=60)
        notices = await delivered(handles[1], within=30)
        await asyncio.sleep(1)  # long enough for a second check to have posted, were there one

        kinds = sorted(n["kind"] for n in notices if n["kind"] != "card")
        assert kinds == ["announcement", "consent_request", "media_checked"]
        assert len([p for p in slack.posts() if p["channel"] == "D" + job["user_id"]]) == 1
        [checked] = await handles[0].jobs()
        assert checked["status"] == "awaiting_consent"
    finally:
        for instance in instances:
            await instance.kill()


async def _five_jobs_across_both(handles: list[Bot]) -> None:
    # Any instance may get any request: the command goes to one, the submission to the other.
    slack = handles[0].slack
    for n in range(5):
        opened = len(slack.modals)
        status, _ = await handles[n % 2].sender.post(
            handles[n % 2].sender.command_body(channel=f"C0TEAM{n}")
        )
        assert status == 200
        view = await slack.wait_for_modal(opened + 1)
        values = {
            form.NAME: f"Dana {n}",
            form.VIDEO: VIDEO,
            form.CONSENT: True,
            form.USE: "sales demo videos",
        }
        status, answer = await handles[(n + 1) % 2].sender.submit(filled(view, **values))
        assert (status, answer["response_action"]) == (200, "update")
    # Each asked the person shown in a DM; their consent, too, reaches either instance.
    for n, job in enumerate(await handles[0].jobs()):
        await consent_request_of(handles[0], job["id"], within=30)
        await consent(handles[n % 2], job["id"])
        await settled_create(handles[0], job["id"], within=30)
    await slack.wait_until(lambda: len(in_channels(slack)) >= 5, within=30)


def in_channels(slack: SlackStandIn) -> list[dict[str, Any]]:
    """The posts in channels, leaving out the DMs asking for consent."""
    return [post for post in slack.posts() if post["channel"].startswith("C")]


async def _callbacks_to_both_at_once(handles: list[Bot], jobs: list[dict[str, Any]]) -> None:
    tavus = handles[0].tavus
    deliveries = []
    for job in jobs:
        body = tavus.finish(job["replica_id"])
        path = tavus.replicas[job["replica_id"]]["callback_url"].split("/tavus/", 1)[1]
        for bot in handles:
            for _ in range(2):
                deliveries.append(
                    tavus.call_back(job["replica_id"], body, url=f"{bot.url}/tavus/{path}")
                )
    answers = await asyncio.gather(*deliveries)
    assert {status for status, _ in answers} <= {200, 202}
