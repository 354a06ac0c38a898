"""The paces table: Slack's budgets, each changed by one instance at a time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TypeVar

from sqlalchemy import RowMapping, select, update
from sqlalchemy.exc import IntegrityError

from bot.delivery.pace import PaceState
from bot.store.engine import Database
from bot.store.schema import paces

T = TypeVar("T")


class PaceRows:
    """A row per budget; a change reads it under a row lock and writes it back in one go."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> PaceState | None:
        """The state of `key`, if any instance has spent from it."""
        async with self._db.reading() as connection:
            row = (await connection.execute(select(paces).where(paces.c.key == key))).first()
        return None if row is None else _state(row._mapping)

    async def change(
        self, key: str, fresh: PaceState, how: Callable[[PaceState], tuple[PaceState, T]]
    ) -> T:
        """Apply `how` to the state of `key` (`fresh` if it has none) and keep what it returns."""
        try:
            return await self._change(key, fresh, how)
        except IntegrityError:
            # Another instance made the row first: change theirs.
            return await self._change(key, fresh, how)

    async def _change(
        self, key: str, fresh: PaceState, how: Callable[[PaceState], tuple[PaceState, T]]
    ) -> T:
        async with self._db.writing() as connection:
            # FOR UPDATE: an instance changing the same budget waits for this one's commit.
            row = (
                await connection.execute(select(paces).where(paces.c.key == key).with_for_update())
            ).first()
            if row is None:
                state, result = how(fresh)
                await connection.execute(paces.insert().values(key=key, **asdict(state)))
            else:
                state, result = how(_state(row._mapping))
                await connection.execute(
                    update(paces).where(paces.c.key == key).values(**asdict(state))
                )
        return result


def _state(row: RowMapping) -> PaceState:
    return PaceState(
        rate=float(row["rate"]),
        burst=float(row["burst"]),
        tokens=float(row["tokens"]),
        updated=float(row["updated"]),
        paused_until=float(row["paused_until"]),
        taken=int(row["taken"]),
    )
