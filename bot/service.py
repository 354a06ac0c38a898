"""Domain operations: start a replica's training, and take the result Tavus reports."""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.jobs import (
    CallbackSecret,
    Job,
    JobStatus,
    Outcome,
    ReplicaRequest,
    Requester,
    new_job_id,
    outcome_of,
    secret_matches,
)
from bot.store import Store
from bot.tavus import TavusClient, TavusError, TavusTimeout

log = logging.getLogger(__name__)


class Notifier(Protocol):
    """Where the domain's news goes (Slack, in production)."""

    async def announce(self, job: Job) -> tuple[str, str]:
        """Tell the requester's channel that training started; return the message's channel, ts."""

    async def report_result(self, job: Job) -> None:
        """Reply in the announcement's thread with a finished job's result."""


@dataclass(frozen=True, slots=True)
class Started:
    """Tavus took the request; the job is training and announced."""

    job: Job


@dataclass(frozen=True, slots=True)
class NotStarted:
    """Tavus did not take the request (or we cannot tell): nothing was announced."""

    job: Job
    error: TavusError


class Verdict(enum.Enum):
    """What became of a callback delivery; the route turns it into an HTTP status."""

    REPORTED = "reported"  # it decided the job's outcome and the result was posted
    NOTED = "noted"  # valid, but nothing to post: still training, or already decided
    FORBIDDEN = "forbidden"  # unknown job or wrong secret
    MISMATCH = "mismatch"  # the secret is right but the body names another replica


CallbackUrl = Callable[[str, str], str | None]


class ReplicaService:
    """Runs a replica job through its life, keeping the store the source of truth."""

    def __init__(
        self, *, store: Store, tavus: TavusClient, notifier: Notifier, callback_url: CallbackUrl
    ) -> None:
        self._store = store
        self._tavus = tavus
        self._notifier = notifier
        self._callback_url = callback_url

    async def start(self, requester: Requester, request: ReplicaRequest) -> Started | NotStarted:
        """Save the job, ask Tavus to train it, and announce it in the requester's channel."""
        secret = CallbackSecret.generate()
        job = await self._store.add_job(
            job_id=new_job_id(),
            requester=requester,
            request=request,
            callback_digest=secret.digest,
        )
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
            # A timeout leaves the outcome open: Tavus may have the replica and spend a credit.
            status = JobStatus.UNKNOWN if isinstance(error, TavusTimeout) else JobStatus.REJECTED
            failed = await self._store.transition(
                job.id, from_=JobStatus.CREATING, to=status, error_message=str(error)
            )
            return NotStarted(failed or job, error)
        training = await self._store.transition(
            job.id, from_=JobStatus.CREATING, to=JobStatus.TRAINING, replica_id=created.replica_id
        )
        assert training is not None, "a new job left CREATING before its create returned"
        channel, ts = await self._notifier.announce(training)
        announced = await self._store.set_announcement(job.id, channel=channel, ts=ts)
        log.info("job %s: training %s, announced in %s", job.id, created.replica_id, channel)
        return Started(announced or training)

    async def take_callback(self, job_id: str, secret: str, body: Mapping[str, Any]) -> Verdict:
        """Check a Tavus callback against its job and, if it decides the job, report it once."""
        job = await self._store.get_job(job_id)
        if job is None or not secret_matches(secret, job.callback_digest):
            return Verdict.FORBIDDEN
        replica_id = body.get("replica_id") or body.get("face_id")
        if job.replica_id is None or replica_id != job.replica_id:
            return Verdict.MISMATCH
        outcome = outcome_of(str(body.get("status") or ""))
        if outcome is Outcome.IN_PROGRESS:
            return Verdict.NOTED
        error = body.get("error_message")
        finished = await self._store.transition(
            job.id,
            from_=JobStatus.TRAINING,
            to=JobStatus.READY if outcome is Outcome.SUCCEEDED else JobStatus.FAILED,
            error_message=str(error) if outcome is Outcome.FAILED and error else None,
        )
        if finished is None:
            return Verdict.NOTED  # another delivery already decided this job
        await self._notifier.report_result(finished)
        log.info("job %s: %s", job.id, finished.status.value)
        return Verdict.REPORTED
