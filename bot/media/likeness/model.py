"""What the likeness check found, as values a receipt keeps: numbers and verdicts, never media."""

from __future__ import annotations

import enum
import json
from dataclasses import asdict, dataclass
from typing import Any


class Likeness(enum.StrEnum):
    """Whether the face in the training media is the consenting person's profile photo's."""

    MATCH = "match"
    # Held before Tavus: every frame with a face is someone else.
    MISMATCH = "mismatch"
    # Said as "unverified": never proof either way.
    CANNOT_COMPARE = "cannot compare"


class Unsure(enum.StrEnum):
    """Why two faces could not be compared."""

    NO_FACE_IN_PHOTO = "no face in the profile photo"
    SEVERAL_FACES_IN_PHOTO = "several faces in the profile photo"
    NO_USABLE_FRAME = "no face in the training media"
    TOO_FEW_FRAMES = "too few frames with a face"
    MIXED = "some frames match and some do not"
    UNREADABLE = "the media could not be read"
    FAILED = "the comparison failed"


@dataclass(frozen=True, slots=True)
class FaceMatch:
    """One comparison of a profile photo with frames of the training media.

    Distances are Euclidean, between the models' 128-number descriptors of the two faces;
    `frames` were looked at, `with_face` had one, `agreed` were within `threshold`.
    """

    outcome: Likeness
    model: str
    threshold: float
    frames: int = 0
    with_face: int = 0
    agreed: int = 0
    best: float | None = None
    median: float | None = None
    why: Unsure | None = None

    def to_json(self) -> str:
        """The comparison as a receipt keeps it."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, stored: str) -> FaceMatch:
        """A comparison a receipt kept."""
        data: dict[str, Any] = json.loads(stored)
        why = data.get("why")
        return cls(
            outcome=Likeness(data["outcome"]),
            model=str(data["model"]),
            threshold=float(data["threshold"]),
            frames=int(data.get("frames", 0)),
            with_face=int(data.get("with_face", 0)),
            agreed=int(data.get("agreed", 0)),
            best=_number(data.get("best")),
            median=_number(data.get("median")),
            why=Unsure(why) if why is not None else None,
        )


class Unheard(enum.StrEnum):
    """Why the consent words could not be listened to."""

    NO_SOUND = "no sound"
    UNREADABLE = "the sound could not be read"
    FAILED = "the recognizer failed"


@dataclass(frozen=True, slots=True)
class ConsentWords:
    """How much of the consent statement the recognizer heard in the first seconds of speech.

    `error_rate`: the word error rate of what was heard against the statement (0 is every word
    in order; 1 or more is none of them). `name_heard` is None where the recognizer's dictionary
    cannot say one of the name's words. Advice only: never a reason to stop.
    """

    model: str
    listened: float  # seconds of sound recognized
    words: int  # the statement's words
    heard: int = 0  # words recognized, whichever they were
    error_rate: float | None = None
    name_heard: bool | None = None
    why: Unheard | None = None

    def to_json(self) -> str:
        """The listening as a receipt keeps it: numbers, never the words heard."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, stored: str) -> ConsentWords:
        """A listening a receipt kept."""
        data: dict[str, Any] = json.loads(stored)
        why = data.get("why")
        name_heard = data.get("name_heard")
        return cls(
            model=str(data["model"]),
            listened=float(data["listened"]),
            words=int(data["words"]),
            heard=int(data.get("heard", 0)),
            error_rate=_number(data.get("error_rate")),
            name_heard=bool(name_heard) if name_heard is not None else None,
            why=Unheard(why) if why is not None else None,
        )


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None
