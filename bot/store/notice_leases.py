"""The outbox as its senders use it: notices due, claimed under a lease, and how each went."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.aio import Batch
from bot.jobs import Job, Notice, NoticeKind, NoticeStatus
from bot.store.engine import Database
from bot.store.listed import listed
from bot.store.rows import aware, to_job, to_notice, utc
from bot.store.schema import jobs, notices

PENDING = NoticeStatus.PENDING.value
REDRAWS = [kind.value for kind in NoticeKind if kind.is_redraw]
# A notice and its job (if it has one) in one row; the notice's columns are prefixed, since
# both have an id.
NOTICES_WITH_JOBS = select(
    *(column.label(f"n_{column.name}") for column in notices.c), jobs
).outerjoin(jobs, jobs.c.id == notices.c.job_id)


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


class NoticeLeases:
    """Sending the outbox: a notice is sent by whoever holds its lease, and only by them."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # A burst of claims, and of deliveries recorded, each cost one transaction.
        self._claims: Batch[AsyncConnection, _Claim, tuple[Notice, Job | None] | None] = Batch(
            db.writing, self._claim
        )
        self._sents: Batch[AsyncConnection, _Sent, bool] = Batch(db.writing, self._mark_sent)

    async def finish(self) -> None:
        """Wait for the claims and delivery records under way, whether or not anyone waits."""
        await self._claims.finish()
        await self._sents.finish()

    async def due(
        self,
        *,
        limit: int = 500,
        excluding: Collection[str] = (),
        holding: Collection[str] = (),
    ) -> list[tuple[Notice, Job | None]]:
        """Pending notices due now and claimed by nobody (nor in `excluding`), oldest first.

        What people wait for (results, announcements, DMs) comes before card redraws: when
        more is due than one read takes, the redraws are the ones left for the next. The
        redraws of the workspaces in `holding` are left out: they wait here, in the database,
        until their sender has room for them.
        """
        statement = (
            NOTICES_WITH_JOBS.where(*_waiting(self._db.now(), excluding, holding))
            # Audit records owed together go out in the log's order.
            .order_by(
                case((notices.c.kind.in_(REDRAWS), 1), else_=0),
                notices.c.created_at,
                notices.c.audit_seq,
                notices.c.id,
            )
            .limit(limit)
        )
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_notice_and_job(row._mapping) for row in rows]

    async def next_due_at(
        self, *, excluding: Collection[str] = (), holding: Collection[str] = ()
    ) -> datetime | None:
        """When the earliest pending notice (as `due` would read it) falls due or its claim ends."""
        ready_at = case(
            (notices.c.lease_until > notices.c.next_attempt_at, notices.c.lease_until),
            else_=notices.c.next_attempt_at,
        )
        statement = (
            select(func.min(ready_at))
            .select_from(notices.outerjoin(jobs, jobs.c.id == notices.c.job_id))
            .where(notices.c.status == PENDING, *_left_out(excluding, holding))
        )
        async with self._db.reading() as connection:
            earliest = (await connection.execute(statement)).scalar()
        if isinstance(earliest, str):
            # SQLite returns MIN() over a CASE as text, not as a datetime.
            earliest = datetime.fromisoformat(earliest)
        return aware(earliest) if earliest is not None else None

    async def claim(
        self, notice_id: str, *, owner: str, lease: timedelta
    ) -> tuple[Notice, Job | None] | None:
        """Take a due notice for sending, for `lease` from now; None if it is not free and due.

        From here until it is recorded sent, a post may have landed: the claim marks it in
        doubt. The notice returned says whether an earlier attempt already was.
        """
        return await self._claims(_Claim(notice_id, owner, lease))

    async def sent(
        self, notice_id: str, *, owner: str, channel: str, ts: str, error: str | None = None
    ) -> bool:
        """Record delivery (and why it went elsewhere, if it did); False if not ours.

        An announcement's message also becomes its job's thread, in the same transaction.
        """
        return await self._sents(_Sent(notice_id, owner, channel, ts, error))

    async def retry(
        self,
        notice_id: str,
        *,
        owner: str,
        at: datetime,
        error: str,
        in_doubt: bool,
        failed: bool = True,
        doubt: tuple[str, float] | None = None,
    ) -> None:
        """Hand a notice back to be tried again at `at`; `failed` counts it towards backoff.

        `doubt`: where the attempt that may have landed went, and when it began (epoch
        seconds), kept in the notice's channel and ts (a Slack ts is epoch seconds too) until
        it is sent: the next try looks there, around then.
        """
        changes: dict[str, Any] = {
            "next_attempt_at": utc(at),
            "last_error": error,
            "in_doubt": in_doubt,
            "lease_owner": None,
            "lease_until": None,
        }
        if doubt is not None:
            changes["channel"], changes["ts"] = doubt[0], f"{doubt[1]:.6f}"
        if failed:
            changes["attempts"] = notices.c.attempts + 1
        await self._update(notice_id, owner, **changes)

    async def give_up(self, notice_id: str, *, owner: str, error: str) -> None:
        """Give up on a notice for good, recording why."""
        await self._update(
            notice_id,
            owner,
            status=NoticeStatus.FAILED.value,
            last_error=error,
            in_doubt=False,
            lease_owner=None,
            lease_until=None,
        )

    async def release(self, *, owner: str) -> None:
        """Hand back every notice this owner holds, so another instance can send it now."""
        # A claim or delivery record whose caller was cut off may still land: let it first.
        await self.finish()
        async with self._db.writing() as connection:
            await connection.execute(
                update(notices)
                .where(notices.c.lease_owner == owner, notices.c.status == PENDING)
                .values(lease_owner=None, lease_until=None, updated_at=self._db.now())
            )

    async def _claim(
        self, connection: AsyncConnection, claims: list[_Claim]
    ) -> list[tuple[Notice, Job | None] | None]:
        now = self._db.now()
        free = _free_and_due(now)
        ids = {claim.notice_id for claim in claims}
        found = await connection.execute(
            NOTICES_WITH_JOBS.where(notices.c.id.in_(listed(ids)), *free)
        )
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
                .where(notices.c.id.in_(listed(wanted)), *free)
                .values(
                    lease_owner=owner,
                    lease_until=utc(now + lease),
                    # A redraw is never posted: a repeat of one does no harm, so no doubt.
                    in_doubt=case((notices.c.kind.not_in(REDRAWS), True), else_=notices.c.in_doubt),
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

    async def _mark_sent(self, connection: AsyncConnection, sents: list[_Sent]) -> list[bool]:
        ours = []
        now = self._db.now()
        for sent in sents:
            row = (
                await connection.execute(
                    update(notices)
                    .where(notices.c.id == sent.notice_id, notices.c.lease_owner == sent.owner)
                    .values(
                        status=NoticeStatus.SENT.value,
                        channel=sent.channel,
                        ts=sent.ts,
                        last_error=sent.error,
                        in_doubt=False,
                        lease_owner=None,
                        lease_until=None,
                        updated_at=now,
                    )
                    .returning(notices.c.job_id, notices.c.kind)
                )
            ).first()
            if row is not None and row.kind == NoticeKind.ANNOUNCEMENT.value:
                await connection.execute(
                    update(jobs)
                    .where(jobs.c.id == row.job_id)
                    .values(
                        announcement_channel=sent.channel, announcement_ts=sent.ts, updated_at=now
                    )
                )
            ours.append(row is not None)
        return ours

    async def _update(self, notice_id: str, owner: str, **changes: Any) -> None:
        async with self._db.writing() as connection:
            await connection.execute(
                update(notices)
                .where(notices.c.id == notice_id, notices.c.lease_owner == owner)
                .values(**changes, updated_at=self._db.now())
            )


def _notice_and_job(row: Any) -> tuple[Notice, Job | None]:
    return to_notice(row, "n_"), to_job(row) if row["id"] is not None else None


def _waiting(
    now: datetime, excluding: Collection[str], holding: Collection[str]
) -> tuple[ColumnElement[bool], ...]:
    return (*_free_and_due(now), *_left_out(excluding, holding))


def _left_out(excluding: Collection[str], holding: Collection[str]) -> list[ColumnElement[bool]]:
    """Leave out the notices in `excluding`, and the redraws of the workspaces in `holding`."""
    left_out: list[ColumnElement[bool]] = []
    if excluding:
        left_out.append(notices.c.id.not_in(listed(excluding)))
    if holding:
        left_out.append(or_(notices.c.kind.not_in(REDRAWS), jobs.c.team_id.not_in(listed(holding))))
    return left_out


def _free_and_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Pending notices due by `now` that nobody holds (or whose holder's lease has run out)."""
    return (
        notices.c.status == PENDING,
        notices.c.next_attempt_at <= now,
        or_(notices.c.lease_until.is_(None), notices.c.lease_until <= now),
    )
