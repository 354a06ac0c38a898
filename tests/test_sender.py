"""The Slack sender's parts: the per-channel pace, and a loop that outlives database trouble."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.sender import Pace, Sender
from bot.jobs import JobStatus, NoticeKind, ReplicaRequest, Requester, new_id
from bot.store import Store
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.store_helpers import Flaky, notices_of, transition


def test_a_pace_allows_a_burst_then_one_message_per_interval() -> None:
    pace = Pace(rate=2, burst=3, now=0.0)
    for _ in range(3):
        assert pace.delay(0.0) == 0
        pace.spend(0.0)
    assert pace.delay(0.0) == pytest.approx(0.5)
    assert pace.delay(0.5) == 0
    pace.spend(0.5)
    assert pace.delay(0.5) == pytest.approx(0.5)


def test_a_pace_never_saves_up_more_than_its_burst() -> None:
    pace = Pace(rate=1, burst=2, now=0.0)
    for _ in range(2):
        pace.spend(100.0)
    assert pace.delay(100.0) == pytest.approx(1.0)


def test_a_paused_pace_waits_out_retry_after_and_starts_empty() -> None:
    pace = Pace(rate=5, burst=5, now=0.0)
    pace.pause(until=2.0)
    assert pace.delay(0.5) == pytest.approx(1.5)
    assert pace.delay(2.0) == 0
    pace.spend(2.0)
    assert pace.delay(2.0) > 0


@pytest.fixture
async def flaky(database_url: str) -> AsyncIterator[Store]:
    """A real store whose first reads of owed notices fail, as an unreachable database does."""
    store = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://"))
    store.notices.due = Flaky(store.notices.due)  # type: ignore[method-assign]
    yield store
    await store.close()


async def test_the_sender_outlives_database_errors_and_delivers(
    flaky: Store, slack: SlackStandIn
) -> None:
    job = await flaky.jobs.add(
        job_id=new_id(),
        requester=Requester("T1", "U1", "C1"),
        request=ReplicaRequest(replica_name="Dana", model_name="phoenix-4"),
    )
    await transition(
        flaky,
        job.id,
        from_=(JobStatus.QUEUED,),
        to=JobStatus.TRAINING,
        replica_id="r1",
        notice=NoticeKind.ANNOUNCEMENT,
    )
    async with aiohttp.ClientSession() as session:
        client = AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url, session=session)
        sender = Sender(store=flaky, client=client, rate=5, burst=5, request_timeout=2)
        task = asyncio.create_task(sender.run())
        try:
            await slack.wait_for_posts(1, within=15)
        finally:
            await sender.stop(grace=1)
            task.cancel()
    assert flaky.notices.due.failures == 0  # type: ignore[attr-defined]
    [post] = slack.posts()
    assert (post["channel"], "Dana" in post["text"]) == ("C1", True)
    [notice] = await notices_of(flaky, job.id)
    assert notice["status"] == "sent"
