"""Store: the jobs, kept in SQLite or PostgreSQL through SQLAlchemy's async engine."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.jobs import Job, JobStatus, ReplicaRequest, Requester
from bot.store.schema import jobs

MIGRATIONS = Path(__file__).with_name("migrations")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class Store:
    """Persistence for jobs; every state change is a compare-and-set on the job's status."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    @classmethod
    async def open(cls, url: str, *, clock: Clock = utcnow) -> Store:
        """Connect to the database at an async SQLAlchemy URL and bring its schema up to date."""
        engine = create_engine(url)
        store = cls(engine, clock=clock)
        try:
            await store.migrate()
        except BaseException:
            await engine.dispose()
            raise
        return store

    async def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        async with self._engine.begin() as connection:
            await connection.run_sync(_upgrade)

    async def close(self) -> None:
        """Release every connection."""
        await self._engine.dispose()

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def add_job(
        self,
        *,
        job_id: str,
        requester: Requester,
        request: ReplicaRequest,
        callback_digest: str,
    ) -> Job:
        """Save a new job in the CREATING state."""
        now = self._clock()
        values: dict[str, Any] = {
            "id": job_id,
            "team_id": requester.team_id,
            "user_id": requester.user_id,
            "channel_id": requester.channel_id,
            "replica_name": request.replica_name,
            "model_name": request.model_name,
            "train_video_url": request.train_video_url,
            "train_image_url": request.train_image_url,
            "voice_name": request.voice_name,
            "consent_video_url": request.consent_video_url,
            "callback_digest": callback_digest,
            "status": JobStatus.CREATING.value,
            "created_at": now,
            "updated_at": now,
        }
        async with self._engine.begin() as connection:
            await connection.execute(jobs.insert().values(**values))
        return _to_job(values)

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, if there is one."""
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(jobs).where(jobs.c.id == job_id))).first()
        return _to_job(row._mapping) if row is not None else None

    async def transition(
        self,
        job_id: str,
        *,
        from_: JobStatus,
        to: JobStatus,
        replica_id: str | None = None,
        error_message: str | None = None,
    ) -> Job | None:
        """Move a job from one status to another; None if it was not in `from_` (someone won)."""
        changes: dict[str, Any] = {"status": to.value, "updated_at": self._clock()}
        if replica_id is not None:
            changes["replica_id"] = replica_id
        if error_message is not None:
            changes["error_message"] = error_message
        return await self._update(job_id, changes, (jobs.c.status == from_.value,))

    async def set_announcement(self, job_id: str, *, channel: str, ts: str) -> Job | None:
        """Remember where the job was announced, so results go to that message's thread."""
        return await self._update(
            job_id,
            {"announcement_channel": channel, "announcement_ts": ts, "updated_at": self._clock()},
            (),
        )

    async def _update(
        self, job_id: str, changes: dict[str, Any], conditions: tuple[Any, ...]
    ) -> Job | None:
        statement = (
            update(jobs)
            .where(jobs.c.id == job_id, *conditions)
            .values(**changes)
            .returning(*jobs.c)
        )
        async with self._engine.begin() as connection:
            row = (await connection.execute(statement)).first()
        return _to_job(row._mapping) if row is not None else None


def create_engine(url: str) -> AsyncEngine:
    """An async engine set up for the bot's access pattern on either backend."""
    if url.startswith("sqlite"):
        # A generous busy timeout instead of 'database is locked' when two writers meet.
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (health checks, lookups) run while a write is in progress.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _to_job(row: Mapping[Any, Any]) -> Job:
    return Job(
        id=row["id"],
        requester=Requester(
            team_id=row["team_id"], user_id=row["user_id"], channel_id=row["channel_id"]
        ),
        request=ReplicaRequest(
            replica_name=row["replica_name"],
            model_name=row["model_name"],
            train_video_url=row["train_video_url"],
            train_image_url=row["train_image_url"],
            voice_name=row["voice_name"],
            consent_video_url=row["consent_video_url"],
        ),
        status=JobStatus(row["status"]),
        callback_digest=row["callback_digest"],
        created_at=_aware(row["created_at"]),
        updated_at=_aware(row["updated_at"]),
        replica_id=row.get("replica_id"),
        error_message=row.get("error_message"),
        announcement_channel=row.get("announcement_channel"),
        announcement_ts=row.get("announcement_ts"),
    )
