"""Faces and brightness in sampled frames, found with OpenCV's Haar cascades."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from bot.media.inspection.facts import Face, Look

Gray = NDArray[np.uint8]
# OpenCV 4's wheels ship the cascades; cv2's stubs leave `data` out.
_CASCADES: str = cv2.data.haarcascades  # type: ignore[attr-defined]
_FACES = _CASCADES + "haarcascade_frontalface_default.xml"
_EYES = _CASCADES + "haarcascade_eye.xml"
# The smallest face looked for, as a share of the frame's height: smaller ones are a crowd in
# the background, and the cascade's false finds are mostly small.
_SMALLEST = 0.06
# How sure the cascade must be of a face in which no eye is found (its false finds score 2 or
# less on the test photographs, faces 3 and more).
_SURE = 3.0
# A cascade object is not safe to share between threads; each worker loads its own, once.
_local = threading.local()


def _cascades() -> tuple[cv2.CascadeClassifier, cv2.CascadeClassifier]:
    found: tuple[cv2.CascadeClassifier, cv2.CascadeClassifier] | None = getattr(
        _local, "cascades", None
    )
    if found is None:
        found = (cv2.CascadeClassifier(_FACES), cv2.CascadeClassifier(_EYES))
        _local.cascades = found
    return found


def look(frame: Gray, *, at: float = 0.0, rotation: int = 0) -> Look:
    """The faces in one gray frame and its mean brightness; turned upright first.

    The face cascade alone also finds faces in a shirt's pattern or a badge, so a face counts
    where the cascade is sure of it or an eye is found inside it; when none passes, the
    strongest find is kept as the one face (closed eyes, or glasses: still a face, not nobody).
    """
    upright = np.ascontiguousarray(np.rot90(frame, k=(rotation // 90) % 4))
    height, width = upright.shape[:2]
    faces_cascade, eyes_cascade = _cascades()
    smallest = max(24, int(_SMALLEST * height))
    boxes, _, weights = faces_cascade.detectMultiScale3(
        upright,
        scaleFactor=1.1,
        minNeighbors=5,
        minSize=(smallest, smallest),
        outputRejectLevels=True,
    )
    found = [
        (int(x), int(y), int(w), int(h), float(s))
        for (x, y, w, h), s in zip(boxes, weights, strict=True)
    ]
    seeing = [
        box for box in found if box[4] >= _SURE or _has_an_eye(upright, box[:4], eyes_cascade)
    ]
    if not seeing and found:
        seeing = [max(found, key=lambda box: box[4])]
    faces = tuple(
        Face(
            x=(x + w / 2) / width,
            y=(y + h / 2) / height,
            width=w / width,
            height=h / height,
        )
        for x, y, w, h, _ in seeing
    )
    return Look(at=at, faces=faces, brightness=float(upright.mean()))


def _has_an_eye(frame: Gray, box: Sequence[int], eyes: cv2.CascadeClassifier) -> bool:
    x, y, w, h = box
    # Eyes sit in a face's upper half.
    upper = frame[y : y + h // 2 + h // 8, x : x + w]
    smallest = max(6, w // 8)
    return len(eyes.detectMultiScale(upper, 1.1, 3, minSize=(smallest, smallest))) > 0
