"""The sender's loop: it outlives database trouble and still delivers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery import Sender
from bot.jobs import JobStatus, NoticeKind, ReplicaRequest, Requester, new_id
from bot.store import Store
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.store_helpers import Flaky, notices_of, transition


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
