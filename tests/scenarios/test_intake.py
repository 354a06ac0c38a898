"""Taking a request, on a real store and the Tavus stand-in: the deadline, one create, drain."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot import messages
from bot.jobs import JobStatus
from bot.jobs.intake import NotStarted, Started
from bot.store import StoreUnavailable
from tests.domain import REQUEST, REQUESTER, World
from tests.standins.server import Fault


async def test_a_save_past_its_deadline_is_refused_and_undone_when_it_lands(world: World) -> None:
    with pytest.raises(StoreUnavailable):
        await world.intake.accept(REQUESTER, REQUEST, within=0)

    async with asyncio.timeout(5):
        while not (jobs := await world.store.jobs.page(team_id="T1")) or (
            jobs[0].status is not JobStatus.REJECTED
        ):
            await asyncio.sleep(0.01)
    [job] = jobs
    assert (job.error_message, job.next_check_at) == (messages.NOT_SAVED_IN_TIME, None)
    assert world.tavus.creates == []


async def test_a_job_started_twice_at_once_is_sent_to_tavus_once(world: World) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)

    outcomes = await asyncio.gather(world.intake.start(job), world.intake.start(job))

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["NoneType", "Started"]
    assert len(world.tavus.creates) == 1


async def test_drain_waits_for_a_create_in_flight(world: World) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    world.tavus.fail_next("create", Fault(delay=0.3))
    starting = asyncio.create_task(world.intake.start(job))
    await world.tavus.wait_until(lambda: len(world.tavus.creates) == 1, within=5)

    await world.intake.drain(grace=5)

    assert isinstance(await starting, Started)
    assert (await world.job(job.id)).status is JobStatus.TRAINING


async def test_drain_cuts_off_a_create_past_its_grace_and_leaves_it_creating(
    world: World,
) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    world.tavus.fail_next("create", Fault(delay=1.5))
    starting = asyncio.create_task(world.intake.start(job))
    await world.tavus.wait_until(lambda: len(world.tavus.creates) == 1, within=5)

    await world.intake.drain(grace=0.05)

    with pytest.raises(asyncio.CancelledError):
        await starting
    # Not refused: the next start reports it as "can't tell", and a callback may still adopt it.
    assert (await world.job(job.id)).status is JobStatus.CREATING
    assert await world.owed(job.id) == []


async def test_a_refusal_nobody_watches_is_owed_as_a_dm(world: World) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    world.tavus.fail_next("create", Fault(400, {"error": "Invalid train_video_url"}))

    outcome = await world.intake.start(job, tell_by_dm=True)

    assert isinstance(outcome, NotStarted)
    assert outcome.job.status is JobStatus.REJECTED
    assert await world.owed(job.id) == ["not_started"]
    assert world.woken  # delivery was told at once


async def test_a_refusal_shown_in_the_form_owes_nothing(world: World) -> None:
    job = await world.intake.accept(REQUESTER, REQUEST)
    world.tavus.fail_next("create", Fault(400, {"error": "Invalid train_video_url"}))

    outcome = await world.intake.start(job)

    assert isinstance(outcome, NotStarted)
    assert await world.owed(job.id) == []
    assert world.woken == []


async def test_a_request_awaiting_consent_wakes_delivery_for_its_card_and_dm(
    world: World,
) -> None:
    asking = replace(REQUEST, subject_id="U0DANA", subject_name="Dana Doe", intended_use="demos")

    job = await world.intake.accept(REQUESTER, asking)

    assert job.status is JobStatus.AWAITING_CONSENT
    assert await world.owed(job.id) == ["announcement", "consent_request"]
    assert world.woken  # the DM is not left for the next idle poll
    assert world.tavus.creates == []
