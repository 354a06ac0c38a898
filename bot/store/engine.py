"""The database underneath the store: engine and pool, migrations, and one writer at a time."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.config.database import Pool

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant will do: it names the lock every instance takes before migrating.
MIGRATION_LOCK = 7_263_512
# What an unreachable or overloaded database raises, whichever the driver.
UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout, OSError, TimeoutError)

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class StoreUnavailable(Exception):
    """The database did not answer (down, unreachable, or its pool exhausted)."""


class Database:
    """An engine with the store's clock, handing out reading and writing connections."""

    def __init__(self, engine: AsyncEngine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self._clock = clock
        # SQLite lets one writer in at a time and makes the others sleep and retry; queueing
        # them here instead costs nothing and never sleeps. PostgreSQL needs no such help.
        self._one_writer = (
            asyncio.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        )

    def now(self) -> datetime:
        """The store's clock, in UTC."""
        return self._clock().astimezone(UTC)

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A connection in a transaction that commits when the block ends."""
        async with self._one_writer, available(), self.engine.begin() as connection:
            yield connection

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads."""
        async with available(), self.engine.connect() as connection:
            yield connection

    async def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        async with self.writing() as connection:
            await connection.run_sync(_upgrade)
            if connection.dialect.name == "sqlite":
                # SQLite's planner needs statistics to choose an index over the one that sorts
                # (PostgreSQL gathers its own). A bounded sample keeps this fast at any size.
                await connection.execute(text("PRAGMA analysis_limit = 1000"))
                await connection.execute(text("ANALYZE"))

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.reading() as connection:
            await connection.execute(text("SELECT 1"))


@asynccontextmanager
async def available() -> AsyncIterator[None]:
    """Turn the many ways a database can be out of reach into StoreUnavailable."""
    try:
        yield
    except UNAVAILABLE as exc:
        raise StoreUnavailable(str(exc).splitlines()[0] if str(exc) else repr(exc)) from exc
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        raise StoreUnavailable("the database connection was lost") from exc


async def take_turn(connection: AsyncConnection, name: str) -> None:
    """Wait for other writers that took a turn on `name` to commit (a check, then a write).

    SQLite lets one writer in at a time already; on PostgreSQL a lock named after `name`,
    held until the transaction ends, makes several instances take turns.
    """
    if connection.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def create_engine(url: str, pool: Pool | None = None) -> AsyncEngine:
    """An async engine set up for the bot's access pattern on either backend."""
    if url.startswith("sqlite"):
        # A generous busy timeout instead of 'database is locked' when two writers meet.
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    pool = pool or Pool()
    return create_async_engine(
        url,
        # A connection that died with the server is noticed and replaced, not handed out.
        pool_pre_ping=True,
        pool_size=pool.size,
        max_overflow=pool.overflow,
        pool_timeout=pool.timeout,
        connect_args={"timeout": pool.timeout, "command_timeout": 30},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (health checks, lookups) run while a write is in progress.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def alembic_config() -> Config:
    """The store's Alembic configuration: what migrations run with, and what `check` reads."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        # Instances starting together take turns; the lock ends with the transaction.
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")
