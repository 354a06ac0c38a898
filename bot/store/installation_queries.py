"""The installations and oauth_states tables: who has the app installed, and states spent."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import RowMapping, delete, func, select
from sqlalchemy.exc import IntegrityError

from bot.store.engine import Database
from bot.store.rows import aware, utc
from bot.store.schema import installations, oauth_states
from bot.workspaces.installations import Installed, org_key, team_key


class Installations:
    """One row per workspace or org install, replaced in place when the app is installed again."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(self, installed: Installed) -> None:
        """Keep an install, replacing the one before it (a reinstall, new scopes or token)."""
        try:
            await self._replace(installed)
        except IntegrityError:
            # Saved at the same moment elsewhere (a reinstall clicked twice): the later one wins.
            await self._replace(installed)

    async def _replace(self, installed: Installed) -> None:
        values = {**asdict(installed), "installed_at": utc(installed.installed_at)}
        async with self._db.writing() as connection:
            await connection.execute(
                delete(installations).where(installations.c.key == installed.key)
            )
            await connection.execute(installations.insert().values(key=installed.key, **values))

    async def find(
        self, *, team_id: str | None, enterprise_id: str | None, is_enterprise_install: bool = False
    ) -> Installed | None:
        """The install serving a workspace: its own, else its org's (an org-wide install)."""
        keys = [] if is_enterprise_install or not team_id else [team_key(team_id)]
        if enterprise_id:
            keys.append(org_key(enterprise_id))
        if not keys:
            return None
        async with self._db.reading() as connection:
            rows = {
                row.key: row._mapping
                for row in await connection.execute(
                    select(installations).where(installations.c.key.in_(keys))
                )
            }
        # A workspace's own install comes before its org's.
        found = next((rows[key] for key in keys if key in rows), None)
        return _installed(found) if found is not None else None

    async def delete(self, *, team_id: str | None, enterprise_id: str | None) -> int:
        """Forget a workspace's install (or an org's, by its id alone); how many rows went."""
        keys = [team_key(team_id)] if team_id else [org_key(enterprise_id or "")]
        async with self._db.writing() as connection:
            result = await connection.execute(
                delete(installations).where(installations.c.key.in_(keys))
            )
        return int(result.rowcount or 0)

    async def own_teams_of(self, enterprise_id: str) -> set[str]:
        """The workspaces of a Grid org that have an install of their own besides the org's."""
        async with self._db.reading() as connection:
            rows = await connection.execute(
                select(installations.c.team_id).where(
                    installations.c.enterprise_id == enterprise_id,
                    installations.c.is_enterprise_install.is_(False),
                )
            )
            return {row.team_id for row in rows if row.team_id}

    async def sealed(self) -> dict[str, str]:
        """Every install's sealed token, by its key (for resealing with a new key)."""
        async with self._db.reading() as connection:
            rows = await connection.execute(
                select(installations.c.key, installations.c.bot_token_sealed)
            )
            return {row.key: row.bot_token_sealed for row in rows}

    async def reseal(self, key: str, *, was: str, now: str) -> bool:
        """Replace one sealed token by the same token sealed anew; False if it changed meanwhile."""
        async with self._db.writing() as connection:
            result = await connection.execute(
                installations.update()
                .where(installations.c.key == key, installations.c.bot_token_sealed == was)
                .values(bot_token_sealed=now)
            )
        return bool(result.rowcount)


class OAuthStates:
    """OAuth states already used, kept until they expire so that none is used twice.

    Nothing is written when a state is handed out (it is signed instead): only a state coming
    back is, once, and no more than `most` at a time, so no flood of requests grows the table.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    async def spend(self, state: str, *, expires_at: datetime, most: int) -> bool:
        """Mark a state used; False if it was already, or `most` unexpired ones are kept."""
        now = utc(self._db.now())
        # Read first: a replay, or a flood past the bound, is refused without a write.
        async with self._db.reading() as connection:
            kept = await connection.execute(
                select(
                    func.count(),
                    func.count().filter(oauth_states.c.state == state),
                ).where(oauth_states.c.expires_at > now)
            )
            unexpired, used = kept.one()
        if used or unexpired >= most:
            return False
        try:
            async with self._db.writing() as connection:
                await connection.execute(
                    delete(oauth_states).where(oauth_states.c.expires_at <= now)
                )
                await connection.execute(
                    oauth_states.insert().values(state=state, expires_at=utc(expires_at))
                )
        except IntegrityError:
            return False  # the same state came back twice at once: the other one spent it
        return True


def _installed(row: RowMapping) -> Installed:
    return Installed(
        team_id=row["team_id"],
        enterprise_id=row["enterprise_id"],
        is_enterprise_install=bool(row["is_enterprise_install"]),
        bot_id=row["bot_id"],
        bot_user_id=row["bot_user_id"],
        bot_scopes=row["bot_scopes"],
        bot_token_sealed=row["bot_token_sealed"],
        installer_id=row["installer_id"],
        installed_at=aware(row["installed_at"]),
        team_name=row["team_name"],
        enterprise_name=row["enterprise_name"],
        app_id=row["app_id"],
    )
