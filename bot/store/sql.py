"""Store: jobs and their owed notices, in SQLite or PostgreSQL through SQLAlchemy's async engine."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    event,
    exists,
    func,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.batch import Batch
from bot.jobs import (
    Job,
    JobStatus,
    Notice,
    NoticeKind,
    ReplicaRequest,
    Requester,
    new_id,
)
from bot.store.schema import jobs, notices

MIGRATIONS = Path(__file__).with_name("migrations")

Clock = Callable[[], datetime]
FINAL = tuple(status.value for status in JobStatus if status.is_final)
# A notice and its job in one row; the notice's columns are prefixed, since both have an id.
NOTICES_WITH_JOBS = select(*(column.label(f"n_{column.name}") for column in notices.c), jobs).join(
    jobs, jobs.c.id == notices.c.job_id
)


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class StoreUnavailable(Exception):
    """The database did not answer (down, unreachable, or its pool exhausted)."""


# What an unreachable or overloaded database raises, whichever the driver.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout, OSError, TimeoutError)


class _Unset:
    """Marks an optional change that was not asked for (None is a value: 'clear it')."""


UNSET: Any = _Unset()


@dataclass(frozen=True, slots=True)
class _Claim:
    notice_id: str
    owner: str
    lease: timedelta


@dataclass(frozen=True, slots=True)
class _Sent:
    notice_id: str
    owner: str
    channel: str
    ts: str
    error: str | None


class Store:
    """Persistence for jobs and the outbox; every state change is a compare-and-set."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utcnow) -> None:
        self._engine = engine
        self._clock: Clock = lambda: clock().astimezone(UTC)
        # SQLite lets one writer in at a time and makes the others sleep and retry; queueing
        # them here instead costs nothing and never sleeps. PostgreSQL needs no such help.
        self._one_writer = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )
        self._save_jobs = Batch(self._writing, self._insert_jobs)
        self._claim_notices = Batch(self._writing, self._claim)
        self._record_sent = Batch(self._writing, self._mark_sent)

    @classmethod
    async def open(cls, url: str, *, clock: Clock = utcnow, pool: Pool | None = None) -> Store:
        """Connect to the database at an async SQLAlchemy URL and bring its schema up to date."""
        engine = create_engine(url, pool)
        store = cls(engine, clock=clock)
        try:
            await store.migrate()
        except BaseException:
            await engine.dispose()
            raise
        return store

    def now(self) -> datetime:
        """The store's clock."""
        return self._clock()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[AsyncConnection]:
        async with self._one_writer, _available(), self._engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[AsyncConnection]:
        async with _available(), self._engine.connect() as connection:
            yield connection

    async def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        async with self._writing() as connection:
            await connection.run_sync(_upgrade)

    async def _finish_writes(self) -> None:
        """Wait for the batched writes under way, whether or not their callers still wait."""
        for together in (self._save_jobs, self._claim_notices, self._record_sent):
            await together.finish()

    async def close(self) -> None:
        """Finish the writes under way, then release every connection."""
        await self._finish_writes()
        await self._engine.dispose()

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self._reading() as connection:
            await connection.execute(text("SELECT 1"))

    # Jobs.

    async def add_job(
        self,
        *,
        job_id: str,
        requester: Requester,
        request: ReplicaRequest,
        next_check_at: datetime | None = None,
    ) -> Job:
        """Save a new job in the QUEUED state; the reconciler looks again at `next_check_at`."""
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
            "callback_digest": "",
            "status": JobStatus.QUEUED.value,
            "next_check_at": _utc(next_check_at),
            "created_at": now,
            "updated_at": now,
        }
        await self._save_jobs(values)
        return _to_job(values)

    @staticmethod
    async def _insert_jobs(connection: AsyncConnection, rows: list[dict[str, Any]]) -> list[None]:
        await connection.execute(jobs.insert(), rows)
        return [None] * len(rows)

    async def get_job(self, job_id: str) -> Job | None:
        """The job with this id, if there is one."""
        async with self._reading() as connection:
            row = (await connection.execute(select(jobs).where(jobs.c.id == job_id))).first()
        return _to_job(row._mapping) if row is not None else None

    async def jobs_of(
        self, *, team_id: str, user_id: str | None = None, limit: int = 10, offset: int = 0
    ) -> list[Job]:
        """A workspace's (or one requester's) replicas, newest first, deleted ones left out."""
        statement = select(jobs).where(
            jobs.c.team_id == team_id, jobs.c.status != JobStatus.DELETED.value
        )
        if user_id is not None:
            statement = statement.where(jobs.c.user_id == user_id)
        statement = (
            statement.order_by(jobs.c.created_at.desc(), jobs.c.id).limit(limit).offset(offset)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_to_job(row._mapping) for row in rows]

    async def find_job(self, *, team_id: str, query: str) -> Job | None:
        """The workspace's newest job whose replica id, or else name, is `query`."""
        for column in (jobs.c.replica_id, jobs.c.replica_name):
            statement = (
                select(jobs)
                .where(
                    jobs.c.team_id == team_id,
                    jobs.c.status != JobStatus.DELETED.value,
                    func.lower(column) == query.strip().lower(),
                )
                .order_by(jobs.c.created_at.desc())
                .limit(1)
            )
            async with self._reading() as connection:
                row = (await connection.execute(statement)).first()
            if row is not None:
                return _to_job(row._mapping)
        return None

    async def job_of_replica(self, replica_id: str) -> Job | None:
        """The job a replica belongs to, if any."""
        async with self._reading() as connection:
            row = (
                await connection.execute(select(jobs).where(jobs.c.replica_id == replica_id))
            ).first()
        return _to_job(row._mapping) if row is not None else None

    async def rename(self, job_id: str, replica_name: str) -> Job | None:
        """Record a replica's new name (after Tavus took it); the card is owed a redraw."""
        async with self._writing() as connection:
            job = await self._update_job(connection, job_id, {"replica_name": replica_name}, None)
            if job is not None and job.announcement_ts:
                await self._add_notice(connection, job_id, NoticeKind.CARD)
        return job

    async def transition(
        self,
        job_id: str,
        *,
        from_: Iterable[JobStatus],
        to: JobStatus,
        replica_id: str | None = UNSET,
        error_message: str | None = UNSET,
        callback_digest: str = UNSET,
        thumbnail_url: str | None = UNSET,
        next_check_at: datetime | None = UNSET,
        notice: NoticeKind | tuple[NoticeKind, ...] | None = None,
    ) -> Job | None:
        """Move a job from one of `from_` to `to`, owing `notice`(s) in the same transaction.

        Returns the changed job, or None if the job was in none of `from_` (someone else won).
        """
        changes = _given(
            status=to.value,
            replica_id=replica_id,
            error_message=error_message,
            callback_digest=callback_digest,
            thumbnail_url=thumbnail_url,
            next_check_at=next_check_at,
        )
        allowed = [status.value for status in from_]
        try:
            async with self._writing() as connection:
                job = await self._update_job(
                    connection, job_id, changes, jobs.c.status.in_(allowed)
                )
                kinds = (notice,) if isinstance(notice, NoticeKind) else notice or ()
                for kind in kinds if job is not None else ():
                    await self._add_notice(connection, job_id, kind)
        except IntegrityError:
            if replica_id is UNSET:
                raise
            # The replica is another job's already: this change loses, like any other race.
            return None
        return job

    async def note_progress(self, job_id: str, progress: str | None) -> Job | None:
        """Remember how far training has got; a change owes the job's card an update."""
        async with self._writing() as connection:
            job = await self._update_job(
                connection,
                job_id,
                {"training_progress": progress},
                or_(jobs.c.training_progress.is_(None), jobs.c.training_progress != progress),
            )
            if job is not None:
                await self._add_notice(connection, job_id, NoticeKind.CARD)
        return job

    async def due_checks(self, *, limit: int = 100) -> list[Job]:
        """Unfinished jobs whose next check is due, oldest due first."""
        statement = (
            select(jobs)
            .where(jobs.c.next_check_at <= self._clock(), jobs.c.status.not_in(FINAL))
            .order_by(jobs.c.next_check_at)
            .limit(limit)
        )
        async with self._reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_to_job(row._mapping) for row in rows]

    async def claim_check(self, job_id: str, *, until: datetime | None) -> Job | None:
        """Take a due check by moving it to `until` (None: no more checks); None if not due."""
        async with self._writing() as connection:
            return await self._update_job(
                connection,
                job_id,
                {"next_check_at": _utc(until)},
                jobs.c.next_check_at <= self._clock(),
            )

    async def check_soon(self, job_id: str, *, at: datetime) -> None:
        """Bring a job's next check forward to `at` (never push it back)."""
        async with self._writing() as connection:
            await self._update_job(
                connection,
                job_id,
                {"next_check_at": _utc(at)},
                or_(jobs.c.next_check_at.is_(None), jobs.c.next_check_at > _utc(at)),
            )

    async def _update_job(
        self,
        connection: AsyncConnection,
        job_id: str,
        changes: dict[str, Any],
        condition: Any,
    ) -> Job | None:
        statement = update(jobs).where(jobs.c.id == job_id)
        if condition is not None:
            statement = statement.where(condition)
        statement = statement.values(**changes, updated_at=self._clock()).returning(*jobs.c)
        row = (await connection.execute(statement)).first()
        return _to_job(row._mapping) if row is not None else None

    # Notices (the outbox).

    async def owe(self, job_id: str, kind: NoticeKind) -> Notice:
        """Owe a notice that no state change caused (e.g. a DM because the modal was closed)."""
        async with self._writing() as connection:
            return await self._add_notice(connection, job_id, kind)

    async def _add_notice(
        self, connection: AsyncConnection, job_id: str, kind: NoticeKind
    ) -> Notice:
        if kind is NoticeKind.CARD:
            # A card is drawn from the job as it is when sent: one pending update is enough.
            pending = await connection.execute(
                select(notices).where(
                    notices.c.job_id == job_id,
                    notices.c.kind == kind.value,
                    notices.c.status == "pending",
                )
            )
            if (row := pending.first()) is not None:
                return _to_notice(row._mapping)
        now = self._clock()
        values: dict[str, Any] = {
            "id": new_id(),
            "job_id": job_id,
            "kind": kind.value,
            "status": "pending",
            "attempts": 0,
            "in_doubt": False,
            "next_attempt_at": now,
            "created_at": now,
            "updated_at": now,
        }
        await connection.execute(notices.insert().values(**values))
        return _to_notice(values)

    async def due_notices(
        self, *, limit: int = 500, excluding: Collection[str] = ()
    ) -> list[tuple[Notice, Job]]:
        """Pending notices due now and claimed by nobody (nor in `excluding`), oldest first."""
        statement = (
            NOTICES_WITH_JOBS.where(*_free_and_due(self._clock()))
            .order_by(notices.c.created_at, notices.c.id)
            .limit(limit)
        )
        if excluding:
            statement = statement.where(notices.c.id.not_in(list(excluding)))
        async with self._reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_notice_and_job(row._mapping) for row in rows]

    async def next_notice_at(self, *, excluding: Collection[str] = ()) -> datetime | None:
        """When the earliest pending notice (not in `excluding`) falls due or its claim ends."""
        ready_at = case(
            (notices.c.lease_until > notices.c.next_attempt_at, notices.c.lease_until),
            else_=notices.c.next_attempt_at,
        )
        statement = select(func.min(ready_at)).where(notices.c.status == "pending")
        if excluding:
            statement = statement.where(notices.c.id.not_in(list(excluding)))
        async with self._reading() as connection:
            earliest = (await connection.execute(statement)).scalar()
        if isinstance(earliest, str):
            # SQLite returns MIN() over a CASE as text, not as a datetime.
            earliest = datetime.fromisoformat(earliest)
        return _aware(earliest) if earliest is not None else None

    async def claim_notice(
        self, notice_id: str, *, owner: str, lease: timedelta
    ) -> tuple[Notice, Job] | None:
        """Take a due notice for sending, for `lease` from now; None if it is not free and due.

        From here until it is recorded sent, a post may have landed: the claim marks it in
        doubt. The notice returned says whether an earlier attempt already was.
        """
        return await self._claim_notices(_Claim(notice_id, owner, lease))

    async def _claim(
        self, connection: AsyncConnection, claims: list[_Claim]
    ) -> list[tuple[Notice, Job] | None]:
        now = self._clock()
        free = _free_and_due(now)
        ids = {claim.notice_id for claim in claims}
        found = await connection.execute(NOTICES_WITH_JOBS.where(notices.c.id.in_(ids), *free))
        before = {row.n_id: _notice_and_job(row._mapping) for row in found}
        # Per owner and lease, the first claim of each notice: a repeat in the batch gets None.
        asked: dict[tuple[str, timedelta], dict[str, _Claim]] = {}
        for claim in claims:
            if claim.notice_id in before:
                group = asked.setdefault((claim.owner, claim.lease), {})
                group.setdefault(claim.notice_id, claim)
        taken: dict[str, _Claim] = {}
        for (owner, lease), firsts in asked.items():
            wanted = [notice_id for notice_id in firsts if notice_id not in taken]
            if not wanted:
                continue
            claimed = await connection.execute(
                update(notices)
                .where(notices.c.id.in_(wanted), *free)
                .values(
                    lease_owner=owner,
                    lease_until=_utc(now + lease),
                    # Cards are redrawn, never posted: a repeat of one does no harm.
                    in_doubt=case(
                        (notices.c.kind != NoticeKind.CARD.value, True),
                        else_=notices.c.in_doubt,
                    ),
                    updated_at=now,
                )
                .returning(notices.c.id)
            )
            # Another instance may have claimed some between the two statements.
            for (notice_id,) in claimed:
                taken[notice_id] = firsts[notice_id]
        return [
            before[claim.notice_id] if taken.get(claim.notice_id) is claim else None
            for claim in claims
        ]

    async def notice_sent(
        self, notice_id: str, *, owner: str, channel: str, ts: str, error: str | None = None
    ) -> bool:
        """Record delivery (and why it went elsewhere, if it did); False if not ours.

        An announcement's message also becomes its job's thread.
        """
        return await self._record_sent(_Sent(notice_id, owner, channel, ts, error))

    async def _mark_sent(self, connection: AsyncConnection, sents: list[_Sent]) -> list[bool]:
        ours = []
        for sent in sents:
            row = (
                await connection.execute(
                    update(notices)
                    .where(notices.c.id == sent.notice_id, notices.c.lease_owner == sent.owner)
                    .values(
                        status="sent",
                        channel=sent.channel,
                        ts=sent.ts,
                        last_error=sent.error,
                        in_doubt=False,
                        lease_owner=None,
                        lease_until=None,
                        updated_at=self._clock(),
                    )
                    .returning(notices.c.job_id, notices.c.kind)
                )
            ).first()
            if row is not None and row.kind == NoticeKind.ANNOUNCEMENT.value:
                await self._update_job(
                    connection,
                    row.job_id,
                    {"announcement_channel": sent.channel, "announcement_ts": sent.ts},
                    None,
                )
            ours.append(row is not None)
        return ours

    async def retry_notice(
        self,
        notice_id: str,
        *,
        owner: str,
        at: datetime,
        error: str,
        in_doubt: bool,
        failed: bool = True,
    ) -> None:
        """Hand a notice back to be tried again at `at`; `failed` counts it towards backoff."""
        changes: dict[str, Any] = {
            "next_attempt_at": _utc(at),
            "last_error": error,
            "in_doubt": in_doubt,
            "lease_owner": None,
            "lease_until": None,
        }
        if failed:
            changes["attempts"] = notices.c.attempts + 1
        await self._update_notice(notice_id, owner, **changes)

    async def notice_failed(self, notice_id: str, *, owner: str, error: str) -> None:
        """Give up on a notice for good, recording why."""
        await self._update_notice(
            notice_id,
            owner,
            status="failed",
            last_error=error,
            in_doubt=False,
            lease_owner=None,
            lease_until=None,
        )

    async def release_notices(self, *, owner: str) -> None:
        """Hand back every notice this owner holds, so another instance can send it now."""
        # A claim or delivery record whose caller was cut off may still land: let it first.
        await self._finish_writes()
        async with self._writing() as connection:
            await connection.execute(
                update(notices)
                .where(notices.c.lease_owner == owner, notices.c.status == "pending")
                .values(lease_owner=None, lease_until=None, updated_at=self._clock())
            )

    async def owes(self, job_id: str, kind: NoticeKind) -> bool:
        """Whether a notice of this kind is still pending for the job."""
        statement = select(
            exists().where(
                and_(
                    notices.c.job_id == job_id,
                    notices.c.kind == kind.value,
                    notices.c.status == "pending",
                )
            )
        )
        async with self._reading() as connection:
            return bool((await connection.execute(statement)).scalar())

    async def notices_of(self, job_id: str) -> list[dict[str, Any]]:
        """Every notice of a job with its delivery record, oldest first (for support and tests)."""
        statement = select(notices).where(notices.c.job_id == job_id).order_by(notices.c.created_at)
        async with self._reading() as connection:
            rows = await connection.execute(statement)
            return [
                {k: _aware(v) if isinstance(v, datetime) else v for k, v in row._mapping.items()}
                for row in rows
            ]

    async def _update_notice(self, notice_id: str, owner: str, **changes: Any) -> None:
        async with self._writing() as connection:
            await connection.execute(
                update(notices)
                .where(notices.c.id == notice_id, notices.c.lease_owner == owner)
                .values(**changes, updated_at=self._clock())
            )


@asynccontextmanager
async def _available() -> AsyncIterator[None]:
    """Turn the many ways a database can be out of reach into StoreUnavailable."""
    try:
        yield
    except UNAVAILABLE as exc:
        raise StoreUnavailable(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        raise StoreUnavailable("the database connection was lost") from exc


@dataclass(frozen=True, slots=True)
class Pool:
    """Connection pool limits (PostgreSQL; SQLite is a file and needs none)."""

    size: int = 5
    overflow: int = 5
    timeout: float = 10.0


def create_engine(url: str, pool: Pool | None = None) -> AsyncEngine:
    """An async engine set up for the bot's access pattern on either backend."""
    if url.startswith("sqlite"):
        # A generous busy timeout instead of 'database is locked' when two writers meet.
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    pool = pool or Pool()
    return create_async_engine(
        url,
        # A connection that died with the server is noticed and replaced, not handed out.
        pool_pre_ping=True,
        pool_size=pool.size,
        max_overflow=pool.overflow,
        pool_timeout=pool.timeout,
        connect_args={"timeout": pool.timeout, "command_timeout": 30},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (health checks, lookups) run while a write is in progress.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Any constant will do: it names the lock every instance takes before migrating.
MIGRATION_LOCK = 7_263_512


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Instances starting together take turns; the lock ends with the transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _given(**changes: Any) -> dict[str, Any]:
    return {key: _utc(value) for key, value in changes.items() if value is not UNSET}


def _utc(value: Any) -> Any:
    # SQLite keeps no zone and compares text: every stored moment must be in UTC.
    return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _maybe_aware(moment: datetime | None) -> datetime | None:
    return _aware(moment) if moment is not None else None


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
        training_progress=row.get("training_progress"),
        thumbnail_url=row.get("thumbnail_url"),
        next_check_at=_maybe_aware(row.get("next_check_at")),
    )


def _notice_and_job(row: Mapping[Any, Any]) -> tuple[Notice, Job]:
    return _to_notice(row, "n_"), _to_job(row)


def _free_and_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Pending notices due by `now` that nobody holds (or whose holder's lease has run out)."""
    return (
        notices.c.status == "pending",
        notices.c.next_attempt_at <= now,
        or_(notices.c.lease_until.is_(None), notices.c.lease_until <= now),
    )


def _to_notice(row: Mapping[Any, Any], prefix: str = "") -> Notice:
    return Notice(
        id=row[f"{prefix}id"],
        job_id=row[f"{prefix}job_id"],
        kind=NoticeKind(row[f"{prefix}kind"]),
        created_at=_aware(row[f"{prefix}created_at"]),
        attempts=row[f"{prefix}attempts"],
        in_doubt=bool(row[f"{prefix}in_doubt"]),
    )
