"""The database check: it answers, and its schema is this bot's or would be migrated to it."""

from __future__ import annotations

import asyncio
import enum
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from bot.cli.check.result import Result, failed, passed
from bot.config import Settings
from bot.store import Store, StoreUnavailable
from bot.store.engine import Database, alembic_config, create_engine

# A database that has not answered in this long is as good as down for a person waiting.
DATABASE_WAIT = 5.0

DATABASE_FIX = (
    "check DATABASE_URL, and that the database is running and reachable from this machine"
)
UNKNOWN_REVISION_FIX = (
    "run the bot version that migrated this database, or point DATABASE_URL at this bot's own"
)
FOLDER_FIX = "create the folder, or point DATABASE_URL at a file in a folder the bot may write"


class Schema(enum.Enum):
    """What the database holds, against this bot's migrations."""

    CURRENT = enum.auto()
    EMPTY = enum.auto()  # no tables yet (or no file yet): the bot creates them at start
    OLDER = enum.auto()  # the bot migrates it at start
    UNREADABLE = enum.auto()  # down, malformed, or migrated by a version this bot does not know


async def check_store(settings: Settings) -> tuple[Result, Schema, Store | None]:
    """The database's check, what it holds, and the store on it to read installs from."""
    shown = _shown(settings.database_url)
    name = f"database {shown}" if shown else "database"
    # The parser's words could quote the password: they are not repeated.
    malformed = failed(name, "DATABASE_URL is malformed", DATABASE_FIX)
    try:
        url = make_url(settings.sqlalchemy_url)
    except (ArgumentError, ValueError):
        return malformed, Schema.UNREADABLE, None
    if (absent := _absent_sqlite(name, url)) is not None:
        return absent, Schema.EMPTY, None
    try:
        db = Database(create_engine(settings.sqlalchemy_url, settings.pool))
    except (ArgumentError, ValueError):
        return malformed, Schema.UNREADABLE, None
    result, schema = await check_database(db, name)
    return result, schema, Store(db)


def _absent_sqlite(name: str, url: URL) -> Result | None:
    """For a SQLite file not made yet, what starting would do; None for any other database.

    Connecting would create the file: the check must leave things as it found them.
    """
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    if path.exists():
        return None
    if not path.parent.is_dir():
        return failed(name, f"its folder {path.parent} does not exist", FOLDER_FIX)
    return passed(name, "no file yet: the bot creates it, with its tables, when it starts")


async def check_database(db: Database, name: str) -> tuple[Result, Schema]:
    """Whether the database answers, and its schema is this bot's or would be migrated."""
    script = ScriptDirectory.from_config(alembic_config())
    heads = tuple(script.get_heads())
    try:
        async with asyncio.timeout(DATABASE_WAIT), db.reading() as connection:
            revisions = await connection.run_sync(_current_revisions)
    except TimeoutError:
        return failed(name, f"no answer in {DATABASE_WAIT:.0f} s", DATABASE_FIX), Schema.UNREADABLE
    except StoreUnavailable as exc:
        return failed(name, f"does not answer ({exc})", DATABASE_FIX), Schema.UNREADABLE
    head = ", ".join(heads)
    if set(revisions) == set(heads):
        return passed(name, f"answers; its schema is current (revision {head})"), Schema.CURRENT
    if not revisions:
        detail = "answers; empty: the bot creates its tables when it starts"
        return passed(name, detail), Schema.EMPTY
    known = {revision.revision for revision in script.walk_revisions()}
    at = ", ".join(revisions)
    if not set(revisions) <= known:
        detail = f"answers, but is at revision {at}, which this bot does not know"
        return failed(name, detail, UNKNOWN_REVISION_FIX), Schema.UNREADABLE
    pending = sum(1 for _ in script.iterate_revisions(heads, revisions))
    detail = (
        f"answers; at revision {at}, it would be migrated to {head} ({_count(pending, 'step')}) "
        "when the bot starts"
    )
    return passed(name, detail), Schema.OLDER


def _current_revisions(connection: Connection) -> tuple[str, ...]:
    # Only reads alembic_version (none there: no tables yet); nothing is migrated.
    return tuple(MigrationContext.configure(connection).get_current_heads())


def _shown(url: str) -> str:
    """DATABASE_URL fit to print, its password masked; empty if it cannot be read."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return ""


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"
