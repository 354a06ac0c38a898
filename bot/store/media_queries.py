"""The keys and media tables: the bot's own secrets, and the files it keeps until swept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Row, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.jobs import JobStatus
from bot.media.model import Kept
from bot.store.engine import Database, take_turn
from bot.store.rows import aware, utc
from bot.store.schema import jobs, keys, media

ENDED = [status.value for status in JobStatus if status.is_final]


class Keys:
    """Secrets made once by whichever instance asks first, then the same for every instance.

    Each is kept as it is given: sealing it, and knowing a sealed one, is the caller's
    (bot.workspaces.vault).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, name: str, *, make: Callable[[], str]) -> str:
        """The value kept as `name`; if there is none yet, `make()`'s, kept first."""
        async with self._db.reading() as connection:
            found = (
                await connection.execute(select(keys.c.value).where(keys.c.name == name))
            ).scalar()
        if found is not None:
            return str(found)
        try:
            async with self._db.writing() as connection:
                await connection.execute(keys.insert().values(name=name, value=make()))
        except IntegrityError:
            pass  # another instance made it first: theirs it is
        async with self._db.reading() as connection:
            return str(
                (
                    await connection.execute(select(keys.c.value).where(keys.c.name == name))
                ).scalar_one()
            )

    async def stored(self) -> dict[str, str]:
        """Every value kept, by name."""
        async with self._db.reading() as connection:
            rows = (await connection.execute(select(keys.c.name, keys.c.value))).all()
        return {row.name: row.value for row in rows}

    async def replace(self, name: str, /, *, was: str, now: str) -> bool:
        """Keep `now` as `name` if `was` is still kept (compare-and-set); whether it was."""
        async with self._db.writing() as connection:
            result = await connection.execute(
                update(keys).where(keys.c.name == name, keys.c.value == was).values(value=now)
            )
        return bool(result.rowcount)


class Media:
    """Queries on kept files; the sweeper deletes what training no longer needs."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, kept: Kept) -> None:
        """Remember a file just stored."""
        async with self._db.writing() as connection:
            await connection.execute(self._insert(kept))

    def _insert(self, kept: Kept) -> Insert:
        """The row that stands for a kept file (or one about to be made)."""
        return media.insert().values(
            key=kept.key,
            job_id=kept.job_id,
            sha256=kept.sha256,
            size=kept.size,
            created_at=self._db.now(),
            delete_after=utc(kept.delete_after),
        )

    async def reserve(self, kept: Kept, *, team_id: str, quota: int) -> bool:
        """Count a copy about to be made against its workspace's quota; False if it won't fit.

        Counted at the size Slack gives for it; nothing is written for one that won't fit.
        The row stands for the copy from now on; `stored` fills in what it turned out to be.
        """
        async with self._db.writing() as connection:
            # Two instances reserving for one workspace at once take turns (SQLite has one
            # writer already), so together they cannot overshoot the quota.
            await take_turn(connection, f"media quota {team_id}")
            if await _in_use(connection, team_id) + kept.size > quota:
                return False
            await connection.execute(self._insert(kept))
        return True

    async def stored(self, key: str, *, sha256: str, size: int, until: datetime) -> bool:
        """Fill in a reserved copy once made; False if it was swept meanwhile (its job ended)."""
        async with self._db.writing() as connection:
            changed = await connection.execute(
                update(media)
                .where(media.c.key == key, media.c.deleted_at.is_(None))
                .values(sha256=sha256, size=size, delete_after=utc(until))
            )
        return bool(changed.rowcount)

    async def in_use(self, team_id: str) -> int:
        """Bytes of the copies a workspace keeps now, those being made included."""
        async with self._db.reading() as connection:
            return await _in_use(connection, team_id)

    async def of_job(self, job_id: str) -> list[Kept]:
        """The files kept for a job."""
        async with self._db.reading() as connection:
            rows = (await connection.execute(select(media).where(media.c.job_id == job_id))).all()
        return [_kept(row) for row in rows]

    async def to_sweep(self, *, limit: int = 100) -> list[Kept]:
        """Files not yet deleted whose time is up, or whose job's training has ended."""
        ended = select(jobs.c.id).where(jobs.c.id == media.c.job_id, jobs.c.status.in_(ENDED))
        statement = (
            select(media)
            .where(
                media.c.deleted_at.is_(None),
                or_(media.c.delete_after <= self._db.now(), ended.exists()),
            )
            .order_by(media.c.delete_after)
            .limit(limit)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_kept(row) for row in rows]

    async def keep_until(self, key: str, until: datetime) -> None:
        """Keep a file at least until `until` (its link was just renewed)."""
        async with self._db.writing() as connection:
            await connection.execute(
                update(media)
                .where(media.c.key == key, media.c.delete_after < utc(until))
                .values(delete_after=utc(until))
            )

    async def swept(self, key: str) -> None:
        """Remember that a file has been deleted."""
        async with self._db.writing() as connection:
            await connection.execute(
                update(media)
                .where(and_(media.c.key == key, media.c.deleted_at.is_(None)))
                .values(deleted_at=self._db.now())
            )


async def _in_use(connection: AsyncConnection, team_id: str) -> int:
    # Every copy not yet deleted counts, its job's end notwithstanding: it is on disk until swept.
    statement = (
        select(func.coalesce(func.sum(media.c.size), 0))
        .select_from(media.join(jobs, jobs.c.id == media.c.job_id))
        .where(jobs.c.team_id == team_id, media.c.deleted_at.is_(None))
    )
    return int((await connection.execute(statement)).scalar_one())


def _kept(row: Row[Any]) -> Kept:
    mapping = row._mapping
    return Kept(
        key=mapping["key"],
        job_id=mapping["job_id"],
        sha256=mapping["sha256"],
        size=mapping["size"],
        delete_after=aware(mapping["delete_after"]),
    )
