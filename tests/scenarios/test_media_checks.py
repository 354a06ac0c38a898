"""The media check as a service, on a real store with a hand-made inspector: once, by one owner.

The inspector itself (what it finds in real files) has its own tests; the whole flow through
Slack, with real files, is test_media_check_flow.py. Here: the check starts as the job is saved,
moves it once by its report, loses to a job ended meanwhile, is handed back at shutdown and run
again by exactly one instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from bot.jobs import Job, JobChanges, JobStatus
from bot.jobs import moves as life
from bot.jobs.intake import Intake
from bot.jobs.media_checks import MediaChecks, files_of
from bot.jobs.reconciler import Reconciler
from bot.media.inspection.model import Finding, Medium, Report, Weight
from tests.domain import POLL, REQUEST, REQUESTER, World

ASKING = replace(REQUEST, subject_id="U0DANA", consent_video_url="https://cdn.example.com/c.mp4")
SHORT = Finding(Medium.TRAINING_VIDEO, "video_duration", Weight.BLOCKING, "30 s: too short")
SLOW = Finding(Medium.TRAINING_VIDEO, "video_fps", Weight.ADVICE, "24 fps")
MEASURED = ((Medium.TRAINING_VIDEO, "1920×1080, 30 fps, 1 min 1 s"),)
CONSENT_TIMEOUT = timedelta(hours=72)


class Inspector:
    """Answers every inspection with `report`, once `gate` is open; counts what it was asked."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.asked: list[dict[Medium, str]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def inspect(self, files: Mapping[Medium, str], *, model: str) -> Report:
        assert model == "phoenix-4"
        self.asked.append(dict(files))
        await self.gate.wait()
        return self.report


def on(
    world: World, inspector: Inspector | None, *, concurrency: int = 2
) -> tuple[Intake, MediaChecks]:
    """The world's intake with the media check on, and that check."""
    checks = checks_on(world, inspector, concurrency=concurrency)
    intake = Intake(
        store=world.store,
        accounts=world.accounts,
        lifecycle=world.lifecycle,
        callback_url=lambda job_id, secret: None,
        create_timeout=timedelta(seconds=30),
        poll_interval=POLL,
        consent_timeout=CONSENT_TIMEOUT,
        media_check=checks.hold,
    )
    return intake, checks


def checks_on(world: World, inspector: Inspector | None, *, concurrency: int = 2) -> MediaChecks:
    """A media check on the world's store (another instance's, say); saves now start it."""
    checks = MediaChecks(
        store=world.store,
        lifecycle=world.lifecycle,
        inspector=inspector,
        consent_timeout=CONSENT_TIMEOUT,
        concurrency=concurrency,
        send=world.intake.start,
    )
    world.lifecycle.on_checking(checks.start)
    return checks


def reconciler_with(world: World, checks: MediaChecks) -> Reconciler:
    return Reconciler(
        store=world.store,
        accounts=world.accounts,
        intake=world.intake,
        lifecycle=world.lifecycle,
        poll_interval=POLL,
        tick=0.01,
        media_checks=checks,
    )


async def asked(inspector: Inspector) -> None:
    while not inspector.asked:
        await asyncio.sleep(0.01)


async def settled(world: World, job_id: str) -> Job:
    """The job once its check has moved it on."""
    for _ in range(500):
        job = await world.job(job_id)
        if job.status is not JobStatus.CHECKING:
            return job
        await asyncio.sleep(0.01)
    raise AssertionError("the check never moved the job on")


async def test_a_job_saved_with_the_check_on_is_checked_then_asked_for_consent(
    world: World,
) -> None:
    inspector = Inspector(Report(findings=(SLOW,), summaries=MEASURED))

    saved = await on(world, inspector)[0].accept(REQUESTER, ASKING)
    job = await settled(world, saved.id)

    assert saved.status is JobStatus.CHECKING
    assert saved.next_check_at == world.clock.now + timedelta(seconds=60) + timedelta(minutes=2)
    assert inspector.asked == [files_of(ASKING)]
    assert inspector.asked[0][Medium.CONSENT_VIDEO] == "https://cdn.example.com/c.mp4"
    assert job.status is JobStatus.AWAITING_CONSENT
    assert job.media_report == inspector.report
    assert job.next_check_at == world.clock.now + CONSENT_TIMEOUT  # it may expire now
    assert await world.owed(job.id) == ["announcement", "consent_request", "media_checked"]


async def test_media_tavus_would_refuse_end_the_job_before_anyone_is_asked(world: World) -> None:
    inspector = Inspector(Report(findings=(SHORT, SLOW)))

    job = await settled(world, (await on(world, inspector)[0].accept(REQUESTER, ASKING)).id)

    assert job.status is JobStatus.UNFIT
    assert job.next_check_at is None
    assert await world.owed(job.id) == ["announcement", "result"]  # no consent request
    assert world.tavus.creates == []


async def test_a_request_before_consent_existed_goes_to_tavus_once_checked(world: World) -> None:
    inspector = Inspector(Report())

    job = await settled(world, (await on(world, inspector)[0].accept(REQUESTER, REQUEST)).id)
    for _ in range(100):
        if job.status is JobStatus.TRAINING:
            break
        await asyncio.sleep(0.01)
        job = await world.job(job.id)

    assert job.status is JobStatus.TRAINING
    assert [body["replica_name"] for body in world.tavus.creates] == ["Dana"]
    assert "media_checked" not in await world.owed(job.id)  # an empty report says nothing


async def test_a_job_ended_while_it_is_checked_is_not_moved_by_the_check(world: World) -> None:
    inspector = Inspector(Report())
    inspector.gate.clear()
    job = await on(world, inspector)[0].accept(REQUESTER, ASKING)
    while not inspector.asked:
        await asyncio.sleep(0.01)

    await world.lifecycle.move(job.id, life.END, JobChanges(next_check_at=None))
    inspector.gate.set()
    await asyncio.sleep(0.05)

    ended = await world.job(job.id)
    assert ended.status is JobStatus.ENDED
    assert ended.media_report is None
    assert await world.owed(job.id) == ["announcement"]


async def test_without_an_inspector_a_job_caught_checking_goes_on_unchecked(world: World) -> None:
    # MEDIA_CHECK turned off while jobs were being checked: they go on as every job now does.
    job = await settled(world, (await on(world, None)[0].accept(REQUESTER, ASKING)).id)

    assert job.status is JobStatus.AWAITING_CONSENT
    assert job.media_report is None
    assert await world.owed(job.id) == ["announcement", "consent_request"]


async def test_a_check_cut_off_by_a_shutdown_is_handed_back_and_run_again_once(
    world: World,
) -> None:
    stopping = Inspector(Report(summaries=MEASURED))
    stopping.gate.clear()
    intake, checks = on(world, stopping)
    job = await intake.accept(REQUESTER, ASKING)
    await asked(stopping)

    await checks.drain(0.0)
    handed_back = await world.job(job.id)
    # Two instances after the restart, each with its reconciler: one runs the check.
    again = [Inspector(Report(summaries=MEASURED)) for _ in range(2)]
    reconcilers = [reconciler_with(world, checks_on(world, each)) for each in again]
    await asyncio.gather(*(reconciler.round() for reconciler in reconcilers))
    job = await settled(world, job.id)

    assert handed_back.status is JobStatus.CHECKING
    assert handed_back.next_check_at == world.clock.now  # due at once, not after its hold
    assert sum(len(each.asked) for each in again) == 1
    assert job.status is JobStatus.AWAITING_CONSENT
    assert await world.owed(job.id) == ["announcement", "consent_request", "media_checked"]


async def test_a_check_still_held_is_not_taken_by_another_instance(world: World) -> None:
    inspector = Inspector(Report())
    inspector.gate.clear()
    job = await on(world, inspector)[0].accept(REQUESTER, ASKING)
    await asked(inspector)
    other = Inspector(Report())
    reconciler = reconciler_with(world, checks_on(world, other))
    world.clock.advance(minutes=2)  # its hold (3 minutes) still stands

    assert await reconciler.round() == 0
    world.clock.advance(minutes=2)  # as if its process had stopped: the hold ran out
    assert await reconciler.round() == 1
    inspector.gate.set()
    job = await settled(world, job.id)
    await asyncio.sleep(0.05)

    # Both looked (the first had not stopped after all), and the job moved once.
    assert (len(inspector.asked), len(other.asked)) == (1, 1)
    assert job.status is JobStatus.AWAITING_CONSENT
    assert (await world.owed(job.id)).count("consent_request") == 1


async def test_a_check_waiting_its_turn_is_held_again_when_it_gets_it(world: World) -> None:
    inspector = Inspector(Report())
    inspector.gate.clear()
    intake, checks = on(world, inspector, concurrency=1)
    first = await intake.accept(REQUESTER, ASKING)
    second = await intake.accept(REQUESTER, ASKING)
    await asked(inspector)
    world.clock.advance(minutes=5)  # the second waited past the hold it was saved with
    # This instance's own reconciler claims both, as any would: each stays with its check.
    assert await reconciler_with(world, checks).round() == 2

    inspector.gate.set()
    done = [await settled(world, first.id), await settled(world, second.id)]

    assert [job.status for job in done] == [JobStatus.AWAITING_CONSENT] * 2
    assert len(inspector.asked) == 2  # each looked into once
