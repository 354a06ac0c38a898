"""The consent statement heard offline (pocketsphinx) in speech spoken by espeak-ng, and silence."""

from __future__ import annotations

import io
import shutil
from functools import cache

import numpy as np
import pytest

from bot.governance.receipts import statement_for
from bot.media.inspection.video import open_video
from bot.media.likeness.model import ConsentWords, Unheard
from bot.media.likeness.speech import HEAR_FOR, MODEL, hear_statement, listen
from bot.media.likeness.statement import words_of
from tests import mediafiles as m

needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None,
    reason="espeak-ng speaks the statement: the Debian package espeak-ng (.ci/run installs it)",
)
NAME = "Ada Lovelace"
WORDS = len(words_of(statement_for(NAME)))


@cache
def heard_in_a_video(text: str) -> m.Sound | None:
    """`text` spoken at the start of a video, then silence, heard back as the check hears it."""
    sound = np.concatenate([m.silence(1), m.speech(text), m.silence(40)])
    video = m.video(seconds=len(sound) / m.RATE, frames=lambda _: m.blank(320, 240), sound=sound)
    container = open_video(io.BytesIO(video))
    with container:
        return listen(container, stopped=lambda: False)


@needs_espeak
def test_the_statement_with_the_name_is_heard_nearly_word_for_word() -> None:
    samples = heard_in_a_video(statement_for(NAME))

    found = hear_statement(samples, name=NAME)

    assert found.listened == HEAR_FOR
    assert found.words == WORDS
    assert found.error_rate is not None
    assert found.error_rate <= 0.25
    assert found.name_heard is True
    assert found.why is None


@needs_espeak
def test_the_statement_without_the_name_is_heard_without_it() -> None:
    samples = heard_in_a_video(statement_for(NAME).replace(f"{NAME}, ", ""))

    found = hear_statement(samples, name=NAME)

    assert found.name_heard is False
    assert found.error_rate is not None
    assert found.error_rate <= 0.35


@needs_espeak
def test_someone_elses_name_is_not_heard_as_the_persons() -> None:
    found = hear_statement(heard_in_a_video(statement_for("Eileen Collins")), name=NAME)

    assert found.name_heard is False


@needs_espeak
def test_other_words_are_not_heard_as_the_statement() -> None:
    samples = heard_in_a_video(
        "The weather today is sunny with a light breeze from the west, and after lunch we will "
        "walk down to the beach and swim until the evening."
    )

    found = hear_statement(samples, name=NAME)

    assert found.error_rate is not None
    assert found.error_rate >= 0.7
    assert found.name_heard is False


def test_silence_is_nothing_heard() -> None:
    found = hear_statement(m.silence(HEAR_FOR), name=NAME)

    assert found.error_rate is not None
    assert found.error_rate >= 0.9
    assert found.heard <= 2
    assert found.name_heard is False


def test_no_sound_track_is_said_as_such() -> None:
    video = m.video(seconds=2, frames=lambda _: m.blank(320, 240))
    container = open_video(io.BytesIO(video))
    with container:
        samples = listen(container, stopped=lambda: False)

    assert samples is None
    assert hear_statement(samples, name=NAME) == ConsentWords(
        model=MODEL,
        listened=0.0,
        words=WORDS,
        why=Unheard.NO_SOUND,
    )


def test_a_name_the_dictionary_cannot_say_is_neither_heard_nor_unheard() -> None:
    found = hear_statement(m.silence(2), name="Zqxw Lovelace")

    assert found.name_heard is None
