"""Retention: a finished job keeps its links, file names and errors RETENTION_DAYS, then not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from bot.jobs.retention import REPLACED_KEYS_KEPT, Retention
from bot.store.schema import jobs
from bot.workspaces.installations import Connected
from tests.conftest import Launch
from tests.domain import World
from tests.flows import start_training, thread_replies
from tests.store_helpers import transition


async def test_a_sweep_clears_what_is_past_the_retention_and_only_that(world: World) -> None:
    job = await world.training()
    assert job.replica_id is not None
    await world.callbacks.take(job.id, world.secrets[job.id], world.tavus.finish(job.replica_id))
    retention = Retention(store=world.store, days=30)

    kept = await retention.sweep()
    world.clock.advance(days=31)
    cleared = await retention.sweep()

    assert (kept, cleared) == (0, 1)
    assert (await world.job(job.id)).request.train_video_url is None


async def test_a_sweep_forgets_replaced_tavus_keys_no_job_needs_an_hour_on(
    world: World,
) -> None:
    job = await world.training()
    await transition(world.store, job.id, from_={job.status}, to=job.status, tavus_account="fa")
    for team in ("T1", "T2"):  # both replaced a key "fa"; only T1 has a job made with it
        for sealed in ("a", "b"):
            await world.store.tavus_accounts.save(
                Connected(
                    team_id=team,
                    key_sealed=sealed,
                    last4="1234",
                    saved_by="U0ADMIN",
                    saved_at=world.clock.now,
                    fingerprint=f"f{sealed}",
                )
            )
    retention = Retention(store=world.store, days=30)

    await retention.sweep()
    assert sorted(await world.store.replaced_keys.sealed()) == ["T1/fa", "T2/fa"]
    world.clock.advance(REPLACED_KEYS_KEPT, seconds=1)
    await retention.sweep()
    assert sorted(await world.store.replaced_keys.sealed()) == ["T1/fa"]


async def test_the_bot_sweeps_as_it_starts_and_the_log_says_so(launch: Launch) -> None:
    bot = await launch()
    announcement = await start_training(bot)
    [replica_id] = list(bot.tavus.replicas)
    await bot.tavus.call_back(replica_id, bot.tavus.finish(replica_id))
    async with asyncio.timeout(10):
        while len(await thread_replies(bot, announcement)) < 1:
            await asyncio.sleep(0.05)
    await bot.stop()
    long_ago = datetime.now(UTC) - timedelta(days=40)
    engine = create_async_engine(bot.settings.sqlalchemy_url)
    async with engine.begin() as connection:
        await connection.execute(update(jobs).values(updated_at=long_ago))
    await engine.dispose()

    again = await launch(retention_days=30)

    async with asyncio.timeout(10):
        while (await again.jobs())[0]["train_video_url"] is not None:
            await asyncio.sleep(0.05)
    [job] = await again.jobs()
    assert job["status"] == "ready"
    assert job["replica_id"] == replica_id
    assert [r["action"] for r in await again.audit()].count("expunged") == 1
