"""What measuring a file found, as plain values, before anything is judged (pure)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from bot.media.inspection.ranged import Why


class Part(enum.StrEnum):
    """A part of the check that may not run, each said as an unchecked finding."""

    FILE = "file"  # nothing could be read: the container, or the image
    FACES = "faces"
    SOUND = "sound"


@dataclass(frozen=True, slots=True)
class Streams:
    """A video's container and streams, as FFmpeg reads them."""

    # What the file is: "mp4", "quicktime", "webm", "matroska", else FFmpeg's demuxer name.
    container: str
    video_codec: str | None  # FFmpeg's codec name ("h264", "hevc", "vp9"); None: no video
    audio_codec: str | None  # None: no sound track
    seconds: float | None
    fps: float | None
    width: int
    height: int
    rotation: int = 0  # degrees, as the file asks players to turn it

    @property
    def shorter_side(self) -> int:
        """The picture's shorter side, whichever way it is turned."""
        return min(self.width, self.height)


@dataclass(frozen=True, slots=True)
class Picture:
    """An image as Pillow reads it, turned as its EXIF orientation says."""

    format: str  # Pillow's: "JPEG", "PNG", "WEBP", …
    width: int
    height: int
    orientation: int = 1  # EXIF's 1–8; 1 is upright


@dataclass(frozen=True, slots=True)
class Face:
    """A face found in a frame: its box's centre and size, as shares of the frame's."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class Look:
    """One sampled frame: when, the faces in it, and its mean brightness (0–255)."""

    at: float
    faces: tuple[Face, ...]
    brightness: float


@dataclass(frozen=True, slots=True)
class Hearing:
    """What the sound's first minutes hold: speech, then the longest quiet after it."""

    heard: float  # seconds of sound listened to
    speech: float  # seconds of it that sound like speech
    first_speech: float | None  # when speech starts
    # The longest stretch without speech that starts after speech, and how loud it is.
    quiet_start: float | None = None
    quiet: float = 0.0
    quiet_level: float | None = None  # dBFS; None when there is no quiet stretch


@dataclass(frozen=True, slots=True)
class Measured:
    """Everything measured of one file; what could not be, and why, in `unchecked`."""

    size: int | None = None
    streams: Streams | None = None
    picture: Picture | None = None
    looks: tuple[Look, ...] = ()
    hearing: Hearing | None = None
    unchecked: tuple[tuple[Part, Why], ...] = field(default=())
    bytes_read: int = 0
