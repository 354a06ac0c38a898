"""The jobs table's moves: a job's state changed by compare-and-set, with all it owes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.governance.audit import BOT, Action, Record
from bot.governance.receipts import Compared, Receipt
from bot.jobs import NO_CHANGES, UNSET, Job, JobChanges, Move, NoticeKind
from bot.jobs import moves as life
from bot.store import audit_queries, notice_queries, receipt_queries
from bot.store.engine import Database
from bot.store.rows import column_value, to_job, utc
from bot.store.schema import jobs


class JobMoves:
    """Moving jobs: each move one transaction, with its notice, audit record and receipt."""

    _db: Database  # set by Jobs, the one object callers have for the table

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
        compared: Compared | None = None,
        details: Mapping[str, str] | None = None,
    ) -> Job | None:
        """Make `move` with `changes`, owing its notice and recording it `by` whom, at once.

        A consent `receipt` is written with it; a replica id, once known, goes on the receipt,
        as does what the face match found (`compared`) when it ends, and in its audit record.
        `details`: more for the audit record (a release's reason).
        A reviewer is noted with the moment of their review. `asking`: the approvers (or the
        approval channel) each owed an approval request. A move that settles approvals (out of
        pending approval) owes a redraw of every approval request sent, so none is left offering
        its buttons.

        Returns the moved job, or None if the job was in none of the move's states (someone
        else won), or the replica is another job's already.
        """
        values = {name: column_value(value) for name, value in changes.given().items()}
        if move.to is not None:
            values["status"] = move.to.value
        if changes.reviewer_id is not UNSET:
            values["reviewed_at"] = utc(self._db.now())
        allowed = jobs.c.status.in_([status.value for status in move.from_])
        try:
            async with self._db.writing() as connection:
                job = await self._owing(connection, job_id, values, allowed, move, watching)
                if job is not None and move.records is not None:
                    found = compared.details() if compared is not None else {}
                    record = _record(move.records, job, by, {**found, **(details or {})})
                    await audit_queries.record_in(connection, record)
                if job is not None and receipt is not None:
                    await receipt_queries.record_in(connection, receipt)
                if job is not None and compared is not None:
                    await self._note_match(connection, job.id, compared)
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

    async def _note_match(
        self, connection: AsyncConnection, job_id: str, compared: Compared
    ) -> None:
        """The match's outcome on the receipt, and the receipt shown in a DM redrawn with it."""
        shown = await receipt_queries.note_match_in(connection, job_id, compared)
        if shown is not None:
            now = self._db.now()
            await notice_queries.redraw_in(connection, job_id, NoticeKind.RECEIPT, shown, now=now)

    async def note_progress(self, job_id: str, progress: str | None) -> Job | None:
        """Remember how far training has got; None if that is what was known already."""
        changed = or_(jobs.c.training_progress.is_(None), jobs.c.training_progress != progress)
        async with self._db.writing() as connection:
            return await self._owing(
                connection, job_id, {"training_progress": progress}, changed, life.NOTE_PROGRESS
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
        for also in move.owed_too(job) if job is not None else ():
            await notice_queries.owe_in(connection, job_id, also, now=now)
        return job


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


def _record(action: Action, job: Job, by: str, more: Mapping[str, str]) -> Record:
    """What the audit log says of a move, from the job as the move left it."""
    details: dict[str, Any] = {"replica_name": job.request.replica_name, **more}
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
