"""The tables, as SQLAlchemy Core metadata shared by the store and the migrations."""

from bot.store.schema.core import (
    audit,
    jobs,
    keys,
    media,
    metadata,
    notices,
    paces,
    policies,
    receipts,
    relays,
    talks,
)
from bot.store.schema.workspaces import (
    connect_links,
    installations,
    oauth_states,
    tavus_accounts,
    tavus_keys,
)

__all__ = [
    "audit",
    "connect_links",
    "installations",
    "jobs",
    "keys",
    "media",
    "metadata",
    "notices",
    "oauth_states",
    "paces",
    "policies",
    "receipts",
    "relays",
    "talks",
    "tavus_accounts",
    "tavus_keys",
]
