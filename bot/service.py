"""Domain operations: accept a request, create the replica, and settle the job from Tavus's word."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot import jobs as life
from bot import messages
from bot.background import start_kept
from bot.batch import Batch
from bot.jobs import (
    CallbackSecret,
    Job,
    JobStatus,
    NoticeKind,
    Outcome,
    ReplicaRequest,
    Requester,
    new_id,
    outcome_of,
    secret_matches,
)
from bot.store import Store, StoreUnavailable
from bot.tavus import Replica, TavusClient, TavusError, TavusRejected, TavusUncertain

log = logging.getLogger(__name__)

# A job still QUEUED this long after it was saved lost its process: the reconciler sends it.
ORPHAN_GRACE = timedelta(seconds=60)
# Beyond this a training is flagged to its requester as stale and no longer polled.
STALE_AFTER = timedelta(hours=24)
# Trainings older than this are polled half as often: they change slowly, if at all.
SLOW_POLL_AFTER = timedelta(hours=6)
# How long a create whose answer was lost is looked for in Tavus's list of replicas.
LOST_SEARCH = timedelta(hours=6)
# Tavus's clock and ours may disagree a little about when a replica was made.
CLOCK_SKEW = timedelta(minutes=2)
# When a callback cannot be checked against Tavus, the reconciler looks again this soon.
RECHECK_SOON = timedelta(seconds=30)
# What Tavus answers for a replica id it does not know (400 "Invalid replica_id", or 404).
GONE_STATUSES = frozenset({400, 404})


@dataclass(frozen=True, slots=True)
class Started:
    """Tavus took the request; the job is training and its announcement is owed."""

    job: Job


@dataclass(frozen=True, slots=True)
class NotStarted:
    """Tavus did not take the request (or we cannot tell): nothing is announced."""

    job: Job
    error: TavusError


class Verdict(enum.Enum):
    """What became of a callback delivery; the route turns it into an HTTP status."""

    SETTLED = "settled"  # it decided the job's outcome; the result is owed to Slack
    NOTED = "noted"  # valid, nothing new to say: still training, or already decided
    DEFERRED = "deferred"  # valid, but Tavus could not confirm it now; polling will
    FORBIDDEN = "forbidden"  # unknown job or wrong secret
    MISMATCH = "mismatch"  # the secret is right but the body names a replica not this job's


CallbackUrl = Callable[[str, str], str | None]


class Lookups:
    """Replica lookups made at the same moment, answered by one request to Tavus.

    A burst of callbacks (Tavus finishing many trainings in one minute) then costs a few list
    requests instead of one GET each.
    """

    WINDOW = 0.005  # how long a lookup waits for others to join it, in seconds
    MAX_BATCH = 100

    def __init__(self, tavus: TavusClient) -> None:
        self._tavus = tavus
        self._batch: Batch[None, str, Replica] = Batch(self._window, self._fetch_all)

    async def get(self, replica_id: str) -> Replica:
        """The replica as Tavus reports it now."""
        return await self._batch(replica_id)

    @contextlib.asynccontextmanager
    async def _window(self) -> AsyncIterator[None]:
        await asyncio.sleep(self.WINDOW)
        yield

    async def _fetch_all(self, _: None, asked: list[str]) -> list[Replica | Exception]:
        ids = list(dict.fromkeys(asked))  # two callbacks may ask for the same replica
        found: dict[str, Replica | Exception] = {}
        for start in range(0, len(ids), self.MAX_BATCH):
            chunk = ids[start : start + self.MAX_BATCH]
            try:
                found.update(await self._fetch(chunk))
            except TavusError as error:
                found.update(dict.fromkeys(chunk, error))
        return [found[replica_id] for replica_id in asked]

    async def _fetch(self, ids: list[str]) -> dict[str, Replica | Exception]:
        found: dict[str, Replica | Exception] = {}
        if len(ids) > 1:
            found.update(await self._tavus.get_replicas(ids))
        for replica_id in ids:
            # One alone, or one the list left out: ask for it by itself (a 400 says "no such").
            if replica_id not in found:
                try:
                    found[replica_id] = await self._tavus.get_replica(replica_id)
                except TavusError as error:
                    found[replica_id] = error
        return found


class ReplicaService:
    """Runs a replica job through its life, keeping the store the source of truth."""

    def __init__(
        self,
        *,
        store: Store,
        tavus: TavusClient,
        callback_url: CallbackUrl,
        wake_sender: Callable[[], None],
        poll_interval: timedelta,
        create_timeout: timedelta,
    ) -> None:
        self._store = store
        self._tavus = tavus
        self._callback_url = callback_url
        self._wake_sender = wake_sender
        self._poll_interval = poll_interval
        self._create_timeout = create_timeout
        self._in_flight: set[asyncio.Task[Started | NotStarted | None]] = set()
        self._in_flight_abandons: set[asyncio.Task[None]] = set()
        self._lookups = Lookups(tavus)

    async def accept(
        self, requester: Requester, request: ReplicaRequest, *, within: float | None = None
    ) -> Job:
        """Save a valid request before anything else, so no acknowledged request is lost.

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
                next_check_at=self._store.now() + ORPHAN_GRACE,
            )
        )
        done, _ = await asyncio.wait({insert}, timeout=within)
        if insert in done:
            return insert.result()
        start_kept(self._in_flight_abandons, self._abandon(insert))
        raise StoreUnavailable("the database took too long to answer")

    async def _abandon(self, insert: asyncio.Task[Job]) -> None:
        # The user was told to try again: a late save must not start a second replica.
        try:
            job = await insert
            await self._store.jobs.move(
                job.id,
                life.ABANDON,
                error_message=messages.NOT_SAVED_IN_TIME,
                next_check_at=None,
            )
        except StoreUnavailable as exc:
            log.error("could not undo a request saved too late: %s", exc)

    async def start(self, job: Job, *, tell_by_dm: bool = False) -> Started | NotStarted | None:
        """Create the replica at Tavus; None if another process already took this job.

        The work runs in a task of its own: a shutdown waits for it instead of cutting it off
        between Tavus's answer and the store.
        """
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

    async def job(self, job_id: str) -> Job | None:
        """One job by its id."""
        return await self._store.jobs.get(job_id)

    async def replicas(
        self, *, team_id: str, user_id: str | None = None, page: int = 1, per_page: int = 10
    ) -> tuple[list[Job], bool]:
        """One page of a workspace's (or a requester's) replicas, newest first; and if more."""
        found = await self._store.jobs.page(
            team_id=team_id, user_id=user_id, limit=per_page + 1, offset=(page - 1) * per_page
        )
        return found[:per_page], len(found) > per_page

    async def find(self, *, team_id: str, query: str) -> Job | None:
        """The workspace's replica with this id, or else this name (the newest such)."""
        return await self._store.jobs.find(team_id=team_id, query=query)

    async def refresh(self, job: Job) -> Job:
        """A job as Tavus sees it now, settling it if it has finished; as stored if Tavus fails."""
        if not job.status.is_training or job.replica_id is None:
            return job
        try:
            replica = await self._tavus.get_replica(job.replica_id)
        except TavusError as error:
            log.info("job %s: could not refresh (%s)", job.id, error)
            return job
        await self._settle(job, replica)
        return await self._store.jobs.get(job.id) or job

    async def rename(self, job: Job, replica_name: str) -> Job:
        """Rename the replica at Tavus, then here. Raises TavusError if Tavus refuses."""
        if job.replica_id is not None:
            await self._tavus.rename_replica(replica_id=job.replica_id, replica_name=replica_name)
        renamed = await self._store.jobs.move(job.id, life.RENAME, replica_name=replica_name)
        self._wake_sender()
        return renamed or job

    async def delete(self, job: Job) -> Job:
        """Delete the replica at Tavus and mark the job deleted. Raises TavusError on refusal."""
        if job.replica_id is not None:
            await self._tavus.delete_replica(replica_id=job.replica_id)
        deleted = await self._store.jobs.move(job.id, life.DELETE, next_check_at=None)
        self._wake_sender()
        return deleted or job

    async def owe_not_started(self, job: Job) -> None:
        """Owe the requester a DM saying why the job did not start (the modal was closed)."""
        await self._store.notices.owe(job.id, NoticeKind.NOT_STARTED)
        self._wake_sender()

    async def _start(self, job: Job, *, tell_by_dm: bool) -> Started | NotStarted | None:
        secret = CallbackSecret.generate()
        creating = await self._store.jobs.move(
            job.id,
            life.SEND,
            callback_digest=secret.digest,
            next_check_at=self._store.now() + self._create_timeout + ORPHAN_GRACE,
        )
        if creating is None:
            return None
        request = job.request
        try:
            created = await self._tavus.create_replica(
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
            failed = await self._store.jobs.move(
                job.id,
                life.LOSE_ANSWER if uncertain else life.REFUSE,
                watching=not tell_by_dm,
                # Tavus may quote the callback URL back; its secret must not reach a message.
                error_message=str(error).replace(secret.value, "…"),
                # An unknown outcome is looked for in Tavus's list of replicas later.
                next_check_at=self._store.now() + self._poll_interval if uncertain else None,
            )
            self._wake_sender()
            return NotStarted(failed or creating, error)
        # Logged before the write: if the store fails now, the id is not lost with it.
        log.info("job %s: Tavus is training %s", job.id, created.replica_id)
        training = await self._begin_training(job.id, created.replica_id)
        return Started(training or creating)

    async def take_callback(self, job_id: str, secret: str, body: Mapping[str, Any]) -> Verdict:
        """Check a Tavus callback against its job and Tavus itself; settle the job at most once."""
        job = await self._store.jobs.get(job_id)
        if job is None or not secret_matches(secret, job.callback_digest):
            return Verdict.FORBIDDEN
        replica_id = body.get("replica_id") or body.get("face_id")
        if not isinstance(replica_id, str) or job.replica_id not in (None, replica_id):
            return Verdict.MISMATCH
        if job.status.is_final:
            return Verdict.NOTED
        # The callback is only a hint: what Tavus answers to a GET is the truth.
        try:
            replica = await self._lookups.get(replica_id)
        except TavusRejected as error:
            if error.status in GONE_STATUSES:
                return Verdict.MISMATCH  # no such replica: not this job's, whatever the secret
            log.error("job %s: Tavus refused to confirm a callback: %s", job.id, error)
            await self._store.jobs.check_soon(job.id, at=self._store.now() + RECHECK_SOON)
            return Verdict.DEFERRED
        except TavusError as error:
            log.info("job %s: callback not confirmed (%s); polling will", job.id, error)
            if job.status.is_training:
                await self._store.jobs.check_soon(job.id, at=self._store.now() + RECHECK_SOON)
            return Verdict.DEFERRED
        if job.replica_id is None:
            adopted = await self._adopt(job, replica)
            if adopted is None:
                return Verdict.MISMATCH
            job = adopted
        reported = body.get("error_message")
        return await self._settle(job, replica, fallback_error=str(reported) if reported else None)

    async def check(self, job: Job) -> None:
        """Move a job whose check is due: send an orphaned create, give up on a lost one, poll."""
        if job.status is JobStatus.QUEUED:
            await self.start(job, tell_by_dm=True)
        elif job.status is JobStatus.CREATING:
            # Its process died mid-request: a callback, or Tavus's list, may still tell.
            await self._store.jobs.move(
                job.id,
                life.CUT_OFF,
                error_message=messages.RESTARTED_MID_CREATE,
                next_check_at=self._store.now(),
            )
            self._wake_sender()
        elif job.status.is_training and job.replica_id is not None:
            await self._poll(job, job.replica_id)
        elif job.status is JobStatus.UNKNOWN and job.replica_id is None:
            await self._find_lost(job)
        else:
            # Nothing to do for it: a job left due would come first in every round, forever.
            await self._store.jobs.claim_check(job.id, until=None)

    async def _poll(self, job: Job, replica_id: str) -> None:
        now = self._store.now()
        age = now - job.created_at
        interval = self._poll_interval * (2 if age > SLOW_POLL_AFTER else 1)
        # A stale job is looked at once when a callback asks for it, not polled again.
        until = None if job.status is JobStatus.STALE else now + interval
        if await self._store.jobs.claim_check(job.id, until=until) is None:
            return  # another instance is checking it
        try:
            replica = await self._tavus.get_replica(replica_id)
        except TavusRejected as error:
            if error.status not in GONE_STATUSES:
                # A wrong or revoked API key says nothing about the replica: try again later.
                log.error("job %s: Tavus refused the poll: %s", job.id, error)
                return
            replica = Replica(
                replica_id=replica_id,
                replica_name=job.request.replica_name,
                status="error",
                error_message=messages.REPLICA_GONE.format(message=error.message),
            )
        except TavusError as error:
            log.info("job %s: poll failed (%s); next round will retry", job.id, error)
            return
        settled = await self._settle(job, replica)
        if settled is Verdict.NOTED and age > STALE_AFTER and job.status is JobStatus.TRAINING:
            await self._store.jobs.move(job.id, life.GO_STALE, next_check_at=None)
            self._wake_sender()

    async def _find_lost(self, job: Job) -> None:
        """Look for the replica of a create whose answer was lost, by name and time.

        Adopted only when exactly one replica of that name, made since the job, belongs to no
        other job; otherwise looked for again next round, for LOST_SEARCH at most.
        """
        now = self._store.now()
        until = now + self._poll_interval if now - job.created_at < LOST_SEARCH else None
        if await self._store.jobs.claim_check(job.id, until=until) is None:
            return
        try:
            replicas = await self._tavus.recent_replicas()
        except TavusError as error:
            log.info("job %s: could not list replicas (%s)", job.id, error)
            return
        since = job.created_at - CLOCK_SKEW
        candidates = [
            replica
            for replica in replicas
            if replica.replica_name == job.request.replica_name
            and (replica.created_at is None or replica.created_at >= since)
            and await self._store.jobs.of_replica(replica.replica_id) is None
        ]
        if len(candidates) != 1:
            return
        adopted = await self._adopt(job, candidates[0])
        if adopted is not None:
            await self._settle(adopted, candidates[0])

    async def _adopt(self, job: Job, replica: Replica) -> Job | None:
        # A create whose answer was lost, found again by its callback (whose URL's secret
        # proves the job) or in Tavus's list (unique name and time, no other job's).
        if replica.replica_name != job.request.replica_name:
            return None
        adopted = await self._begin_training(job.id, replica.replica_id)
        if adopted is not None:
            log.info("job %s: adopted replica %s", job.id, replica.replica_id)
            return adopted
        current = await self._store.jobs.get(job.id)
        return current if current and current.replica_id == replica.replica_id else None

    async def _begin_training(self, job_id: str, replica_id: str) -> Job | None:
        # From UNKNOWN too: a create that timed out may still be answered by its callback.
        training = await self._store.jobs.move(
            job_id,
            life.BEGIN_TRAINING,
            replica_id=replica_id,
            error_message=None,
            next_check_at=self._store.now() + self._poll_interval,
        )
        if training is not None:
            self._wake_sender()
        return training

    async def _settle(
        self, job: Job, replica: Replica, *, fallback_error: str | None = None
    ) -> Verdict:
        outcome = outcome_of(replica.status)
        if outcome is Outcome.IN_PROGRESS:
            changed = replica.training_progress != job.training_progress
            if changed and await self._store.jobs.note_progress(job.id, replica.training_progress):
                self._wake_sender()
            return Verdict.NOTED
        failed = outcome is Outcome.FAILED
        finished = await self._store.jobs.move(
            job.id,
            life.FAIL if failed else life.SUCCEED,
            error_message=(replica.error_message or fallback_error) if failed else None,
            thumbnail_url=replica.thumbnail_video_url,
            next_check_at=None,
        )
        if finished is None:
            return Verdict.NOTED  # another delivery, or a poll, already decided this job
        self._wake_sender()
        log.info("job %s: %s", job.id, finished.status.value)
        return Verdict.SETTLED
