"""Planning, kind by kind: where each notice goes, what it says, and where it goes if refused."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.delivery.plan import Plan, Skip, lane_of, plan, plan_record
from bot.governance.audit import Action, Record
from bot.governance.receipts import Decision, Receipt
from bot.jobs import Job, JobStatus, Notice, NoticeKind, ReplicaRequest, Requester
from bot.media.likeness.model import FaceMatch, Likeness
from bot.slack.blocks import cards, consent, kit, likeness

NOW = datetime(2030, 1, 1, tzinfo=UTC)
REQUESTER = Requester(team_id="T1", user_id="U0REQUESTER", channel_id="C0ORIGIN")
# Where the announcement went: not where it was asked for, when that channel refused it.
ANNOUNCED_IN, THREAD = "C0ANNOUNCED", "1700000000.000100"
UNANNOUNCED = Job(
    id="j1",
    requester=REQUESTER,
    request=ReplicaRequest(replica_name="Dana", model_name="phoenix-4"),
    status=JobStatus.READY,
    callback_digest="d" * 64,
    created_at=NOW,
    updated_at=NOW,
    replica_id="r79e1c033f",
)
ANNOUNCED = replace(UNANNOUNCED, announcement_channel=ANNOUNCED_IN, announcement_ts=THREAD)
# Both halves of the thread are needed: a channel without a message to reply to is no thread.
HALF_ANNOUNCED = replace(UNANNOUNCED, announcement_channel=ANNOUNCED_IN)
USER = REQUESTER.user_id
SUBJECT = "U0DANA"
# Waiting for the person shown, who is not the requester.
ASKING = replace(
    UNANNOUNCED,
    status=JobStatus.AWAITING_CONSENT,
    replica_id=None,
    request=replace(
        UNANNOUNCED.request, subject_id=SUBJECT, subject_name="Dana Doe", intended_use="demos"
    ),
)

Planned = Callable[[Job], Plan | Skip]
NEVER_ANNOUNCED = Skip("the announcement was never posted: no card to update")


def in_thread(draw: Callable[[Job], kit.Message]) -> Planned:
    def planned(job: Job) -> Plan:
        message = draw(job)
        return Plan(
            USER,
            ANNOUNCED_IN,
            message,
            thread_ts=THREAD,
            fallback=cards.moved(message, ANNOUNCED_IN),
        )

    return planned


def by_dm(draw: Callable[[Job], kit.Message]) -> Planned:
    return lambda job: Plan(USER, None, draw(job))


CASES: list[tuple[NoticeKind, Job, Planned]] = [
    # The person shown is asked in their own DM, while the request still waits for them.
    (
        NoticeKind.CONSENT_REQUEST,
        ASKING,
        lambda job: Plan(SUBJECT, None, consent.consent_request(job)),
    ),
    (
        NoticeKind.CONSENT_REQUEST,
        UNANNOUNCED,
        lambda _: Skip("no longer waiting for consent: nothing to ask"),
    ),
    # Only the requester needs to hear that nothing started.
    (NoticeKind.NOT_STARTED, UNANNOUNCED, by_dm(cards.not_started)),
    (NoticeKind.NOT_STARTED, ANNOUNCED, by_dm(cards.not_started)),
    # The announcement goes where it was asked for; if refused, to the DM, saying so.
    (
        NoticeKind.ANNOUNCEMENT,
        UNANNOUNCED,
        lambda job: Plan(
            USER,
            REQUESTER.channel_id,
            cards.announcement(job),
            fallback=cards.announcement(job, moved_from=REQUESTER.channel_id),
        ),
    ),
    # The card is redrawn in place: no fallback, since a redraw posts nothing new.
    (
        NoticeKind.CARD,
        ANNOUNCED,
        lambda job: Plan(USER, ANNOUNCED_IN, cards.card(job), update_ts=THREAD),
    ),
    (NoticeKind.CARD, UNANNOUNCED, lambda _: NEVER_ANNOUNCED),
    (NoticeKind.CARD, HALF_ANNOUNCED, lambda _: NEVER_ANNOUNCED),
    # Replies go in the card's thread, or to the DM if there never was a card.
    (NoticeKind.RESULT, ANNOUNCED, in_thread(cards.result)),
    (NoticeKind.RESULT, UNANNOUNCED, by_dm(cards.result)),
    (NoticeKind.RESULT, HALF_ANNOUNCED, by_dm(cards.result)),
    (NoticeKind.STALE, ANNOUNCED, in_thread(cards.stale)),
    (NoticeKind.UNCHECKED, ANNOUNCED, in_thread(cards.unchecked)),
    (NoticeKind.UNCHECKED, UNANNOUNCED, by_dm(cards.unchecked)),
    (NoticeKind.STALE, UNANNOUNCED, by_dm(cards.stale)),
    # What the media check found goes in the thread with the rest of the job's news.
    (NoticeKind.MEDIA_CHECKED, ANNOUNCED, in_thread(cards.media_checked)),
    (NoticeKind.MEDIA_CHECKED, UNANNOUNCED, by_dm(cards.media_checked)),
    # Held by the face match: the requester hears in the thread, the person shown in their DM.
    (NoticeKind.HELD, replace(ANNOUNCED, status=JobStatus.HELD), in_thread(likeness.held)),
    (
        NoticeKind.HELD_DM,
        replace(ASKING, status=JobStatus.HELD),
        lambda job: Plan(SUBJECT, None, likeness.held_dm(job)),
    ),
    (NoticeKind.HELD_DM, ASKING, lambda _: Skip("no longer held: nothing to tell")),
    # A receipt is redrawn where it was shown; without the receipt there is nothing to draw.
    (NoticeKind.RECEIPT, ASKING, lambda _: Skip("no receipt shown in a DM: nothing to redraw")),
]
SHOWN = Receipt(
    job_id="j1",
    team_id="T1",
    subject_id=SUBJECT,
    subject_name="Dana Doe",
    requester_id=USER,
    decision=Decision.GIVEN,
    decided_at=NOW,
    statement="I, Dana Doe, …",
    statement_sha256="0" * 64,
    intended_use="demos",
    media=(),
    dm_channel="D0DANA",
    dm_ts="1700000000.000300",
    face_match=FaceMatch(outcome=Likeness.MATCH, model="m", threshold=0.6, with_face=5, agreed=5),
)


def test_a_receipt_is_redrawn_in_place_in_the_dm_it_was_shown_in() -> None:
    notice = Notice("n4", "j1", NoticeKind.RECEIPT, NOW, channel="D0DANA", ts="1700000000.000300")
    matched = replace(ASKING, status=JobStatus.QUEUED)

    planned = plan(notice, matched, SHOWN)

    drawn = consent.receipt(SHOWN, matched)
    assert planned == Plan(SUBJECT, "D0DANA", drawn, update_ts="1700000000.000300")
    assert "Face matches <@U0DANA>" in drawn.text + str(drawn.blocks)
    assert plan(replace(notice, channel=None, ts=None), matched, SHOWN) == Skip(
        "no receipt shown in a DM: nothing to redraw"
    )
    assert lane_of(notice, matched) == "updates:T1"


@pytest.mark.parametrize(("kind", "job", "planned"), CASES)
def test_each_kind_of_notice_is_planned_where_it_belongs(
    kind: NoticeKind, job: Job, planned: Planned
) -> None:
    notice = Notice(id="n1", job_id=job.id, kind=kind, created_at=NOW)

    assert plan(notice, job) == planned(job)


# Waiting for an approver, once the person shown consented.
APPROVING = replace(ASKING, status=JobStatus.PENDING_APPROVAL)
APPROVED = replace(APPROVING, status=JobStatus.QUEUED, reviewer_id="U0ANN", reviewed_at=NOW)
ASKED, SETTLED = NoticeKind.APPROVAL_REQUEST, NoticeKind.APPROVAL_SETTLED
SENT_TO = {"channel": "D0ANN", "ts": "1700000000.000200"}

APPROVAL_CASES: list[tuple[Notice, Job, Planned]] = [
    # To an approver's DM, or to the approval channel; no fallback: nowhere else will do.
    (
        Notice("n1", "j1", ASKED, NOW, recipient="U0ANN"),
        APPROVING,
        lambda job: Plan("U0ANN", None, consent.approval_request(job)),
    ),
    (
        Notice("n1", "j1", ASKED, NOW, recipient="C0LEGAL"),
        APPROVING,
        lambda job: Plan(USER, "C0LEGAL", consent.approval_request(job)),
    ),
    (
        Notice("n1", "j1", ASKED, NOW, recipient="U0ANN"),
        APPROVED,
        lambda _: Skip("no longer waiting for approval: nothing to ask"),
    ),
    # Once decided, each request sent is redrawn where it landed.
    (
        Notice("n2", "j1", SETTLED, NOW, recipient="U0ANN", **SENT_TO),
        APPROVED,
        lambda job: Plan(USER, "D0ANN", consent.approval_settled(job), update_ts=SENT_TO["ts"]),
    ),
    (
        Notice("n2", "j1", SETTLED, NOW, recipient="U0ANN"),
        APPROVED,
        lambda _: Skip("the approval request was never posted: nothing to redraw"),
    ),
]


@pytest.mark.parametrize(("notice", "job", "planned"), APPROVAL_CASES)
def test_approval_requests_go_to_each_recipient_and_are_redrawn_where_they_landed(
    notice: Notice, job: Job, planned: Planned
) -> None:
    assert plan(notice, job) == planned(job)


RECORD = Record(
    at=NOW, team_id="T1", actor="U0ANN", action=Action.REFUSED, details={"what": "approve"}, seq=7
)
AUDIT = Notice("n3", None, NoticeKind.AUDIT, NOW, recipient="C0AUDIT", audit_seq=7)


def test_an_audit_record_is_posted_in_the_audit_channel_in_its_own_lane() -> None:
    assert plan_record(AUDIT, RECORD) == Plan("", "C0AUDIT", consent.audit_line(RECORD))
    assert plan_record(AUDIT, None) == Skip("no such audit record")
    assert lane_of(AUDIT, None) == "C0AUDIT"
    line = consent.audit_line(RECORD).text
    assert line.startswith("<@U0ANN> *refused* · what: approve")


def test_every_kind_of_notice_has_a_plan() -> None:
    kinds = {kind for kind, _, _ in CASES} | {notice.kind for notice, _, _ in APPROVAL_CASES}
    assert kinds | {AUDIT.kind} == set(NoticeKind)
