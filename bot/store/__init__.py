"""Persistence behind one interface: SQLite by default, PostgreSQL by DATABASE_URL."""

from bot.store.sql import Pool, Store, StoreUnavailable

__all__ = ["Pool", "Store", "StoreUnavailable"]
