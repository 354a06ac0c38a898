"""Speech and quiet told apart in real speech (espeak-ng), silence and white noise."""

from __future__ import annotations

from functools import cache

import numpy as np

from bot.media.inspection.facts import Hearing
from bot.media.inspection.measure import EVERY, WINDOW
from bot.media.inspection.sound import RATE, hear
from tests import mediafiles as m


def heard(samples: m.Sound) -> Hearing:
    """`samples` heard as the check hears a video: half a second in every four."""
    starts = [n * EVERY + (EVERY - WINDOW) / 2 for n in range(int(len(samples) / RATE // EVERY))]
    windows = [
        (start, samples[round(start * RATE) : round((start + WINDOW) * RATE)]) for start in starts
    ]
    return hear(windows, spacing=EVERY)


@cache
def talk(seconds: float) -> m.Sound:
    return m.fill(m.speech("I am currently speaking and consent Tavus to create a clone"), seconds)


def test_speaking_then_silence_is_speech_first_and_a_silent_listening_stretch() -> None:
    found = heard(np.concatenate([talk(30), m.silence(31)]))

    # Heard every 4 s, lengths are known to 4 s.
    assert found.first_speech == EVERY / 2 - WINDOW / 2
    assert 28 <= found.speech <= 32
    assert found.quiet_start is not None
    assert 29 <= found.quiet_start <= 34
    assert found.quiet >= 28
    assert found.quiet_level is not None
    assert found.quiet_level < -100


def test_hiss_in_the_quiet_is_quiet_and_its_level_is_measured() -> None:
    found = heard(np.concatenate([talk(30), m.noise(31, level=0.02)]))

    # White noise as loud as a quiet voice is not taken for speech: its spectrum is flat.
    assert found.quiet >= 28
    assert found.quiet_level is not None
    assert round(found.quiet_level) == -34


def test_speaking_all_along_has_no_quiet_stretch() -> None:
    found = heard(talk(61))

    assert found.speech >= 56
    assert found.quiet == 0


def test_a_cough_in_the_quiet_is_forgiven() -> None:
    # The cough lands on a window heard (33.75 s to 34.25 s).
    sound = np.concatenate([talk(20), m.silence(13.5), talk(1), m.silence(13.5)])

    found = heard(sound)

    assert found.quiet == 28
    assert found.speech == 24


def test_silence_first_then_speech_has_no_listening_after_the_speaking() -> None:
    found = heard(np.concatenate([m.silence(31), talk(30)]))

    assert found.first_speech is not None
    assert 29 <= found.first_speech <= 34
    assert found.quiet == 0


def test_nothing_to_hear() -> None:
    assert hear([], spacing=EVERY).speech == 0.0
    silent = heard(m.silence(10))
    assert (silent.speech, silent.first_speech) == (0.0, None)
    assert heard(m.noise(10, level=0.1)).speech == 0.0
