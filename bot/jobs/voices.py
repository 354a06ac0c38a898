"""Stock voices for image training: Tavus's list, kept fresh in the background, never awaited."""

from __future__ import annotations

import asyncio
import logging
import time

from bot.aio import start_kept
from bot.store import StoreUnavailable
from bot.tavus import TavusError
from bot.workspaces.accounts import Accounts
from bot.workspaces.vault import Unreadable

log = logging.getLogger(__name__)

# The slugs Tavus documents; offered until (and whenever) Tavus's own list cannot be had.
DOCUMENTED = ("anna", "benjamin", "james", "liam", "julia", "ivy")
# A static select offers at most 100 options.
MAX_OFFERED = 100
REFRESH_EVERY = 3600.0
RETRY_AFTER_FAILURE = 300.0
# With one Tavus account for every workspace, its list is kept under this key.
ONE_ACCOUNT = ""


class Voices:
    """The voices the form offers: read instantly, refreshed from Tavus in the background.

    With one account (`one_account`), `run()` keeps its list fresh from the start; with an
    account per workspace, a workspace's list is fetched when its form first needs it (that
    form offers the documented voices), and again once it is an hour old.
    """

    def __init__(self, accounts: Accounts, *, one_account: bool = True) -> None:
        self._accounts = accounts
        self._one_account = one_account
        self._lists: dict[str, tuple[str, ...]] = {}
        # When each list is next due a refresh (monotonic seconds).
        self._due: dict[str, float] = {}
        self._refreshing: set[asyncio.Task[bool]] = set()

    def current(self, team_id: str) -> tuple[str, ...]:
        """The voices to offer in this workspace now (the form must open within 3 seconds)."""
        key = ONE_ACCOUNT if self._one_account else team_id
        if not self._one_account and time.monotonic() >= self._due.get(key, 0.0):
            self._due[key] = time.monotonic() + RETRY_AFTER_FAILURE  # one refresh at a time
            start_kept(self._refreshing, self.refresh(key))
        return self._lists.get(key, DOCUMENTED)

    async def refresh(self, team_id: str = ONE_ACCOUNT) -> bool:
        """Fetch the account's list; keep the last good one if that fails. True if it worked."""
        try:
            tavus = await self._accounts.tavus(team_id)
            voices = await tavus.list_voices()
        except (TavusError, StoreUnavailable, Unreadable) as exc:
            # In the background: whatever failed, the form offers the last good list.
            kept = len(self._lists.get(team_id, DOCUMENTED))
            log.warning("could not list Tavus voices (%s); keeping %d", exc, kept)
            self._due[team_id] = time.monotonic() + RETRY_AFTER_FAILURE
            return False
        if voices:
            self._lists[team_id] = voices[:MAX_OFFERED]
        self._due[team_id] = time.monotonic() + REFRESH_EVERY
        return bool(voices)

    async def run(self) -> None:
        """With one account: refresh now and then every hour (sooner after a failure)."""
        if not self._one_account:
            return
        while True:
            ok = await self.refresh()
            await asyncio.sleep(REFRESH_EVERY if ok else RETRY_AFTER_FAILURE)

    async def close(self) -> None:
        """Stop the refreshes under way."""
        for task in self._refreshing:
            task.cancel()
        await asyncio.gather(*self._refreshing, return_exceptions=True)
