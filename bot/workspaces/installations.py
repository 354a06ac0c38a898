"""Installations by OAuth: which workspace (or Grid org) has the app, and its bot's sealed token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Installed:
    """One install: a workspace's, or an Enterprise Grid org's (serving each of its workspaces)."""

    team_id: str | None
    enterprise_id: str | None
    is_enterprise_install: bool
    bot_id: str
    bot_user_id: str
    bot_scopes: str
    bot_token_sealed: str  # bot.workspaces.vault's sealing: the plain token is never stored
    installer_id: str
    installed_at: datetime
    team_name: str | None = None
    enterprise_name: str | None = None
    app_id: str | None = None

    @property
    def key(self) -> str:
        """Its row's key: the org's for an org-wide install, else the workspace's."""
        if self.is_enterprise_install:
            return org_key(self.enterprise_id or "")
        return team_key(self.team_id or "")


def team_key(team_id: str) -> str:
    """The key of a workspace's own install."""
    return f"T:{team_id}"


def org_key(enterprise_id: str) -> str:
    """The key of an org-wide install."""
    return f"E:{enterprise_id}"


@dataclass(frozen=True, slots=True)
class Connected:
    """A workspace's Tavus account: its key sealed, what may be shown of it, who saved it when."""

    team_id: str
    key_sealed: str = field(repr=False)  # sealed by workspaces.vault: the plain key is never stored
    last4: str
    saved_by: str
    saved_at: datetime
    enterprise_id: str | None = None
    # Which account the key opens, without revealing it (workspaces.accounts.Fingerprints); None
    # for a key saved before fingerprints were kept, worked out from the key when needed.
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """A Connect Tavus session: whose workspace, which admin, its form's CSRF token, until when."""

    team_id: str
    user_id: str
    csrf: str = field(repr=False)
    expires_at: datetime
    enterprise_id: str | None = None
    attempts: int = 0  # keys checked with Tavus in this session so far
