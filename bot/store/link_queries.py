"""The connect_links table: Connect Tavus links, each opening one session that checks few keys."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.engine import Database
from bot.store.rows import aware, of_workspace, utc
from bot.store.schema import connect_links
from bot.workspaces.installations import Visit


class ConnectLinks:
    """Connect Tavus links: issued to one admin, opened once, then a session until they expire."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def issue(
        self,
        nonce: str,
        *,
        team_id: str,
        user_id: str,
        expires_at: datetime,
        enterprise_id: str | None = None,
    ) -> None:
        """Keep a link handed to an admin; expired links are swept as new ones are issued."""
        async with self._db.writing() as connection:
            await connection.execute(
                delete(connect_links).where(connect_links.c.expires_at <= utc(self._db.now()))
            )
            await connection.execute(
                connect_links.insert().values(
                    nonce=nonce,
                    team_id=team_id,
                    enterprise_id=enterprise_id,
                    user_id=user_id,
                    expires_at=utc(expires_at),
                )
            )

    async def open(self, nonce: str, *, session_digest: str, csrf: str) -> Visit | None:
        """Start the session of a link never opened and unexpired; None if used or expired."""
        async with self._db.writing() as connection:
            opened = await connection.execute(
                connect_links.update()
                .where(
                    connect_links.c.nonce == nonce,
                    connect_links.c.session_digest.is_(None),
                    connect_links.c.expires_at > utc(self._db.now()),
                )
                .values(session_digest=session_digest, csrf=csrf)
            )
            if not opened.rowcount:
                return None
        return await self.visit(session_digest)

    async def visit(self, session_digest: str) -> Visit | None:
        """The session a cookie's digest names, while it lasts."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(
                    select(connect_links).where(
                        connect_links.c.session_digest == session_digest,
                        connect_links.c.expires_at > utc(self._db.now()),
                    )
                )
            ).first()
        if row is None:
            return None
        return Visit(
            team_id=row.team_id,
            user_id=row.user_id,
            csrf=row.csrf,
            expires_at=aware(row.expires_at),
            enterprise_id=row.enterprise_id,
            attempts=row.attempts,
        )

    async def attempt(self, session_digest: str, *, most: int) -> int | None:
        """Count one more key checked in a session: how many it has now; None past `most`.

        Counted before Tavus is asked, in one conditional UPDATE: requests sent together
        cannot all pass.
        """
        async with self._db.writing() as connection:
            counted = await connection.execute(
                connect_links.update()
                .where(
                    connect_links.c.session_digest == session_digest,
                    connect_links.c.expires_at > utc(self._db.now()),
                    connect_links.c.attempts < most,
                )
                .values(attempts=connect_links.c.attempts + 1)
            )
            if not counted.rowcount:
                return None
            made = await connection.execute(
                select(connect_links.c.attempts).where(
                    connect_links.c.session_digest == session_digest
                )
            )
            return int(made.scalar_one())

    async def end(self, session_digest: str) -> None:
        """End a session: the link and its cookie are no use any more."""
        async with self._db.writing() as connection:
            await end_in(connection, session_digest)

    async def forget(
        self,
        *,
        team_id: str | None,
        enterprise_id: str | None = None,
        keeping: Collection[str] = (),
    ) -> None:
        """Drop a workspace's (or a Grid org's, but `keeping`'s) links and sessions."""
        which = of_workspace(
            connect_links, team_id=team_id, enterprise_id=enterprise_id, keeping=keeping
        )
        async with self._db.writing() as connection:
            await connection.execute(delete(connect_links).where(which))


async def end_in(connection: AsyncConnection, session_digest: str) -> None:
    """End a session inside the caller's transaction (with the key saved in it)."""
    await connection.execute(
        delete(connect_links).where(connect_links.c.session_digest == session_digest)
    )
