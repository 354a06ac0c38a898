"""The tavus_accounts and tavus_keys tables: each workspace's Tavus key, and those it replaced."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.governance.audit import Record
from bot.jobs import JobStatus
from bot.store import audit_queries, link_queries
from bot.store.engine import Database
from bot.store.rows import UNSET, aware, of_workspace, utc
from bot.store.schema import jobs, tavus_accounts, tavus_keys
from bot.workspaces.installations import Connected

# Jobs whose create has not been sent yet: they go with whatever key is current when it is.
_UNSENT = [
    status.value
    for status in (
        JobStatus.FETCHING,
        JobStatus.CHECKING,
        JobStatus.AWAITING_CONSENT,
        JobStatus.MATCHING,
        JobStatus.HELD,
        JobStatus.PENDING_APPROVAL,
        JobStatus.QUEUED,
    )
]
_FINAL = [status.value for status in JobStatus if status.is_final]
_GONE = [status.value for status in (JobStatus.DELETED, JobStatus.WITHDRAWN, JobStatus.ENDED)]
# A job that still needs the account it was made with: not final, or its replica still at Tavus
# (it may be withdrawn, deleted, renamed or talked to), or a withdrawn create's lost replica
# still looked for (to be deleted).
NEEDS_ITS_ACCOUNT = or_(
    jobs.c.status.not_in(_FINAL),
    and_(jobs.c.replica_id.is_not(None), jobs.c.status.not_in(_GONE)),
    and_(
        jobs.c.status == JobStatus.WITHDRAWN.value,
        jobs.c.replica_id.is_(None),
        jobs.c.next_check_at.is_not(None),
    ),
)


class TavusAccounts:
    """One sealed Tavus key per workspace; a key replaced is kept while its jobs need it."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self,
        connected: Connected,
        *,
        was: str | None = UNSET,
        was_fingerprint: str | None = None,
        record: Record | None = None,
        ending: str | None = None,
    ) -> bool:
        """Keep a workspace's key in place of the one before it; False if that one changed.

        `was`: the sealed key the caller saw (None: none; not given: whatever is saved); if
        another was saved meanwhile, nothing is saved. The key replaced is kept (tavus_keys)
        under its fingerprint, or `was_fingerprint` for one saved before fingerprints were
        kept, and jobs sent before fingerprints were kept are marked as made with it: they stay
        with their account. The audit `record` of the change, and the end of the Connect
        session whose cookie digest is `ending`, are written in the same transaction: all of
        it is written, or none.
        """
        try:
            async with self._db.writing() as connection:
                if not await self._save_in(connection, connected, was, was_fingerprint):
                    return False
                if ending is not None:
                    await link_queries.end_in(connection, ending)
                if record is not None:
                    await audit_queries.record_in(connection, record)
                return True
        except IntegrityError:
            if was is UNSET or await self._sealed(connected.team_id) == was:
                raise  # not a race: what the caller saw is still there
            return False  # another key was saved meanwhile: this save loses, like any race

    async def _save_in(
        self,
        connection: AsyncConnection,
        connected: Connected,
        was: str | None,
        was_fingerprint: str | None,
    ) -> bool:
        team = tavus_accounts.c.team_id == connected.team_id
        previous = None
        if was is not None:
            which = team if was is UNSET else and_(team, tavus_accounts.c.key_sealed == was)
            result = await connection.execute(
                delete(tavus_accounts).where(which).returning(*tavus_accounts.c)
            )
            previous = result.first()
            if previous is None and was is not UNSET:
                return False
        if previous is not None:
            fingerprint = previous.fingerprint or was_fingerprint
            if fingerprint is not None and fingerprint != connected.fingerprint:
                await _retire(connection, previous._mapping, fingerprint, now=self._db.now())
        await connection.execute(
            tavus_accounts.insert().values(
                team_id=connected.team_id,
                enterprise_id=connected.enterprise_id,
                key_sealed=connected.key_sealed,
                fingerprint=connected.fingerprint,
                last4=connected.last4,
                saved_by=connected.saved_by,
                saved_at=utc(connected.saved_at),
            )
        )
        if connected.fingerprint is not None:
            # Connected again: current, so no longer kept among the replaced.
            await connection.execute(
                delete(tavus_keys).where(
                    tavus_keys.c.team_id == connected.team_id,
                    tavus_keys.c.fingerprint == connected.fingerprint,
                )
            )
        return True

    async def _sealed(self, team_id: str) -> str | None:
        async with self._db.reading() as connection:
            found = await connection.execute(
                select(tavus_accounts.c.key_sealed).where(tavus_accounts.c.team_id == team_id)
            )
            return found.scalar_one_or_none()

    async def find(self, team_id: str) -> Connected | None:
        """The workspace's Tavus account, if an admin connected one."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(
                    select(tavus_accounts).where(tavus_accounts.c.team_id == team_id)
                )
            ).first()
        return _connected(row._mapping) if row is not None else None

    async def replaced(self, team_id: str, fingerprint: str) -> Connected | None:
        """A key the workspace had before its current one, kept for the jobs made with it."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(
                    select(tavus_keys).where(
                        tavus_keys.c.team_id == team_id, tavus_keys.c.fingerprint == fingerprint
                    )
                )
            ).first()
        return _connected(row._mapping) if row is not None else None

    async def prune(self, *, retired_before: datetime) -> int:
        """Forget replaced keys no job needs any more; how many went.

        Only keys replaced before `retired_before`: a create read the old key just before it
        was replaced may not have marked its job yet.
        """
        needed = exists().where(
            jobs.c.team_id == tavus_keys.c.team_id,
            jobs.c.tavus_account == tavus_keys.c.fingerprint,
            NEEDS_ITS_ACCOUNT,
        )
        async with self._db.writing() as connection:
            result = await connection.execute(
                delete(tavus_keys).where(tavus_keys.c.retired_at < utc(retired_before), ~needed)
            )
        return int(result.rowcount or 0)

    async def delete(
        self,
        *,
        team_id: str | None,
        enterprise_id: str | None = None,
        keeping: Collection[str] = (),
    ) -> int:
        """Forget a workspace's key, or every key of a Grid org but `keeping`'s; how many went."""
        which, older = (
            of_workspace(table, team_id=team_id, enterprise_id=enterprise_id, keeping=keeping)
            for table in (tavus_accounts, tavus_keys)
        )
        async with self._db.writing() as connection:
            result = await connection.execute(delete(tavus_accounts).where(which))
            # The keys it had before go too: its jobs end with it.
            await connection.execute(delete(tavus_keys).where(older))
        return int(result.rowcount or 0)

    async def sealed(self) -> dict[str, str]:
        """Every workspace's sealed key, by team id (for resealing with a new key)."""
        async with self._db.reading() as connection:
            rows = await connection.execute(
                select(tavus_accounts.c.team_id, tavus_accounts.c.key_sealed)
            )
            return {row.team_id: row.key_sealed for row in rows}

    async def reseal(self, team_id: str, *, was: str, now: str) -> bool:
        """Replace one sealed key by the same key sealed anew; False if it changed meanwhile."""
        async with self._db.writing() as connection:
            result = await connection.execute(
                tavus_accounts.update()
                .where(tavus_accounts.c.team_id == team_id, tavus_accounts.c.key_sealed == was)
                .values(key_sealed=now)
            )
        return bool(result.rowcount)


class ReplacedKeys:
    """The replaced Tavus keys kept, as rotate-keys reseals them: by "team_id/fingerprint"."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def sealed(self) -> dict[str, str]:
        """Every replaced key, sealed, by "team_id/fingerprint"."""
        async with self._db.reading() as connection:
            rows = await connection.execute(
                select(tavus_keys.c.team_id, tavus_keys.c.fingerprint, tavus_keys.c.key_sealed)
            )
            return {f"{row.team_id}/{row.fingerprint}": row.key_sealed for row in rows}

    async def reseal(self, key: str, *, was: str, now: str) -> bool:
        """Replace one sealed key by the same key sealed anew; False if it went meanwhile."""
        team_id, _, fingerprint = key.partition("/")
        async with self._db.writing() as connection:
            result = await connection.execute(
                update(tavus_keys)
                .where(
                    tavus_keys.c.team_id == team_id,
                    tavus_keys.c.fingerprint == fingerprint,
                    tavus_keys.c.key_sealed == was,
                )
                .values(key_sealed=now)
            )
        return bool(result.rowcount)


async def _retire(
    connection: AsyncConnection, row: Mapping[Any, Any], fingerprint: str, *, now: datetime
) -> None:
    """Keep a replaced key under its fingerprint, and mark the jobs sent before fingerprints."""
    await connection.execute(
        delete(tavus_keys).where(
            tavus_keys.c.team_id == row["team_id"], tavus_keys.c.fingerprint == fingerprint
        )
    )
    await connection.execute(
        tavus_keys.insert().values(
            team_id=row["team_id"],
            fingerprint=fingerprint,
            enterprise_id=row["enterprise_id"],
            key_sealed=row["key_sealed"],
            last4=row["last4"],
            saved_by=row["saved_by"],
            saved_at=row["saved_at"],
            retired_at=utc(now),
        )
    )
    # Sent with the key now replaced (the only one there was, as far as anyone knows): such a
    # job stays with that account rather than follow the workspace to the new one.
    await connection.execute(
        update(jobs)
        .where(
            jobs.c.team_id == row["team_id"],
            jobs.c.tavus_account.is_(None),
            jobs.c.status.not_in(_UNSENT),
        )
        .values(tavus_account=fingerprint)
    )


def _connected(row: Mapping[Any, Any]) -> Connected:
    return Connected(
        team_id=row["team_id"],
        key_sealed=row["key_sealed"],
        last4=row["last4"],
        saved_by=row["saved_by"],
        saved_at=aware(row["saved_at"]),
        enterprise_id=row["enterprise_id"],
        fingerprint=row["fingerprint"],
    )
