"""Unit tests for the Block Kit builders: what each notice says, to whom, within Slack's limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from bot import messages
from bot.jobs import Job, JobStatus, ReplicaRequest, Requester
from bot.slack.blocks import cards, kit

NOW = datetime(2030, 1, 1, tzinfo=UTC)
# Slack refuses a message (invalid_blocks) whose section text is longer than this.
SECTION_LIMIT = 3000
TRAINING = Job(
    id="j1",
    requester=Requester(team_id="T1", user_id="U0REQUESTER", channel_id="C0ORIGIN"),
    request=ReplicaRequest(
        replica_name="Dana",
        model_name="phoenix-4",
        train_video_url="https://cdn.example.com/dana.mp4",
    ),
    status=JobStatus.TRAINING,
    callback_digest="d" * 64,
    created_at=NOW,
    updated_at=NOW,
    replica_id="r79e1c033f",
)
MENTION = "<@U0REQUESTER>"
DOWNLOAD_ERROR = "There was an issue downloading your video file."


def job(**changes: Any) -> Job:
    return replace(TRAINING, **changes)


def shown(message: kit.Message) -> str:
    """The message's text, after checking it has blocks that show the same words."""
    assert message.text.strip(), "every message needs plain text for notifications"
    assert message.blocks, "every message is sent with blocks too"
    sections = [
        text["text"]
        for block in message.blocks
        if block["type"] == "section"
        for text in [*([block["text"]] if "text" in block else []), *block.get("fields", [])]
    ]
    assert all(0 < len(text) <= SECTION_LIMIT for text in sections)
    assert message.text in "\n".join(sections)
    return message.text


# The announcement


def test_the_announcement_names_the_requester_replica_and_model() -> None:
    text = shown(cards.announcement(TRAINING))

    assert text.startswith(f"{MENTION} started training the replica *Dana*")
    assert "`r79e1c033f`" in text
    assert "phoenix-4" in text
    assert "I'll reply in this thread" in text
    assert "couldn't post" not in text


def test_an_announcement_moved_to_a_dm_says_which_channel_refused_it() -> None:
    text = shown(cards.announcement(TRAINING, moved_from="C0ORIGIN"))

    assert text.startswith("I couldn't post in <#C0ORIGIN>")
    assert "/invite" in text
    assert f"{MENTION} started training the replica *Dana*" in text


# The result


def test_a_ready_result_gives_the_replica_id() -> None:
    text = shown(cards.result(job(status=JobStatus.READY)))

    assert text.startswith(f"{MENTION} your replica *Dana* is ready!")
    assert "`r79e1c033f`" in text
    assert "failed" not in text


def test_a_failed_result_quotes_tavus_and_says_what_to_do() -> None:
    text = shown(cards.result(job(status=JobStatus.FAILED, error_message=DOWNLOAD_ERROR)))

    assert text.startswith(f"{MENTION} training *Dana* (`r79e1c033f`) failed.")
    assert f"“{DOWNLOAD_ERROR}”" in text
    hint = messages.failure_hint(DOWNLOAD_ERROR)
    assert hint is not None
    assert f"What to do: {hint}" in text
    assert "run `/replica` again" not in text


def test_a_failed_result_without_a_known_cause_asks_to_fix_and_retry() -> None:
    text = shown(cards.result(job(status=JobStatus.FAILED, error_message="Training failed.")))

    assert "“Training failed.”" in text
    assert "What to do" not in text
    assert text.endswith(messages.FAILED_RETRY)


def test_a_failed_result_without_any_reason_says_so() -> None:
    text = shown(cards.result(job(status=JobStatus.FAILED, error_message=None)))

    assert f"“{messages.FAILED_NO_REASON}”" in text
    assert "None" not in text


# Stale, not started, moved


def test_the_stale_note_tells_the_requester_checking_has_stopped() -> None:
    text = shown(cards.stale(job(status=JobStatus.STALE)))

    assert text.startswith(f"{MENTION} *Dana* (`r79e1c033f`) has been training for over a day")
    assert "stopped checking" in text


def test_an_unknown_create_is_reported_as_uncertain_not_as_a_refusal() -> None:
    gone = job(status=JobStatus.UNKNOWN, replica_id=None, error_message="no answer in time")

    text = shown(cards.not_started(gone))

    assert text.startswith(f"{MENTION} I can't tell whether Tavus created your replica *Dana*")
    assert "no answer in time" in text
    assert "charged twice" in text
    assert "was not created" not in text


def test_a_rejected_create_is_reported_as_not_created_with_the_reason() -> None:
    reason = "Tavus refused the request: Insufficient credits. Fix the form and try again."
    refused = job(status=JobStatus.REJECTED, replica_id=None, error_message=reason)

    text = shown(cards.not_started(refused))

    assert text.startswith(f"{MENTION} your replica *Dana* was not created.")
    assert "Tavus refused the request: Insufficient credits." in text
    assert "can't tell" not in text


def test_a_moved_message_says_where_it_belonged_and_keeps_every_word() -> None:
    original = cards.result(job(status=JobStatus.READY))

    text = shown(cards.moved(original, "C0ORIGIN"))

    assert text.startswith("I couldn't reply in <#C0ORIGIN>")
    assert text.endswith(original.text)
    assert MENTION in text


# What users and Tavus typed, within Slack's rules

BUILDERS: dict[str, tuple[Callable[[Job], kit.Message], JobStatus]] = {
    "announcement": (cards.announcement, JobStatus.TRAINING),
    "ready": (cards.result, JobStatus.READY),
    "failed": (cards.result, JobStatus.FAILED),
    "stale": (cards.stale, JobStatus.STALE),
    "rejected": (cards.not_started, JobStatus.REJECTED),
    "unknown": (cards.not_started, JobStatus.UNKNOWN),
}


@pytest.mark.parametrize("kind", BUILDERS)
def test_a_replica_name_cannot_ping_the_channel_or_break_formatting(kind: str) -> None:
    # Slack reads <…> in message text as mentions and links: user text must be escaped.
    build, status = BUILDERS[kind]

    text = shown(
        build(job(status=status, request=replace(TRAINING.request, replica_name="A&B <!channel>")))
    )

    assert "<!channel>" not in text
    assert "A&amp;B &lt;!channel&gt;" in text


@pytest.mark.parametrize("kind", ["failed", "rejected", "unknown"])
def test_a_tavus_error_cannot_ping_the_channel(kind: str) -> None:
    build, status = BUILDERS[kind]

    text = shown(build(job(status=status, error_message="size must be < 750 MB <!here>")))

    assert "<!here>" not in text
    assert "&lt; 750 MB &lt;!here&gt;" in text


@pytest.mark.parametrize("kind", ["failed", "rejected", "unknown"])
def test_a_very_long_tavus_error_still_fits_a_slack_section(kind: str) -> None:
    # Tavus error bodies are not bounded; a section over 3000 characters makes Slack refuse
    # the whole message, and the requester would never hear how the job ended.
    build, status = BUILDERS[kind]

    message = build(job(status=status, error_message="Training failed: " + "x" * 5000))

    shown(message)
    assert MENTION in message.text
