"""Test helpers for the store: moves made up for a test, notice rows, and reads that fail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.jobs import Job, JobChanges, JobStatus, Move, NoticeKind
from bot.store import Store, StoreUnavailable
from bot.store.rows import aware
from bot.store.schema import notices


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


class Flaky:
    """A store method whose first `failures` calls fail, as a locked or absent database does."""

    def __init__(self, method: Callable[..., Awaitable[Any]], failures: int = 2) -> None:
        self._method = method
        self.failures = failures

    async def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable("connection refused")
        return await self._method(*args, **kwargs)


async def empty_postgres(url: str) -> None:
    """Drop every table of the PostgreSQL database at `url`: no earlier rows, no older schema."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()
