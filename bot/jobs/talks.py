"""Talk to it: a live Tavus conversation with a ready replica, its link for the one who asked.

A conversation costs Tavus credits the moment it opens, so a click claims it in the database
first: a double click, on one instance or two, opens one room, and both clicks get its link.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from bot.jobs import Job
from bot.store import Store, StoreUnavailable
from bot.tavus import TavusUnavailable, TavusUncertain
from bot.workspaces.accounts import Accounts

log = logging.getLogger(__name__)

# A click within this long of the last one (by the same person, for the same replica) gets the
# same room: a double click. Later, a new room: the last one closed when its guest left.
REUSE_FOR = timedelta(seconds=30)
# How long a click waits for the room another click of theirs is opening.
WAIT_FOR_OTHER = 10.0


class Talks:
    """Opens conversations with ready replicas, one at a time per person and replica."""

    def __init__(self, *, store: Store, accounts: Accounts) -> None:
        self._store = store
        self._accounts = accounts

    async def open(self, job: Job, *, by: str) -> str:
        """The link of a conversation with the job's replica for `by`. Raises TavusError."""
        since = self._store.now() - REUSE_FOR
        found = await self._store.talks.claim(job.id, by, since=since)
        if found is not None:
            return await self._wait_for(job, by, found.conversation_url)
        try:
            tavus = await self._accounts.tavus_for(job)
            opened = await tavus.create_conversation(
                replica_id=job.replica_id or "", conversation_name=job.request.replica_name
            )
        except TavusUncertain:
            # Tavus may have opened it: the claim stands until REUSE_FOR, so no click meanwhile
            # opens (and pays for) a second room.
            raise
        except BaseException:
            await self._store.talks.release(job.id, by)
            raise
        try:
            await self._store.talks.opened(
                job.id, by, conversation_id=opened.conversation_id, url=opened.conversation_url
            )
        except StoreUnavailable as exc:
            # The room is open and paid for: its link still goes to whoever asked.
            log.warning("job %s: conversation %s not kept: %s", job.id, opened.conversation_id, exc)
        log.info("job %s: %s opened conversation %s", job.id, by, opened.conversation_id)
        return opened.conversation_url

    async def _wait_for(self, job: Job, by: str, url: str | None) -> str:
        """The link of the room another click is opening, once Tavus has answered it."""
        try:
            async with asyncio.timeout(WAIT_FOR_OTHER):
                while url is None:
                    await asyncio.sleep(0.2)
                    found = await self._store.talks.get(job.id, by)
                    if found is None:
                        raise TavusUnavailable("the other click's conversation did not open")
                    url = found.conversation_url
        except TimeoutError:
            raise TavusUnavailable("Tavus is still opening the conversation") from None
        return url
