"""The jobs table: saving requests and reading them back; moves and checks are beside it.

`Jobs` is what `store.jobs` is: these queries, with the moves of job_moves.py and the
scheduled checks of job_checks.py, so callers have one object for the table.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.aio import Batch
from bot.governance.audit import Action, Record
from bot.jobs import Job, JobStatus, NoticeKind, ReplicaRequest, Requester, Sight, Viewer
from bot.store import audit_queries, notice_queries
from bot.store.engine import Database
from bot.store.job_checks import JobChecks
from bot.store.job_moves import JobMoves
from bot.store.listed import listed
from bot.store.rows import to_job, utc
from bot.store.schema import jobs

# Requests whose consent is still to be asked or answered: a file from Slack is copied first,
# the media looked into.
WAITING = tuple(
    status.value for status in (JobStatus.FETCHING, JobStatus.CHECKING, JobStatus.AWAITING_CONSENT)
)


class Jobs(JobMoves, JobChecks):
    """Queries on jobs: each change is a compare-and-set, owing its notice in its transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # A burst of forms saved together costs one transaction (the group commit).
        self._saves: Batch[AsyncConnection, _Save, None] = Batch(db.writing, self._insert)
        self._waits: Batch[AsyncConnection, tuple[str, str, str | None], tuple[int, int]] = Batch(
            db.reading, self._waiting_all
        )

    async def finish(self) -> None:
        """Wait for the saves under way."""
        await self._saves.finish()

    async def add(
        self,
        *,
        job_id: str,
        requester: Requester,
        request: ReplicaRequest,
        next_check_at: datetime | None = None,
        checking: bool = False,
    ) -> Job:
        """Save a new job; the reconciler looks again at `next_check_at`.

        A request naming whose likeness it is waits for their consent: its card and their DM
        are owed with it. One saved before consent existed is QUEUED, its create next.
        `checking` (the media check is on): either is CHECKING first, owing its card alone. A
        file from Slack is FETCHING first, whatever the check.
        """
        now = self._db.now()
        status = JobStatus.AWAITING_CONSENT if request.subject_id else JobStatus.QUEUED
        if checking:
            status = JobStatus.CHECKING
        if request.slack_file:
            status = JobStatus.FETCHING
        values: dict[str, Any] = {
            "id": job_id,
            "team_id": requester.team_id,
            "enterprise_id": requester.enterprise_id,
            "user_id": requester.user_id,
            "channel_id": requester.channel_id,
            "private": requester.private,
            "replica_name": request.replica_name,
            "model_name": request.model_name,
            "train_video_url": request.train_video_url,
            "train_image_url": request.train_image_url,
            "voice_name": request.voice_name,
            "consent_video_url": request.consent_video_url,
            "subject_id": request.subject_id,
            "subject_name": request.subject_name,
            "intended_use": request.intended_use,
            "unchecked": ",".join(request.unchecked) or None,
            "slack_file": request.slack_file,
            "slack_file_name": request.slack_file_name,
            "callback_digest": "",
            "status": status.value,
            "next_check_at": utc(next_check_at),
            "created_at": now,
            "updated_at": now,
        }
        requested = Record(
            at=now,
            team_id=requester.team_id,
            actor=requester.user_id,
            action=Action.REQUESTED,
            job_id=job_id,
            subject=request.subject_id,
            details={
                "replica_name": request.replica_name,
                "model_name": request.model_name,
                "channel_id": requester.channel_id,
            },
        )
        owed: tuple[NoticeKind, ...] = ()
        if status is JobStatus.AWAITING_CONSENT:
            owed = (NoticeKind.ANNOUNCEMENT, NoticeKind.CONSENT_REQUEST)
            if request.unchecked:
                owed += (NoticeKind.UNCHECKED,)
        if status is JobStatus.CHECKING:
            owed = (NoticeKind.ANNOUNCEMENT,)  # the consent request once the media passed
            if request.unchecked:
                owed += (NoticeKind.UNCHECKED,)
        if status is JobStatus.FETCHING:
            owed = (NoticeKind.ANNOUNCEMENT,)  # the consent request once the file is kept
        await self._saves(_Save(values, requested, owed))
        return to_job(values)

    async def get(self, job_id: str) -> Job | None:
        """The job with this id, if there is one."""
        return await self._first(select(jobs).where(jobs.c.id == job_id))

    async def page(
        self,
        *,
        team_id: str,
        user_id: str | None = None,
        viewer: Viewer | None = None,
        limit: int = 10,
        offset: int = 0,
        after: tuple[datetime, str] | None = None,
    ) -> list[Job]:
        """A workspace's (or one requester's) replicas, newest first, deleted ones left out.

        `after`: the (created_at, id) of the last job already shown: the page after it.

        With a `viewer`, only what they may see (see _seen_by); None: everything.
        """
        statement = select(jobs).where(
            jobs.c.team_id == team_id, jobs.c.status != JobStatus.DELETED.value
        )
        if user_id is not None:
            statement = statement.where(jobs.c.user_id == user_id)
        if viewer is not None:
            statement = statement.where(_seen_by(viewer))
        if after is not None:
            # Keyset: the jobs after the last one shown, in the list's order (no rows skipped).
            at, job_id = utc(after[0]), after[1]
            statement = statement.where(
                or_(jobs.c.created_at < at, and_(jobs.c.created_at == at, jobs.c.id > job_id))
            )
        statement = (
            statement.order_by(jobs.c.created_at.desc(), jobs.c.id).limit(limit).offset(offset)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [to_job(row._mapping) for row in rows]

    async def find(self, *, team_id: str, query: str, viewer: Viewer | None = None) -> Job | None:
        """The workspace's newest job whose replica id, or else name, is `query`.

        With a `viewer`, only among those they may see (as in page()).
        """
        wanted = query.strip()
        # By id exactly (its unique index), else by name (the index on its lower case).
        for matches in (
            jobs.c.replica_id.in_({wanted, wanted.lower()}),
            func.lower(jobs.c.replica_name) == wanted.lower(),
        ):
            statement = select(jobs).where(
                jobs.c.team_id == team_id, jobs.c.status != JobStatus.DELETED.value, matches
            )
            if viewer is not None:
                statement = statement.where(_seen_by(viewer))
            found = await self._first(statement.order_by(jobs.c.created_at.desc()).limit(1))
            if found is not None:
                return found
        return None

    async def of_subject(self, *, team_id: str, subject_id: str, limit: int = 20) -> list[Job]:
        """The replicas of one person (whose likeness they are), newest first."""
        statement = (
            select(jobs)
            .where(jobs.c.team_id == team_id, jobs.c.subject_id == subject_id)
            .order_by(jobs.c.created_at.desc(), jobs.c.id)
            .limit(limit)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [to_job(row._mapping) for row in rows]

    async def waiting(
        self, *, team_id: str, user_id: str | None = None, subject_id: str | None = None
    ) -> int:
        """How many requests by `user_id`, or of `subject_id`, wait for consent (or their file)."""
        statement = select(func.count()).where(
            jobs.c.team_id == team_id, jobs.c.status.in_(WAITING)
        )
        if user_id is not None:
            statement = statement.where(jobs.c.user_id == user_id)
        if subject_id is not None:
            statement = statement.where(jobs.c.subject_id == subject_id)
        async with self._db.reading() as connection:
            return int((await connection.execute(statement)).scalar_one())

    async def waiting_by_and_of(
        self, *, team_id: str, user_id: str, subject_id: str | None
    ) -> tuple[int, int]:
        """waiting() by `user_id` and of `subject_id` (0 if None), in one read.

        Every form asks: those asked at the same moment are answered by one query.
        """
        return await self._waits((team_id, user_id, subject_id))

    async def _waiting_all(
        self, connection: AsyncConnection, asks: list[tuple[str, str, str | None]]
    ) -> list[tuple[int, int]]:
        people = {user for _, user, _ in asks} | {subject for _, _, subject in asks if subject}
        statement = (
            select(jobs.c.team_id, jobs.c.user_id, jobs.c.subject_id, func.count())
            .where(
                jobs.c.team_id.in_(listed({team for team, _, _ in asks})),
                jobs.c.status.in_(WAITING),
                or_(jobs.c.user_id.in_(listed(people)), jobs.c.subject_id.in_(listed(people))),
            )
            .group_by(jobs.c.team_id, jobs.c.user_id, jobs.c.subject_id)
        )
        by: Counter[tuple[str, str]] = Counter()
        of: Counter[tuple[str, str]] = Counter()
        for team, user, subject, count in await connection.execute(statement):
            by[team, user] += count
            if subject is not None:
                of[team, subject] += count
        return [
            (by[team, user], of[team, subject] if subject is not None else 0)
            for team, user, subject in asks
        ]

    async def of_replica(self, replica_id: str) -> Job | None:
        """The job a replica belongs to, if any."""
        return await self._first(select(jobs).where(jobs.c.replica_id == replica_id))

    async def count_by_status(self) -> dict[str, int]:
        """How many jobs are in each status, every status named (0 where none is)."""
        statement = select(jobs.c.status, func.count()).group_by(jobs.c.status)
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        counts = dict.fromkeys((status.value for status in JobStatus), 0)
        counts.update({str(status): int(count) for status, count in rows})
        return counts

    async def _insert(self, connection: AsyncConnection, saves: list[_Save]) -> list[None]:
        await connection.execute(jobs.insert(), [save.values for save in saves])
        await audit_queries.record_in(connection, *(save.requested for save in saves))
        # New jobs owe nothing yet: their notices need no look for earlier ones.
        owed = [(save.values["id"], kind) for save in saves for kind in save.owes]
        await notice_queries.owe_new_in(connection, owed, now=self._db.now())
        return [None] * len(saves)

    async def _first(self, statement: Any) -> Job | None:
        async with self._db.reading() as connection:
            row = (await connection.execute(statement)).first()
        return to_job(row._mapping) if row is not None else None


def _seen_by(viewer: Viewer) -> ColumnElement[bool]:
    """Jobs `viewer` may see: an admin all; a member public ones and their own; a guest theirs.

    Their own: those they asked for, or that show them.
    """
    if viewer.sight is Sight.ALL:
        return true()
    own = or_(jobs.c.user_id == viewer.user_id, jobs.c.subject_id == viewer.user_id)
    if viewer.sight is Sight.GUEST:
        return own
    return or_(jobs.c.private.is_(False), own)


@dataclass(frozen=True, slots=True)
class _Save:
    values: dict[str, Any]
    requested: Record
    owes: tuple[NoticeKind, ...]
