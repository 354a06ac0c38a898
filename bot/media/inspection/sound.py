"""Speech and quiet in a sound track, found with numpy: speaking, then the listening after it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bot.media.inspection.facts import Hearing

RATE = 16_000
# Sound is judged 30 ms at a time (a speech sound's length), then window by window.
_FRAME = 480
_FFT = 512
# Below this a frame is quiet whatever it holds (dBFS): a quiet room, a breath.
_QUIETEST_SPEECH = -50.0
# Speech stands this far above the loudest part's level…
_BELOW_LOUDEST = 30.0
# …and its spectrum is peaked (harmonics, formants); a hiss, a fan or traffic is flat. Spectral
# flatness is near 0.56 for white noise, under 0.3 for voiced speech.
_FLATTEST_SPEECH = 0.35
# A window is speech when this share of its frames is (words have gaps between them).
_SPOKEN = 0.2
# A quiet stretch survives one spoken window in it (a cough, a chair), as long as such windows
# stay within a sixth of it: one in a 30 s stretch heard every 4 s.
_FORGIVEN = 1 / 6


def hear(windows: Sequence[tuple[float, NDArray[np.int16]]], *, spacing: float) -> Hearing:
    """When speech starts, how much there is, and the longest quiet stretch after it.

    `windows`: short stretches of sound (start, samples), one every `spacing` seconds; each
    stands for its `spacing` seconds, so lengths are known to a window's spacing.
    """
    found = [(start, samples) for start, samples in windows if len(samples) >= _FRAME]
    heard = sum(len(samples) for _, samples in found) / RATE
    if not found:
        return Hearing(heard=heard, speech=0.0, first_speech=None)
    levels = [_levels(samples) for _, samples in found]
    every = np.concatenate([level for level, _ in levels])
    loud_enough = max(_QUIETEST_SPEECH, float(np.percentile(every, 95)) - _BELOW_LOUDEST)
    spoken = [
        bool(np.mean((level > loud_enough) & (flat < _FLATTEST_SPEECH)) >= _SPOKEN)
        for level, flat in levels
    ]
    if not any(spoken):
        return Hearing(heard=heard, speech=0.0, first_speech=None)
    first = spoken.index(True)
    start, end = _longest_quiet(spoken, after=first)
    quiet = [float(np.median(levels[n][0])) for n in range(start, end) if not spoken[n]]
    return Hearing(
        heard=heard,
        speech=sum(spoken) * spacing,
        first_speech=found[first][0],
        quiet_start=found[start][0] if end > start else None,
        quiet=(end - start) * spacing,
        # The quiet's typical level (the median of its windows'): a room's hum or hiss is
        # steady, and a cough in it says nothing of the room.
        quiet_level=float(np.median(quiet)) if quiet else None,
    )


def _levels(samples: NDArray[np.int16]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Each 30 ms frame's level (dBFS) and spectral flatness."""
    frames = len(samples) // _FRAME
    chunks = samples[: frames * _FRAME].astype(np.float64).reshape(frames, _FRAME) / 32768.0
    return _decibels(np.sqrt(np.mean(chunks**2, axis=1))), _flatness(chunks)


def _decibels(rms: NDArray[np.float64] | np.float64) -> NDArray[np.float64]:
    # Digital silence is -120 dBFS rather than minus infinity: it compares, and prints.
    return np.asarray(20 * np.log10(np.maximum(rms, 1e-6)), dtype=np.float64)


def _flatness(chunks: NDArray[np.float64]) -> NDArray[np.float64]:
    power = np.abs(np.fft.rfft(chunks * np.hanning(_FRAME), n=_FFT, axis=1)) ** 2 + 1e-12
    geometric = np.exp(np.mean(np.log(power), axis=1))
    return np.asarray(geometric / np.mean(power, axis=1), dtype=np.float64)


def _longest_quiet(spoken: Sequence[bool], *, after: int) -> tuple[int, int]:
    """The longest run of quiet windows from `after`, a cough in it forgiven: start, end."""
    runs: list[list[int]] = []  # [start, end, spoken windows forgiven within]
    at = after
    while at < len(spoken):
        if spoken[at]:
            at += 1
            continue
        end = at
        while end < len(spoken) and not spoken[end]:
            end += 1
        gap = at - runs[-1][1] if runs else 0
        if runs and gap == 1 and runs[-1][2] + 1 <= _FORGIVEN * (end - runs[-1][0]):
            runs[-1][1:] = [end, runs[-1][2] + 1]
        else:
            runs.append([at, end, 0])
        at = end
    start, end, _ = max(runs, key=lambda run: run[1] - run[0], default=[0, 0, 0])
    return start, end
