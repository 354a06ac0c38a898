"""Planning: where each kind of notice goes, what it says, and where it goes if refused there."""

from __future__ import annotations

from dataclasses import dataclass

from bot.governance.audit import Record
from bot.governance.receipts import Receipt
from bot.jobs import Job, JobStatus, Notice, NoticeKind
from bot.slack.blocks import cards, consent, kit, likeness


@dataclass(frozen=True, slots=True)
class Plan:
    """Where to post a notice, what, and where to go if that channel refuses."""

    requester: str  # whose DM takes it when it has no channel, or its channel refuses ("": none)
    channel: str | None  # None: the requester's DM
    message: kit.Message
    thread_ts: str | None = None
    fallback: kit.Message | None = None
    # Redraw this message in place instead of posting (the card).
    update_ts: str | None = None


@dataclass(slots=True)
class Attempt:
    """Where a send last posted to: a channel, or a person's id (their DM).

    If no answer came, it is there that the notice may have landed.
    """

    target: str | None = None
    # When the try began, and how long it may last: a post of it landed within that window.
    began: float = 0.0
    lasts: float = 0.0


@dataclass(frozen=True, slots=True)
class Skip:
    """Nothing left to send for this notice (e.g. a card whose message was never posted)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a notice landed, and why not where it belonged, if so."""

    channel: str
    ts: str
    refused: str | None = None


def plan(notice: Notice, job: Job, receipt: Receipt | None = None) -> Plan | Skip:
    """What to send for `notice`, and where, given `job` (and its `receipt`) as they stand now."""
    kind, requester = notice.kind, job.requester.user_id
    if kind is NoticeKind.NOT_STARTED:
        return Plan(requester, None, cards.not_started(job))
    if kind is NoticeKind.CONSENT_REQUEST:
        if job.status is not JobStatus.AWAITING_CONSENT or not job.request.subject_id:
            return Skip("no longer waiting for consent: nothing to ask")
        return Plan(job.request.subject_id, None, consent.consent_request(job))
    if kind is NoticeKind.APPROVAL_REQUEST:
        if job.status is not JobStatus.PENDING_APPROVAL or not notice.recipient:
            return Skip("no longer waiting for approval: nothing to ask")
        if is_channel(notice.recipient):
            return Plan(requester, notice.recipient, consent.approval_request(job))
        return Plan(notice.recipient, None, consent.approval_request(job))
    if kind is NoticeKind.APPROVAL_SETTLED:
        if not (notice.channel and notice.ts):
            return Skip("the approval request was never posted: nothing to redraw")
        return Plan(requester, notice.channel, consent.approval_settled(job), update_ts=notice.ts)
    if kind is NoticeKind.RECEIPT:
        if receipt is None or not (notice.channel and notice.ts):
            return Skip("no receipt shown in a DM: nothing to redraw")
        drawn = consent.receipt(receipt, job)
        return Plan(receipt.subject_id, notice.channel, drawn, update_ts=notice.ts)
    if kind is NoticeKind.HELD_DM:
        if job.status is not JobStatus.HELD or not job.request.subject_id:
            return Skip("no longer held: nothing to tell")
        return Plan(job.request.subject_id, None, likeness.held_dm(job))
    if kind is NoticeKind.ANNOUNCEMENT:
        asked_in = job.requester.channel_id
        return Plan(
            requester,
            asked_in,
            cards.announcement(job),
            fallback=cards.announcement(job, moved_from=asked_in),
        )
    channel, ts = job.announcement_channel, job.announcement_ts
    if kind is NoticeKind.CARD:
        if not (channel and ts):
            return Skip("the announcement was never posted: no card to update")
        return Plan(requester, channel, cards.card(job), update_ts=ts)
    draw = {
        NoticeKind.RESULT: cards.result,
        NoticeKind.UNCHECKED: cards.unchecked,
        NoticeKind.MEDIA_CHECKED: cards.media_checked,
        NoticeKind.HELD: likeness.held,
    }
    message = draw.get(kind, cards.stale)(job)
    if not (channel and ts):
        return Plan(requester, None, message)
    return Plan(requester, channel, message, thread_ts=ts, fallback=cards.moved(message, channel))


def plan_record(notice: Notice, record: Record | None) -> Plan | Skip:
    """What to post for an AUDIT notice: its record, as one line in the audit channel."""
    if record is None or not notice.recipient:
        return Skip("no such audit record")
    return Plan("", notice.recipient, consent.audit_line(record))


UPDATES = "updates:"
DM = "dm:"


def lane_of(notice: Notice, job: Job | None) -> str:
    """Whose pace a notice keeps: its channel's, its DM's, or its workspace's redraws'.

    Redraws keep the workspace's chat.update budget (Slack's Tier 3) in a lane of their own, so
    no post waits behind one, and a 429 on chat.update holds no one's result.
    """
    kind = notice.kind
    if job is None or kind is NoticeKind.AUDIT:
        return notice.recipient or ""
    if kind.is_redraw:
        return updates_lane(job.requester.team_id)
    if kind is NoticeKind.NOT_STARTED:
        return dm_lane(job.requester.user_id)
    if kind in (NoticeKind.CONSENT_REQUEST, NoticeKind.HELD_DM):
        return dm_lane(str(job.request.subject_id))
    if kind in (NoticeKind.APPROVAL_REQUEST, NoticeKind.APPROVAL_SETTLED):
        to = notice.recipient or ""
        return to if is_channel(to) else dm_lane(to)
    return job.announcement_channel or job.requester.channel_id


def dm_lane(user_id: str) -> str:
    """The lane of the bot's DM with a person: its posts go to their user id."""
    return f"{DM}{user_id}"


def updates_lane(team_id: str) -> str:
    """The lane of a workspace's redraws: chat.update is limited per workspace, not channel."""
    return f"{UPDATES}{team_id}"


def is_channel(recipient: str) -> bool:
    """Whether a recipient is a channel (C…, G…) rather than a person (U…, W…)."""
    return recipient[:1] in {"C", "G"}
