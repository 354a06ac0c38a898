"""Unit tests for the user-facing words: failure hints, create failures, one module per surface."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

from bot import messages
from bot.tavus import TavusError, TavusRejected, TavusTimeout, TavusUnavailable


def hint_for(words: str) -> str:
    """The one hint whose advice contains `words`, so a test names the kind, not the wording."""
    [hint] = [hint for _, hint in messages.FAILURE_HINTS if words in hint]
    return hint


CONSENT = hint_for("word for word")
DOWNLOAD = hint_for("direct download link")
SIZE = hint_for("750 MB")
DURATION = hint_for("too short")
FPS = hint_for("frames per second")
FORMAT = hint_for("AAC audio")
FRAMING = hint_for("looking straight")
QUALITY = hint_for("sharper")
ADULT = hint_for("only clones adults")
RECORDING = hint_for("quiet, evenly lit room")


# Failure messages as Tavus documents them (error type, then message, where it gives both).
@pytest.mark.parametrize(
    ("error_message", "hint"),
    [
        pytest.param(
            "Your consent phrase does not match the required consent statement.",
            CONSENT,
            id="consent-phrase",
        ),
        pytest.param("consent_phrase_mismatch", CONSENT, id="consent-type"),
        pytest.param(
            "There was an issue downloading your video file. Please ensure that the link you "
            "provided is correct and try again",
            DOWNLOAD,
            id="download",
        ),
        pytest.param(
            "The video file you provided exceeds the maximum file size allowed. Please ensure "
            "that the video is less than 750MB and try again.",
            SIZE,
            id="file-size",
        ),
        pytest.param(
            "There was an issue processing your training video. The video provided does not "
            "meet the minimum duration requirement for training",
            DURATION,
            id="duration",
        ),
        pytest.param(
            "There was an issue processing your training video. The video provided is not at "
            "least 25fps. Please ensure that the training video is at least 25fps",
            FPS,
            id="fps",
        ),
        pytest.param("The video must be recorded at 25 FPS or more.", FPS, id="fps-spaced"),
        pytest.param(
            "There was an issue processing your training video. The video provided is not a "
            ".mp4 file. Please ensure that the training video is a .mp4 file encoded using h.264",
            FORMAT,
            id="format",
        ),
        pytest.param(
            "There was an issue processing your training video. The video provided is not "
            "encoded using h.264.",
            FORMAT,
            id="codec",
        ),
        pytest.param(
            "HeadNotFullyInFrameError: There was an error processing your image. Your entire "
            "head should be visible in the frame. Please zoom out or reframe and try again.",
            FRAMING,
            id="head-not-in-frame",
        ),
        pytest.param("LookingStraightAtCameraError", FRAMING, id="not-looking-at-camera"),
        pytest.param("ImageQualityError", QUALITY, id="image-quality"),
        pytest.param("AppearsUnder18Error", ADULT, id="under-18"),
        pytest.param("The lighting in the training video is too uneven.", RECORDING, id="lighting"),
        pytest.param("background_noise", RECORDING, id="background-noise"),
    ],
)
def test_failure_hint_matches_each_documented_tavus_failure(error_message: str, hint: str) -> None:
    assert messages.failure_hint(error_message) == hint


def test_failure_hint_ignores_case() -> None:
    assert messages.failure_hint("THERE WAS AN ISSUE DOWNLOADING YOUR VIDEO FILE") == DOWNLOAD


@pytest.mark.parametrize(
    "error_message",
    [
        None,
        "",
        "An unexpected error occurred. Please try again.",
        "Training failed.",
        "Internal server error",
        "Training failed. Contact support@tavus.io for more information.",
    ],
)
def test_failure_hint_is_none_for_unknown_failures(error_message: str | None) -> None:
    assert messages.failure_hint(error_message) is None


def test_the_consent_hint_quotes_the_statement_word_for_word() -> None:
    assert messages.CONSENT_STATEMENT in CONSENT


# create_failure


def test_timeout_says_the_replica_may_exist_and_to_check_the_portal() -> None:
    text = messages.create_failure(TavusTimeout("Tavus did not answer in time"))

    assert text == messages.CREATE_TIMEOUT
    assert "can't tell whether the replica was created" in text
    assert "Tavus portal" in text


def test_401_blames_the_api_key_and_quotes_tavus() -> None:
    text = messages.create_failure(TavusRejected(401, "Invalid access token"))

    assert "Invalid access token" in text
    assert "TAVUS_API_KEY" in text


@pytest.mark.parametrize("status", [402, 403])
def test_402_and_403_point_at_the_plan_and_billing(status: int) -> None:
    text = messages.create_failure(TavusRejected(status, "Insufficient credits"))

    assert text == messages.CREATE_NOT_ALLOWED.format(message="Insufficient credits")
    assert "paid Tavus plan" in text


@pytest.mark.parametrize("status", [400, 404, 422])
def test_other_refusals_quote_tavus_and_ask_to_fix_the_form(status: int) -> None:
    text = messages.create_failure(TavusRejected(status, "voice_name is not a valid voice"))

    assert (
        text
        == "Tavus refused the request: voice_name is not a valid voice. Fix the form and try again."
    )


@pytest.mark.parametrize(
    "error",
    [
        TavusUnavailable("HTTP 503: Service Unavailable"),
        TavusUnavailable("no connection: ConnectError"),
        TavusError("something else"),
    ],
)
def test_unavailable_says_to_try_again_later(error: TavusError) -> None:
    text = messages.create_failure(error)

    assert text == messages.CREATE_UNAVAILABLE.format(message=str(error))
    assert "Try again in a few minutes" in text


def test_a_timeout_is_never_told_to_simply_try_again() -> None:
    # Trying again after a timeout may create (and bill) the replica twice.
    assert "Try again in a few minutes" not in messages.create_failure(TavusTimeout("t"))


# Text Slack limits


@pytest.mark.parametrize(
    "title",
    [
        messages.FORM_TITLE,
        messages.FORM_SUBMIT,
        messages.FORM_CLOSE,
        messages.ASKED_TITLE,
        messages.NOT_A_CREATOR_TITLE,
        messages.CONSENT_DIALOG_TITLE,
        messages.CONSENT_DIALOG_CONFIRM,
        messages.CONSENT_DIALOG_DENY,
        messages.CONSENT_GIVE_BUTTON,
        messages.CONSENT_DECLINE_BUTTON,
    ],
)
def test_modal_titles_and_buttons_fit_slacks_24_characters(title: str) -> None:
    assert 0 < len(title) <= 24


# Notices the bot sends about a job


@pytest.mark.parametrize(
    "template",
    [
        messages.ANNOUNCEMENT,
        messages.ANNOUNCEMENT_ASKED,
        messages.DECLINED,
        messages.EXPIRED,
        messages.READY,
        messages.FAILED,
        messages.STALE,
        messages.NOT_STARTED_DM,
        messages.UNKNOWN_DM,
    ],
    ids=[
        "announcement",
        "asked",
        "declined",
        "expired",
        "ready",
        "failed",
        "stale",
        "not-started",
        "unknown",
    ],
)
def test_every_notice_to_a_requester_mentions_them(template: str) -> None:
    assert "<@{user}>" in template


def test_the_stale_note_says_checking_stopped_but_a_late_result_still_comes() -> None:
    text = messages.STALE.format(user="U1", name="Dana", replica_id="r1")

    assert "over a day" in text
    assert "stopped checking" in text
    assert "I'll post it here" in text


def test_the_unknown_dm_warns_against_being_charged_twice() -> None:
    text = messages.UNKNOWN_DM.format(user="U1", name="Dana", error="no answer")

    assert "can't tell whether" in text
    assert "charged twice" in text
    assert "Try again in a few minutes" not in text


def test_the_not_started_dm_gives_the_reason_in_plain_words() -> None:
    reason = messages.CREATE_REFUSED.format(message="Insufficient credits")
    text = messages.NOT_STARTED_DM.format(user="U1", name="Dana", error=reason)

    assert "was not created" in text
    assert "Tavus refused the request: Insufficient credits. Fix the form" in text


def test_moved_names_the_channel_it_could_not_reach() -> None:
    text = messages.MOVED.format(channel="C9")

    assert "<#C9>" in text
    assert text.endswith(":")


# One module per surface, every word still read as messages.NAME


def surfaces() -> list[ModuleType]:
    """Every module of the bot.messages package."""
    return [
        importlib.import_module(f"{messages.__name__}.{found.name}")
        for found in pkgutil.iter_modules(messages.__path__)
    ]


def defined_in(module: ModuleType) -> list[str]:
    """The public names a module assigns or defines at its top level, once per definition."""
    assert module.__file__
    names: list[str] = []
    for node in ast.parse(Path(module.__file__).read_text()).body:
        if isinstance(node, ast.Assign):
            names += [target.id for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
    return [name for name in names if not name.startswith("_")]


@pytest.mark.parametrize("module", surfaces(), ids=lambda module: module.__name__)
def test_each_module_exports_every_word_it_defines_once(module: ModuleType) -> None:
    # A word left out of __all__ would vanish from messages.NAME; one defined twice would hide
    # the first.
    assert sorted(module.__all__) == sorted(defined_in(module))


@pytest.mark.parametrize("module", surfaces(), ids=lambda module: module.__name__)
def test_every_word_of_each_module_is_read_as_messages_name(module: ModuleType) -> None:
    words = vars(module)
    lost = [name for name in defined_in(module) if getattr(messages, name, None) is not words[name]]

    assert lost == []


def test_no_two_modules_define_the_same_word() -> None:
    modules_of: defaultdict[str, list[str]] = defaultdict(list)
    for module in surfaces():
        for name in set(defined_in(module)):
            modules_of[name].append(module.__name__)

    assert modules_of, "bot.messages has no modules"
    assert {name: found for name, found in modules_of.items() if len(found) > 1} == {}


def test_messages_says_nothing_its_modules_do_not() -> None:
    modules = {module.__name__.rsplit(".", 1)[1] for module in surfaces()}
    words = {name for module in surfaces() for name in defined_in(module)}
    public = {name for name in vars(messages) if not name.startswith("_")}

    assert public == words | modules
