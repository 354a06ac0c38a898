"""The media check of each job: held by one instance, looked into off the event loop, moved once.

A job saved with the check on (or whose file from Slack is kept) is CHECKING, its next check
`hold` away; the instance that saved it starts the check at once, and holds it again as each
check gets its turn. A check not done by then (its process died) falls due, and the reconciler
of whichever instance claims it first runs it again. The move that ends a check is a
compare-and-set: a job withdrawn, ended or decided meanwhile is not moved, and a check that
finishes second changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Protocol

from bot.jobs import Job, JobChanges, JobStatus, ReplicaRequest
from bot.jobs import moves as life
from bot.jobs.held import Held
from bot.jobs.intake import ORPHAN_GRACE
from bot.jobs.lifecycle import Lifecycle
from bot.media.inspection.model import Medium, Report
from bot.store import Store

log = logging.getLogger(__name__)

# Seconds one inspection may take: the inspector's own limit, past which it says "unchecked".
TIMEOUT = 60.0
# Past that limit, the moment a check still held has surely lost its process.
GRACE = timedelta(minutes=2)

Send = Callable[[Job], Awaitable[object]]


class Inspects(Protocol):
    """What the check asks of the inspector (bot.media.inspection's `Inspector`)."""

    async def inspect(self, files: Mapping[Medium, str], *, model: str) -> Report:
        """Every file looked into; never raises but when cancelled."""


def hold(timeout: float = TIMEOUT) -> timedelta:
    """How long a check is held by the instance running it: its inspection, and a grace."""
    return timedelta(seconds=timeout) + GRACE


def files_of(request: ReplicaRequest) -> dict[Medium, str]:
    """The files a request trains from (and its consent video), by what each is, as links."""
    linked = (
        (Medium.TRAINING_VIDEO, request.train_video_url),
        (Medium.TRAINING_IMAGE, request.train_image_url),
        (Medium.CONSENT_VIDEO, request.consent_video_url),
    )
    return {medium: url for medium, url in linked if url}


class MediaChecks(Held):
    """Runs each CHECKING job's check in the background, a few at a time, then moves the job.

    Without an inspector (MEDIA_CHECK turned off while jobs were being checked), a check looks
    at nothing: the job goes on unchecked, as every job then does.
    """

    def __init__(
        self,
        *,
        store: Store,
        lifecycle: Lifecycle,
        inspector: Inspects | None,
        consent_timeout: timedelta,
        concurrency: int = 2,
        timeout: float = TIMEOUT,
        send: Send | None = None,
    ) -> None:
        super().__init__(
            store=store, hold=hold(timeout), status=JobStatus.CHECKING, what="media check"
        )
        self._lifecycle = lifecycle
        self._inspector = inspector
        self._consent_timeout = consent_timeout
        # A seat per file the inspector looks into at once (MEDIA_CHECK_CONCURRENCY): a check
        # holds its job only once its files are seated, so none waiting in line outlives its
        # hold, nor waits inside its inspection's minute for another job's files.
        self._seats = Seats(concurrency)
        # A request saved before consent existed goes to Tavus once checked (Intake.start).
        self._send = send

    async def _work(self, job: Job) -> None:
        async with self._seats.taken(len(files_of(job.request))):
            held = await self._claim(job.id)
            if held is None:
                return  # another instance took it, or it has moved on
            report = await self._look(held)
        await self._settle(held, report)

    async def _look(self, job: Job) -> Report | None:
        if self._inspector is None:
            return None
        return await self._inspector.inspect(files_of(job.request), model=job.request.model_name)

    async def _settle(self, job: Job, report: Report | None) -> None:
        """Move the job by its report: ended when Tavus would refuse it, else on to consent."""
        now = self._store.now()
        if report is not None and report.blocking:
            move, next_check = life.FIND_UNFIT, None
        elif job.request.subject_id:
            move, next_check = life.CLEAR, now + self._consent_timeout
        else:
            move, next_check = life.CLEAR_TO_SEND, now + ORPHAN_GRACE
        moved = await self._lifecycle.move(
            job.id, move, JobChanges(media_report=report, next_check_at=next_check)
        )
        if moved is None:
            return  # withdrawn, ended or checked meanwhile: nothing to add
        log.info("job %s: media checked: %s", job.id, moved.status.value)
        if moved.status is JobStatus.QUEUED and self._send is not None:
            await self._send(moved)


class Seats:
    """Room for the files looked into at once: a check takes a seat for each of its files."""

    def __init__(self, total: int) -> None:
        self._total = total
        self._free = asyncio.Semaphore(total)
        # One check is seated at a time, in the order they came: none is left half seated.
        self._seating = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def taken(self, files: int) -> AsyncIterator[None]:
        """Seats for `files` (all there are, for more), held while the block runs."""
        wanted, got = max(1, min(files, self._total)), 0
        try:
            async with self._seating:
                while got < wanted:
                    await self._free.acquire()
                    got += 1
            yield
        finally:
            for _ in range(got):
                self._free.release()
