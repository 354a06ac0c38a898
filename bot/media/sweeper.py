"""The sweeper: deletes kept files once training has ended or their time is up, across restarts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from bot.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

# How often to look; a file outlives its job's end by a minute at most.
SWEEP_EVERY = 60.0


class Deletes(Protocol):
    """Where kept files live: a local folder, or a bucket."""

    async def delete(self, key: str) -> None:
        """Delete one file; one already gone is fine."""


class Sweeper:
    """Deletes what the store says is no longer needed; what it deleted is remembered there."""

    def __init__(self, *, store: Store, media: Deletes, every: float = SWEEP_EVERY) -> None:
        self._store = store
        self._media = media
        self._every = every
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Sweep now, not at the next round: a job with a kept file has just ended."""
        self._woken.set()

    async def sweep(self) -> int:
        """One round: every file due goes; how many went."""
        gone = 0
        for kept in await self._store.media.to_sweep():
            try:
                await self._media.delete(kept.key)
            except OSError as exc:
                log.warning("could not delete media %s: %s", kept.key, exc)
                continue
            await self._store.media.swept(kept.key)
            log.info("media %s deleted (job %s)", kept.key, kept.job_id)
            gone += 1
        return gone

    async def run(self) -> None:
        """Sweep every `every` seconds, and whenever woken, until cancelled."""
        while True:
            # Cleared first: a wake during the round brings the next round at once.
            self._woken.clear()
            try:
                await self.sweep()
            except StoreUnavailable as exc:
                log.warning("media sweep skipped: %s", exc)
            except Exception:
                log.exception("media sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), self._every)
