"""One file measured in a worker thread: streams, sampled frames' faces and light, sound."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import av

from bot.media.inspection.faces import look
from bot.media.inspection.facts import Hearing, Look, Measured, Part, Streams
from bot.media.inspection.image import gray, read_picture
from bot.media.inspection.ranged import BLOCK, RangedFile, Unreadable, Why
from bot.media.inspection.sound import hear
from bot.media.inspection.video import open_video, sample, sound, streams

# Frames sampled across a video: enough to see a second person who stays a while, or a light
# switched on, at a keyframe's cost each.
SAMPLES = 10
# The sound listened to from the start: a consent statement, about 30 s of speaking and 30 s of
# listening, with room to spare; what comes after says nothing the check asks. It is heard half
# a second in every four: enough to tell speech from quiet, at a quarter of a keyframe's bytes
# each (the picture around the sound is read too).
LISTEN_FOR = 100.0
EVERY = 4.0
WINDOW = 0.5
# What is read of the file's start to tell a WebM from a Matroska file.
_HEAD = 64


def measure_video(file: RangedFile, *, stopped: Callable[[], bool]) -> Measured:
    """Everything the check looks at in a video; each part that could not run, and why."""
    unchecked: list[tuple[Part, Why]] = []
    try:
        head = file.read(_HEAD)
        file.seek(0)
        container = open_video(file)
        file.failed()
    except Unreadable as exc:
        return Measured(
            size=file.size, unchecked=((Part.FILE, _why(file, exc)),), bytes_read=file.bytes_read
        )
    with container:
        found = streams(container, head)
        looks: tuple[Look, ...] = ()
        try:
            looks, found = _look(container, file, found, stopped)
            file.failed()
        except (Unreadable, av.FFmpegError) as exc:
            unchecked.append((Part.FACES, _why(file, exc)))
        hearing: Hearing | None = None
        if found.audio_codec is not None:
            try:
                # A window is its share of the file's bytes (picture and all): one read each.
                file.expect(round(WINDOW * _bytes_a_second(file, found)) + BLOCK)
                span = min(LISTEN_FOR, found.seconds or LISTEN_FOR)
                starts = [n * EVERY + (EVERY - WINDOW) / 2 for n in range(int(span // EVERY))]
                windows = sound(container, starts=starts, width=WINDOW, stopped=stopped)
                file.failed()
                hearing = hear(windows, spacing=EVERY) if windows is not None else None
            except (Unreadable, av.FFmpegError) as exc:
                unchecked.append((Part.SOUND, _why(file, exc)))
    return Measured(
        size=file.size,
        streams=found,
        looks=looks,
        hearing=hearing,
        unchecked=tuple(unchecked),
        bytes_read=file.bytes_read,
    )


def _look(
    container: av.container.InputContainer,
    file: RangedFile,
    found: Streams,
    stopped: Callable[[], bool],
) -> tuple[tuple[Look, ...], Streams]:
    """The sampled frames' faces and light; the streams with the picture's sides as shown."""
    looks: list[Look] = []
    # A keyframe is some ten frames' worth of the picture's bytes: read in one go after a seek.
    file.expect(10 * _bytes_a_second(file, found) // max(1, round(found.fps or 25)))
    for at, rotation, frame in sample(
        container, count=SAMPLES, seconds=found.seconds, stopped=stopped
    ):
        if stopped():
            raise Unreadable(Why.OUT_OF_TIME)
        looks.append(look(frame, at=at, rotation=rotation))
        if rotation % 180 == 90 and found.rotation != rotation:
            # Turned a quarter (a phone held upright): shown with its sides swapped.
            found = dataclasses.replace(
                found, rotation=rotation, width=found.height, height=found.width
            )
    if not looks and found.video_codec is not None:
        raise Unreadable(Why.UNREADABLE, "no frame could be decoded")
    return tuple(looks), found


def measure_image(file: RangedFile, *, stopped: Callable[[], bool]) -> Measured:
    """An image's format, size and faces; what could not be looked at, and why."""
    try:
        picture, image = read_picture(file)
        file.failed()
    except Unreadable as exc:
        return Measured(
            size=file.size, unchecked=((Part.FILE, _why(file, exc)),), bytes_read=file.bytes_read
        )
    with image:
        try:
            if stopped():
                raise Unreadable(Why.OUT_OF_TIME)
            pixels = gray(image)
            file.failed()
            seen = (look(pixels),)
        except Unreadable as exc:
            return Measured(
                size=file.size,
                picture=picture,
                unchecked=((Part.FACES, _why(file, exc)),),
                bytes_read=file.bytes_read,
            )
    return Measured(size=file.size, picture=picture, looks=seen, bytes_read=file.bytes_read)


def _bytes_a_second(file: RangedFile, found: Streams) -> int:
    return round(file.size / found.seconds) if found.seconds else BLOCK


def _why(file: RangedFile, exc: Exception) -> Why:
    # The read that failed under a part, if one did: FFmpeg and Pillow say only that the file
    # ended, or is broken.
    if file.failure is not None:
        return file.failure.why
    return exc.why if isinstance(exc, Unreadable) else Why.UNREADABLE
