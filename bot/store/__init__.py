"""Persistence behind one interface: SQLite by default, PostgreSQL by DATABASE_URL."""

from bot.store.sql import Store

__all__ = ["Store"]
