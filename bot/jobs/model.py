"""A training job and its notices: the request, who asked, who may see (pure)."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit, urlunsplit

from bot import signing
from bot.jobs.states import JobStatus, NoticeKind
from bot.media.inspection.model import Report
from bot.media.likeness.model import FaceMatch


@dataclass(frozen=True, slots=True)
class ReplicaRequest:
    """A validated request to train a replica, as the user filled it in."""

    replica_name: str
    model_name: str
    train_video_url: str | None = None
    train_image_url: str | None = None
    voice_name: str | None = None
    consent_video_url: str | None = None
    # Whose likeness it is (a Slack user id), their name as their profile gave it, and what
    # the replica is for. None on requests saved before the person shown consented in Slack.
    subject_id: str | None = None
    subject_name: str | None = None
    intended_use: str | None = None
    # The form's fields whose links could not be checked in time (its thread says so).
    unchecked: tuple[str, ...] = ()
    # A file posted in Slack to train from (its id), and its name; the bot keeps a copy.
    slack_file: str | None = None
    slack_file_name: str | None = None


def without_credentials(url: str) -> str:
    """A link without the user name and password it may carry (https://user:pass@host/…).

    Links are kept (jobs, receipts that can never be changed) and shown; a password in one
    would be kept and shown with it, and sent to Tavus and to every host a check follows.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


@dataclass(frozen=True, slots=True)
class Requester:
    """Who asked for the replica and where: the Slack ids the result must go back to."""

    team_id: str
    user_id: str
    channel_id: str
    # Asked in a private channel or a DM: only the requester, the person shown and admins see it.
    private: bool = False
    # The workspace's Enterprise Grid org, if any: an org-wide install holds its bot token.
    enterprise_id: str | None = None


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
    # Who approved or rejected it, and when, where the workspace asks for approval.
    reviewer_id: str | None = None
    reviewed_at: datetime | None = None
    # The Tavus account its create was sent to, by its key's fingerprint: later polls, deletes
    # and talks go there, whatever key the workspace has since. None before the create is sent.
    tavus_account: str | None = None
    # What the media check found in its files; None until it has looked (or with it off).
    media_report: Report | None = None
    # The face match (issue #25): the approvers chosen when consent was given, asked once the
    # face matches (None: none to ask); the profile photo of the person shown ("": a default
    # avatar; None: Slack did not say); and what the comparison found, once it has.
    approvers: tuple[str, ...] | None = None
    profile_photo: str | None = None
    face_match: FaceMatch | None = None


class Unset(enum.Enum):
    """The type of UNSET: a change not asked for (None is a value: "clear it")."""

    UNSET = "unset"


UNSET: Final = Unset.UNSET


@dataclass(frozen=True, slots=True, kw_only=True)
class JobChanges:
    """What a move changes on a job besides its state; what is left UNSET stays as it is."""

    replica_id: str | Unset | None = UNSET
    replica_name: str | Unset = UNSET
    error_message: str | Unset | None = UNSET
    callback_digest: str | Unset = UNSET
    thumbnail_url: str | Unset | None = UNSET
    next_check_at: datetime | Unset | None = UNSET  # None: no more checks
    reviewer_id: str | Unset = UNSET  # who approved or rejected it (when is the store's now)
    train_video_url: str | Unset | None = UNSET
    train_image_url: str | Unset | None = UNSET
    tavus_account: str | Unset | None = UNSET  # the fingerprint of the key its create goes with
    media_report: Report | Unset | None = UNSET  # what the media check found (kept as JSON)
    approvers: tuple[str, ...] | Unset | None = UNSET  # asked once the face match lets it on
    profile_photo: str | Unset | None = UNSET  # the person shown's, as Slack gave it at consent
    face_match: FaceMatch | Unset | None = UNSET  # what the face match found (kept as JSON)

    def given(self) -> dict[str, object]:
        """The changes asked for, by the name of the job's field (and column) each changes."""
        values = {each.name: getattr(self, each.name) for each in fields(self)}
        return {name: value for name, value in values.items() if value is not UNSET}


NO_CHANGES: Final = JobChanges()  # a move that changes nothing but the job's state


class Sight(enum.Enum):
    """How much of a workspace's replicas someone may see."""

    ALL = "all"  # workspace admins and owners
    MEMBER = "member"  # public ones, and private ones they asked for or that show them
    GUEST = "guest"  # only those they asked for or that show them (guests, people from outside)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose eyes replicas are listed and shown for, and how far those eyes reach."""

    user_id: str
    sight: Sight = Sight.MEMBER

    def party_to(self, job: Job) -> bool:
        """Whether they asked for the replica, are the person it shows, or are an admin."""
        return self.sight is Sight.ALL or self.user_id in (
            job.requester.user_id,
            job.request.subject_id,
        )


@dataclass(frozen=True, slots=True)
class Notice:
    """One owed message about a job, as stored in the outbox."""

    id: str
    job_id: str | None  # None: about no job (an audit record's copy)
    kind: NoticeKind
    created_at: datetime
    attempts: int = 0
    # A previous attempt may have reached Slack without us hearing back: look before resending.
    in_doubt: bool = False
    # Who it goes to when not the job's own people (an approver, or the approval channel).
    recipient: str | None = None
    # Where it landed once sent; for a redraw, the message it redraws; while in doubt, where the
    # attempt that may have landed went (a channel, or a person's id for their DM) and when it
    # began (`ts`, epoch seconds).
    channel: str | None = None
    ts: str | None = None
    audit_seq: int | None = None  # the audit record an AUDIT notice copies


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
        """What the store keeps; a callback's secret is checked with `signing.matches`."""
        return signing.digest(self.value)


def new_id() -> str:
    """A random id for a job or a notice: ids reveal nothing about how many exist."""
    return secrets.token_hex(12)
