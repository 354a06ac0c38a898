"""The store's contract: saving jobs, compare-and-set transitions, migrations, health."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import OperationalError

from bot.jobs import JobStatus, ReplicaRequest, Requester, new_job_id
from bot.store import Store

REQUESTER = Requester(team_id="T1", user_id="U1", channel_id="C1")
REQUEST = ReplicaRequest(
    replica_name="Dana",
    model_name="phoenix-4",
    train_image_url="https://cdn.example.com/dana.png",
    voice_name="anna",
)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://", 1))
    yield opened
    await opened.close()


async def add(store: Store) -> str:
    job = await store.add_job(
        job_id=new_job_id(), requester=REQUESTER, request=REQUEST, callback_digest="d" * 64
    )
    return job.id


async def test_a_saved_job_reads_back_whole(store: Store) -> None:
    job_id = await add(store)
    job = await store.get_job(job_id)
    assert job is not None
    assert (job.requester, job.request, job.status) == (REQUESTER, REQUEST, JobStatus.CREATING)
    assert job.callback_digest == "d" * 64
    assert job.created_at.tzinfo is not None
    assert abs((datetime.now(UTC) - job.created_at).total_seconds()) < 60


async def test_an_unknown_job_is_none(store: Store) -> None:
    assert await store.get_job("nope") is None


async def test_transition_moves_only_from_the_expected_status(store: Store) -> None:
    job_id = await add(store)
    training = await store.transition(
        job_id, from_=JobStatus.CREATING, to=JobStatus.TRAINING, replica_id="r1"
    )
    assert training is not None
    assert (training.status, training.replica_id) == (JobStatus.TRAINING, "r1")
    assert training.updated_at >= training.created_at

    again = await store.transition(job_id, from_=JobStatus.CREATING, to=JobStatus.REJECTED)
    assert again is None
    stored = await store.get_job(job_id)
    assert stored is not None
    assert stored.status is JobStatus.TRAINING


async def test_concurrent_transitions_have_exactly_one_winner(store: Store) -> None:
    job_id = await add(store)
    await store.transition(job_id, from_=JobStatus.CREATING, to=JobStatus.TRAINING)
    results = await asyncio.gather(
        *(
            store.transition(
                job_id,
                from_=JobStatus.TRAINING,
                to=JobStatus.READY if n % 2 else JobStatus.FAILED,
                error_message=None if n % 2 else "boom",
            )
            for n in range(10)
        )
    )
    winners = [result for result in results if result is not None]
    assert len(winners) == 1
    stored = await store.get_job(job_id)
    assert stored is not None
    assert stored.status is winners[0].status


async def test_announcement_is_remembered(store: Store) -> None:
    job_id = await add(store)
    job = await store.set_announcement(job_id, channel="C1", ts="1700000000.000100")
    assert job is not None
    assert (job.announcement_channel, job.announcement_ts) == ("C1", "1700000000.000100")
    assert await store.set_announcement("nope", channel="C1", ts="1") is None


async def test_migrations_are_idempotent_and_keep_data(store: Store, database_url: str) -> None:
    job_id = await add(store)
    await store.migrate()
    reopened = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://", 1))
    try:
        assert await reopened.get_job(job_id) is not None
    finally:
        await reopened.close()


async def test_schema_has_the_indexes_lookups_need(store: Store) -> None:
    async with store._engine.connect() as connection:
        names = await connection.run_sync(
            lambda sync: {index["name"] for index in inspect(sync).get_indexes("jobs")}
        )
    assert {"ix_jobs_replica_id", "ix_jobs_status"} <= names


async def test_ping_answers_while_the_database_does(store: Store) -> None:
    await store.ping()
    await store.close()
    # A closed engine reconnects on demand, so ping keeps telling the truth after a blip.
    await store.ping()


async def test_opening_a_database_that_cannot_exist_fails(tmp_path: Path) -> None:
    with pytest.raises(OperationalError):
        await Store.open(f"sqlite+aiosqlite:///{tmp_path}/no-such-folder/bot.db")
    # aiosqlite stops a failed connection's thread in the background; it reports to this
    # event loop, so the test must not end (and close the loop) before that thread does.
    workers = [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]
    for worker in workers:
        await asyncio.to_thread(worker.join, 5)
