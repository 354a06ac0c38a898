"""Training videos as the media check's flows send them, each encoded once a test run."""

from __future__ import annotations

from functools import cache

import numpy as np

from tests import mediafiles as m


@cache
def sound(seconds: float) -> m.Sound:
    """Speaking for half of it (30 s at most), then silence: lips closed, listening."""
    words = m.speech("I am currently speaking and consent Tavus to create an AI clone of me")
    speaking = min(30.0, seconds / 2)
    return np.concatenate([m.fill(words, speaking), m.silence(seconds - speaking)])


@cache
def recording(seconds: float = 61, width: int = 1920, height: int = 1080) -> bytes:
    """One centred face, speaking then listening: 61 s at 1080p and 25 fps is what Tavus asks."""
    frame = m.face(width, height, share=0.7)
    return m.video(seconds=seconds, frames=lambda _: frame, sound=sound(seconds))
