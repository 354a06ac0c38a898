"""The sender's loop: it outlives database trouble, and waits for or skips what has no thread."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.delivery.budgets import Budgets, Limits, LocalPaces, PacedClient
from bot.delivery.clients import SlackClients
from bot.delivery.pace import Limit
from bot.delivery.sender import MOST_WAIT_FOR_ANNOUNCEMENT, REDRAWS_AHEAD, Sender
from bot.jobs import Job, JobStatus, Notice, NoticeKind, ReplicaRequest, Requester, new_id
from bot.store import Store
from bot.workspaces.accounts import Workspace
from tests.clocks import FakeClock
from tests.flows import logged
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.store_helpers import (
    FolderAway,
    alone_in_a_folder,
    notices_of,
    transition,
    unavailable_from_the_driver,
)

ELSEWHERE = "another-instance"
PACE = Limits(post=Limit(rate=5, burst=5))


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    store = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://"))
    yield store
    await store.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The database alone in its folder, which an outage can move away."""
    return alone_in_a_folder(tmp_path / "data")


class OneToken:
    """Every workspace's token is the stand-in's."""

    async def bot_token(self, workspace: Workspace) -> str:
        return BOT_TOKEN


@contextlib.asynccontextmanager
async def running(
    store: Store, slack: SlackStandIn, limits: Limits = PACE
) -> AsyncIterator[Sender]:
    """A sender delivering from `store` to the Slack stand-in until the block ends."""
    async with aiohttp.ClientSession() as session:
        paces = LocalPaces()
        clients = SlackClients(
            tokens=OneToken(),
            budgets=lambda team: Budgets(paces, limits, workspace=team, most_wait=2),
            connect=lambda token, budgets: PacedClient(
                budgets=budgets, token=token, base_url=slack.api_url, session=session
            ),
        )
        sender = Sender(store=store, clients=clients, request_timeout=2)
        task = asyncio.create_task(sender.run())
        try:
            yield sender
        finally:
            await sender.stop(grace=1)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def queued(store: Store, channel: str = "C1") -> Job:
    """A job just saved: nothing is owed for it yet."""
    return await store.jobs.add(
        job_id=new_id(),
        requester=Requester("T1", "U1", channel),
        request=ReplicaRequest(replica_name="Dana", model_name="phoenix-4"),
    )


async def training(store: Store, channel: str = "C1") -> Job:
    """A job that has just started training: its announcement is owed."""
    job = await queued(store, channel)
    await transition(
        store,
        job.id,
        from_=(JobStatus.QUEUED,),
        to=JobStatus.TRAINING,
        replica_id=f"r-{job.id}",
        notice=NoticeKind.ANNOUNCEMENT,
    )
    return job


async def ready_with_announcement_elsewhere(store: Store, *, given_up: bool = False) -> Job:
    """A job whose result is owed while another instance holds its announcement, or gave it up."""
    job = await training(store)
    announcement = await notice_of(store, job, NoticeKind.ANNOUNCEMENT)
    await store.notices.claim(announcement["id"], owner=ELSEWHERE, lease=timedelta(minutes=1))
    if given_up:
        await store.notices.give_up(announcement["id"], owner=ELSEWHERE, error="invalid_blocks")
    await transition(
        store, job.id, from_=(JobStatus.TRAINING,), to=JobStatus.READY, notice=NoticeKind.RESULT
    )
    return job


async def notice_of(store: Store, job: Job, kind: NoticeKind) -> dict[str, Any]:
    [notice] = [n for n in await notices_of(store, job.id) if n["kind"] == kind.value]
    return notice


async def until(store: Store, job: Job, kind: NoticeKind, **wanted: Any) -> dict[str, Any]:
    """The job's notice of `kind` once its columns hold `wanted` (within 10 s)."""
    async with asyncio.timeout(10):
        while True:
            notice = await notice_of(store, job, kind)
            if all(notice[column] == value for column, value in wanted.items()):
                return notice
            await asyncio.sleep(0.05)


async def test_the_sender_outlives_database_errors_and_delivers(
    store: Store, database_url: str, slack: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    job = await training(store)
    outage = FolderAway(database_url, store)
    await outage.cut()
    async with running(store, slack) as sender:
        failed = await logged(caplog, "could not read owed notices")
        outage.restore()
        sender.wake()
        await slack.wait_for_posts(1, within=15)

    # The loop met the store's own error for an unreachable database, and lived on.
    assert failed.exc_info is not None
    assert unavailable_from_the_driver(failed.exc_info[1])
    [post] = slack.posts()
    assert (post["channel"], "Dana" in post["text"]) == ("C1", True)
    [notice] = await notices_of(store, job.id)
    assert notice["status"] == "sent"


async def test_a_backlog_of_redraws_waits_in_the_database_and_a_result_goes_before_it(
    store: Store, slack: SlackStandIn
) -> None:
    jobs = [await training(store, channel=f"C{n}") for n in range(3 * REDRAWS_AHEAD)]
    limits = Limits(post=Limit(rate=5, burst=5), update=Limit(rate=20, burst=1))
    slack.tiers = None  # about the sender's own lanes: its redraws at 20 a second, not Tier 3
    async with running(store, slack, limits) as sender:
        await slack.wait_for_posts(len(jobs), within=15)
        await settled(store)
        # Each time the sender reads what is owed, it leaves out what it holds already.
        read: set[str] = set()
        held: list[int] = []
        due = store.notices.due

        async def reading(**kwargs: Any) -> list[tuple[Notice, Job | None]]:
            held.append(len(kwargs["excluding"]))
            found = await due(**kwargs)
            read.update(n.id for n, _ in found if n.kind is NoticeKind.CARD)
            return found

        store.notices.due = reading  # type: ignore[method-assign]
        for job in jobs:
            await store.notices.owe(job.id, NoticeKind.CARD)
        await transition(
            store,
            jobs[-1].id,
            from_=(JobStatus.TRAINING,),
            to=JobStatus.READY,
            notice=NoticeKind.RESULT,
        )
        sender.wake()
        await settled(store)

    # A lane's worth at most (and the one on its way): the rest waited in the database.
    assert max(held) <= REDRAWS_AHEAD + 1
    assert len(read) == len(jobs)
    assert len(slack.called("chat.update")) >= len(jobs)
    # The result owed last went out before the redraws owed ahead of it were done.
    methods = [call.method for call in slack.calls]
    assert methods.index("chat.postMessage", len(jobs)) < len(methods) - REDRAWS_AHEAD


async def settled(store: Store) -> None:
    """Wait until nothing is owed to Slack."""
    async with asyncio.timeout(15):
        while (await store.notices.owed())[0]:
            await asyncio.sleep(0.05)


async def test_a_reply_waits_for_its_announcement_then_goes_in_its_thread(
    store: Store, slack: SlackStandIn
) -> None:
    # The result, owed after the announcement, must not overtake it.
    job = await ready_with_announcement_elsewhere(store)

    async with running(store, slack):
        await until(store, job, NoticeKind.RESULT, last_error="waiting for the announcement")
        assert slack.posts() == []
        await store.notices.release(owner=ELSEWHERE)
        await slack.wait_for_posts(2)

    parent, reply = slack.posts()
    assert (parent["channel"], reply["channel"]) == ("C1", "C1")
    assert reply["thread_ts"] == parent["ts"]
    # Waiting is not failing: it counts no attempt towards the backoff.
    result = await until(store, job, NoticeKind.RESULT, status="sent")
    assert result["attempts"] == 0


async def test_a_reply_whose_announcement_was_given_up_goes_to_the_dm(
    store: Store, slack: SlackStandIn
) -> None:
    job = await ready_with_announcement_elsewhere(store, given_up=True)

    async with running(store, slack):
        await slack.wait_for_posts(1)
        result = await until(store, job, NoticeKind.RESULT, status="sent")

    [dm] = slack.posts()
    assert (dm["channel"], "thread_ts" in dm) == ("DU1", False)
    assert (result["channel"], result["attempts"]) == ("DU1", 0)


async def test_a_card_never_announced_is_given_up_without_asking_slack(
    store: Store, slack: SlackStandIn
) -> None:
    job = await queued(store)
    await store.notices.owe(job.id, NoticeKind.CARD)

    async with running(store, slack):
        card = await until(store, job, NoticeKind.CARD, status="failed")

    assert card["last_error"] == "the announcement was never posted: no card to update"
    assert slack.calls == []


async def test_a_reply_never_waits_past_its_longest_wait_for_an_announcement_stuck_elsewhere(
    database_url: str, slack: SlackStandIn
) -> None:
    clock = FakeClock(datetime.now(UTC))
    store = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://"), clock=clock)
    try:
        # The announcement is held (in doubt, its look refused a minute at a time) and stays so.
        job = await training(store)
        announcement = await notice_of(store, job, NoticeKind.ANNOUNCEMENT)
        await store.notices.claim(announcement["id"], owner=ELSEWHERE, lease=timedelta(days=2))
        await transition(
            store, job.id, from_=(JobStatus.TRAINING,), to=JobStatus.READY, notice=NoticeKind.RESULT
        )
        async with running(store, slack):
            await until(store, job, NoticeKind.RESULT, last_error="waiting for the announcement")
            assert slack.posts() == []
            clock.advance(MOST_WAIT_FOR_ANNOUNCEMENT)
            result = await until(store, job, NoticeKind.RESULT, status="sent")
    finally:
        await store.close()

    [dm] = slack.posts()
    assert ("Dana" in dm["text"], "thread_ts" in dm) == (True, False)
    assert result["channel"] == "DU1"
