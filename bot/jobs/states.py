"""A job's states, and its notices' kinds and states: what moves and the outbox speak of (pure)."""

from __future__ import annotations

import enum


class JobStatus(enum.StrEnum):
    """Where a job is in its life; MOVES, below, says how it gets here and where it goes next."""

    # Saved from a file posted in Slack: the bot is copying it to where Tavus can download it.
    FETCHING = "fetching"
    # Saved (a file from Slack: once kept) with the media check on: its files are looked into
    # before anyone is asked, so nobody consents to, and no credit goes on, what Tavus refuses.
    CHECKING = "checking"
    # Saved when the form was accepted; nothing goes to Tavus until the person shown agrees.
    AWAITING_CONSENT = "awaiting_consent"
    # Consent given; the face in the training media is being compared with the profile photo
    # of the person shown before anything goes on.
    MATCHING = "matching"
    # The face did not match the profile photo (or could not be compared, where the workspace
    # requires it): nothing goes to Tavus unless an admin releases it.
    HELD = "held"
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
    # The media check found what Tavus refuses: nobody was asked, nothing sent (final).
    UNFIT = "unfit"
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
            JobStatus.UNFIT,
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
    MEDIA_CHECKED = "media_checked"  # a threaded note: what the media check found, file by file
    HELD = "held"  # a threaded note: the face did not match, the job is held before Tavus
    HELD_DM = "held_dm"  # a DM to the person shown: the same, in their words
    # The consent receipt in the person shown's DM redrawn in place: the face match has ended.
    RECEIPT = "receipt"

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
        return self in {NoticeKind.CARD, NoticeKind.APPROVAL_SETTLED, NoticeKind.RECEIPT}

    @property
    def redraws_card(self) -> bool:
        """Whether the card is redrawn once it is sent: it tells of a change the card shows."""
        return self in {
            NoticeKind.RESULT,
            NoticeKind.STALE,
            NoticeKind.NOT_STARTED,
            NoticeKind.HELD,
        }

    @property
    def is_threaded(self) -> bool:
        """Whether it belongs to the card's thread (or is the card): it waits for the card."""
        return self in {
            NoticeKind.RESULT,
            NoticeKind.STALE,
            NoticeKind.CARD,
            NoticeKind.UNCHECKED,
            NoticeKind.MEDIA_CHECKED,
            NoticeKind.HELD,
        }


class NoticeStatus(enum.StrEnum):
    """Where an owed notice is in its delivery."""

    PENDING = "pending"  # owed: the sender will (try again to) deliver it
    SENT = "sent"  # Slack has it (where, is recorded with it)
    FAILED = "failed"  # given up: Slack refused it for good, or it could not go out for a day
