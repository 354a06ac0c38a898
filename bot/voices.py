"""Stock voices for image training: Tavus's list, kept fresh in the background, never awaited."""

from __future__ import annotations

import asyncio
import logging

from bot.tavus import TavusClient, TavusError

log = logging.getLogger(__name__)

# The slugs Tavus documents; offered until (and whenever) Tavus's own list cannot be had.
DOCUMENTED = ("anna", "benjamin", "james", "liam", "julia", "ivy")
# A static select offers at most 100 options.
MAX_OFFERED = 100
REFRESH_EVERY = 3600.0
RETRY_AFTER_FAILURE = 300.0


class Voices:
    """The voices the form offers: read instantly, refreshed from Tavus by `run()`."""

    def __init__(self, tavus: TavusClient) -> None:
        self._tavus = tavus
        self._current: tuple[str, ...] = DOCUMENTED

    @property
    def current(self) -> tuple[str, ...]:
        """The voices to offer now (the form must open within Slack's 3 seconds)."""
        return self._current

    async def refresh(self) -> bool:
        """Fetch Tavus's list; keep the last good one if that fails. True if it worked."""
        try:
            voices = await self._tavus.list_voices()
        except TavusError as exc:
            log.warning("could not list Tavus voices (%s); keeping %d", exc, len(self._current))
            return False
        if voices:
            self._current = voices[:MAX_OFFERED]
        return bool(voices)

    async def run(self) -> None:
        """Refresh now and then every hour (sooner again after a failure), until cancelled."""
        while True:
            ok = await self.refresh()
            await asyncio.sleep(REFRESH_EVERY if ok else RETRY_AFTER_FAILURE)
