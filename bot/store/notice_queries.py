"""The notices table, the outbox: what is owed to Slack, who is sending it, and how it went."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.aio import Batch
from bot.jobs import Job, Notice, NoticeKind, NoticeStatus, new_id
from bot.store.engine import Database
from bot.store.rows import aware, to_job, to_notice, utc
from bot.store.schema import audit, jobs, notices, relays

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


class Notices:
    """Queries on the outbox; a notice is sent by whoever holds its lease, and only by them."""

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

    async def owe(self, job_id: str, kind: NoticeKind) -> Notice:
        """Owe a notice that no state change caused (e.g. a DM because the modal was closed)."""
        async with self._db.writing() as connection:
            return await owe_in(connection, job_id, kind, now=self._db.now())

    async def due(
        self, *, limit: int = 500, excluding: Collection[str] = ()
    ) -> list[tuple[Notice, Job | None]]:
        """Pending notices due now and claimed by nobody (nor in `excluding`), oldest first.

        What people wait for (results, announcements, DMs) comes before card redraws: when
        more is due than one read takes, the redraws are the ones left for the next.
        """
        statement = (
            NOTICES_WITH_JOBS.where(*_free_and_due(self._db.now()))
            # Audit records owed together go out in the log's order.
            .order_by(
                case((notices.c.kind.in_(REDRAWS), 1), else_=0),
                notices.c.created_at,
                notices.c.audit_seq,
                notices.c.id,
            )
            .limit(limit)
        )
        if excluding:
            statement = statement.where(notices.c.id.not_in(list(excluding)))
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [_notice_and_job(row._mapping) for row in rows]

    async def next_due_at(self, *, excluding: Collection[str] = ()) -> datetime | None:
        """When the earliest pending notice (not in `excluding`) falls due or its claim ends."""
        ready_at = case(
            (notices.c.lease_until > notices.c.next_attempt_at, notices.c.lease_until),
            else_=notices.c.next_attempt_at,
        )
        statement = select(func.min(ready_at)).where(notices.c.status == PENDING)
        if excluding:
            statement = statement.where(notices.c.id.not_in(list(excluding)))
        async with self._db.reading() as connection:
            earliest = (await connection.execute(statement)).scalar()
        if isinstance(earliest, str):
            # SQLite returns MIN() over a CASE as text, not as a datetime.
            earliest = datetime.fromisoformat(earliest)
        return aware(earliest) if earliest is not None else None

    async def owed(self) -> tuple[int, datetime | None]:
        """How many notices are still owed to Slack, and when the oldest of them was owed."""
        statement = select(func.count(), func.min(notices.c.created_at)).where(
            notices.c.status == PENDING
        )
        async with self._db.reading() as connection:
            count, oldest = (await connection.execute(statement)).one()
        if isinstance(oldest, str):
            # SQLite may hand MIN() back as text.
            oldest = datetime.fromisoformat(oldest)
        return int(count), aware(oldest) if oldest is not None else None

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

    async def relay_audit(self, recipient: str, *, limit: int = 100) -> int:
        """Owe `recipient` (AUDIT_CHANNEL) a copy of each audit record it has not been owed yet.

        The first time, from the newest record on: a channel set today is not flooded with the
        past. How far it got is a compare-and-set, so several instances owe each record once.
        Returns how many were owed.
        """
        async with self._db.reading() as connection:
            newest = (await connection.execute(select(func.max(audit.c.seq)))).scalar() or 0
            kept = (
                await connection.execute(
                    select(relays.c.last_seq).where(relays.c.name == recipient)
                )
            ).scalar()
        if kept is not None and kept >= newest:
            return 0  # nothing new: no write
        async with self._db.writing() as connection:
            if kept is None:
                await connection.execute(relays.insert().values(name=recipient, last_seq=newest))
                return 0
            seqs = (
                (
                    await connection.execute(
                        select(audit.c.seq)
                        .where(audit.c.seq > kept)
                        .order_by(audit.c.seq)
                        .limit(limit)
                    )
                )
                .scalars()
                .all()
            )
            moved = await connection.execute(
                update(relays)
                .where(relays.c.name == recipient, relays.c.last_seq == kept)
                .values(last_seq=seqs[-1])
            )
            if moved.rowcount != 1:
                return 0  # another instance owed them
            now = self._db.now()
            rows = [
                _new(None, NoticeKind.AUDIT, now, recipient=recipient, audit_seq=seq)
                for seq in seqs
            ]
            await connection.execute(notices.insert(), rows)
        return len(seqs)

    async def pending(self, job_id: str, kind: NoticeKind) -> bool:
        """Whether a notice of this kind is still pending for the job."""
        statement = select(
            exists().where(
                and_(
                    notices.c.job_id == job_id,
                    notices.c.kind == kind.value,
                    notices.c.status == PENDING,
                )
            )
        )
        async with self._db.reading() as connection:
            return bool((await connection.execute(statement)).scalar())

    async def sent_to(self, job_id: str, kind: NoticeKind) -> tuple[str, str] | None:
        """Where a job's notice of this kind landed (channel, ts), once it was sent."""
        statement = select(notices.c.channel, notices.c.ts).where(
            notices.c.job_id == job_id,
            notices.c.kind == kind.value,
            notices.c.status == NoticeStatus.SENT.value,
        )
        async with self._db.reading() as connection:
            row = (await connection.execute(statement)).first()
        return (row.channel, row.ts) if row is not None else None

    async def _claim(
        self, connection: AsyncConnection, claims: list[_Claim]
    ) -> list[tuple[Notice, Job | None] | None]:
        now = self._db.now()
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


async def owe_in(
    connection: AsyncConnection, job_id: str, kind: NoticeKind, *, now: datetime
) -> Notice:
    """Owe a notice inside the caller's transaction (with the state change that causes it)."""
    if kind.is_once:
        # Announced once: owed again, it is the card to redraw, unless it is still on its way.
        earlier = (
            await connection.execute(
                select(notices).where(notices.c.job_id == job_id, notices.c.kind == kind.value)
            )
        ).first()
        if earlier is not None and earlier.status != NoticeStatus.SENT.value:
            return to_notice(earlier._mapping)
        if earlier is not None:
            kind = NoticeKind.CARD
    if kind.is_redraw:
        # A redraw is drawn from the job as it is when sent: one pending is enough. Not one
        # being sent, though: it was drawn from the job as claimed, before this change.
        pending = await connection.execute(
            select(notices).where(
                notices.c.job_id == job_id,
                notices.c.kind == kind.value,
                notices.c.status == PENDING,
                or_(notices.c.lease_until.is_(None), notices.c.lease_until <= now),
            )
        )
        if (row := pending.first()) is not None:
            return to_notice(row._mapping)
    values = _new(job_id, kind, now)
    await connection.execute(notices.insert().values(**values))
    return to_notice(values)


async def owe_new_in(
    connection: AsyncConnection, owed: list[tuple[str, NoticeKind]], *, now: datetime
) -> None:
    """Owe notices of jobs saved in this transaction, all in one statement."""
    if owed:
        await connection.execute(notices.insert(), [_new(job, kind, now) for job, kind in owed])


async def ask_in(
    connection: AsyncConnection, job_id: str, recipients: Sequence[str], *, now: datetime
) -> None:
    """Owe an approval request to each recipient (an approver, or the approval channel)."""
    kind = NoticeKind.APPROVAL_REQUEST
    rows = [_new(job_id, kind, now, recipient=recipient) for recipient in recipients]
    await connection.execute(notices.insert(), rows)


async def settle_in(connection: AsyncConnection, job_id: str, *, now: datetime) -> None:
    """Owe, once, a redraw of each approval request sent for the job: it is decided, or moot.

    Requests not sent yet need none: their job no longer waits, so delivery skips them.
    """
    requests = (
        await connection.execute(
            select(notices).where(
                notices.c.job_id == job_id,
                notices.c.kind.in_(
                    [NoticeKind.APPROVAL_REQUEST.value, NoticeKind.APPROVAL_SETTLED.value]
                ),
            )
        )
    ).all()
    if any(row.kind == NoticeKind.APPROVAL_SETTLED.value for row in requests):
        return  # settled by an earlier move
    kind, sent = NoticeKind.APPROVAL_SETTLED, NoticeStatus.SENT.value
    rows = [
        _new(job_id, kind, now, recipient=row.recipient, channel=row.channel, ts=row.ts)
        for row in requests
        if row.status == sent
    ]
    if rows:
        await connection.execute(notices.insert(), rows)


async def forget_errors(connection: AsyncConnection, job_ids: Sequence[str]) -> None:
    """Clear what Slack said went wrong with these jobs' messages (their retention is over)."""
    for start in range(0, len(job_ids), 500):  # within any database's bound-parameter limit
        chunk = list(job_ids[start : start + 500])
        await connection.execute(
            update(notices).where(notices.c.job_id.in_(chunk)).values(last_error=None)
        )


def _new(
    job_id: str | None, kind: NoticeKind, now: datetime, **where: str | int | None
) -> dict[str, Any]:
    return {
        **where,
        "id": new_id(),
        "job_id": job_id,
        "kind": kind.value,
        "status": PENDING,
        "attempts": 0,
        "in_doubt": False,
        "next_attempt_at": now,
        "created_at": now,
        "updated_at": now,
    }


def _notice_and_job(row: Any) -> tuple[Notice, Job | None]:
    return to_notice(row, "n_"), to_job(row) if row["id"] is not None else None


def _free_and_due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Pending notices due by `now` that nobody holds (or whose holder's lease has run out)."""
    return (
        notices.c.status == PENDING,
        notices.c.next_attempt_at <= now,
        or_(notices.c.lease_until.is_(None), notices.c.lease_until <= now),
    )
