"""Tavus callbacks checked against their job and Tavus, with lookups batched, on a real store."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.jobs import CallbackSecret, Job, JobStatus
from bot.jobs.callbacks import Lookups, Verdict
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
