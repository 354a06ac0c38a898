"""Replica lookups made at the same moment, answered by one list request per Tavus account."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from bot.aio import Batch
from bot.tavus import Replica, TavusClient, TavusError


class Lookups:
    """Replica lookups made at the same moment, answered by one request to Tavus.

    A burst of callbacks (Tavus finishing many trainings in one minute), or a reconciler round
    over many trainings, then costs a list request per hundred instead of one GET each.
    """

    WINDOW = 0.005  # how long a lookup waits for others to join it, in seconds
    MAX_BATCH = 100

    def __init__(self) -> None:
        self._batch: Batch[None, tuple[TavusClient, str], Replica] = Batch(
            self._window, self._fetch_all
        )

    async def get(self, tavus: TavusClient, replica_id: str) -> Replica:
        """The replica as the Tavus account it belongs to reports it now."""
        return await self._batch((tavus, replica_id))

    @contextlib.asynccontextmanager
    async def _window(self) -> AsyncIterator[None]:
        await asyncio.sleep(self.WINDOW)
        yield

    async def _fetch_all(
        self, _: None, asked: list[tuple[TavusClient, str]]
    ) -> list[Replica | Exception]:
        # Each account is asked only for its own replicas: it cannot see another's.
        by_account: dict[TavusClient, list[str]] = {}
        for tavus, replica_id in asked:
            by_account.setdefault(tavus, [])
            if replica_id not in by_account[tavus]:  # two callbacks may ask for the same one
                by_account[tavus].append(replica_id)
        found: dict[tuple[TavusClient, str], Replica | Exception] = {}
        for tavus, ids in by_account.items():
            for start in range(0, len(ids), self.MAX_BATCH):
                chunk = ids[start : start + self.MAX_BATCH]
                answers: dict[str, Replica | Exception]
                try:
                    answers = await self._fetch(tavus, chunk)
                except TavusError as error:
                    answers = dict.fromkeys(chunk, error)
                found.update({(tavus, replica_id): a for replica_id, a in answers.items()})
        return [found[ask] for ask in asked]

    async def _fetch(self, tavus: TavusClient, ids: list[str]) -> dict[str, Replica | Exception]:
        found: dict[str, Replica | Exception] = {}
        if len(ids) > 1:
            found.update(await tavus.get_replicas(ids))
        for replica_id in ids:
            # One alone, or one the list left out: ask for it by itself (a 400 says "no such").
            if replica_id not in found:
                try:
                    found[replica_id] = await tavus.get_replica(replica_id)
                except TavusError as error:
                    found[replica_id] = error
        return found
