"""Speech and quiet told apart in real speech (espeak-ng), silence and white noise."""

from __future__ import annotations

from functools import cache

import numpy as np

from bot.media.inspection.sound import hear
from tests import mediafiles as m


@cache
def talk(seconds: float) -> m.Sound:
    return m.fill(m.speech("I am currently speaking and consent Tavus to create a clone"), seconds)


def test_speaking_then_silence_is_speech_first_and_a_silent_listening_stretch() -> None:
    heard = hear(np.concatenate([talk(30), m.silence(31)]))

    assert heard.first_speech == 0.0
    assert 29 <= heard.speech <= 31
    assert heard.quiet_start is not None
    assert 30 <= heard.quiet_start <= 31
    assert heard.quiet >= 29
    assert heard.quiet_level is not None
    assert heard.quiet_level < -100


def test_hiss_in_the_quiet_is_quiet_and_its_level_is_measured() -> None:
    heard = hear(np.concatenate([talk(30), m.noise(31, level=0.02)]))

    # White noise as loud as a quiet voice is not taken for speech: its spectrum is flat.
    assert heard.quiet >= 29
    assert heard.quiet_level is not None
    assert round(heard.quiet_level) == -34


def test_speaking_all_along_has_no_quiet_stretch() -> None:
    heard = hear(talk(61))

    assert heard.speech >= 59
    assert heard.quiet < 3


def test_a_pause_between_sentences_is_forgiven_a_cough_in_the_quiet_too() -> None:
    cough = talk(1)
    heard = hear(np.concatenate([talk(20), m.silence(12), cough, m.silence(12)]))

    assert heard.quiet >= 24


def test_silence_first_then_speech_has_no_listening_after_the_speaking() -> None:
    heard = hear(np.concatenate([m.silence(31), talk(30)]))

    assert heard.first_speech is not None
    assert 30 <= heard.first_speech <= 31
    assert heard.quiet < 3


def test_nothing_to_hear() -> None:
    assert hear(np.zeros(0, dtype=np.int16)).speech == 0.0
    silent = hear(m.silence(10))
    assert (silent.speech, silent.first_speech) == (0.0, None)
    assert hear(m.noise(10, level=0.1)).speech == 0.0
