"""The policies table: each workspace's own rules, as its admins last set them."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.governance.audit import Record
from bot.governance.model import StoredPolicy
from bot.store import audit_queries
from bot.store.engine import Database
from bot.store.rows import aware, utc
from bot.store.schema import policies


class Policies:
    """Queries on policies: one row per workspace that has its own."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, team_id: str) -> StoredPolicy | None:
        """The workspace's own rules, if its admins set any."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(select(policies).where(policies.c.team_id == team_id))
            ).first()
        if row is None:
            return None
        return StoredPolicy(
            team_id=row.team_id,
            creators=row.creators,
            approvers=row.approvers,
            approval_channel=row.approval_channel,
            face_match=row.face_match,
            updated_by=row.updated_by,
            updated_at=aware(row.updated_at),
        )

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
