"""The media check's place in a job's life: into CHECKING, and every way out of it (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.jobs import Job, JobStatus, Move, NoticeKind, ReplicaRequest, Requester, diagram
from bot.jobs import moves as life
from bot.media.inspection.model import Finding, Medium, Report, Weight

NOW = datetime(2030, 1, 1, tzinfo=UTC)
ADVICE = Finding(Medium.TRAINING_VIDEO, "video_fps", Weight.ADVICE, "24 fps; Tavus asks for 25")
MEASURED = Report(summaries=((Medium.TRAINING_VIDEO, "1920×1080, 30 fps, 1 min 1 s"),))


def checked(report: Report | None, *, announced: bool = True) -> Job:
    return Job(
        id="j1",
        requester=Requester("T1", "U1", "C1"),
        request=ReplicaRequest(replica_name="Dana", model_name="phoenix-4", subject_id="U2"),
        status=JobStatus.AWAITING_CONSENT,
        callback_digest="",
        created_at=NOW,
        updated_at=NOW,
        announcement_channel="C1" if announced else None,
        announcement_ts="1.0001" if announced else None,
        media_report=report,
    )


def test_checking_is_left_only_by_the_checks_own_moves_and_the_endings() -> None:
    leaving = {m.name for m in life.MOVES if m.to is not None and JobStatus.CHECKING in m.from_}

    assert leaving == {"clear", "clear_to_send", "find_unfit", "abandon", "delete", "end"}


def test_checking_is_reached_from_a_kept_file_and_the_save_alone() -> None:
    reaching = {m.name for m in life.MOVES if m.to is JobStatus.CHECKING}

    assert reaching == {"check_fetched"}
    assert "[*] --> checking: form accepted, MEDIA_CHECK on" in diagram.diagram()


def test_nobody_is_asked_and_nothing_sent_from_checking() -> None:
    # Consent comes after the check: nothing to decline, expire or withdraw yet.
    for move in (life.CONSENT, life.DECLINE, life.EXPIRE, life.WITHDRAW, life.SEND):
        assert JobStatus.CHECKING not in move.from_, move.name


@pytest.mark.parametrize(
    ("move", "to", "also"),
    [
        (life.CLEAR, JobStatus.AWAITING_CONSENT, (NoticeKind.CONSENT_REQUEST,)),
        (life.CLEAR_TO_SEND, JobStatus.QUEUED, ()),
    ],
)
def test_passing_the_check_redraws_the_card_and_owes_the_report_when_it_says_anything(
    move: Move, to: JobStatus, also: tuple[NoticeKind, ...]
) -> None:
    assert move.to is to
    assert move.owed(checked(MEASURED)) is NoticeKind.CARD
    assert move.owed(checked(MEASURED, announced=False)) is None  # the announcement shows it
    assert move.owed_too(checked(MEASURED)) == (*also, NoticeKind.MEDIA_CHECKED)
    assert move.owed_too(checked(Report(findings=(ADVICE,)))) == (*also, NoticeKind.MEDIA_CHECKED)
    # A report with nothing in it, or none at all, is not worth a message.
    assert move.owed_too(checked(Report())) == also
    assert move.owed_too(checked(None)) == also


def test_unfit_media_end_the_job_with_its_result_in_the_thread_and_nothing_else() -> None:
    job = replace(checked(MEASURED, announced=False), status=JobStatus.UNFIT)

    assert life.FIND_UNFIT.to is JobStatus.UNFIT
    assert JobStatus.UNFIT.is_final
    assert life.FIND_UNFIT.owed(job) is NoticeKind.RESULT
    assert life.FIND_UNFIT.owed_too(job) == ()  # no consent request, no second list
    assert life.FIND_UNFIT.records is None


def test_a_kept_file_is_checked_before_consent_is_asked() -> None:
    assert life.CHECK_FETCHED.from_ == {JobStatus.FETCHING}
    assert life.CHECK_FETCHED.owed(checked(None)) is NoticeKind.CARD
    assert life.CHECK_FETCHED.owed_too(checked(None)) == ()
    assert life.FETCHED.owed_too(checked(None)) == (NoticeKind.CONSENT_REQUEST,)


def test_the_readme_table_says_when_the_report_is_owed() -> None:
    table = diagram.table()

    assert (
        "| `clear` | checking | awaiting_consent | card (once announced) + consent_request "
        "+ media_checked (when the report says anything) |" in table
    )
    assert "| `find_unfit` | checking | unfit | result |" in table
    assert "| `abandon` | checking, awaiting_consent, queued | rejected |" in table
    assert "checking --> unfit: find_unfit / owes result" in diagram.diagram()


def test_the_report_is_a_threaded_note_that_waits_for_the_card() -> None:
    assert NoticeKind.MEDIA_CHECKED.is_threaded
    assert not NoticeKind.MEDIA_CHECKED.is_redraw
    assert not NoticeKind.MEDIA_CHECKED.is_once
