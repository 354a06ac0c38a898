"""What the media check found, as the card, its thread and the consent DM show it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot import messages
from bot.jobs import Job, JobStatus, ReplicaRequest, Requester, Viewer
from bot.media.inspection.model import Finding, Medium, Report, Weight
from bot.slack.blocks import cards, consent, kit, screens
from tests.standins.blockkit import block_errors, view_errors

NOW = datetime(2030, 1, 1, tzinfo=UTC)
SHORT = Finding(
    Medium.TRAINING_VIDEO,
    "video_duration",
    Weight.BLOCKING,
    "30 s long: Tavus needs a minute at least. Record 30 s speaking, then 30 s still.",
)
SLOW = Finding(Medium.TRAINING_VIDEO, "video_fps", Weight.ADVICE, "24 fps: Tavus asks for 25")
DEAF = Finding(Medium.CONSENT_VIDEO, "sound", Weight.UNCHECKED, "its sound could not be read")
MEASURED = ((Medium.TRAINING_VIDEO, "1920×1080, 24 fps, 1 min 1 s, H.264 + AAC"),)
CHECKING = Job(
    id="j1",
    requester=Requester(team_id="T1", user_id="U0REQUESTER", channel_id="C0ORIGIN"),
    request=ReplicaRequest(
        replica_name="Dana",
        model_name="phoenix-4",
        train_video_url="https://cdn.example.com/dana.mp4",
        subject_id="U0DANA",
        subject_name="Dana Doe",
        intended_use="demos",
    ),
    status=JobStatus.CHECKING,
    callback_digest="",
    created_at=NOW,
    updated_at=NOW,
)


def sent(message: kit.Message) -> str:
    """Everything a message shows, once Slack has taken it."""
    assert block_errors(message.blocks, surface="message") == []
    return "\n".join([message.text, *_texts(message.blocks)])


def _texts(blocks: Any) -> list[str]:
    if isinstance(blocks, dict):
        own = [blocks["text"]] if isinstance(blocks.get("text"), str) else []
        return own + [t for value in blocks.values() for t in _texts(value)]
    if isinstance(blocks, list):
        return [t for item in blocks for t in _texts(item)]
    return []


def test_the_card_says_the_media_is_being_checked_then_that_it_is_unfit() -> None:
    assert messages.CARD_CHECKING in sent(cards.card(CHECKING))
    assert "Checking the media…" in sent(cards.announcement(CHECKING))
    unfit = replace(CHECKING, status=JobStatus.UNFIT)
    assert messages.CARD_UNFIT in sent(cards.card(unfit))
    assert messages.CARD_FOOTER_DONE in sent(cards.card(unfit))


def test_unfit_media_are_told_in_the_thread_with_the_fix_and_try_again() -> None:
    report = Report(findings=(SHORT, SLOW, DEAF), summaries=MEASURED)
    message = cards.result(replace(CHECKING, status=JobStatus.UNFIT, media_report=report))
    shown = sent(message)

    assert shown.startswith("<@U0REQUESTER> I didn't send *Dana* to Tavus")
    # Blocking first, then the rest, so one try fixes everything that can be seen.
    assert shown.index("Tavus needs a minute") < shown.index("24 fps") < shown.index("sound")
    assert "• 30 s long: Tavus needs a minute" in shown
    assert "Measured: training video 1920×1080" in shown
    [buttons] = [b for b in message.blocks if b["type"] == "actions"]
    [retry] = buttons["elements"]
    assert (retry["action_id"], retry["value"]) == (kit.RETRY_ACTION, "j1")


def test_media_that_pass_are_listed_in_the_thread_as_they_were_found() -> None:
    report = Report(findings=(SLOW, DEAF), summaries=MEASURED)
    shown = sent(cards.media_checked(replace(CHECKING, media_report=report)))

    assert "nothing Tavus is known to refuse" in shown
    assert messages.MEDIA_ADVICE in shown
    assert messages.MEDIA_UNCHECKED in shown
    assert messages.MEDIA_BLOCKING not in shown
    assert "• its sound could not be read" in shown


def test_the_consent_dm_shows_the_person_what_their_media_was_judged_to_be() -> None:
    report = Report(findings=(SLOW,), summaries=MEASURED)
    asking = replace(CHECKING, status=JobStatus.AWAITING_CONSENT, media_report=report)

    shown = sent(consent.consent_request(asking))
    unchecked = sent(consent.consent_request(replace(asking, media_report=None)))

    assert messages.CONSENT_CHECKED in shown
    assert "24 fps: Tavus asks for 25" in shown
    assert "1920×1080" in shown
    # With the check off, the DM is as it was.
    assert messages.CONSENT_CHECKED not in unchecked


def test_a_report_with_nothing_to_say_adds_nothing_but_its_verdict() -> None:
    asking = replace(CHECKING, status=JobStatus.AWAITING_CONSENT, media_report=Report())

    assert len(consent.consent_request(asking).blocks) == (
        len(consent.consent_request(replace(asking, media_report=None)).blocks) + 1
    )


def test_a_request_from_before_consent_existed_is_announced_as_being_checked() -> None:
    legacy = replace(CHECKING, request=replace(CHECKING.request, subject_id=None))

    shown = sent(cards.announcement(legacy))

    assert "I'm checking its media first" in shown
    assert "started training" not in shown
    assert "started training" in sent(
        cards.announcement(replace(legacy, status=JobStatus.TRAINING, replica_id="r1"))
    )


def test_the_form_says_the_media_is_checked_before_anyone_is_asked() -> None:
    view = cards.awaiting_consent_view(CHECKING)
    own = cards.awaiting_consent_view(
        replace(CHECKING, request=replace(CHECKING.request, subject_id="U0REQUESTER"))
    )

    assert view["title"]["text"] == messages.CHECKING_TITLE
    assert "If Tavus would take it, I'll ask <@U0DANA>" in view["blocks"][0]["text"]["text"]
    assert "I'll ask you in a DM" in own["blocks"][0]["text"]["text"]
    assert view_errors(view) == []


def test_the_status_of_a_replica_says_what_the_media_check_found() -> None:
    report = Report(findings=(SHORT,), summaries=MEASURED)
    unfit = replace(CHECKING, status=JobStatus.UNFIT, media_report=report)

    shown = sent(screens.replica_status(unfit, shown_to=Viewer("U0REQUESTER")))

    assert messages.CARD_UNFIT in shown
    assert "Tavus needs a minute at least" in shown
    assert "Measured: training video 1920×1080" in shown
