"""Replica lookups made at the same moment, answered by one list request to Tavus."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.batch import Batch
from bot.tavus import Replica, TavusClient, TavusError


class Lookups:
    """Replica lookups made at the same moment, answered by one request to Tavus.

    A burst of callbacks (Tavus finishing many trainings in one minute), or a reconciler round
    over many trainings, then costs a list request per hundred instead of one GET each.
    """

    WINDOW = 0.005  # how long a lookup waits for others to join it, in seconds
    MAX_BATCH = 100

    def __init__(self, tavus: TavusClient) -> None:
        self._tavus = tavus
        self._batch: Batch[None, str, Replica] = Batch(self._window, self._fetch_all)

    async def get(self, replica_id: str) -> Replica:
        """The replica as Tavus reports it now."""
        return await self._batch(replica_id)

    @contextlib.asynccontextmanager
    async def _window(self) -> AsyncIterator[None]:
        await asyncio.sleep(self.WINDOW)
        yield

    async def _fetch_all(self, _: None, asked: list[str]) -> list[Replica | Exception]:
        ids = list(dict.fromkeys(asked))  # two callbacks may ask for the same replica
        found: dict[str, Replica | Exception] = {}
        for start in range(0, len(ids), self.MAX_BATCH):
            chunk = ids[start : start + self.MAX_BATCH]
            try:
                found.update(await self._fetch(chunk))
            except TavusError as error:
                found.update(dict.fromkeys(chunk, error))
        return [found[replica_id] for replica_id in asked]

    async def _fetch(self, ids: list[str]) -> dict[str, Replica | Exception]:
        found: dict[str, Replica | Exception] = {}
        if len(ids) > 1:
            found.update(await self._tavus.get_replicas(ids))
        for replica_id in ids:
            # One alone, or one the list left out: ask for it by itself (a 400 says "no such").
            if replica_id not in found:
                try:
                    found[replica_id] = await self._tavus.get_replica(replica_id)
                except TavusError as error:
                    found[replica_id] = error
        return found
