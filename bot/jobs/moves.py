"""The table of moves a job can make between its states, and the notice each one owes."""

from __future__ import annotations

from collections.abc import Iterable

from bot.governance.audit import Action
from bot.jobs.move import Move, Only
from bot.jobs.states import JobStatus, NoticeKind


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
    settles_approvals: bool = False,
    reports: bool = False,
) -> Move:
    return Move(
        name, frozenset(from_), to, owes, only, why, records, also, settles_approvals, reports
    )


def _card(name: str, from_: JobStatus, to: JobStatus, *, why: str) -> Move:
    """A face match move, owing a redraw of the card; its outcome, or a release, on record."""
    records = Action.RELEASED if from_ is JobStatus.HELD else Action.FACE_COMPARED
    return _move(name, {from_}, to, NoticeKind.CARD, Only.ONCE_ANNOUNCED, why=why, records=records)


_S = JobStatus
EVERY = frozenset(JobStatus)
_S_TAVUS = (_S.TRAINING, _S.STALE, _S.READY, _S.FAILED)  # a replica Tavus has made

FETCHED = _move(
    "fetched",
    {_S.FETCHING},
    _S.AWAITING_CONSENT,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="the file from Slack is kept where Tavus can download it: consent is asked next",
    also=NoticeKind.CONSENT_REQUEST,
)
CHECK_FETCHED = _move(
    "check_fetched",
    {_S.FETCHING},
    _S.CHECKING,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="the file from Slack is kept where Tavus can download it: the media check looks next",
)
LOSE_FILE = _move(
    "lose_file",
    {_S.FETCHING},
    _S.REJECTED,
    NoticeKind.RESULT,
    why="the file from Slack could not be copied (no access, too large, a restart)",
)
CLEAR = _move(
    "clear",
    {_S.CHECKING},
    _S.AWAITING_CONSENT,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="the media check found nothing Tavus refuses (or could not look): consent is asked next",
    also=NoticeKind.CONSENT_REQUEST,
    reports=True,
)
CLEAR_TO_SEND = _move(
    "clear_to_send",
    {_S.CHECKING},
    _S.QUEUED,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="as clear, for a request saved before consent existed (nobody to ask): the create is next",
    reports=True,
)
FIND_UNFIT = _move(
    "find_unfit",
    {_S.CHECKING},
    _S.UNFIT,
    NoticeKind.RESULT,
    why="the media check found what Tavus refuses: nobody is asked, nothing goes to Tavus",
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
MATCH_FACE = _move(
    "match_face",
    {_S.AWAITING_CONSENT},
    _S.MATCHING,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="the person shown said yes: their profile photo is compared with the training media next",
    records=Action.CONSENT_GIVEN,
)
MATCHED = _card("matched", _S.MATCHING, _S.QUEUED, why="the face matches (warn: or is unsure)")
MATCHED_FOR_APPROVAL = _card(
    "matched_for_approval", _S.MATCHING, _S.PENDING_APPROVAL, why="as matched; approvers asked"
)
HOLD = _move(
    "hold",
    {_S.MATCHING},
    _S.HELD,
    NoticeKind.HELD,
    why="another face than the profile photo's (or, under require, none to tell): held",
    records=Action.FACE_COMPARED,
    also=NoticeKind.HELD_DM,
)
RELEASE = _card("release", _S.HELD, _S.QUEUED, why="an admin released it, with a reason")
RELEASE_FOR_APPROVAL = _card(
    "release_for_approval", _S.HELD, _S.PENDING_APPROVAL, why="as release; approvers asked"
)
APPROVE = _move(
    "approve",
    {_S.PENDING_APPROVAL},
    _S.QUEUED,
    NoticeKind.CARD,
    Only.ONCE_ANNOUNCED,
    why="an approver approved: the create goes next",
    records=Action.APPROVED,
    settles_approvals=True,
)
REJECT = _move(
    "reject",
    {_S.PENDING_APPROVAL},
    _S.NOT_APPROVED,
    NoticeKind.RESULT,
    why="an approver rejected it",
    records=Action.REJECTED,
    settles_approvals=True,
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
    {_S.MATCHING, _S.HELD, _S.PENDING_APPROVAL, _S.QUEUED, _S.UNKNOWN, *_S_TAVUS},
    _S.WITHDRAWN,
    NoticeKind.RESULT,
    why="the person shown took consent back (deleted at Tavus with its footage)",
    records=Action.CONSENT_WITHDRAWN,
    settles_approvals=True,
)
SEND = _move("send", {_S.QUEUED}, _S.CREATING, why="the create request goes to Tavus")
ABANDON = _move(
    "abandon",
    {_S.CHECKING, _S.AWAITING_CONSENT, _S.QUEUED},
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
    settles_approvals=True,
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
    settles_approvals=True,
)
NOTE_PROGRESS = _move(
    "note_progress", EVERY, None, NoticeKind.CARD, why="Tavus reports further progress"
)

# Every move a job can make, in the order of a job's life; no other code in bot/ changes a state.
MOVES = (
    FETCHED,
    CHECK_FETCHED,
    LOSE_FILE,
    CLEAR,
    CLEAR_TO_SEND,
    FIND_UNFIT,
    CONSENT,
    SEEK_APPROVAL,
    MATCH_FACE,
    MATCHED,
    MATCHED_FOR_APPROVAL,
    HOLD,
    RELEASE,
    RELEASE_FOR_APPROVAL,
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
