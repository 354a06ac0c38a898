"""Retention: RETENTION_DAYS after it ends, a job keeps no links, file names or error texts.

The same daily sweep forgets the replaced Tavus keys that no job needs any more.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

# Once a day is enough for a limit counted in days; every instance may sweep, harmlessly.
SWEEP_EVERY = 86400.0
# A replaced key is kept at least this long: a create that read it just before it was replaced
# marks its job with it a moment later (the create's own timeout is far shorter).
REPLACED_KEYS_KEPT = timedelta(hours=1)


class Retention:
    """Clears the details of jobs finished longer ago than the retention; the log says so."""

    def __init__(self, *, store: Store, days: int, every: float = SWEEP_EVERY) -> None:
        self._store = store
        self._days = days
        self._every = every

    async def sweep(self) -> int:
        """One sweep: how many jobs lost their details."""
        before = self._store.now() - timedelta(days=self._days)
        counts = await self._store.jobs.forget_details(before=before, days=self._days)
        cleared = sum(counts.values())
        if cleared:
            log.info(
                "retention: %d finished job(s) older than %d days cleared", cleared, self._days
            )
        retired_before = self._store.now() - REPLACED_KEYS_KEPT
        if forgotten := await self._store.tavus_accounts.prune(retired_before=retired_before):
            log.info("retention: %d replaced Tavus key(s) no job needs forgotten", forgotten)
        return cleared

    async def run(self) -> None:
        """Sweep now, then every day, until cancelled."""
        while True:
            try:
                await self.sweep()
            except StoreUnavailable as exc:
                log.warning("retention sweep skipped: %s", exc)
            except Exception:
                log.exception("retention sweep failed")
            await asyncio.sleep(self._every)
