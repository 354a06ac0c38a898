"""The tables of workspaces: installs, OAuth states, Tavus accounts and keys, Connect links."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text, false

from bot.store.schema.core import metadata

# The workspaces (or Enterprise Grid orgs) the app is installed in, by OAuth: one row each,
# replaced in place on reinstall. `key` is "T:<team_id>", or "E:<enterprise_id>" for an org-wide
# install, which serves every workspace of the org. The bot token is sealed (bot.workspaces.vault).
installations = Table(
    "installations",
    metadata,
    Column("key", String(48), primary_key=True),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("is_enterprise_install", Boolean, nullable=False, server_default=false()),
    Column("app_id", String(32)),
    Column("bot_id", String(32), nullable=False),
    Column("bot_user_id", String(32), nullable=False),
    Column("bot_scopes", Text, nullable=False),
    Column("bot_token_sealed", Text, nullable=False),
    Column("installer_id", String(32), nullable=False),
    Column("installed_at", DateTime(timezone=True), nullable=False),
)

# OAuth states already used (handed out signed by /slack/install, written only when they come
# back): kept until they expire, so that none is used twice.
oauth_states = Table(
    "oauth_states",
    metadata,
    Column("state", String(64), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Each workspace's Tavus account, connected by an admin on the Connect Tavus page (OAuth mode):
# the key sealed (bot.workspaces.vault), its last four characters to show, and who saved it when.
tavus_accounts = Table(
    "tavus_accounts",
    metadata,
    Column("team_id", String(32), primary_key=True),
    # Its Grid org, if any: an org-wide uninstall takes every key of the org.
    Column("enterprise_id", String(32)),
    Column("key_sealed", Text, nullable=False),
    # Its fingerprint (bot.workspaces.accounts.Fingerprints); NULL if saved before migration 0022.
    Column("fingerprint", String(16)),
    Column("last4", String(4), nullable=False),
    Column("saved_by", String(32), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Index("ix_tavus_accounts_enterprise_id", "enterprise_id"),
)

# A workspace's Tavus keys replaced by another, each still sealed, kept while any job made with
# it may still be polled, withdrawn, deleted, renamed or talked to (its replica is at Tavus).
tavus_keys = Table(
    "tavus_keys",
    metadata,
    Column("team_id", String(32), primary_key=True),
    Column("fingerprint", String(16), primary_key=True),
    Column("enterprise_id", String(32)),
    Column("key_sealed", Text, nullable=False),
    Column("last4", String(4), nullable=False),
    Column("saved_by", String(32), nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("retired_at", DateTime(timezone=True), nullable=False),
    Index("ix_tavus_keys_enterprise_id", "enterprise_id"),
)

# Connect Tavus links sent to admins: each opens the page once, and the session it starts
# (a cookie, stored here only as a digest, with its form's CSRF token) lasts until it expires.
connect_links = Table(
    "connect_links",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("team_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("user_id", String(32), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("session_digest", String(64)),
    Column("csrf", String(64)),
    # Keys checked with Tavus in the session: past a few, it is closed (connect.MOST_KEY_CHECKS).
    Column("attempts", Integer, nullable=False, server_default="0"),
    Index("ix_connect_links_session_digest", "session_digest"),
)
