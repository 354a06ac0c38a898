"""Managing replicas, at Tavus and here: listing, showing, renaming and deleting them."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.governance.audit import BOT, Action, Record
from bot.jobs import Job, JobChanges, Viewer
from bot.jobs import moves as life
from bot.jobs.lifecycle import Lifecycle
from bot.store import Store
from bot.tavus import TavusClient, TavusError
from bot.workspaces.accounts import Accounts

log = logging.getLogger(__name__)


class Replicas:
    """A workspace's replicas as the bot knows them, and the changes people ask for."""

    def __init__(self, *, store: Store, accounts: Accounts, lifecycle: Lifecycle) -> None:
        self._store = store
        self._accounts = accounts
        self._lifecycle = lifecycle

    async def get(self, job_id: str) -> Job | None:
        """One job by its id."""
        return await self._store.jobs.get(job_id)

    async def page(
        self,
        *,
        team_id: str,
        user_id: str | None = None,
        viewer: Viewer | None = None,
        page: int = 1,
        per_page: int = 10,
        after: tuple[datetime, str] | None = None,
    ) -> tuple[list[Job], bool]:
        """One page of a workspace's (or a requester's) replicas, newest first; and if more.

        `viewer`: only what they may see (an admin all, a guest only their own); None: all.
        `after`: the last job shown (created_at, id): the page after it, found by key, not by
        counting rows; without it, `page` is counted.
        """
        found = await self._store.jobs.page(
            team_id=team_id,
            user_id=user_id,
            viewer=viewer,
            limit=per_page + 1,
            offset=0 if after is not None else (page - 1) * per_page,
            after=after,
        )
        return found[:per_page], len(found) > per_page

    async def find(self, *, team_id: str, query: str, viewer: Viewer | None = None) -> Job | None:
        """The workspace's replica with this id, or else this name (the newest such).

        `viewer`: only among what they may see; None: among all of them.
        """
        return await self._store.jobs.find(team_id=team_id, query=query, viewer=viewer)

    async def refresh_and_settle(self, job: Job) -> Job:
        """A job as Tavus sees it now, as stored if Tavus fails.

        A job Tavus has finished is settled here and then, so its result is owed in its thread
        like any other: `/replica status` can be what tells the channel.
        """
        if not job.status.is_training or job.replica_id is None:
            return job
        try:
            tavus = await self._accounts.tavus_for(job)
            replica = await tavus.get_replica(job.replica_id)
        except TavusError as error:
            log.info("job %s: could not refresh (%s)", job.id, error)
            return job
        await self._lifecycle.settle(job, replica)
        return await self._store.jobs.get(job.id) or job

    async def rename(self, job: Job, replica_name: str, *, by: str) -> Job:
        """Rename the replica at Tavus, then here, for user `by`. Raises TavusError on refusal."""
        if job.replica_id is not None:
            tavus = await self._accounts.tavus_for(job)
            await tavus.rename_replica(replica_id=job.replica_id, replica_name=replica_name)
        renamed = await self._lifecycle.move(
            job.id, life.RENAME, JobChanges(replica_name=replica_name), by=by
        )
        return renamed or job

    async def delete(self, job: Job, *, by: str) -> Job:
        """Delete the replica at Tavus and mark the job deleted, for user `by`.

        Raises TavusError if Tavus refuses.
        """
        if job.replica_id is not None:
            tavus = await self._accounts.tavus_for(job)
            await tavus.delete_replica(replica_id=job.replica_id)
        deleted = await self._lifecycle.move(
            job.id, life.DELETE, JobChanges(next_check_at=None), by=by
        )
        return deleted or job


async def delete_withdrawn(store: Store, tavus: TavusClient, job: Job, replica_id: str) -> None:
    """Delete, with its footage, a replica made for a job whose consent was withdrawn first.

    Its create's answer was lost, so the withdrawal found nothing to delete; the replica came to
    light since (Tavus's list, or its callback). Raises TavusError if Tavus refuses the delete.
    """
    await tavus.delete_replica(replica_id=replica_id, hard=True)
    # Nothing left to look for, and the deletion on record, in one transaction.
    await store.jobs.end_checks(
        job.id,
        Record(
            at=store.now(),
            team_id=job.requester.team_id,
            actor=BOT,
            action=Action.DELETED,
            job_id=job.id,
            replica_id=replica_id,
            subject=job.request.subject_id,
            details={"why": "consent was withdrawn before Tavus's answer to the create"},
        ),
    )
    log.info("job %s: replica %s, made after consent was withdrawn, deleted", job.id, replica_id)
