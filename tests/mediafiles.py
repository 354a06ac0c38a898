"""Real media for the tests: videos and images encoded with PyAV from real photographs.

The face is scikit-image's `data.astronaut()` (a photograph of Eileen Collins); two of it side by
side are two people; a blank frame has none. Speech is spoken by espeak-ng (a Debian package
.ci/run installs), silence is zeros and noise is seeded white noise, so every file is the same
from run to run.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
import wave
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image
from skimage import data

Frame = NDArray[np.uint8]  # height × width × 3, RGB
Sound = NDArray[np.int16]  # mono samples at RATE
RATE = 16_000


def face(
    width: int,
    height: int,
    *,
    people: int = 1,
    share: float = 0.5,
    shift: float = 0.0,
    light: float = 1.0,
) -> Frame:
    """A frame with `people` copies of the astronaut's head and shoulders side by side.

    `share`: how much of the frame's height the photograph fills; `shift`: how far its centre
    sits from the frame's, as a share of the width (negative is left); `light`: a brightness
    factor.
    """
    photo = Image.fromarray(data.astronaut()).crop((100, 0, 400, 300))  # head and shoulders
    side = max(8, int(height * share))
    photo = photo.resize((side, side))
    canvas = Image.new("RGB", (width, height), (40, 40, 48))
    total = side * people
    left = int((width - total) / 2 + shift * width)
    for n in range(people):
        canvas.paste(photo, (left + n * side, (height - side) // 2))
    pixels = np.asarray(canvas, dtype=np.float32) * light
    return np.clip(pixels, 0, 255).astype(np.uint8)


def blank(width: int, height: int) -> Frame:
    """A frame with nobody in it."""
    return np.full((height, width, 3), 60, dtype=np.uint8)


def speech(text: str) -> Sound:
    """`text` spoken by espeak-ng, resampled to RATE."""
    with tempfile.TemporaryDirectory() as folder:
        wav = Path(folder) / "speech.wav"
        # The words are the test's own, and espeak-ng is found on PATH as .ci/run installs it.
        subprocess.run(  # noqa: S603
            ["espeak-ng", "-w", str(wav), text],  # noqa: S607
            check=True,
            capture_output=True,
        )
        with wave.open(str(wav)) as read:
            rate = read.getframerate()
            samples = np.frombuffer(read.readframes(read.getnframes()), dtype=np.int16)
    # Linear resampling is enough for a detector that listens for speech, not for words.
    positions = np.arange(0, len(samples), rate / RATE)
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.int16)


def silence(seconds: float) -> Sound:
    """Nothing to hear."""
    return np.zeros(int(seconds * RATE), dtype=np.int16)


def noise(seconds: float, *, level: float = 0.1, seed: int = 7) -> Sound:
    """White noise at `level` of full scale."""
    rng = np.random.default_rng(seed)
    return (
        (rng.standard_normal(int(seconds * RATE)) * level * 32767)
        .clip(-32768, 32767)
        .astype(np.int16)
    )


def fill(sound: Sound, seconds: float) -> Sound:
    """`sound` repeated until it lasts `seconds`."""
    wanted = int(seconds * RATE)
    repeats = -(-wanted // max(1, len(sound)))
    return np.tile(sound, repeats)[:wanted]


def video(
    *,
    seconds: float,
    frames: Callable[[int], Frame],
    fps: int = 25,
    sound: Sound | None = None,
    container: str = "mp4",
    codec: str = "libx264",
    audio_codec: str = "aac",
    index_first: bool = True,
    rotation: int = 0,
    bframes: int = 0,
    keyframe_every: int | None = None,
) -> bytes:
    """A video of `frames(n)` for n in 0…, `seconds` long, with `sound` (if any) as its track.

    `index_first`: the MP4 index (moov) before the data, as web uploads have it; False leaves it
    at the end, as cameras write it. `rotation`: degrees counter-clockwise players turn the
    picture by (a phone held upright records 1920×1080 turned by 90). `bframes`: H.264's
    B-frames between the others, as desktop exports have them. `keyframe_every`: frames from
    one keyframe to the next (x264's 250 unless given; phones write one a second or two).
    """
    options = {"movflags": "faststart"} if index_first and container == "mp4" else {}
    # A file, not a buffer: moving the index to the front is a second pass over what was written.
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"video.{container}"
        _encode(
            path,
            options,
            seconds,
            frames,
            fps,
            sound,
            container,
            codec,
            audio_codec,
            rotation,
            bframes,
            keyframe_every,
        )
        return path.read_bytes()


def _encode(
    path: Path,
    options: dict[str, str],
    seconds: float,
    frames: Callable[[int], Frame],
    fps: int,
    sound: Sound | None,
    container: str,
    codec: str,
    audio_codec: str,
    rotation: int,
    bframes: int,
    keyframe_every: int | None = None,
) -> None:
    with av.open(str(path), "w", format=container, options=options) as out:
        first = frames(0)
        picture = out.add_stream(codec, rate=fps)
        picture.width, picture.height = first.shape[1], first.shape[0]
        picture.pix_fmt = "yuv420p"
        if rotation:
            picture.set_display_rotation(rotation)
        if codec == "libx264":
            picture.options = {"preset": "ultrafast", "bf": str(bframes)}
            if keyframe_every is not None:
                picture.options = {**picture.options, "g": str(keyframe_every)}
        track = out.add_stream(audio_codec, rate=RATE, layout="mono") if sound is not None else None
        heard = 0  # samples of sound encoded so far
        last: tuple[Frame, av.VideoFrame] | None = None
        for n in range(int(seconds * fps)):
            pixels = frames(n)
            if last is None or last[0] is not pixels:
                # A still (the same array again) is converted once: at 1080p the conversion
                # costs as much as the encoding.
                converted = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                last = (pixels, converted.reformat(format="yuv420p"))
            last[1].pts = n
            last[1].time_base = Fraction(1, fps)
            for packet in picture.encode(last[1]):
                out.mux(packet)
            # The sound goes along with the picture, as cameras write it: interleaved in the
            # file a moment at a time, not all of it after all of the picture.
            if track is not None and sound is not None:
                heard = _sound_until(out, track, sound, heard, (n + 1) * RATE // fps)
        for packet in picture.encode():
            out.mux(packet)
        if track is not None and sound is not None:
            _sound_until(out, track, sound, heard, len(sound))
            for packet in track.encode():
                out.mux(packet)


def _sound_until(
    out: av.container.OutputContainer,
    track: av.AudioStream,
    sound: Sound,
    heard: int,
    until: int,
) -> int:
    """Encode `sound` from sample `heard` on to `until`, a block at a time; where it got to."""
    step = 1024
    while heard < min(until, len(sound)):
        chunk = av.AudioFrame.from_ndarray(
            sound[heard : heard + step].reshape(1, -1), format="s16", layout="mono"
        )
        chunk.sample_rate = RATE
        chunk.pts = heard
        chunk.time_base = Fraction(1, RATE)
        for packet in track.encode(chunk):
            out.mux(packet)
        heard += step
    return heard


def image(frame: Frame, *, kind: str = "JPEG") -> bytes:
    """`frame` encoded as a JPEG or PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(frame).save(buffer, kind)
    return buffer.getvalue()
