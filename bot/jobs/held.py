"""Work one instance holds a job for while it runs (a media check, a face match), then moves it.

The instance that moved the job into the work's state starts it at once, its next check `hold`
away. Work not done by then (its process died) falls due, and the reconciler of whichever
instance claims it first runs it again; a shutdown hands what it has not finished back, due now.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from bot.aio import start_kept
from bot.jobs import Job, JobStatus
from bot.ops.logs import about
from bot.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

# How long work cut off by a shutdown waits to unwind before it is handed back.
UNWIND = 1.0


class Held(abc.ABC):
    """Runs `_work` for each job in `status`, held by this instance until it has moved the job."""

    def __init__(self, *, store: Store, hold: timedelta, status: JobStatus, what: str) -> None:
        self._store = store
        self._hold = hold
        self._status = status
        self._what = what  # as the logs name it
        self._held: dict[str, datetime] = {}  # job id → until when this instance holds it
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def hold(self) -> timedelta:
        """How long the work is held: a job moved into its state now is due again this far off."""
        return self._hold

    def start(self, job: Job) -> None:
        """Run the work for `job` in the background (its next check is its hold), unless at it."""
        if self._closed or job.next_check_at is None:
            return  # stopping: the job falls due and the work is run after the restart
        known = job.id in self._held
        self._held[job.id] = job.next_check_at  # claimed again by the reconciler: hold that
        if not known:
            with about(job):
                start_kept(self._tasks, self._run(job)).add_done_callback(self._report)

    async def resume(self, job: Job) -> None:
        """Work fallen due (its process stopped): claimed here, if first, and run again."""
        claimed = await self._store.jobs.claim_check(job.id, until=self._store.now() + self._hold)
        if claimed is not None:
            log.info("job %s: its %s is run again", job.id, self._what)
            self.start(claimed)

    async def drain(self, grace: float) -> None:
        """At shutdown: let the work finish for `grace` seconds, then hand the rest back, due now.

        Repeating the work costs only its time, never a second message: past the grace it is
        cut off rather than waited for, and the next start (or another instance) runs it again.
        """
        self._closed = True
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
        left = dict(self._held)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=UNWIND)
        for job_id, until in left.items():
            with contextlib.suppress(StoreUnavailable):
                await self._store.jobs.claim_check(job_id, until=self._store.now(), held=until)

    async def _claim(self, job_id: str) -> Job | None:
        """The job, held here again for its turn; None if another instance took it or it moved."""
        held = await self._store.jobs.claim_check(
            job_id, until=self._store.now() + self._hold, held=self._held[job_id]
        )
        if held is None or held.status is not self._status:
            return None
        self._held[job_id] = held.next_check_at or self._store.now()
        return held

    @abc.abstractmethod
    async def _work(self, job: Job) -> None:
        """The work for `job`, which claims it (`_claim`) when its turn comes and moves it."""

    async def _run(self, job: Job) -> None:
        try:
            await self._work(job)
        except StoreUnavailable as exc:
            # Its hold runs out, and the reconciler runs it again.
            log.warning("job %s: %s not recorded: %s", job.id, self._what, exc)
        finally:
            self._held.pop(job.id, None)

    def _report(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("a %s failed", self._what, exc_info=error)
