"""A workspace's Tavus key saved, sealed, in place of the one before, with its audit record."""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.governance.audit import Action, Record
from bot.store import Store, StoreUnavailable
from bot.workspaces.installations import Connected, Visit
from bot.workspaces.vault import Unreadable, Vault

log = logging.getLogger(__name__)

# How often a save is tried again when another key was saved between reading and writing.
SAVE_TRIES = 3


class TavusKeys:
    """Saves the key an admin gave on the Connect Tavus page as their workspace's own."""

    def __init__(self, *, store: Store, vault: Vault, fingerprint: Callable[[str], str]) -> None:
        self._store = store
        self._vault = vault
        self._fingerprint = fingerprint

    async def save(self, api_key: str, *, visit: Visit, session_digest: str) -> Connected:
        """Make a key Tavus took the workspace's, as the admin of `visit` asked: what was saved.

        One transaction writes the key, sealed; the key it replaces, kept for the replicas made
        with it; the audit record naming both by fingerprint, never by key; and the end of the
        session (the cookie's digest) it was given in. A save between reading the key replaced
        and writing this one (another admin's) is read again, so neither key is lost unnoticed.
        """
        connected = Connected(
            team_id=visit.team_id,
            enterprise_id=visit.enterprise_id,
            key_sealed=self._vault.seal(api_key),
            last4=api_key[-4:],
            saved_by=visit.user_id,
            saved_at=self._store.now(),
            fingerprint=self._fingerprint(api_key),
        )
        for _ in range(SAVE_TRIES):
            before = await self._store.tavus_accounts.find(connected.team_id)
            was = None
            if before is not None:
                was = before.fingerprint or self._fingerprint_of(before)
            if await self._store.tavus_accounts.save(
                connected,
                was=before.key_sealed if before else None,
                was_fingerprint=was,
                record=_record(connected, replaced=was),
                ending=session_digest,
            ):
                return connected
        raise StoreUnavailable("the workspace's Tavus key kept changing while being saved")

    def _fingerprint_of(self, connected: Connected) -> str | None:
        """The fingerprint of a key saved before fingerprints were kept; None if unreadable."""
        try:
            return self._fingerprint(self._vault.open(connected.key_sealed))
        except Unreadable:
            log.warning("Connect Tavus: the key replaced in %s cannot be opened", connected.team_id)
            return None


def _record(connected: Connected, *, replaced: str | None) -> Record:
    """The audit record of a key saved: which account replaced which, for whoever reads the log."""
    details = {"last4": connected.last4, "fingerprint": connected.fingerprint}
    if replaced is not None:
        details["replaced"] = replaced
    return Record(
        at=connected.saved_at,
        team_id=connected.team_id,
        actor=connected.saved_by,
        action=Action.TAVUS_CONNECTED,
        details=details,
    )
