"""A comparison's verdict from the faces' distances, frame by frame (pure)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from bot.media.likeness.model import FaceMatch, Likeness, Unsure

# dlib's own threshold for its ResNet descriptors: two faces nearer than this are one person.
# Its author reports 99.38 % on the LFW benchmark with it (dlib.net, 2017).
THRESHOLD = 0.6
MODEL = "dlib_face_recognition_resnet_model_v1"
# Frames with a face a verdict needs, either way (or every frame there is, an image's one): a
# face or two turned away, blurred or in shadow must not decide alone.
SURE_FRAMES = 3


def verdict(
    distances: Sequence[float | None], *, threshold: float = THRESHOLD, model: str = MODEL
) -> FaceMatch:
    """Match, mismatch or unsure, from one distance per frame looked at (None: no face in it).

    A match needs most frames with a face within the threshold. A mismatch, which holds the job,
    needs every one of them beyond it: one frame within says the person is there, and a frame
    that disagrees is a bad frame more often than a second person (the media check looks for
    those). Anything between is unsure, as are too few frames.
    """
    found = [d for d in distances if d is not None]
    agreed = sum(1 for d in found if d <= threshold)
    outcome, why = _decide(len(distances), len(found), agreed)
    return FaceMatch(
        outcome=outcome,
        model=model,
        threshold=threshold,
        frames=len(distances),
        with_face=len(found),
        agreed=agreed,
        best=round(min(found), 4) if found else None,
        median=round(statistics.median(found), 4) if found else None,
        why=why,
    )


def unsure(
    why: Unsure, *, frames: int = 0, threshold: float = THRESHOLD, model: str = MODEL
) -> FaceMatch:
    """No comparison, and why (a profile photo without one face, media that could not be read)."""
    return FaceMatch(
        outcome=Likeness.CANNOT_COMPARE, model=model, threshold=threshold, frames=frames, why=why
    )


def _decide(frames: int, found: int, agreed: int) -> tuple[Likeness, Unsure | None]:
    if found == 0:
        return Likeness.CANNOT_COMPARE, Unsure.NO_USABLE_FRAME
    if found < min(SURE_FRAMES, frames):
        return Likeness.CANNOT_COMPARE, Unsure.TOO_FEW_FRAMES
    if agreed * 2 > found:
        return Likeness.MATCH, None
    if agreed == 0:
        return Likeness.MISMATCH, None
    return Likeness.CANNOT_COMPARE, Unsure.MIXED
