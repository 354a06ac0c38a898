"""The jobs table: saving requests, reading them back, moving them, and scheduling checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.aio import Batch
from bot.governance.audit import BOT, Action, Record
from bot.governance.receipts import Receipt
from bot.jobs import (
    NO_CHANGES,
    UNSET,
    Job,
    JobChanges,
    JobStatus,
    Move,
    NoticeKind,
    ReplicaRequest,
    Requester,
    Sight,
    Viewer,
)
from bot.jobs import moves as life
from bot.store import audit_queries, notice_queries, receipt_queries, talk_queries
from bot.store.engine import Database
from bot.store.rows import of_workspace, to_job, utc
from bot.store.schema import jobs

FINAL = tuple(status.value for status in JobStatus if status.is_final)
# Jobs the reconciler may look at: unfinished ones, and a withdrawn one whose create's answer was
# lost (its replica, should Tavus have made it, is looked for to be deleted).
CHECKED = or_(
    jobs.c.status.not_in(FINAL),
    and_(jobs.c.status == JobStatus.WITHDRAWN.value, jobs.c.replica_id.is_(None)),
)
# Requests whose consent is still to be asked or answered: a file from Slack is copied first.
WAITING = (JobStatus.FETCHING.value, JobStatus.AWAITING_CONSENT.value)


class Jobs:
    """Queries on jobs: each change is a compare-and-set, owing its notice in its transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # A burst of forms saved together costs one transaction (the group commit).
        self._saves: Batch[AsyncConnection, _Save, None] = Batch(db.writing, self._insert)

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
    ) -> Job:
        """Save a new job; the reconciler looks again at `next_check_at`.

        A request naming whose likeness it is waits for their consent: its card and their DM
        are owed with it. One saved before consent existed is QUEUED, its create next.
        """
        now = self._db.now()
        status = JobStatus.AWAITING_CONSENT if request.subject_id else JobStatus.QUEUED
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

    async def of_replica(self, replica_id: str) -> Job | None:
        """The job a replica belongs to, if any."""
        return await self._first(select(jobs).where(jobs.c.replica_id == replica_id))

    async def move(
        self,
        job_id: str,
        move: Move,
        changes: JobChanges = NO_CHANGES,
        *,
        by: str = BOT,
        watching: bool = False,
        receipt: Receipt | None = None,
        asking: Sequence[str] = (),
    ) -> Job | None:
        """Make `move` with `changes`, owing its notice and recording it `by` whom, at once.

        A consent `receipt` is written with it; a replica id, once known, goes on the receipt.
        A reviewer is noted with the moment of their review. `asking`: the approvers (or the
        approval channel) each owed an approval request. A move that settles approvals (out of
        pending approval) owes a redraw of every approval request sent, so none is left offering
        its buttons.

        Returns the moved job, or None if the job was in none of the move's states (someone
        else won), or the replica is another job's already.
        """
        values = {name: utc(value) for name, value in changes.given().items()}
        if move.to is not None:
            values["status"] = move.to.value
        if changes.reviewer_id is not UNSET:
            values["reviewed_at"] = utc(self._db.now())
        allowed = jobs.c.status.in_([status.value for status in move.from_])
        try:
            async with self._db.writing() as connection:
                job = await self._owing(connection, job_id, values, allowed, move, watching)
                if job is not None and move.records is not None:
                    await audit_queries.record_in(connection, _record(move.records, job, by))
                if job is not None and receipt is not None:
                    await receipt_queries.record_in(connection, receipt)
                if job is not None and isinstance(changes.replica_id, str):
                    await receipt_queries.note_replica_in(connection, job.id, changes.replica_id)
                if job is not None and asking:
                    await notice_queries.ask_in(connection, job.id, asking, now=self._db.now())
                if job is not None and move.settles_approvals:
                    await notice_queries.settle_in(connection, job.id, now=self._db.now())
        except IntegrityError:
            if changes.replica_id is UNSET:
                raise
            # The replica is another job's already: this change loses, like any other race.
            return None
        return job

    async def note_progress(self, job_id: str, progress: str | None) -> Job | None:
        """Remember how far training has got; None if that is what was known already."""
        changed = or_(jobs.c.training_progress.is_(None), jobs.c.training_progress != progress)
        async with self._db.writing() as connection:
            return await self._owing(
                connection, job_id, {"training_progress": progress}, changed, life.NOTE_PROGRESS
            )

    async def due(self, *, limit: int = 100) -> list[Job]:
        """Jobs whose next check is due (unfinished, or withdrawn mid-create), oldest due first."""
        statement = (
            select(jobs)
            .where(jobs.c.next_check_at <= self._db.now(), CHECKED)
            .order_by(jobs.c.next_check_at)
            .limit(limit)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [to_job(row._mapping) for row in rows]

    async def count_checked(self) -> int:
        """How many unfinished jobs have a check to come (due now or later)."""
        statement = select(func.count()).where(jobs.c.next_check_at.is_not(None), CHECKED)
        async with self._db.reading() as connection:
            return int((await connection.execute(statement)).scalar_one())

    async def count_by_status(self) -> dict[str, int]:
        """How many jobs are in each status, every status named (0 where none is)."""
        statement = select(jobs.c.status, func.count()).group_by(jobs.c.status)
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        counts = dict.fromkeys((status.value for status in JobStatus), 0)
        counts.update({str(status): int(count) for status, count in rows})
        return counts

    async def claim_check(self, job_id: str, *, until: datetime | None) -> Job | None:
        """Take a due check by moving it to `until` (None: no more checks); None if not due."""
        async with self._db.writing() as connection:
            return await update_job(
                connection,
                job_id,
                {"next_check_at": utc(until)},
                jobs.c.next_check_at <= self._db.now(),
                now=self._db.now(),
            )

    async def of_workspace_open(
        self,
        *,
        team_id: str | None,
        enterprise_id: str | None = None,
        keeping: Sequence[str] = (),
    ) -> list[Job]:
        """A workspace's (or an org's, but `keeping`'s) jobs not yet final, or still looked at."""
        whose = of_workspace(jobs, team_id=team_id, enterprise_id=enterprise_id, keeping=keeping)
        final = [status.value for status in JobStatus if status.is_final]
        statement = select(jobs).where(
            whose, or_(jobs.c.status.not_in(final), jobs.c.next_check_at.is_not(None))
        )
        async with self._db.reading() as connection:
            return [to_job(row._mapping) for row in await connection.execute(statement)]

    async def forget_details(self, *, before: datetime, days: int) -> dict[str, int]:
        """Finished jobs last changed before `before` lose their links, file names and errors.

        What stays: the job itself (who, what, when, its outcome), its consent receipt and the
        audit log. Returns how many jobs each workspace had cleared, each recorded in the log in
        the same transaction: a second instance sweeping at once clears, and records, nothing.
        """
        final = [status.value for status in JobStatus if status.is_final]
        details = (
            jobs.c.train_video_url,
            jobs.c.train_image_url,
            jobs.c.consent_video_url,
            jobs.c.thumbnail_url,
            jobs.c.slack_file_name,
            jobs.c.error_message,
        )
        now = self._db.now()
        async with self._db.writing() as connection:
            cleared = await connection.execute(
                update(jobs)
                .where(
                    jobs.c.status.in_(final),
                    jobs.c.next_check_at.is_(None),
                    jobs.c.updated_at < utc(before),
                    or_(*(column.is_not(None) for column in details)),
                )
                .values({column.name: None for column in details})
                .returning(jobs.c.id, jobs.c.team_id)
            )
            rows = cleared.all()
            await notice_queries.forget_errors(connection, [row.id for row in rows])
            await talk_queries.forget(connection, [row.id for row in rows])
            counts: dict[str, int] = {}
            for row in rows:
                counts[row.team_id] = counts.get(row.team_id, 0) + 1
            await audit_queries.record_in(
                connection,
                *(
                    Record(
                        at=now,
                        team_id=team_id,
                        actor=BOT,
                        action=Action.EXPUNGED,
                        details={"jobs": count, "retention_days": days},
                    )
                    for team_id, count in sorted(counts.items())
                ),
            )
        return counts

    async def end_checks(self, job_id: str, record: Record | None = None) -> None:
        """Check a job no more, whenever its next check was due; `record` is written with it."""
        async with self._db.writing() as connection:
            await update_job(connection, job_id, {"next_check_at": None}, None, now=self._db.now())
            if record is not None:
                await audit_queries.record_in(connection, record)

    async def check_soon(self, job_id: str, *, at: datetime) -> None:
        """Bring a job's next check forward to `at` (never push it back)."""
        async with self._db.writing() as connection:
            await update_job(
                connection,
                job_id,
                {"next_check_at": utc(at)},
                or_(jobs.c.next_check_at.is_(None), jobs.c.next_check_at > utc(at)),
                now=self._db.now(),
            )

    async def _owing(
        self,
        connection: AsyncConnection,
        job_id: str,
        changes: dict[str, Any],
        condition: Any,
        move: Move,
        watching: bool = False,
    ) -> Job | None:
        now = self._db.now()
        job = await update_job(connection, job_id, changes, condition, now=now)
        kind = move.owed(job, watching=watching) if job is not None else None
        if kind is not None:
            await notice_queries.owe_in(connection, job_id, kind, now=now)
        if job is not None and move.also is not None:
            await notice_queries.owe_in(connection, job_id, move.also, now=now)
        return job

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


async def update_job(
    connection: AsyncConnection,
    job_id: str,
    changes: dict[str, Any],
    condition: Any,
    *,
    now: datetime,
) -> Job | None:
    """Change one job if it meets `condition` (None: always); the changed job, or None."""
    statement = update(jobs).where(jobs.c.id == job_id)
    if condition is not None:
        statement = statement.where(condition)
    statement = statement.values(**changes, updated_at=now).returning(*jobs.c)
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


def _record(action: Action, job: Job, by: str) -> Record:
    """What the audit log says of a move, from the job as the move left it."""
    details: dict[str, Any] = {"replica_name": job.request.replica_name}
    if action is Action.FAILED and job.error_message:
        details["error"] = job.error_message
    return Record(
        at=job.updated_at,
        team_id=job.requester.team_id,
        actor=by,
        action=action,
        job_id=job.id,
        replica_id=job.replica_id,
        subject=job.request.subject_id,
        details=details,
    )
