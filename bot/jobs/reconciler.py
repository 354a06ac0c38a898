"""The reconciler: rounds of due checks, so a lost callback, create or process loses nothing.

Each due job is moved on by what it is waiting for: a request nobody consented to in time
expires, a media check whose process stopped is run again, an orphaned request is sent, a create
cut off by a restart is reported, a training is polled (less often as it ages, not at all once
stale), and a create whose answer was lost is looked for in Tavus's list of replicas.
"""

from __future__ import annotations

import asyncio
import logging
import math
from datetime import datetime, timedelta

from bot import messages
from bot.jobs import Job, JobChanges, JobStatus
from bot.jobs import moves as life
from bot.jobs.face_matches import FaceMatches
from bot.jobs.intake import Intake
from bot.jobs.lifecycle import Lifecycle
from bot.jobs.lookups import Lookups
from bot.jobs.media_checks import MediaChecks
from bot.jobs.replicas import delete_withdrawn
from bot.ops.logs import about
from bot.ops.metrics import Metrics
from bot.store import Store
from bot.tavus import Replica, TavusClient, TavusError, TavusRejected
from bot.workspaces.accounts import Accounts, Gone

log = logging.getLogger(__name__)

# Polls run a few at a time: enough to keep up, few enough not to flood Tavus after an outage.
CONCURRENCY = 4
BATCH = 100
# Beyond this a training is flagged to its requester as stale and no longer polled.
STALE_AFTER = timedelta(hours=24)
# Trainings older than this are polled half as often: they change slowly, if at all.
SLOW_POLL_AFTER = timedelta(hours=6)
# How long a create whose answer was lost is looked for in Tavus's list of replicas.
LOST_SEARCH = timedelta(hours=6)
# Creates whose answer was lost, looked for in Tavus's list: to adopt, or (withdrawn) to delete.
LOOKED_FOR = frozenset({JobStatus.UNKNOWN, JobStatus.WITHDRAWN})
# Tavus's clock and ours may disagree a little about when a replica was made.
CLOCK_SKEW = timedelta(minutes=2)


def spacing(checked: int, *, interval: float, tick: float) -> float:
    """Seconds between full rounds while `checked` jobs have checks to come: the interval shared.

    Each training is polled once an interval, so that many rounds of BATCH fit in one; 5,000
    trainings begun in one launch, all due at once, are then polled over the interval rather
    than in a burst, and their next checks stay spread. Never longer than a quiet tick.
    """
    rounds = max(1, math.ceil(checked / BATCH))
    return min(tick, interval / rounds)


class Reconciler:
    """Runs rounds of due checks every `tick` seconds until stopped; a failing round is retried."""

    def __init__(
        self,
        *,
        store: Store,
        accounts: Accounts,
        intake: Intake,
        lifecycle: Lifecycle,
        poll_interval: timedelta,
        tick: float,
        metrics: Metrics | None = None,
        media_checks: MediaChecks | None = None,
        face_matches: FaceMatches | None = None,
    ) -> None:
        self._store = store
        self._media_checks = media_checks
        self._face_matches = face_matches
        self._metrics = metrics if metrics is not None else Metrics()
        self._accounts = accounts
        self._intake = intake
        self._lifecycle = lifecycle
        self._poll_interval = poll_interval
        self._tick = tick
        self._slots = asyncio.Semaphore(CONCURRENCY)
        # A round's polls are answered together: a list request per hundred trainings.
        self._lookups = Lookups()

    async def run(self) -> None:
        """Reconcile forever (cancel the task to stop)."""
        while True:
            wait = self._tick
            try:
                if await self.round() >= BATCH:
                    # A full round leaves more due behind it: the rest follow, spread out.
                    wait = spacing(
                        await self._store.jobs.count_checked(),
                        interval=self._poll_interval.total_seconds(),
                        tick=self._tick,
                    )
            except Exception:
                # Whatever broke (the database, a bug on one job), the next round tries again.
                log.exception("reconciler round failed")
            await asyncio.sleep(wait)

    async def round(self) -> int:
        """Check every job that is due now; returns how many were looked at."""
        due = await self._store.jobs.due(limit=BATCH)
        polls = [job for job in due if job.status.is_training and job.replica_id is not None]
        others = [job for job in due if job not in polls]
        await asyncio.gather(self._poll_all(polls), *(self._check_one(job) for job in others))
        return len(due)

    async def _check_one(self, job: Job) -> None:
        async with self._slots:
            try:
                with about(job):
                    await self.check(job)
            except Exception:
                log.exception("job %s: check failed", job.id)

    async def _poll_all(self, jobs: list[Job]) -> None:
        """Poll trainings together: claimed first, then looked up at once (one list request)."""
        claimed = [(job, await self._claim_poll(job)) for job in jobs]
        outcomes = await asyncio.gather(
            *(self._poll_claimed(job) for job, mine in claimed if mine), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, Exception):
                log.error("a poll failed", exc_info=outcome)

    async def check(self, job: Job) -> None:
        """Move a job whose check is due: expire, send, report a cut-off create, poll, or look."""
        if job.status is JobStatus.AWAITING_CONSENT:
            # Its check falls due when CONSENT_TIMEOUT has passed: nobody answered.
            expired = await self._lifecycle.move(
                job.id, life.EXPIRE, JobChanges(next_check_at=None)
            )
            if expired is not None:
                self._metrics.consent("expired")
        elif job.status is JobStatus.FETCHING:
            # Its check falls due FETCH_GRACE after the save: the copy's process died.
            await self._lifecycle.move(
                job.id,
                life.LOSE_FILE,
                JobChanges(error_message=messages.FILE_CUT_OFF, next_check_at=None),
            )
        elif job.status is JobStatus.CHECKING and self._media_checks is not None:
            # Its check falls due once its hold has run out: the process checking it stopped.
            await self._media_checks.resume(job)
        elif job.status is JobStatus.MATCHING and self._face_matches is not None:
            # Its match falls due once its hold has run out: the process comparing it stopped.
            await self._face_matches.resume(job)
        elif job.status is JobStatus.QUEUED:
            await self._intake.start(job, tell_by_dm=True)
        elif job.status is JobStatus.CREATING:
            # Its process died mid-request: a callback, or Tavus's list, may still tell.
            await self._lifecycle.move(
                job.id,
                life.CUT_OFF,
                JobChanges(
                    error_message=messages.RESTARTED_MID_CREATE, next_check_at=self._store.now()
                ),
            )
        elif job.status.is_training and job.replica_id is not None:
            await self._poll(job, job.replica_id)
        elif job.status in LOOKED_FOR and job.replica_id is None:
            await self._find_lost(job)
        else:
            # Nothing to do for it: a job left due would come first in every round, forever.
            await self._store.jobs.claim_check(job.id, until=None)

    async def _poll(self, job: Job, replica_id: str) -> None:
        if await self._claim_poll(job):
            await self._poll_claimed(job)

    async def _claim_poll(self, job: Job) -> bool:
        """Take a training's due poll, scheduling the next; False if another instance has it."""
        now = self._store.now()
        age = now - job.created_at
        interval = self._poll_interval * (2 if age > SLOW_POLL_AFTER else 1)
        # A stale job is looked at once when a callback asks for it, not polled again.
        until = None if job.status is JobStatus.STALE else now + interval
        try:
            return await self._store.jobs.claim_check(job.id, until=until) is not None
        except Exception:
            log.exception("job %s: could not claim its poll", job.id)
            return False

    async def _account(self, job: Job) -> TavusClient | None:
        """The Tavus account that made the job; None, and the job ended, if it has gone."""
        try:
            return await self._accounts.tavus_for(job)
        except Gone as gone:
            # Never retried forever, never asked of another workspace's account.
            log.warning("job %s: ended: %s", job.id, gone)
            await self._lifecycle.move(job.id, life.END, JobChanges(next_check_at=None))
            await self._store.jobs.end_checks(job.id)
            return None

    async def _poll_claimed(self, job: Job) -> None:
        with about(job):
            await self._poll_claimed_in_context(job)

    async def _poll_claimed_in_context(self, job: Job) -> None:
        replica_id = job.replica_id or ""
        age = self._store.now() - job.created_at
        if (tavus := await self._account(job)) is None:
            return
        try:
            replica = await self._lookups.get(tavus, replica_id)
        except TavusRejected as error:
            if not error.no_such_replica:
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
        settled = await self._lifecycle.settle(job, replica)
        if not settled and age > STALE_AFTER and job.status is JobStatus.TRAINING:
            await self._lifecycle.move(job.id, life.GO_STALE, JobChanges(next_check_at=None))

    async def _find_lost(self, job: Job) -> None:
        """Look for the replica of a create whose answer was lost, by name and time.

        Adopted (or, consent withdrawn meanwhile, deleted) only when exactly one replica of that
        name, made since the job, belongs to no other job; otherwise looked for again next round,
        for LOST_SEARCH at most.
        """
        now = self._store.now()
        sent = await self._sent_after(job)
        until = now + self._poll_interval if now - sent < LOST_SEARCH else None
        if await self._store.jobs.claim_check(job.id, until=until) is None:
            return
        if (tavus := await self._account(job)) is None:
            return
        try:
            replicas = await tavus.recent_replicas()
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
        if job.status is JobStatus.WITHDRAWN:
            try:
                await delete_withdrawn(self._store, tavus, job, candidates[0].replica_id)
            except TavusError as error:
                log.warning("job %s: could not delete its replica (%s); next round", job.id, error)
            return
        adopted = await self._lifecycle.adopt(job, candidates[0])
        if adopted is not None:
            await self._lifecycle.settle(adopted, candidates[0])

    async def _sent_after(self, job: Job) -> datetime:
        """The earliest its create can have gone: once saved, consented to and approved."""
        receipt = await self._store.receipts.of_job(job.id)
        moments = [job.created_at, job.reviewed_at, receipt.decided_at if receipt else None]
        return max(moment for moment in moments if moment is not None)
