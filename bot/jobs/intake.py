"""Taking a request: saved within Slack's deadline, sent to Tavus exactly once, drained at stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot import messages
from bot.aio import start_kept
from bot.jobs import CallbackSecret, Job, JobChanges, ReplicaRequest, Requester, new_id
from bot.jobs import moves as life
from bot.jobs.lifecycle import Lifecycle
from bot.ops.logs import about
from bot.store import Store, StoreUnavailable
from bot.tavus import TavusError, TavusUncertain
from bot.workspaces.accounts import Accounts, Gone, workspace_of

log = logging.getLogger(__name__)

# A job still QUEUED this long after it was saved lost its process: the reconciler sends it.
ORPHAN_GRACE = timedelta(seconds=60)
# A file from Slack not copied this long after its save lost its process (750 MB takes minutes).
FETCH_GRACE = timedelta(minutes=30)

CallbackUrl = Callable[[str, str], str | None]
# A job's request with links to the files the bot keeps, valid from now (see bot/media/fetch.py).
FreshLinks = Callable[[Job], Awaitable[ReplicaRequest]]


@dataclass(frozen=True, slots=True)
class Started:
    """Tavus took the request; the job is training and its announcement is owed."""

    job: Job


@dataclass(frozen=True, slots=True)
class NotStarted:
    """Tavus did not take the request (or we cannot tell): nothing is announced."""

    job: Job
    error: TavusError


class Intake:
    """Accepts requests and sends their creates to Tavus; the store is the source of truth."""

    def __init__(
        self,
        *,
        store: Store,
        accounts: Accounts,
        lifecycle: Lifecycle,
        callback_url: CallbackUrl,
        create_timeout: timedelta,
        poll_interval: timedelta,
        consent_timeout: timedelta = timedelta(hours=72),
        fresh_links: FreshLinks | None = None,
        media_check: timedelta | None = None,
    ) -> None:
        self._store = store
        # With the media check on, how long a check holds the job just saved (its first check).
        self._media_check = media_check
        self._fresh_links = fresh_links
        self._accounts = accounts
        self._lifecycle = lifecycle
        self._callback_url = callback_url
        self._create_timeout = create_timeout
        self._poll_interval = poll_interval
        self._consent_timeout = consent_timeout
        self._in_flight: set[asyncio.Task[Started | NotStarted | None]] = set()
        self._in_flight_abandons: set[asyncio.Task[None]] = set()

    async def accept(
        self, requester: Requester, request: ReplicaRequest, *, within: float | None = None
    ) -> Job:
        """Save a valid request before anything else, so no acknowledged request is lost.

        A request naming whose likeness it is waits for their consent, CONSENT_TIMEOUT at most
        (the reconciler then expires it); the card and their DM are owed with it. With the media
        check on, its files are looked into first (the lifecycle starts the check).

        Raises StoreUnavailable if the database fails or takes longer than `within` seconds
        (Slack's 3-second answer cannot wait); such a request never starts later on its own.
        """
        # Not cancelled on a timeout: a cancelled write still waits for the database to roll
        # back. It is left to finish on its own, and undone if it lands.
        insert = asyncio.create_task(
            self._store.jobs.add(
                job_id=new_id(),
                requester=requester,
                request=request,
                next_check_at=self._store.now() + self._first_check(request),
                checking=self._media_check is not None,
            )
        )
        done, _ = await asyncio.wait({insert}, timeout=within)
        if insert in done:
            job = insert.result()
            self._lifecycle.saved(job)
            return job
        start_kept(self._in_flight_abandons, self._abandon(insert))
        raise StoreUnavailable("the database took too long to answer")

    def _first_check(self, request: ReplicaRequest) -> timedelta:
        """When the reconciler first looks at a request just saved, unless it moves on before."""
        if request.slack_file:
            return FETCH_GRACE
        if self._media_check is not None:
            return self._media_check
        return self._consent_timeout if request.subject_id else ORPHAN_GRACE

    @property
    def consent_timeout(self) -> timedelta:
        """How long the person shown has to answer (CONSENT_TIMEOUT)."""
        return self._consent_timeout

    async def start(self, job: Job, *, tell_by_dm: bool = False) -> Started | NotStarted | None:
        """Create the replica at Tavus; None if another process already took this job.

        `tell_by_dm`: nobody is watching the form, so a refusal is owed as a DM. The work runs
        in a task of its own: a shutdown waits for it instead of cutting it off between Tavus's
        answer and the store.
        """
        with about(job):  # the task takes the context with it
            task = start_kept(self._in_flight, self._start(job, tell_by_dm=tell_by_dm))
        return await asyncio.shield(task)

    async def drain(self, grace: float) -> None:
        """Wait up to `grace` seconds for creates in flight, then cut off the rest (shutdown).

        A create cut off stays CREATING, which the next start reports as "can't tell" (and a
        callback can still resolve) rather than as a refusal that invites a second, paid try.
        """
        if not self._in_flight:
            return
        _, pending = await asyncio.wait(set(self._in_flight), timeout=grace)
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=1.0)

    async def _abandon(self, insert: asyncio.Task[Job]) -> None:
        # The user was told to try again: a late save must not start a second replica.
        try:
            job = await insert
            await self._lifecycle.move(
                job.id,
                life.ABANDON,
                JobChanges(error_message=messages.NOT_SAVED_IN_TIME, next_check_at=None),
            )
        except StoreUnavailable as exc:
            log.error("could not undo a request saved too late: %s", exc)

    async def _start(self, job: Job, *, tell_by_dm: bool) -> Started | NotStarted | None:
        try:
            account = await self._accounts.current(workspace_of(job))
        except Gone as gone:
            # Uninstalled, or its Tavus account gone, since the request: nothing can be sent.
            log.warning("job %s: ended unsent: %s", job.id, gone)
            await self._lifecycle.move(job.id, life.END, JobChanges(next_check_at=None))
            return None
        secret = CallbackSecret.generate()
        creating = await self._lifecycle.move(
            job.id,
            life.SEND,
            JobChanges(
                callback_digest=secret.digest,
                next_check_at=self._store.now() + self._create_timeout + ORPHAN_GRACE,
                # Kept before the create goes: whatever becomes of it is asked of this account.
                tavus_account=account.fingerprint,
            ),
        )
        if creating is None:
            return None
        request = job.request
        try:
            if self._fresh_links is not None and request.slack_file:
                request = await self._fresh_links(job)
            created = await account.tavus.create_replica(
                replica_name=request.replica_name,
                model_name=request.model_name,
                train_video_url=request.train_video_url,
                train_image_url=request.train_image_url,
                voice_name=request.voice_name,
                consent_video_url=request.consent_video_url,
                callback_url=self._callback_url(job.id, secret.value),
            )
        except TavusError as error:
            log.warning("job %s: create refused or unanswered: %s", job.id, error)
            # A lost answer leaves the outcome open: Tavus may have the replica and spend a credit.
            uncertain = isinstance(error, TavusUncertain)
            # A refusal is kept in the words the requester reads, with what to do about it; an
            # answer lost, as what went wrong (the message about it says the rest).
            reason = str(error) if uncertain else messages.create_failure(error)
            failed = await self._lifecycle.move(
                job.id,
                life.LOSE_ANSWER if uncertain else life.REFUSE,
                JobChanges(
                    # Tavus may quote the callback URL back; its secret must not reach a message.
                    error_message=reason.replace(secret.value, "…"),
                    # An unknown outcome is looked for in Tavus's list of replicas later.
                    next_check_at=self._store.now() + self._poll_interval if uncertain else None,
                ),
                watching=not tell_by_dm,
            )
            return NotStarted(failed or creating, error)
        # Logged before the write: if the store fails now, the id is not lost with it.
        log.info("job %s: Tavus is training %s", job.id, created.replica_id)
        training = await self._lifecycle.begin_training(job.id, created.replica_id)
        return Started(training or creating)
