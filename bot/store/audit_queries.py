"""The audit table: each record written with the change it records, read back for export."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.governance.audit import Action, Record
from bot.store.engine import Database, take_turn
from bot.store.rows import aware, utc
from bot.store.schema import audit


class AuditLog:
    """Reads of the audit log; it is only ever appended to, inside the changes it records."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, record: Record) -> None:
        """Append a record that no other change goes with (a refusal, say)."""
        async with self._db.writing() as connection:
            await record_in(connection, record)

    async def record_new(self, record: Record, *, since: datetime) -> bool:
        """Append a record unless the same one was written after `since`; whether it was.

        The same: its workspace, actor, action and details. The log is never changed, so a
        repeat cannot be counted on the first record: it is simply not written again (nor
        posted again to AUDIT_CHANNEL).
        """
        values = values_of(record)
        same = select(audit.c.seq).where(
            audit.c.at > utc(since),
            audit.c.team_id == record.team_id,
            audit.c.actor == record.actor,
            audit.c.action == record.action.value,
            audit.c.details == values["details"],
        )
        async with self._db.writing() as connection:
            # Instances refusing the same person at once take turns: one record between them.
            await take_turn(connection, f"audit {record.team_id} {record.actor}")
            if (await connection.execute(same.limit(1))).first() is not None:
                return False
            await connection.execute(audit.insert(), [values])
        return True

    async def get(self, seq: int) -> Record | None:
        """One record by its number."""
        async with self._db.reading() as connection:
            row = (await connection.execute(select(audit).where(audit.c.seq == seq))).first()
        return to_record(row._mapping) if row is not None else None

    async def since(
        self, moment: datetime | None = None, *, team_id: str | None = None
    ) -> list[Record]:
        """Every record from `moment` on (all of them without one), oldest first."""
        statement = select(audit).order_by(audit.c.seq)
        if moment is not None:
            statement = statement.where(audit.c.at >= utc(moment))
        if team_id is not None:
            statement = statement.where(audit.c.team_id == team_id)
        async with self._db.reading() as connection:
            rows = (await connection.execute(statement)).all()
        return [to_record(row._mapping) for row in rows]


async def record_in(connection: AsyncConnection, *records: Record) -> None:
    """Append records inside the caller's transaction (with the change they record)."""
    if records:
        await connection.execute(audit.insert(), [values_of(record) for record in records])


def values_of(record: Record) -> dict[str, Any]:
    """A record as its row's values."""
    return {
        "at": utc(record.at),
        "team_id": record.team_id,
        "actor": record.actor,
        "action": record.action.value,
        "job_id": record.job_id,
        "replica_id": record.replica_id,
        "subject": record.subject,
        "details": json.dumps(record.details, sort_keys=True),
    }


def to_record(row: Mapping[Any, Any]) -> Record:
    """A record from its row."""
    return Record(
        seq=row["seq"],
        at=aware(row["at"]),
        team_id=row["team_id"],
        actor=row["actor"],
        action=Action(row["action"]),
        job_id=row["job_id"],
        replica_id=row["replica_id"],
        subject=row["subject"],
        details=json.loads(row["details"]),
    )
