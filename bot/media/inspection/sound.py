"""Speech and quiet in a sound track, found with numpy: speaking, then the listening after it."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from bot.media.inspection.facts import Hearing

RATE = 16_000
# Sound is judged 30 ms at a time (a speech sound's length), then second by second.
_FRAME = 480
_FFT = 512
_PER_SECOND = RATE // _FRAME
# Below this a frame is quiet whatever it holds (dBFS): a quiet room, a breath.
_QUIETEST_SPEECH = -50.0
# Speech stands this far above the loudest part's level…
_BELOW_LOUDEST = 30.0
# …and its spectrum is peaked (harmonics, formants); a hiss, a fan or traffic is flat. Spectral
# flatness is near 0.56 for white noise, under 0.3 for voiced speech.
_FLATTEST_SPEECH = 0.35
# A second is speech when this share of its frames is (words have gaps between them).
_SPOKEN_SECOND = 0.2
# A quiet stretch survives a sound of two seconds or less in it (a cough, a chair), as long as
# such sounds stay within a tenth of it.
_BLIP = 2
_FORGIVEN = 0.1


def hear(samples: NDArray[np.int16]) -> Hearing:
    """When speech starts, how much there is, and the longest quiet stretch after it."""
    frames = len(samples) // _FRAME
    heard = len(samples) / RATE
    if frames == 0:
        return Hearing(heard=heard, speech=0.0, first_speech=None)
    chunks = samples[: frames * _FRAME].astype(np.float64).reshape(frames, _FRAME) / 32768.0
    levels = _decibels(np.sqrt(np.mean(chunks**2, axis=1)))
    flatness = _flatness(chunks)
    loud_enough = max(_QUIETEST_SPEECH, float(np.percentile(levels, 95)) - _BELOW_LOUDEST)
    speaking = (levels > loud_enough) & (flatness < _FLATTEST_SPEECH)
    seconds = frames // _PER_SECOND
    per_second = (
        speaking[: seconds * _PER_SECOND].reshape(seconds, _PER_SECOND).mean(axis=1)
        >= _SPOKEN_SECOND
        if seconds
        else np.zeros(0, dtype=bool)
    )
    spoken = np.flatnonzero(per_second)
    if spoken.size == 0:
        return Hearing(heard=heard, speech=0.0, first_speech=None)
    start, length = _longest_quiet(per_second, after=int(spoken[0]))
    # The quiet's typical level (the median of its frames): a room's hum or hiss is steady, and
    # a cough in it, or the last syllable before it, says nothing of the room.
    quiet_level = (
        float(np.median(levels[start * _PER_SECOND : (start + length) * _PER_SECOND]))
        if length
        else None
    )
    return Hearing(
        heard=heard,
        speech=float(spoken.size),
        first_speech=float(spoken[0]),
        quiet_start=float(start) if length else None,
        quiet=float(length),
        quiet_level=quiet_level,
    )


def _decibels(rms: NDArray[np.float64] | np.float64) -> NDArray[np.float64]:
    # Digital silence is -120 dBFS rather than minus infinity: it compares, and prints.
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-6)), dtype=np.float64)


def _flatness(chunks: NDArray[np.float64]) -> NDArray[np.float64]:
    power = np.abs(np.fft.rfft(chunks * np.hanning(_FRAME), n=_FFT, axis=1)) ** 2 + 1e-12
    geometric = np.exp(np.mean(np.log(power), axis=1))
    return np.asarray(geometric / np.mean(power, axis=1), dtype=np.float64)


def _longest_quiet(per_second: NDArray[np.bool_], *, after: int) -> tuple[int, int]:
    """The longest quiet stretch from `after`, a cough in it forgiven: its start and length."""
    runs: list[list[int]] = []  # [start, end, spoken seconds forgiven within]
    second = after
    while second < len(per_second):
        if per_second[second]:
            second += 1
            continue
        end = second
        while end < len(per_second) and not per_second[end]:
            end += 1
        gap = second - runs[-1][1] if runs else 0
        if runs and gap <= _BLIP and runs[-1][2] + gap <= _FORGIVEN * (end - runs[-1][0]):
            runs[-1][1:] = [end, runs[-1][2] + gap]
        else:
            runs.append([second, end, 0])
        second = end
    start, end, _ = max(runs, key=lambda run: run[1] - run[0], default=[0, 0, 0])
    return start, end - start
