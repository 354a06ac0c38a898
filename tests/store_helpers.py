"""Test helpers for the store: moves made up for a test, notice rows, and real outages."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.jobs import Job, JobChanges, JobStatus, Move, NoticeKind
from bot.store import Store, StoreUnavailable
from bot.store.rows import aware
from bot.store.schema import notices
from tests.standins.tcp_proxy import TcpProxy


async def transition(
    store: Store,
    job_id: str,
    *,
    from_: Iterable[JobStatus],
    to: JobStatus,
    notice: NoticeKind | None = None,
    **changes: Any,
) -> Job | None:
    """Move a job from one of `from_` to `to`, as no move of the bot's may (to set up a test)."""
    made_up = Move("test", frozenset(from_), to, notice)
    return await store.jobs.move(job_id, made_up, JobChanges(**changes))


async def notices_of(store: Store, job_id: str) -> list[dict[str, Any]]:
    """Every notice of a job with its delivery record, oldest first."""
    statement = select(notices).where(notices.c.job_id == job_id).order_by(notices.c.created_at)
    async with store.db.reading() as connection:
        rows = await connection.execute(statement)
        return [
            {k: aware(v) if isinstance(v, datetime) else v for k, v in row._mapping.items()}
            for row in rows
        ]


def alone_in_a_folder(folder: Path) -> str:
    """A SQLite URL for a database alone in `folder` (made here), which FolderAway can move away."""
    folder.mkdir()
    return f"sqlite:///{folder / 'bot.db'}"


class Outage(Protocol):
    """A database put out of reach for real, and brought back."""

    async def cut(self) -> None:
        """No connection reaches the database from now on."""

    def restore(self) -> None:
        """The database can be reached again."""


class FolderAway:
    """SQLite out of reach: its folder moved away, so opening the file fails as an unmounted disk
    does ('unable to open database file'), and the stores' pooled connections closed first (an
    open file handle outlives a move, as a pool replacing a connection or a restart would not)."""

    def __init__(self, url: str, *stores: Store) -> None:
        self.folder = Path(make_url(url).database or "").parent
        self._away = self.folder.with_name(f"{self.folder.name}.away")
        self._stores = stores

    async def cut(self) -> None:
        self.folder.rename(self._away)
        for store in self._stores:
            await store.db.engine.dispose()

    def restore(self) -> None:
        self._away.rename(self.folder)


class LineCut:
    """PostgreSQL out of reach: the TCP proxy in front of it drops every connection and refuses
    new ones, as a network outage or a restarting server does."""

    def __init__(self, proxy: TcpProxy) -> None:
        self._proxy = proxy

    async def cut(self) -> None:
        self._proxy.cut()

    def restore(self) -> None:
        self._proxy.restore()


class Flaky:
    """A store method whose next `failures` calls meet a real outage: cut just before the call
    and restored after it, so that the call fails in the database driver and the store's own
    handling of that error is what reaches the caller (each error raised is kept in `raised`).

    For a test that must choose which call fails; otherwise, cut the whole database.
    """

    def __init__(
        self, method: Callable[..., Awaitable[Any]], outage: Outage, failures: int = 1
    ) -> None:
        self._method = method
        self._outage = outage
        self.failures = failures
        self.raised: list[BaseException] = []

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.failures:
            return await self._method(*args, **kwargs)
        self.failures -= 1
        await self._outage.cut()
        try:
            return await self._method(*args, **kwargs)
        except BaseException as exc:
            self.raised.append(exc)
            raise
        finally:
            self._outage.restore()


def unavailable_from_the_driver(error: BaseException) -> bool:
    """Whether `error` is the store's StoreUnavailable, raised from the database driver's error."""
    return isinstance(error, StoreUnavailable) and isinstance(
        error.__cause__, (SQLAlchemyError, OSError, TimeoutError)
    )


async def empty_postgres(url: str) -> None:
    """Drop every table of the PostgreSQL database at `url`: no earlier rows, no older schema."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def behind_a_proxy(server: str) -> AsyncIterator[tuple[URL, TcpProxy]]:
    """An emptied PostgreSQL database reached through a TCP proxy that can cut the line."""
    await empty_postgres(server)
    target = make_url(server)
    assert target.host is not None
    proxy = TcpProxy(target.host, target.port or 5432)
    await proxy.start()
    try:
        yield target.set(host="127.0.0.1", port=proxy.port), proxy
    finally:
        await proxy.stop()
