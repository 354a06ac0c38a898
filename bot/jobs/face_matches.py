"""The face match of each consenting job: held by one instance, compared off the loop, moved once.

Consent given, a job with a training video or image is MATCHING, its next check `hold` away:
the instance that took the consent compares at once. A match not ended by then (its process
died) falls due, and the reconciler of whichever instance claims it first runs it again. The
move that ends it is a compare-and-set, as every move: a job withdrawn, deleted or ended
meanwhile is not moved, and a match that ends second changes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Protocol

from bot.aio import start_kept
from bot.governance.audit import BOT
from bot.governance.model import FaceMatch as Policing
from bot.governance.model import Policy
from bot.governance.receipts import Compared
from bot.jobs import Job, JobChanges, JobStatus, ReplicaRequest
from bot.jobs import moves as life
from bot.jobs.intake import ORPHAN_GRACE
from bot.jobs.lifecycle import Lifecycle
from bot.jobs.media_checks import files_of
from bot.media.inspection.model import Medium
from bot.media.likeness.model import Likeness, Unsure
from bot.media.likeness.verdict import unsure
from bot.ops.logs import about
from bot.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

# Seconds one comparison may take, waiting for a worker included: past it, "cannot compare".
TIMEOUT = 120.0
# Past that limit, the moment a match still held has surely lost its process.
GRACE = timedelta(minutes=2)
# How long a match cut off by a shutdown waits to unwind before it is handed back.
UNWIND = 1.0

Send = Callable[[Job], Awaitable[object]]
Policies = Callable[[str], Awaitable[Policy]]


class Compares(Protocol):
    """What the match asks of the likeness engine (bot.media.inspection.likeness's `Likenesses`)."""

    async def compare(
        self, *, photo: str | None, files: Mapping[Medium, str], name: str
    ) -> Compared:
        """The profile photo's face against the media's, the statement heard; never raises."""


def wanted(policy: Policing, request: ReplicaRequest) -> bool:
    """Whether a job is compared once consent is given: a face to compare, and the policy on."""
    return policy is not Policing.OFF and bool(request.train_video_url or request.train_image_url)


def goes_on(compared: Compared, policy: Policing) -> bool:
    """Whether a job goes on after its match: a match, or unsure where the policy only warns."""
    outcome = compared.face.outcome
    return outcome is Likeness.MATCH or (
        outcome is Likeness.CANNOT_COMPARE and policy is not Policing.REQUIRE
    )


class FaceMatches:
    """Runs each MATCHING job's comparison in the background, then moves it on or holds it."""

    def __init__(
        self,
        *,
        store: Store,
        lifecycle: Lifecycle,
        engine: Compares,
        policies: Policies,
        timeout: float = TIMEOUT,
        send: Send | None = None,
    ) -> None:
        self._store = store
        self._lifecycle = lifecycle
        self._engine = engine
        self._policies = policies
        self._hold = timedelta(seconds=timeout) + GRACE
        self._send = send
        self._held: dict[str, datetime] = {}  # job id → until when this instance holds it
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    @property
    def hold(self) -> timedelta:
        """How long a match is held: a job moved to MATCHING now is due again this far off."""
        return self._hold

    def start(self, job: Job) -> None:
        """Compare `job` in the background (its next check is its hold), unless already at it."""
        if self._closed or job.next_check_at is None:
            return  # stopping: the job falls due and is compared after the restart
        known = job.id in self._held
        self._held[job.id] = job.next_check_at
        if not known:
            with about(job):
                start_kept(self._tasks, self._match(job.id)).add_done_callback(_report)

    async def resume(self, job: Job) -> None:
        """A match fallen due (its process stopped): claimed here, if first, and run again."""
        claimed = await self._store.jobs.claim_check(job.id, until=self._store.now() + self._hold)
        if claimed is not None:
            log.info("job %s: its face match is run again", job.id)
            self.start(claimed)

    async def drain(self, grace: float) -> None:
        """At shutdown: let matches end for `grace` seconds, then hand the rest back, due now."""
        self._closed = True
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=grace)
        left = dict(self._held)
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=UNWIND)
        for job_id, until in left.items():
            with contextlib.suppress(StoreUnavailable):
                await self._store.jobs.claim_check(job_id, until=self._store.now(), held=until)

    async def release(self, job: Job, *, by: str, reason: str) -> Job | None:
        """A held job let go on by an admin, `reason` on record; None if it is no longer held."""
        move = life.RELEASE if job.approvers is None else life.RELEASE_FOR_APPROVAL
        queued = move is life.RELEASE
        moved = await self._lifecycle.move(
            job.id,
            move,
            JobChanges(next_check_at=self._store.now() + ORPHAN_GRACE if queued else None),
            by=by,
            asking=job.approvers or (),
            details={"reason": reason},
        )
        if moved is not None:
            log.info("job %s: released by %s", job.id, by)
            await self._sent(moved)
        return moved

    async def _match(self, job_id: str) -> None:
        try:
            held = await self._store.jobs.claim_check(
                job_id, until=self._store.now() + self._hold, held=self._held[job_id]
            )
            if held is None or held.status is not JobStatus.MATCHING:
                return  # another instance took it, or it has moved on
            self._held[job_id] = held.next_check_at or self._store.now()
            await self._settle(held, await self._compare(held))
        except StoreUnavailable as exc:
            # Its hold runs out, and the reconciler runs it again.
            log.warning("job %s: face match not recorded: %s", job_id, exc)
        finally:
            self._held.pop(job_id, None)

    async def _compare(self, job: Job) -> Compared:
        request = job.request
        try:
            return await self._engine.compare(
                photo=job.profile_photo,
                files=files_of(request),
                name=request.subject_name or request.subject_id or "",
            )
        except Exception:
            # The job is never lost to the engine: it goes on as one that could not be compared.
            log.exception("job %s: the face match failed", job.id)
            return Compared(unsure(Unsure.FAILED))

    async def _settle(self, job: Job, compared: Compared) -> None:
        """Move the job by what was found: on (to approval, if asked for), or held."""
        policy = (await self._policies(job.requester.team_id)).face_match
        if not goes_on(compared, policy):
            move, next_check = life.HOLD, None
        elif job.approvers is None:
            move, next_check = life.MATCHED, self._store.now() + ORPHAN_GRACE
        else:
            move, next_check = life.MATCHED_FOR_APPROVAL, None
        moved = await self._lifecycle.move(
            job.id,
            move,
            JobChanges(face_match=compared.face, next_check_at=next_check),
            by=BOT,
            asking=(job.approvers or ()) if move is life.MATCHED_FOR_APPROVAL else (),
            compared=compared,
        )
        if moved is None:
            return  # withdrawn, deleted or ended meanwhile, or matched by another instance
        log.info("job %s: face %s: %s", job.id, compared.face.outcome.value, moved.status.value)
        await self._sent(moved)

    async def _sent(self, job: Job) -> None:
        if job.status is JobStatus.QUEUED and self._send is not None:
            await self._send(job)


def _report(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("a face match failed", exc_info=error)
