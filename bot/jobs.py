"""The domain: a replica training job, its states, and the rules for moving between them."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime


class JobStatus(enum.StrEnum):
    """Where a job is in its life; the comments say which step moves it on."""

    QUEUED = "queued"  # saved when the form was accepted; the create request is not sent yet
    CREATING = "creating"  # the create request to Tavus is on its way
    TRAINING = "training"  # Tavus accepted it; waiting for the callback or a poll
    STALE = "stale"  # training for over a day: no longer polled, a callback still settles it
    READY = "ready"  # Tavus finished training (final)
    FAILED = "failed"  # Tavus reported a training error (final)
    REJECTED = "rejected"  # Tavus refused the create request (final)
    DELETED = "deleted"  # deleted at Tavus through the bot (final)
    # The create request got no answer: Tavus may or may not have the replica. Only a callback
    # carrying this job's secret can still reveal it.
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """Whether nothing more will happen to a job in this state."""
        return self in {JobStatus.READY, JobStatus.FAILED, JobStatus.REJECTED, JobStatus.DELETED}


class NoticeKind(enum.StrEnum):
    """A message the bot owes a requester; kept in the store until Slack has it."""

    ANNOUNCEMENT = "announcement"  # the channel card: training started
    RESULT = "result"  # the threaded reply: ready or failed
    STALE = "stale"  # a threaded note: training has run for over a day
    CARD = "card"  # the announcement redrawn in place: progress, ready or failed
    NOT_STARTED = "not_started"  # a DM: Tavus did not take the request, or we cannot tell


class Outcome(enum.Enum):
    """What a Tavus status word means for a job."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"


def outcome_of(tavus_status: str) -> Outcome:
    """Map Tavus's status words (the callback says 'ready', GET says 'completed') to an outcome."""
    word = tavus_status.strip().lower()
    if word in {"ready", "completed"}:
        return Outcome.SUCCEEDED
    if word == "error":
        return Outcome.FAILED
    return Outcome.IN_PROGRESS


@dataclass(frozen=True, slots=True)
class ReplicaRequest:
    """A validated request to train a replica, as the user filled it in."""

    replica_name: str
    model_name: str
    train_video_url: str | None = None
    train_image_url: str | None = None
    voice_name: str | None = None
    consent_video_url: str | None = None


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asked for the replica and where: the Slack ids the result must go back to."""

    team_id: str
    user_id: str
    channel_id: str


@dataclass(frozen=True, slots=True)
class Job:
    """One replica training job, as stored."""

    id: str
    requester: Requester
    request: ReplicaRequest
    status: JobStatus
    callback_digest: str = field(repr=False)
    created_at: datetime
    updated_at: datetime
    replica_id: str | None = None
    error_message: str | None = None
    announcement_channel: str | None = None
    announcement_ts: str | None = None
    training_progress: str | None = None
    thumbnail_url: str | None = None
    next_check_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    """One owed message about a job, as stored in the outbox."""

    id: str
    job_id: str
    kind: NoticeKind
    created_at: datetime
    attempts: int = 0
    # A previous attempt may have reached Slack without us hearing back: look before resending.
    in_doubt: bool = False


@dataclass(frozen=True, slots=True)
class CallbackSecret:
    """A per-job secret for the callback URL; only its hash is ever stored."""

    value: str

    @classmethod
    def generate(cls) -> CallbackSecret:
        """A fresh secret with 256 bits of randomness."""
        return cls(secrets.token_urlsafe(32))

    @property
    def digest(self) -> str:
        """What the store keeps."""
        return hash_secret(self.value)


def hash_secret(value: str) -> str:
    """The SHA-256 hex digest stored for a callback secret."""
    return hashlib.sha256(value.encode()).hexdigest()


def secret_matches(presented: str, stored_digest: str) -> bool:
    """Whether a presented secret is the job's, in time independent of where they differ."""
    return hmac.compare_digest(hash_secret(presented), stored_digest)


def new_id() -> str:
    """A random id for a job or a notice: ids reveal nothing about how many exist."""
    return secrets.token_hex(12)
