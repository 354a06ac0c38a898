"""Unit tests for the job domain: Tavus status words, states, notice kinds and callback secrets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot import signing
from bot.jobs import (
    CallbackSecret,
    Job,
    JobStatus,
    Move,
    Notice,
    NoticeKind,
    ReplicaRequest,
    Requester,
    diagram,
    new_id,
)
from bot.jobs import moves as life
from bot.tavus import Outcome, outcome_of

NOW = datetime(2030, 1, 1, tzinfo=UTC)
FINAL = [status for status in JobStatus if status.is_final]


@pytest.mark.parametrize(
    ("tavus_status", "outcome"),
    [
        ("ready", Outcome.SUCCEEDED),
        ("completed", Outcome.SUCCEEDED),
        ("READY", Outcome.SUCCEEDED),
        (" Completed\n", Outcome.SUCCEEDED),
        ("error", Outcome.FAILED),
        ("ERROR", Outcome.FAILED),
        ("started", Outcome.IN_PROGRESS),
        ("training", Outcome.IN_PROGRESS),
        ("", Outcome.IN_PROGRESS),
        ("something-new", Outcome.IN_PROGRESS),
    ],
)
def test_outcome_of_maps_tavus_status_words(tavus_status: str, outcome: Outcome) -> None:
    assert outcome_of(tavus_status) is outcome


@pytest.mark.parametrize(
    ("status", "final"),
    [
        (JobStatus.QUEUED, False),
        (JobStatus.CREATING, False),
        (JobStatus.TRAINING, False),
        # A stale or unknown job is no longer polled, but a late callback can still settle it.
        (JobStatus.STALE, False),
        (JobStatus.UNKNOWN, False),
        (JobStatus.READY, True),
        (JobStatus.FAILED, True),
        (JobStatus.REJECTED, True),
        (JobStatus.DELETED, True),
        (JobStatus.AWAITING_CONSENT, False),
        (JobStatus.DECLINED, True),
        (JobStatus.EXPIRED, True),
        (JobStatus.CHECKING, False),
        (JobStatus.UNFIT, True),
    ],
)
def test_only_finished_jobs_are_final(status: JobStatus, final: bool) -> None:
    assert status.is_final is final


def test_job_status_values_are_the_stored_words() -> None:
    assert [status.value for status in JobStatus] == [
        "fetching",
        "checking",
        "awaiting_consent",
        "matching",
        "held",
        "pending_approval",
        "queued",
        "creating",
        "training",
        "stale",
        "ready",
        "failed",
        "rejected",
        "deleted",
        "declined",
        "expired",
        "withdrawn",
        "not_approved",
        "unfit",
        "ended",
        "unknown",
    ]
    assert JobStatus("training") is JobStatus.TRAINING
    assert JobStatus("queued") is JobStatus.QUEUED
    assert JobStatus("stale") is JobStatus.STALE


def test_notice_kind_values_are_the_stored_words() -> None:
    assert [kind.value for kind in NoticeKind] == [
        "announcement",
        "result",
        "stale",
        "card",
        "not_started",
        "consent_request",
        "approval_request",
        "approval_settled",
        "audit",
        "unchecked",
        "media_checked",
        "held",
        "held_dm",
        "receipt",
    ]
    assert NoticeKind("not_started") is NoticeKind.NOT_STARTED


def test_a_new_notice_is_not_yet_attempted_nor_in_doubt() -> None:
    notice = Notice(id="n1", job_id="j1", kind=NoticeKind.RESULT, created_at=NOW)

    assert (notice.attempts, notice.in_doubt) == (0, False)


def test_generated_secrets_are_long_and_distinct() -> None:
    secrets = [CallbackSecret.generate().value for _ in range(100)]

    assert len(set(secrets)) == len(secrets)
    # 32 random bytes, URL-safe base64: 43 characters, safe in a URL path.
    assert all(len(secret) >= 43 for secret in secrets)
    assert all(secret.replace("-", "").replace("_", "").isalnum() for secret in secrets)


def test_a_secrets_digest_is_its_sha256_and_not_the_secret() -> None:
    secret = CallbackSecret("known-secret")

    assert secret.digest == signing.digest("known-secret")
    assert len(secret.digest) == 64
    assert "known-secret" not in secret.digest
    assert secret.digest == CallbackSecret("known-secret").digest


def test_the_right_secret_matches_its_digest() -> None:
    secret = CallbackSecret.generate()

    assert signing.matches(secret.value, secret.digest)


@pytest.mark.parametrize(
    "presented",
    ["", "wrong", "known-secret ", "KNOWN-SECRET", "known-secre"],
    ids=["empty", "other", "trailing-space", "case", "prefix"],
)
def test_any_other_secret_does_not_match(presented: str) -> None:
    assert not signing.matches(presented, CallbackSecret("known-secret").digest)


def test_the_digest_itself_does_not_pass_as_the_secret() -> None:
    digest = CallbackSecret("known-secret").digest

    assert not signing.matches(digest, digest)


def test_an_empty_stored_digest_matches_nothing() -> None:
    assert not signing.matches("", "")


def test_ids_are_random_hex_that_fits_the_id_columns() -> None:
    ids = {new_id() for _ in range(100)}

    assert len(ids) == 100
    # 12 random bytes as lowercase hex: 24 characters, well within the String(32) id columns.
    assert all(len(value) == 24 and set(value) <= set("0123456789abcdef") for value in ids)


def job_in(status: JobStatus, *, announced: bool) -> Job:
    return Job(
        id="j1",
        requester=Requester("T1", "U1", "C1"),
        request=ReplicaRequest(replica_name="Dana", model_name="phoenix-4"),
        status=status,
        callback_digest="",
        created_at=NOW,
        updated_at=NOW,
        announcement_channel="C1" if announced else None,
        announcement_ts="1.0001" if announced else None,
    )


@pytest.mark.parametrize(
    ("move", "announced", "watching", "owed"),
    [
        (life.BEGIN_TRAINING, False, False, NoticeKind.ANNOUNCEMENT),
        (life.SUCCEED, True, False, NoticeKind.RESULT),
        (life.FAIL, False, False, NoticeKind.RESULT),
        (life.GO_STALE, True, False, NoticeKind.STALE),
        (life.CUT_OFF, False, False, NoticeKind.NOT_STARTED),
        # The form says it to a requester who is watching it.
        (life.REFUSE, False, False, NoticeKind.NOT_STARTED),
        (life.REFUSE, False, True, None),
        (life.LOSE_ANSWER, False, True, None),
        # A card exists only once its announcement went out.
        (life.DELETE, True, False, NoticeKind.CARD),
        (life.DELETE, False, False, None),
        (life.RENAME, True, False, NoticeKind.CARD),
        (life.RENAME, False, False, None),
        (life.NOTE_PROGRESS, False, False, NoticeKind.CARD),
        (life.CONSENT, True, False, NoticeKind.CARD),
        (life.CONSENT, False, False, None),  # the announcement, still owed, shows it
        (life.DECLINE, False, False, NoticeKind.RESULT),
        (life.EXPIRE, True, False, NoticeKind.RESULT),
        (life.SEND, False, False, None),
        (life.ABANDON, False, False, None),
    ],
)
def test_each_move_owes_what_the_table_says_when_its_rule_says(
    move: Move, announced: bool, watching: bool, owed: NoticeKind | None
) -> None:
    job = job_in(move.to or JobStatus.TRAINING, announced=announced)

    assert move.owed(job, watching=watching) is owed


def test_every_state_but_the_first_is_reached_and_only_final_ones_are_never_left() -> None:
    reached = {move.to for move in life.MOVES if move.to is not None}
    left = {status for move in life.MOVES if move.to is not None for status in move.from_}

    # The first states are where a save puts a job (fetching: a file from Slack to copy first);
    # checking and awaiting consent are also reached once that copy is kept.
    assert set(JobStatus) - reached == {JobStatus.FETCHING}
    # Only delete and withdraw leave a final state: nothing else happens to a finished job.
    # An ended job is left by nothing: its workspace has gone.
    assert {s for s in left if s.is_final} == {
        JobStatus.READY,
        JobStatus.FAILED,
        JobStatus.REJECTED,
        JobStatus.DECLINED,
        JobStatus.EXPIRED,
        JobStatus.NOT_APPROVED,
        JobStatus.UNFIT,
    }
    assert all(s in left for s in JobStatus if not s.is_final)
    leaving_final = [m.name for m in life.MOVES if m.to is not None and m.from_ & set(FINAL)]
    assert leaving_final == ["withdraw", "delete"]
    # A withdrawn job is never deleted again, nor a deleted one withdrawn: the footage is gone.
    assert JobStatus.WITHDRAWN not in life.DELETE.from_
    assert JobStatus.DELETED not in life.WITHDRAW.from_


def test_every_move_out_of_pending_approval_settles_its_approval_requests() -> None:
    # One left unsettled would keep offering approvers buttons for a decision nobody can take.
    for move in life.MOVES:
        leaves = move.to is not None and JobStatus.PENDING_APPROVAL in move.from_
        assert move.settles_approvals is leaves, move.name


def test_move_names_are_unique() -> None:
    names = [move.name for move in life.MOVES]
    assert len(names) == len(set(names))


def test_the_diagram_draws_each_move_from_each_of_its_states() -> None:
    drawn = diagram.diagram()

    assert "training --> ready: succeed / owes result" in drawn
    assert "stale --> ready: succeed / owes result" in drawn
    assert "unknown --> training: begin_training / owes announcement" in drawn
    # Delete leaves nearly every state: told once, in a note that names them.
    [note] = [line for line in drawn.splitlines() if "note left of deleted" in line]
    assert note.startswith("    note left of deleted: delete / owes card, from ")
    assert "withdrawn" in note
    assert "rename" not in drawn  # it changes no state: it is in the table


def test_the_table_lists_every_move_with_its_rule() -> None:
    table = diagram.table()

    assert "| `refuse` | creating | rejected | not_started (unless the form shows it) |" in table
    assert (
        "| `delete` | any but deleted, withdrawn, ended | deleted | card (once announced) |"
        in table
    )
    assert "| `rename` | any | (stays) | card (once announced) |" in table
    assert "| `end` | any but ready, failed, rejected, deleted, declined, expired, " in table


def test_the_table_says_which_moves_settle_approval_requests() -> None:
    table = diagram.table()

    assert "| `approve` | pending_approval | queued | card (once announced) | yes |" in table
    assert "| `consent` | awaiting_consent | queued | card (once announced) | — |" in table
