"""The policies table: each workspace's own rules, as its admins last set them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.aio import Batch
from bot.governance.audit import Record
from bot.governance.model import StoredPolicy
from bot.store import audit_queries
from bot.store.engine import Database
from bot.store.listed import listed
from bot.store.rows import aware, utc
from bot.store.schema import policies


class Policies:
    """Queries on policies: one row per workspace that has its own."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # Every form asks: a burst of them is answered by one read.
        self._gets: Batch[AsyncConnection, str, StoredPolicy | None] = Batch(
            db.reading, self._get_all
        )

    async def get(self, team_id: str) -> StoredPolicy | None:
        """The workspace's own rules, if its admins set any (read with those asked meanwhile)."""
        return await self._gets(team_id)

    async def _get_all(
        self, connection: AsyncConnection, team_ids: list[str]
    ) -> list[StoredPolicy | None]:
        statement = select(policies).where(policies.c.team_id.in_(listed(set(team_ids))))
        found = {row.team_id: _stored(row) for row in await connection.execute(statement)}
        return [found.get(team_id) for team_id in team_ids]

    async def save(self, policy: StoredPolicy, record: Record) -> None:
        """Make `policy` the workspace's, with the audit record of the change, at once."""
        values = {
            "creators": policy.creators,
            "approvers": policy.approvers,
            "approval_channel": policy.approval_channel,
            "face_match": policy.face_match,
            "updated_by": policy.updated_by,
            "updated_at": utc(policy.updated_at),
        }
        async with self._db.writing() as connection:
            changed = await connection.execute(
                update(policies).where(policies.c.team_id == policy.team_id).values(**values)
            )
            if changed.rowcount == 0:
                await connection.execute(policies.insert().values(team_id=policy.team_id, **values))
            await audit_queries.record_in(connection, record)


def _stored(row: Any) -> StoredPolicy:
    return StoredPolicy(
        team_id=row.team_id,
        creators=row.creators,
        approvers=row.approvers,
        approval_channel=row.approval_channel,
        face_match=row.face_match,
        updated_by=row.updated_by,
        updated_at=aware(row.updated_at),
    )
