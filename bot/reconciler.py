"""The reconciler: a loop checking every job whose check is due, so lost callbacks lose nothing."""

from __future__ import annotations

import asyncio
import logging

from bot.jobs import Job
from bot.service import ReplicaService
from bot.store import Store

log = logging.getLogger(__name__)

# Polls run a few at a time: enough to keep up, few enough not to flood Tavus after an outage.
CONCURRENCY = 4
BATCH = 100


class Reconciler:
    """Runs rounds of due checks every `tick` seconds until stopped; a failing round is retried."""

    def __init__(self, *, store: Store, service: ReplicaService, tick: float) -> None:
        self._store = store
        self._service = service
        self._tick = tick
        self._slots = asyncio.Semaphore(CONCURRENCY)

    async def run(self) -> None:
        """Reconcile forever (cancel the task to stop)."""
        while True:
            try:
                await self.round()
            except Exception:
                # Whatever broke (the database, a bug on one job), the next round tries again.
                log.exception("reconciler round failed")
            await asyncio.sleep(self._tick)

    async def round(self) -> int:
        """Check every job that is due now; returns how many were looked at."""
        due = await self._store.jobs.due(limit=BATCH)
        await asyncio.gather(*(self._check(job) for job in due))
        return len(due)

    async def _check(self, job: Job) -> None:
        async with self._slots:
            try:
                await self._service.check(job)
            except Exception:
                log.exception("job %s: check failed", job.id)
