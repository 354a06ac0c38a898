"""The reconciler on a real store and the Tavus stand-in: polls, orphans, lost creates."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.governance.audit import BOT, Action
from bot.governance.consent import Consent, Withdrawn
from bot.jobs import CallbackSecret, Job, JobStatus
from bot.jobs.callbacks import Verdict
from bot.jobs.intake import NotStarted
from bot.jobs.reconciler import Reconciler, spacing
from bot.store.schema import jobs
from tests.domain import POLL, REQUEST, REQUESTER, World
from tests.flows import logged
from tests.standins.server import Fault
from tests.store_helpers import (
    FolderAway,
    alone_in_a_folder,
    transition,
    unavailable_from_the_driver,
)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The database alone in its folder, which an outage can move away."""
    return alone_in_a_folder(tmp_path / "data")


async def test_a_due_training_is_polled_and_settled_once(world: World) -> None:
    job = await world.training()
    assert job.replica_id is not None
    world.tavus.finish(job.replica_id)

    assert await world.reconciler.round() == 0  # not due yet
    world.clock.advance(POLL)
    assert await world.reconciler.round() == 1
    assert await world.reconciler.round() == 0

    assert (await world.job(job.id)).status is JobStatus.READY
    assert await world.owed(job.id) == ["announcement", "result"]
    assert world.tavus.gets == [job.replica_id]


async def test_progress_is_noted_and_the_next_poll_scheduled(world: World) -> None:
    job = await world.training()
    assert job.replica_id is not None
    world.tavus.replicas[job.replica_id]["training_progress"] = "40/100"

    world.clock.advance(POLL)
    await world.reconciler.round()

    polled = await world.job(job.id)
    assert polled.status is JobStatus.TRAINING
    assert polled.training_progress == "40/100"
    assert polled.next_check_at == world.clock.now + POLL
    assert await world.owed(job.id) == ["announcement", "card"]


async def test_older_trainings_are_polled_less_often(world: World) -> None:
    job = await world.training()
    world.clock.advance(timedelta(hours=7))

    await world.reconciler.round()

    assert (await world.job(job.id)).next_check_at == world.clock.now + 2 * POLL


async def test_a_training_over_a_day_old_is_flagged_stale_and_no_longer_polled(
    world: World,
) -> None:
    job = await world.training()
    world.clock.advance(timedelta(hours=25))

    await world.reconciler.round()

    stale = await world.job(job.id)
    assert (stale.status, stale.next_check_at) == (JobStatus.STALE, None)
    assert await world.owed(job.id) == ["announcement", "card", "stale"]
    world.clock.advance(timedelta(days=3))
    assert await world.reconciler.round() == 0


async def test_a_replica_tavus_no_longer_knows_fails_the_job(world: World) -> None:
    job = await world.training()
    assert job.replica_id is not None
    del world.tavus.replicas[job.replica_id]
    world.clock.advance(POLL)

    await world.reconciler.round()

    failed = await world.job(job.id)
    assert failed.status is JobStatus.FAILED
    assert failed.error_message is not None
    assert "no longer knows" in failed.error_message


@pytest.mark.parametrize(
    "fault",
    [
        Fault(500, "boom"),
        Fault(429, "slow"),
        Fault(delay=3),
        # A wrong or revoked API key says nothing about the replica.
        Fault(401, {"message": "Invalid access token"}),
        Fault(403, {"message": "Forbidden"}),
    ],
)
async def test_tavus_trouble_while_polling_leaves_the_job_for_the_next_round(
    world: World, fault: Fault
) -> None:
    job = await world.training()
    world.tavus.fail_next("get", fault)
    world.clock.advance(POLL)

    await world.reconciler.round()

    assert (await world.job(job.id)).status is JobStatus.TRAINING
    world.clock.advance(POLL)
    assert job.replica_id is not None
    world.tavus.finish(job.replica_id)
    await world.reconciler.round()
    assert (await world.job(job.id)).status is JobStatus.READY


async def test_a_request_saved_but_never_sent_is_sent_by_the_reconciler(world: World) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    world.clock.advance(timedelta(minutes=2))

    await world.reconciler.round()

    assert len(world.tavus.creates) == 1
    resumed = await world.job(job.id)
    assert resumed.status is JobStatus.TRAINING
    assert await world.owed(job.id) == ["announcement"]


async def test_a_resumed_request_tavus_refuses_is_told_by_dm(world: World) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    world.tavus.fail_next("create", Fault(400, {"error": "Invalid train_video_url"}))
    world.clock.advance(timedelta(minutes=2))

    await world.reconciler.round()

    refused = await world.job(job.id)
    assert refused.status is JobStatus.REJECTED
    assert await world.owed(job.id) == ["not_started"]


async def test_a_create_cut_off_by_a_crash_is_reported_and_adopted_by_its_callback(
    world: World,
) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    secret = CallbackSecret.generate()
    # The process died after sending the create: the job stays CREATING with no replica id.
    await transition(
        world.store,
        job.id,
        from_=(JobStatus.QUEUED,),
        to=JobStatus.CREATING,
        callback_digest=secret.digest,
        next_check_at=world.clock.now + timedelta(seconds=90),
    )
    world.clock.advance(timedelta(minutes=5))
    await world.reconciler.round()
    unknown = await world.job(job.id)
    assert unknown.status is JobStatus.UNKNOWN
    assert await world.owed(job.id) == ["not_started"]

    created = await world.create_by_hand("Dana")
    body = world.tavus.finish(created["replica_id"])
    verdict = await world.callbacks.take(job.id, secret.value, body)

    assert verdict is Verdict.SETTLED
    adopted = await world.job(job.id)
    assert (adopted.status, adopted.replica_id) == (JobStatus.READY, created["replica_id"])
    assert await world.owed(job.id) == ["announcement", "not_started", "result"]


async def test_two_reconcilers_poll_each_job_once(world: World) -> None:
    jobs = [await world.training() for _ in range(5)]
    twin = world.reconciler_on(world.store)
    world.clock.advance(POLL)

    await asyncio.gather(world.reconciler.round(), twin.round())

    assert sorted(world.tavus.gets) == sorted(job.replica_id for job in jobs)


async def test_the_loop_survives_failing_rounds(
    world: World, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    job = await world.training()
    assert job.replica_id is not None
    world.tavus.finish(job.replica_id)
    world.clock.advance(POLL)
    outage = FolderAway(database_url, world.store)
    await outage.cut()
    loop = world.reconciler_on(world.store)

    task = asyncio.create_task(loop.run())
    try:
        failed = await logged(caplog, "reconciler round failed")
        outage.restore()
        async with asyncio.timeout(10):
            while (await world.job(job.id)).status is not JobStatus.READY:
                await asyncio.sleep(0.01)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    # The round met the store's own error for an unreachable database, and the loop lived on.
    assert failed.exc_info is not None
    assert unavailable_from_the_driver(failed.exc_info[1])


async def lost_create(world: World, name: str = "Dana", *, subject: str | None = None) -> Job:
    """A create Tavus carried out but whose answer never came back (a timeout)."""
    world.clock.now = datetime.now(UTC)  # compared with the stand-in's real creation times
    world.tavus.fail_next("create", Fault(delay=2.5))  # longer than the client's 2 s
    before = len(world.tavus.replicas)
    request = replace(REQUEST, replica_name=name, subject_id=subject)
    job = await world.intake.accept(REQUESTER, request)
    if subject is not None:
        # The person shown has consented (how is the consent tests' business).
        consented = await transition(
            world.store, job.id, from_=(JobStatus.AWAITING_CONSENT,), to=JobStatus.QUEUED
        )
        assert consented is not None
        job = consented
    outcome = await world.intake.start(job)
    assert isinstance(outcome, NotStarted)
    await world.tavus.wait_until(lambda: len(world.tavus.replicas) > before, within=5)
    lost = await world.job(job.id)
    assert lost.status is JobStatus.UNKNOWN
    return lost


async def test_a_create_whose_answer_was_lost_is_found_in_tavus_list_and_announced(
    world: World,
) -> None:
    job = await lost_create(world)
    [replica_id] = world.tavus.replicas

    world.clock.advance(POLL)
    await world.reconciler.round()

    found = await world.job(job.id)
    assert (found.status, found.replica_id) == (JobStatus.TRAINING, replica_id)
    assert await world.owed(job.id) == ["announcement", "card"]  # its progress, too


async def test_two_replicas_of_the_same_name_are_not_guessed_between(world: World) -> None:
    job = await lost_create(world)
    await world.create_by_hand("Dana")

    world.clock.advance(POLL)
    await world.reconciler.round()

    assert (await world.job(job.id)).status is JobStatus.UNKNOWN


async def test_a_replica_that_is_another_jobs_is_not_adopted(world: World) -> None:
    other = await world.training()  # "Dana" too, and its replica is known
    job = await lost_create(world)
    lost_replica = next(r for r in world.tavus.replicas if r != other.replica_id)
    del world.tavus.replicas[lost_replica]  # only the other job's replica is left

    world.clock.advance(POLL)
    await world.reconciler.round()

    assert (await world.job(job.id)).status is JobStatus.UNKNOWN


async def test_a_lost_create_is_looked_for_no_longer_than_six_hours(world: World) -> None:
    job = await lost_create(world)
    world.tavus.replicas.clear()  # never found

    world.clock.advance(timedelta(hours=7))
    assert await world.reconciler.round() == 1
    world.clock.advance(POLL)
    assert await world.reconciler.round() == 0
    assert (await world.job(job.id)).next_check_at is None


async def withdrawn(world: World, job: Job) -> Job:
    """The person shown takes consent back while the create's answer is unknown."""
    consent = Consent(store=world.store, lifecycle=world.lifecycle, accounts=world.accounts)
    outcome, moved = await consent.withdraw(job, by=REQUESTER.user_id)
    assert (outcome, moved.status) == (Withdrawn.DONE, JobStatus.WITHDRAWN)
    assert world.tavus.deletes == []  # nothing known to delete yet
    return moved


async def test_a_replica_made_although_consent_was_withdrawn_meanwhile_is_deleted(
    world: World,
) -> None:
    job = await withdrawn(world, await lost_create(world, subject=REQUESTER.user_id))
    [replica_id] = world.tavus.replicas

    world.clock.advance(POLL)
    await world.reconciler.round()

    # Found in Tavus's list as a lost create is, but deleted with its footage, not adopted.
    assert world.tavus.hard_deletes == [replica_id]
    after = await world.job(job.id)
    assert (after.status, after.replica_id, after.next_check_at) == (
        JobStatus.WITHDRAWN,
        None,
        None,
    )
    [record] = [r for r in await world.store.audit.since() if r.action is Action.DELETED]
    assert (record.job_id, record.replica_id, record.actor) == (job.id, replica_id, BOT)
    world.clock.advance(POLL)
    assert await world.reconciler.round() == 0


async def test_a_lost_create_is_looked_for_from_when_it_was_sent_not_when_it_was_asked(
    world: World,
) -> None:
    job = await lost_create(world)
    # Asked for eight hours ago, approved (and so sent) only now.
    async with world.store.db.writing() as connection:
        await connection.execute(
            update(jobs)
            .where(jobs.c.id == job.id)
            .values(created_at=world.clock.now - timedelta(hours=8), reviewed_at=world.clock.now)
        )
    world.tavus.replicas.clear()  # not found yet

    world.clock.advance(POLL)
    assert await world.reconciler.round() == 1

    assert (await world.job(job.id)).next_check_at is not None  # looked for again


async def test_the_callback_of_a_replica_made_after_a_withdrawal_deletes_it(world: World) -> None:
    job = await withdrawn(world, await lost_create(world, subject=REQUESTER.user_id))
    [replica_id] = world.tavus.replicas
    body = world.tavus.finish(replica_id)
    owed = await world.owed(job.id)

    verdict = await world.callbacks.take(job.id, world.secrets[job.id], body)

    assert verdict is Verdict.NOTED
    assert world.tavus.hard_deletes == [replica_id]
    assert (await world.job(job.id)).next_check_at is None
    assert await world.owed(job.id) == owed  # nothing more to say: it was withdrawn


async def test_a_round_over_many_trainings_costs_a_list_request_per_hundred(world: World) -> None:
    jobs = [await world.training() for _ in range(150)]
    for job in jobs[:10]:
        world.tavus.finish(job.replica_id)
    world.tavus.arrivals.clear()
    world.clock.advance(POLL)

    # A round takes a hundred due jobs; each round's polls are one list request.
    assert await world.reconciler.round() == 100
    assert await world.reconciler.round() == 50

    assert [len(ids) for ids in world.tavus.lists] == [100, 50]
    # Two requests in all: no replica asked for by itself.
    assert [(method, path) for _, method, path in world.tavus.arrivals] == [
        ("GET", "/v2/replicas")
    ] * 2
    finished = [await world.job(job.id) for job in jobs[:10]]
    assert {job.status for job in finished} == {JobStatus.READY}


async def test_a_backlog_is_polled_round_after_round_until_none_is_due(world: World) -> None:
    for _ in range(120):
        await world.training()
    world.clock.advance(POLL)
    # A long quiet tick: only a full round's backlog brings the next round sooner.
    reconciler = Reconciler(
        store=world.store,
        accounts=world.accounts,
        intake=world.intake,
        lifecycle=world.lifecycle,
        poll_interval=timedelta(seconds=0.2),
        tick=3600,
    )

    loop = asyncio.create_task(reconciler.run())
    try:
        async with asyncio.timeout(10):
            while len(world.tavus.lists) < 2:
                await asyncio.sleep(0.01)
    finally:
        # The round under way ends before the world's store closes beneath it.
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop

    assert [len(ids) for ids in world.tavus.lists[-2:]] == [100, 20]
    assert await world.store.jobs.due() == []


@pytest.mark.parametrize(
    ("checked", "tick", "wait"),
    [
        (5000, 3600, 12.0),  # a launch: 50 rounds of a hundred fill the interval
        (150, 3600, 300.0),  # two rounds: one every half interval
        (150, 30, 30.0),  # never longer than a quiet tick
        (100_000, 30, 0.6),  # a thousand rounds
    ],
)
def test_full_rounds_are_spread_so_each_check_comes_once_an_interval(
    checked: int, tick: float, wait: float
) -> None:
    assert spacing(checked, interval=600, tick=tick) == pytest.approx(wait)
