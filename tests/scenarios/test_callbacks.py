"""Tavus callbacks checked against their job and Tavus, with lookups batched, on a real store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.jobs import CallbackSecret, Job, JobStatus
from bot.jobs.callbacks import RECHECK_SOON, Lookups, Verdict
from tests.domain import REQUEST, REQUESTER, World
from tests.standins.server import Fault
from tests.store_helpers import transition


async def test_a_stale_training_is_still_settled_by_its_callback(world: World) -> None:
    job = await world.training()
    assert job.replica_id is not None
    world.clock.advance(timedelta(hours=25))
    await world.reconciler.round()
    body = world.tavus.finish(job.replica_id)

    verdict = await world.callbacks.take(job.id, world.secrets[job.id], body)

    assert verdict is Verdict.SETTLED
    assert (await world.job(job.id)).status is JobStatus.READY
    assert await world.owed(job.id) == ["announcement", "card", "result", "stale"]


# What a forger may present instead of a job's own secret: (job id, secret) from the job and
# another job whose secrets the test knows.
FORGERIES: dict[str, Callable[[World, Job, Job], tuple[str, str]]] = {
    "a wrong secret": lambda w, job, other: (job.id, CallbackSecret.generate().value),
    "another job's secret": lambda w, job, other: (job.id, w.secrets[other.id]),
    "the stored digest": lambda w, job, other: (job.id, job.callback_digest),
    "an empty secret": lambda w, job, other: (job.id, ""),
    "an unknown job": lambda w, job, other: ("no-such-job", w.secrets[job.id]),
}


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_a_forged_callback_is_refused_and_changes_nothing_nor_asks_tavus(
    world: World, forgery: str
) -> None:
    job, other = await world.training(), await world.training()
    assert job.replica_id is not None
    body = world.tavus.finish(job.replica_id)  # had it been taken, the job would be settled
    owed = await world.owed(job.id)
    world.tavus.arrivals.clear()
    job_id, secret = FORGERIES[forgery](world, job, other)

    verdict = await world.callbacks.take(job_id, secret, body)

    assert verdict is Verdict.FORBIDDEN
    assert await world.job(job.id) == job
    assert await world.owed(job.id) == owed
    assert world.tavus.arrivals == []  # not even a GET to check it


async def test_a_callback_for_a_replica_of_another_name_is_not_adopted(world: World) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    secret = CallbackSecret.generate()
    await transition(
        world.store,
        job.id,
        from_=(JobStatus.QUEUED,),
        to=JobStatus.UNKNOWN,
        callback_digest=secret.digest,
    )
    created = await world.create_by_hand("Eve")

    verdict = await world.callbacks.take(
        job.id, secret.value, world.tavus.finish(created["replica_id"])
    )

    assert verdict is Verdict.MISMATCH
    assert (await world.job(job.id)).status is JobStatus.UNKNOWN


async def test_lookups_made_together_are_answered_by_one_request(world: World) -> None:
    jobs = [await world.training() for _ in range(6)]
    ids = [job.replica_id for job in jobs if job.replica_id is not None]
    lookups = Lookups()

    replicas = await asyncio.gather(*(lookups.get(world.client, replica_id) for replica_id in ids))

    assert [replica.replica_id for replica in replicas] == ids
    assert world.tavus.lists == [ids]
    assert world.tavus.gets == ids  # the list request's ids, and no GET of its own


async def test_callbacks_arriving_together_each_settle_their_own_job(world: World) -> None:
    jobs = [await world.training() for _ in range(6)]
    bodies = []
    for job in jobs:
        assert job.replica_id is not None
        bodies.append(world.tavus.finish(job.replica_id))

    verdicts = await asyncio.gather(
        *(
            world.callbacks.take(job.id, world.secrets[job.id], body)
            for job, body in zip(jobs, bodies, strict=True)
        )
    )

    assert verdicts == [Verdict.SETTLED] * 6
    for job in jobs:
        assert (await world.job(job.id)).status is JobStatus.READY


async def test_a_replica_the_list_leaves_out_is_asked_for_by_itself(world: World) -> None:
    jobs = [await world.training() for _ in range(2)]
    ids = [job.replica_id for job in jobs if job.replica_id is not None]
    world.tavus.fail_next("get", Fault(200, {"data": []}))  # the list answers nothing
    lookups = Lookups()

    replicas = await asyncio.gather(*(lookups.get(world.client, replica_id) for replica_id in ids))

    assert [replica.replica_id for replica in replicas] == ids
    assert world.tavus.lists == [ids]
    assert world.tavus.gets == ids + ids  # in the list, then each by itself


@pytest.mark.parametrize(
    "fault",
    [Fault(401, {"message": "Invalid access token"}), Fault(503, {"error": "unavailable"})],
    ids=["refused", "unavailable"],
)
async def test_a_callback_tavus_does_not_confirm_is_deferred_and_checked_again_soon(
    world: World, fault: Fault
) -> None:
    job = await world.training()
    assert job.replica_id is not None
    body = world.tavus.finish(job.replica_id)
    world.tavus.fail_next("get", fault, times=3)

    verdict = await world.callbacks.take(job.id, world.secrets[job.id], body)

    after = await world.job(job.id)
    assert verdict is Verdict.DEFERRED
    assert (after.status, after.next_check_at) == (
        JobStatus.TRAINING,
        world.clock.now + RECHECK_SOON,
    )


async def lost_with_secret(world: World, status: JobStatus) -> tuple[Job, str]:
    """A job whose create's answer was lost (no replica id known), now in `status`; its secret."""
    job = await world.intake.accept(REQUESTER, REQUEST)
    secret = CallbackSecret.generate()
    moved = await transition(
        world.store, job.id, from_=(JobStatus.QUEUED,), to=status, callback_digest=secret.digest
    )
    assert moved is not None
    return moved, secret.value


async def test_a_callback_naming_a_replica_tavus_does_not_know_is_not_this_jobs(
    world: World,
) -> None:
    job, secret = await lost_with_secret(world, JobStatus.UNKNOWN)

    verdict = await world.callbacks.take(
        job.id, secret, {"replica_id": "r-none", "status": "ready"}
    )

    assert verdict is Verdict.MISMATCH
    assert await world.job(job.id) == job


@pytest.mark.parametrize("name", ["Ann", "Eve"])  # before and after the job's "Dana"
async def test_a_callback_after_a_withdrawal_for_a_replica_of_another_name_deletes_nothing(
    world: World, name: str
) -> None:
    job, secret = await lost_with_secret(world, JobStatus.WITHDRAWN)
    created = await world.create_by_hand(name)

    verdict = await world.callbacks.take(job.id, secret, world.tavus.finish(created["replica_id"]))

    assert verdict is Verdict.MISMATCH
    assert world.tavus.deletes == []


@pytest.mark.parametrize(
    ("route", "fault", "verdict"),
    [
        # Tavus knows no such replica (any more): there is nothing to delete.
        ("get", Fault(400, {"error": "Invalid replica_id"}), Verdict.NOTED),
        ("delete", Fault(404, {"error": "Not found"}), Verdict.NOTED),
        # Tavus refuses, or cannot answer: the reconciler, still looking for it, deletes it later.
        ("get", Fault(401, {"message": "Invalid access token"}), Verdict.DEFERRED),
        ("delete", Fault(401, {"message": "Invalid access token"}), Verdict.DEFERRED),
        ("get", Fault(503, {"error": "unavailable"}), Verdict.DEFERRED),
    ],
)
async def test_a_callback_after_a_withdrawal_tavus_does_not_confirm_changes_nothing(
    world: World, route: str, fault: Fault, verdict: Verdict
) -> None:
    job, secret = await lost_with_secret(world, JobStatus.WITHDRAWN)
    created = await world.create_by_hand("Dana")
    body = world.tavus.finish(created["replica_id"])
    world.tavus.fail_next(route, fault, times=3)

    taken = await world.callbacks.take(job.id, secret, body)

    assert taken is verdict
    assert await world.job(job.id) == job
    assert created["replica_id"] in world.tavus.replicas


async def test_a_callback_naming_another_jobs_replica_settles_neither_job(world: World) -> None:
    job, other = await world.training(), await world.training()
    assert other.replica_id is not None
    body = world.tavus.finish(other.replica_id)  # finished: taken, it would settle a job

    verdict = await world.callbacks.take(job.id, world.secrets[job.id], body)

    assert verdict is Verdict.MISMATCH
    assert await world.job(job.id) == job
    assert await world.job(other.id) == other


async def test_a_failed_training_keeps_the_callbacks_reason_when_tavus_gives_none(
    world: World,
) -> None:
    job = await world.training()
    assert job.replica_id is not None
    body = world.tavus.finish(job.replica_id, error_message="The video has no face in it")
    world.tavus.replicas[job.replica_id]["error_message"] = None  # Tavus's own answer says none

    verdict = await world.callbacks.take(job.id, world.secrets[job.id], body)

    failed = await world.job(job.id)
    assert verdict is Verdict.SETTLED
    assert (failed.status, failed.error_message) == (
        JobStatus.FAILED,
        "The video has no face in it",
    )
