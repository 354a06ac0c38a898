"""The face match of each consenting job: held by one instance, compared off the loop, moved once.

Consent given, a job with a training video or image is MATCHING, its next check `hold` away:
the instance that took the consent compares at once. A match not ended by then (its process
died) falls due, and the reconciler of whichever instance claims it first runs it again. The
move that ends it is a compare-and-set, as every move: a job withdrawn, deleted or ended
meanwhile is not moved, and a match that ends second changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Protocol

from bot.governance.audit import BOT
from bot.governance.model import FaceMatch as Policing
from bot.governance.model import Policy
from bot.governance.receipts import Compared
from bot.jobs import Job, JobChanges, JobStatus, ReplicaRequest
from bot.jobs import moves as life
from bot.jobs.held import Held
from bot.jobs.intake import ORPHAN_GRACE
from bot.jobs.lifecycle import Lifecycle
from bot.jobs.media_checks import files_of
from bot.media.inspection.model import Medium
from bot.media.likeness.model import Likeness, Unsure
from bot.media.likeness.verdict import unsure
from bot.store import Store

log = logging.getLogger(__name__)

# Seconds one comparison may take, waiting for a worker included: past it, "cannot compare".
TIMEOUT = 120.0
# Past that limit, the moment a match still held has surely lost its process.
GRACE = timedelta(minutes=2)

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


class FaceMatches(Held):
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
        super().__init__(
            store=store,
            hold=timedelta(seconds=timeout) + GRACE,
            status=JobStatus.MATCHING,
            what="face match",
        )
        self._lifecycle = lifecycle
        self._engine = engine
        self._policies = policies
        self._send = send

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

    async def _work(self, job: Job) -> None:
        held = await self._claim(job.id)
        if held is not None:  # else another instance took it, or it has moved on
            await self._settle(held, await self._compare(held))

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
