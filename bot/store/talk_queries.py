"""The talks table: who opened which conversation with a ready replica, claimed before Tavus is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.engine import Database
from bot.store.rows import aware
from bot.store.schema import talks


@dataclass(frozen=True, slots=True)
class Opened:
    """A conversation someone opened (or is opening: no link yet) with a replica."""

    conversation_url: str | None
    started_at: datetime


class TalkRows:
    """One conversation per person and replica at a time: claimed first, its link kept."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, job_id: str, user_id: str, *, since: datetime) -> Opened | None:
        """None: the caller holds the claim and asks Tavus now; else the one opened since `since`.

        An Opened without a link is being opened by someone else's click (another instance).
        """
        try:
            return await self._claim(job_id, user_id, since)
        except IntegrityError:
            # Claimed at the same moment elsewhere (a double click on two instances): theirs.
            return await self._claim(job_id, user_id, since)

    async def _claim(self, job_id: str, user_id: str, since: datetime) -> Opened | None:
        mine = (talks.c.job_id == job_id) & (talks.c.user_id == user_id)
        async with self._db.writing() as connection:
            row = (await connection.execute(select(talks).where(mine))).first()
            if row is not None and aware(row.started_at) >= since:
                return Opened(row.conversation_url, aware(row.started_at))
            await connection.execute(delete(talks).where(mine))
            await connection.execute(
                talks.insert().values(job_id=job_id, user_id=user_id, started_at=self._db.now())
            )
        return None

    async def opened(self, job_id: str, user_id: str, *, conversation_id: str, url: str) -> None:
        """Keep the conversation Tavus opened for a claim."""
        async with self._db.writing() as connection:
            await connection.execute(
                talks.update()
                .where(talks.c.job_id == job_id, talks.c.user_id == user_id)
                .values(conversation_id=conversation_id, conversation_url=url)
            )

    async def release(self, job_id: str, user_id: str) -> None:
        """Give up a claim Tavus did not fill: the next click tries again."""
        async with self._db.writing() as connection:
            await connection.execute(
                delete(talks).where(
                    talks.c.job_id == job_id,
                    talks.c.user_id == user_id,
                    talks.c.conversation_url.is_(None),
                )
            )

    async def get(self, job_id: str, user_id: str) -> Opened | None:
        """The conversation last opened (or being opened) by a person with a replica."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(
                    select(talks).where(talks.c.job_id == job_id, talks.c.user_id == user_id)
                )
            ).first()
        return Opened(row.conversation_url, aware(row.started_at)) if row is not None else None


async def forget(connection: AsyncConnection, job_ids: Sequence[str]) -> None:
    """Delete these jobs' conversations (their links): the jobs' retention is over."""
    for start in range(0, len(job_ids), 500):  # within any database's bound-parameter limit
        chunk = list(job_ids[start : start + 500])
        await connection.execute(delete(talks).where(talks.c.job_id.in_(chunk)))
