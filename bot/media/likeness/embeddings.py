"""Faces compared with dlib: found (HOG), aligned (5 points), described (ResNet), measured apart."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import cv2
import dlib
import numpy as np
from numpy.typing import NDArray

from bot.media.likeness.model import FaceMatch, Unsure
from bot.media.likeness.verdict import unsure, verdict

Pixels = NDArray[np.uint8]  # height × width × 3 (RGB) or height × width (gray)
# The models ship in face_recognition_models' wheel: found through its files' record, not by
# importing it (its __init__ imports pkg_resources, which newer setuptools no longer ship).
_PACKAGE = "face_recognition_models"
_LANDMARKS = "face_recognition_models/models/shape_predictor_5_face_landmarks.dat"
_DESCRIBER = "face_recognition_models/models/dlib_face_recognition_resnet_model_v1.dat"
# Pictures are scaled down to this on their longer side first: the detector's cost grows with
# pixels, and a face of a tenth of it (100 pixels) is all the describer's 150-pixel chip needs.
LONGEST = 1000
# A picture in which no face is found at its size is looked at again at twice it: HOG finds
# faces of 80 pixels and more, so a face of 40 is found only that way (a small profile photo).
_SMALLEST_UPSAMPLED = 600
# A second face in a profile photo counts when it is at least this share of the largest's
# height: smaller ones stand in the background, and the photo is of the largest.
_BESIDE = 0.5


@dataclass(frozen=True, slots=True)
class _Models:
    detector: dlib.fhog_object_detector
    landmarks: dlib.shape_predictor
    describer: dlib.face_recognition_model_v1


# dlib's detector and network keep state while they run, so no two threads may use one at
# once; and its Python bindings hold the GIL throughout (two threads took twice as long as
# one), so a set per thread would cost its memory again for no speed. One set, one at a time.
_lock = threading.Lock()
_loaded: _Models | None = None


def load() -> None:
    """Load the models now rather than with the first comparison (they are kept for good)."""
    with _lock:
        _models()


def _models() -> _Models:
    global _loaded  # loaded once per process, under _lock
    if _loaded is None:
        files = metadata.distribution(_PACKAGE)
        _loaded = _Models(
            detector=dlib.get_frontal_face_detector(),
            landmarks=dlib.shape_predictor(str(Path(str(files.locate_file(_LANDMARKS))))),
            describer=dlib.face_recognition_model_v1(str(Path(str(files.locate_file(_DESCRIBER))))),
        )
    return _loaded


def compare(photo: Pixels, frames: Sequence[Pixels]) -> FaceMatch:
    """The profile photo's one face compared with the largest face in each frame."""
    with _lock:
        models = _models()
        faces = _describe(models, photo)
        if not faces:
            return unsure(Unsure.NO_FACE_IN_PHOTO, frames=len(frames))
        largest = max(height for height, _ in faces)
        if sum(1 for height, _ in faces if height >= _BESIDE * largest) > 1:
            return unsure(Unsure.SEVERAL_FACES_IN_PHOTO, frames=len(frames))
        person = next(found for height, found in faces if height == largest)
        distances: list[float | None] = []
        for frame in frames:
            seen = _describe(models, frame)
            if not seen:
                distances.append(None)
                continue
            _, shown = max(seen, key=lambda face: face[0])
            distances.append(float(np.linalg.norm(shown - person)))
    return verdict(distances)


def _describe(models: _Models, pixels: Pixels) -> list[tuple[int, NDArray[np.float64]]]:
    """Each face found in a picture: its height in pixels and its 128-number descriptor."""
    picture = _prepared(pixels)
    found = models.detector(picture, 0)
    if not found and max(picture.shape[:2]) <= _SMALLEST_UPSAMPLED:
        found = models.detector(picture, 1)
    faces = []
    for box in found:
        shape = models.landmarks(picture, box)
        descriptor = models.describer.compute_face_descriptor(picture, shape)
        faces.append((int(box.height()), np.asarray(descriptor, dtype=np.float64)))
    return faces


def _prepared(pixels: Pixels) -> Pixels:
    """RGB, contiguous, at most LONGEST on its longer side: what dlib reads."""
    colour = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB) if pixels.ndim == 2 else pixels
    height, width = colour.shape[:2]
    if max(height, width) > LONGEST:
        scale = LONGEST / max(height, width)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        colour = cv2.resize(colour, size, interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(colour, dtype=np.uint8)
