"""The notices table, the outbox: what is owed to Slack, and where it landed once sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.jobs import Notice, NoticeKind, NoticeStatus, new_id
from bot.store.notice_leases import PENDING, NoticeLeases
from bot.store.rows import aware, to_notice
from bot.store.schema import audit, notices, relays


class Notices(NoticeLeases):
    """Queries on the outbox: notices owed and looked up here, claimed and sent as NoticeLeases."""

    async def owe(self, job_id: str, kind: NoticeKind) -> Notice:
        """Owe a notice that no state change caused (e.g. a DM because the modal was closed)."""
        async with self._db.writing() as connection:
            return await owe_in(connection, job_id, kind, now=self._db.now())

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


async def redraw_in(
    connection: AsyncConnection,
    job_id: str,
    kind: NoticeKind,
    shown: tuple[str, str],
    *,
    now: datetime,
) -> None:
    """Owe a redraw of a message shown elsewhere than the card (a receipt in a DM): channel, ts."""
    channel, ts = shown
    row = _new(job_id, kind, now, channel=channel, ts=ts)
    await connection.execute(notices.insert().values(**row))


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
