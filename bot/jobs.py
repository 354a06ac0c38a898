"""The domain: a replica training job, its states, and the table of moves between them."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from bot.audit import Action


class JobStatus(enum.StrEnum):
    """Where a job is in its life; MOVES, below, says how it gets here and where it goes next."""

    # Saved from a file posted in Slack: the bot is copying it to where Tavus can download it.
    FETCHING = "fetching"
    # Saved when the form was accepted; nothing goes to Tavus until the person shown agrees.
    AWAITING_CONSENT = "awaiting_consent"
    # Consent given; where the workspace asks for it, an approver must approve it next.
    PENDING_APPROVAL = "pending_approval"
    QUEUED = "queued"  # consent given (or saved before consent existed); create not sent yet
    CREATING = "creating"  # the create request to Tavus is on its way
    TRAINING = "training"  # Tavus accepted it; waiting for the callback or a poll
    STALE = "stale"  # training for over a day: no longer polled, a callback still settles it
    READY = "ready"  # Tavus finished training (final)
    FAILED = "failed"  # Tavus reported a training error (final)
    REJECTED = "rejected"  # Tavus refused the create request (final)
    DELETED = "deleted"  # deleted at Tavus through the bot (final)
    DECLINED = "declined"  # the person shown said no (final)
    EXPIRED = "expired"  # the person shown did not answer in time (final)
    WITHDRAWN = "withdrawn"  # the person shown took their consent back: deleted, footage too
    NOT_APPROVED = "not_approved"  # an approver rejected the request (final)
    # The app was uninstalled from its workspace (or its Tavus account went): ended quietly,
    # nothing posted, since nothing can be (final).
    ENDED = "ended"
    # The create request got no answer: Tavus may or may not have the replica. Only a callback
    # carrying this job's secret, or Tavus's list of replicas, can still reveal it.
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """Whether nothing more will happen to a job in this state."""
        return self in {
            JobStatus.READY,
            JobStatus.FAILED,
            JobStatus.REJECTED,
            JobStatus.DELETED,
            JobStatus.DECLINED,
            JobStatus.EXPIRED,
            JobStatus.WITHDRAWN,
            JobStatus.NOT_APPROVED,
            JobStatus.ENDED,
        }

    @property
    def is_training(self) -> bool:
        """Whether Tavus is training the replica: a callback, a poll or a look settles it."""
        return self in {JobStatus.TRAINING, JobStatus.STALE}


class NoticeKind(enum.StrEnum):
    """A message the bot owes a requester; kept in the store until Slack has it."""

    ANNOUNCEMENT = "announcement"  # the channel card: training started
    RESULT = "result"  # the threaded reply: ready or failed
    STALE = "stale"  # a threaded note: training has run for over a day
    CARD = "card"  # the announcement redrawn in place: progress, ready or failed
    NOT_STARTED = "not_started"  # a DM: Tavus did not take the request, or we cannot tell
    CONSENT_REQUEST = "consent_request"  # a DM to the person shown: do they agree?
    # To an approver's DM, or the approval channel (its recipient): approve or reject?
    APPROVAL_REQUEST = "approval_request"
    # An approval request redrawn in place once decided (or moot): no more buttons.
    APPROVAL_SETTLED = "approval_settled"
    # A record of the audit log, copied to AUDIT_CHANNEL (its recipient); of no one job.
    AUDIT = "audit"
    UNCHECKED = "unchecked"  # a threaded note: a link could not be checked before the save

    @property
    def is_once(self) -> bool:
        """Whether a job has one at most: owing it again redraws the card it became instead."""
        return self is NoticeKind.ANNOUNCEMENT

    @property
    def is_redraw(self) -> bool:
        """Whether it redraws the card in place rather than posting a new message.

        A redraw is drawn from the job as it is when sent, so one pending is enough; it is not
        a new message, so Slack's per-channel pace does not apply and a repeat does no harm.
        """
        return self in {NoticeKind.CARD, NoticeKind.APPROVAL_SETTLED}

    @property
    def redraws_card(self) -> bool:
        """Whether the card is redrawn once it is sent: it tells of a change the card shows."""
        return self in {NoticeKind.RESULT, NoticeKind.STALE, NoticeKind.NOT_STARTED}

    @property
    def is_threaded(self) -> bool:
        """Whether it belongs to the card's thread (or is the card): it waits for the card."""
        return self in {
            NoticeKind.RESULT,
            NoticeKind.STALE,
            NoticeKind.CARD,
            NoticeKind.UNCHECKED,
        }


class NoticeStatus(enum.StrEnum):
    """Where an owed notice is in its delivery."""

    PENDING = "pending"  # owed: the sender will (try again to) deliver it
    SENT = "sent"  # Slack has it (where, is recorded with it)
    FAILED = "failed"  # given up: Slack refused it for good, or it could not go out for a day


class Only(enum.Enum):
    """When a move owes its notice."""

    ALWAYS = "always"
    # A card exists only once its announcement has been posted.
    ONCE_ANNOUNCED = "once announced"
    # The requester may be watching the form, which then tells them instead.
    UNLESS_WATCHING = "unless the form shows it"


@dataclass(frozen=True, slots=True)
class Move:
    """One named step in a job's life: the states it leaves, the one it enters, what it owes.

    Applied as one compare-and-set: a job in none of `from_` is not moved (another process, or
    another delivery, got there first), and the notice is owed in the same transaction.
    """

    name: str
    from_: frozenset[JobStatus]
    to: JobStatus | None  # None: the job stays where it is (the card changes, not the state)
    owes: NoticeKind | None = None
    only: Only = Only.ALWAYS
    why: str = ""
    records: Action | None = None  # what the audit log says of it, if anything
    also: NoticeKind | None = None  # a second notice it owes, always (e.g. the consent request)

    def owed(self, job: Job, *, watching: bool = False) -> NoticeKind | None:
        """The notice this move owes for `job` as the move left it; None if it owes none."""
        if self.owes is None:
            return None
        if self.only is Only.ONCE_ANNOUNCED and not job.announcement_ts:
            return None
        if self.only is Only.UNLESS_WATCHING and watching:
            return None
        return self.owes


def _move(
    name: str,
    from_: Iterable[JobStatus],
    to: JobStatus | None,
    owes: NoticeKind | None = None,
    only: Only = Only.ALWAYS,
    *,
    why: str,
    records: Action | None = None,
    also: NoticeKind | None = None,
) -> Move:
    return Move(name, frozenset(from_), to, owes, only, why, records, also)


_S = JobStatus
EVERY = frozenset(JobStatus)

FETCHED = _move(
    "fetched",
    {_S.FETCHING},
    _S.AWAITING_CONSENT,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="the file from Slack is kept where Tavus can download it: consent is asked next",
    also=NoticeKind.CONSENT_REQUEST,
)
LOSE_FILE = _move(
    "lose_file",
    {_S.FETCHING},
    _S.REJECTED,
    NoticeKind.RESULT,
    why="the file from Slack could not be copied (no access, too large, a restart)",
)
CONSENT = _move(
    "consent",
    {_S.AWAITING_CONSENT},
    _S.QUEUED,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="the person shown said yes: the create goes next",
    records=Action.CONSENT_GIVEN,
)
SEEK_APPROVAL = _move(
    "seek_approval",
    {_S.AWAITING_CONSENT},
    _S.PENDING_APPROVAL,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="the person shown said yes; the approvers are asked (approval requests owed too)",
    records=Action.CONSENT_GIVEN,
)
APPROVE = _move(
    "approve",
    {_S.PENDING_APPROVAL},
    _S.QUEUED,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="an approver approved: the create goes next",
    records=Action.APPROVED,
)
REJECT = _move(
    "reject",
    {_S.PENDING_APPROVAL},
    _S.NOT_APPROVED,
    NoticeKind.RESULT,
    why="an approver rejected it",
    records=Action.REJECTED,
)
DECLINE = _move(
    "decline",
    {_S.AWAITING_CONSENT},
    _S.DECLINED,
    NoticeKind.RESULT,
    why="the person shown said no",
    records=Action.CONSENT_DECLINED,
)
EXPIRE = _move(
    "expire",
    {_S.AWAITING_CONSENT},
    _S.EXPIRED,
    NoticeKind.RESULT,
    why="no answer within CONSENT_TIMEOUT",
    records=Action.CONSENT_EXPIRED,
)
WITHDRAW = _move(
    "withdraw",
    {_S.PENDING_APPROVAL, _S.QUEUED, _S.UNKNOWN, _S.TRAINING, _S.STALE, _S.READY, _S.FAILED},
    _S.WITHDRAWN,
    NoticeKind.RESULT,
    why="the person shown took consent back (deleted at Tavus with its footage)",
    records=Action.CONSENT_WITHDRAWN,
)
SEND = _move("send", {_S.QUEUED}, _S.CREATING, why="the create request goes to Tavus")
ABANDON = _move(
    "abandon",
    {_S.AWAITING_CONSENT, _S.QUEUED},
    _S.REJECTED,
    why="saved too late: the user was told to retry",
)
REFUSE = _move(
    "refuse",
    {_S.CREATING},
    _S.REJECTED,
    NoticeKind.NOT_STARTED,
    Only.UNLESS_WATCHING,
    why="Tavus refused the create (4xx)",
)
LOSE_ANSWER = _move(
    "lose_answer",
    {_S.CREATING},
    _S.UNKNOWN,
    NoticeKind.NOT_STARTED,
    Only.UNLESS_WATCHING,
    why="the create got no answer, or a broken one",
)
CUT_OFF = _move(
    "cut_off",
    {_S.CREATING},
    _S.UNKNOWN,
    NoticeKind.NOT_STARTED,
    why="its process died mid-create (a restart)",
)
BEGIN_TRAINING = _move(
    "begin_training",
    {_S.CREATING, _S.UNKNOWN},
    _S.TRAINING,
    NoticeKind.ANNOUNCEMENT,
    why="Tavus answered, or its callback or list revealed the replica",
    records=Action.CREATED,
)
GO_STALE = _move(
    "go_stale", {_S.TRAINING}, _S.STALE, NoticeKind.STALE, why="training for over a day"
)
SUCCEED = _move(
    "succeed",
    {_S.TRAINING, _S.STALE},
    _S.READY,
    NoticeKind.RESULT,
    why="Tavus says ready",
    records=Action.READY,
)
FAIL = _move(
    "fail",
    {_S.TRAINING, _S.STALE},
    _S.FAILED,
    NoticeKind.RESULT,
    why="Tavus says error, or forgot it",
    records=Action.FAILED,
)
DELETE = _move(
    "delete",
    # An ended job's workspace has gone: nobody is left there to delete it.
    EVERY - {_S.DELETED, _S.WITHDRAWN, _S.ENDED},
    _S.DELETED,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="deleted at Tavus through the bot",
    records=Action.DELETED,
)
RENAME = _move(
    "rename",
    EVERY,
    None,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="renamed at Tavus too",
    records=Action.RENAMED,
)
END = _move(
    "end",
    EVERY - {s for s in JobStatus if s.is_final},
    _S.ENDED,
    why="its workspace uninstalled the app or lost its Tavus account: nothing can be sent",
)
NOTE_PROGRESS = _move(
    "note_progress", EVERY, None, NoticeKind.CARD, why="Tavus reports further progress"
)

# Every move a job can make, in the order of a job's life; no other code in bot/ changes a state.
MOVES = (
    FETCHED,
    LOSE_FILE,
    CONSENT,
    SEEK_APPROVAL,
    APPROVE,
    REJECT,
    DECLINE,
    EXPIRE,
    WITHDRAW,
    SEND,
    ABANDON,
    REFUSE,
    LOSE_ANSWER,
    CUT_OFF,
    BEGIN_TRAINING,
    GO_STALE,
    SUCCEED,
    FAIL,
    DELETE,
    END,
    RENAME,
    NOTE_PROGRESS,
)
# A move from this many states or more is told in a note: drawn, it would hide the others.
CROWDED = 4


def diagram(moves: Iterable[Move] = MOVES) -> str:
    """The moves as a Mermaid state diagram (the README's, which a test keeps equal to this)."""
    lines = [
        "stateDiagram-v2",
        "    [*] --> awaiting_consent: form accepted (saved first) / owes announcement",
        "    [*] --> fetching: form accepted, a file from Slack (saved first) / owes announcement",
    ]
    notes = []
    for move in moves:
        label = move.name + (f" / owes {move.owes.value}" if move.owes else "")
        if move.to is None:
            continue  # stays where it is: listed in the table of moves
        if len(move.from_) >= CROWDED:
            notes.append(f"    note left of {move.to.value}: {label}, from {_sources(move)}")
            continue
        for status in JobStatus:
            if status in move.from_:
                lines.append(f"    {status.value} --> {move.to.value}: {label}")
    return "\n".join(lines + notes)


def table(moves: Iterable[Move] = MOVES) -> str:
    """The moves as a Markdown table: from where, to where, what each owes and records, and why."""
    lines = ["| move | from | to | owes | records | when |", "|---|---|---|---|---|---|"]
    for move in moves:
        sources = _sources(move)
        owes = "—" if move.owes is None else move.owes.value
        if move.owes is not None and move.only is not Only.ALWAYS:
            owes += f" ({move.only.value})"
        if move.also is not None:
            owes += f" + {move.also.value}"
        to = "(stays)" if move.to is None else move.to.value
        records = "—" if move.records is None else f"`{move.records.value}`"
        lines.append(f"| `{move.name}` | {sources} | {to} | {owes} | {records} | {move.why} |")
    return "\n".join(lines)


def _sources(move: Move) -> str:
    if move.from_ == EVERY:
        return "any"
    if len(move.from_) >= CROWDED:
        return "any but " + ", ".join(s.value for s in JobStatus if s not in move.from_)
    return ", ".join(s.value for s in JobStatus if s in move.from_)


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
