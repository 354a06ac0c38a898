"""The jobs table's checks: when the reconciler looks at a job next, and what sweeps clear."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update

from bot.governance.audit import BOT, Action, Record
from bot.jobs import Job, JobStatus
from bot.store import audit_queries, notice_queries, talk_queries
from bot.store.engine import Database
from bot.store.job_moves import update_job
from bot.store.rows import of_workspace, to_job, utc
from bot.store.schema import jobs

FINAL = tuple(status.value for status in JobStatus if status.is_final)
# Jobs the reconciler may look at: unfinished ones, and a withdrawn one whose create's answer was
# lost (its replica, should Tavus have made it, is looked for to be deleted).
CHECKED = or_(
    jobs.c.status.not_in(FINAL),
    and_(jobs.c.status == JobStatus.WITHDRAWN.value, jobs.c.replica_id.is_(None)),
)


class JobChecks:
    """Scheduling jobs' checks, and the sweeps of a workspace gone and of old details."""

    _db: Database  # set by Jobs, the one object callers have for the table

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

    async def claim_check(
        self, job_id: str, *, until: datetime | None, held: datetime | None = None
    ) -> Job | None:
        """Take a due check by moving it to `until` (None: no more checks); None if not due.

        `held`: the check the caller took (or set) for until then, kept whether due or not,
        unless another has taken it since (which moved it later: past `held`).
        """
        by = self._db.now() if held is None else utc(held)
        async with self._db.writing() as connection:
            return await update_job(
                connection,
                job_id,
                {"next_check_at": utc(until)},
                jobs.c.next_check_at <= by,
                now=self._db.now(),
            )

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

    async def end_checks(self, job_id: str, record: Record | None = None) -> None:
        """Check a job no more, whenever its next check was due; `record` is written with it."""
        async with self._db.writing() as connection:
            await update_job(connection, job_id, {"next_check_at": None}, None, now=self._db.now())
            if record is not None:
                await audit_queries.record_in(connection, record)

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
        """Finished jobs last changed before `before` lose links, file names, errors, media reports.

        The profile photo's link kept for the face match goes with them.

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
            jobs.c.media_report,
            jobs.c.profile_photo,
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
