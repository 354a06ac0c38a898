"""Alembic environment: migrates the connection bot.store hands over, or DATABASE URL from -x."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store.schema import metadata


def _run(connection: Connection) -> None:
    # Batch mode lets later migrations alter SQLite tables, which cannot ALTER most things.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_url(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    # Command-line use: `alembic -c bot/store/alembic.ini -x url=sqlite+aiosqlite:///x.db …`
    asyncio.run(_run_from_url(context.get_x_argument(as_dictionary=True)["url"]))
