"""A video read with FFmpeg's libraries through PyAV: streams, frames sampled by seeking, sound."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence

import av
import numpy as np
from av.container import InputContainer
from numpy.typing import NDArray

from bot.media.inspection.facts import Streams
from bot.media.inspection.ranged import Unreadable, Why

Gray = NDArray[np.uint8]  # height × width, one byte of brightness a pixel
# Frames are scaled to this width before faces are looked for: the detector's cost grows with
# pixels, and a face a quarter of the frame high is 90 pixels here, plenty for it.
SAMPLE_WIDTH = 640
# Sound is listened to at 16 kHz, mono: all speech needs, a tenth of a 48 kHz stereo track.
RATE = 16_000
# FFmpeg reads through the file object this much at a time.
_BUFFER = 64 * 1024
# The brand an MP4-family file opens with when it is QuickTime's own .mov.
_QUICKTIME = "qt"
# EBML's DocType element (0x4282), four bytes long, saying "webm".
_WEBM_DOCTYPE = b"\x42\x82\x84webm"


def open_video(file: io.RawIOBase) -> InputContainer:
    """The container, opened over `file`; Unreadable(UNREADABLE) if FFmpeg cannot make it out."""
    try:
        return av.open(file, "r", buffer_size=_BUFFER)
    except av.FFmpegError as exc:
        raise Unreadable(Why.UNREADABLE, type(exc).__name__) from None


def streams(container: InputContainer, head: bytes) -> Streams:
    """The container's kind and its first video and audio streams; `head`: its first bytes."""
    video = container.streams.video[0] if container.streams.video else None
    audio = container.streams.audio[0] if container.streams.audio else None
    rate = (video.average_rate or video.guessed_rate) if video is not None else None
    return Streams(
        container=_kind(container, head),
        video_codec=video.codec_context.name if video is not None else None,
        audio_codec=audio.codec_context.name if audio is not None else None,
        seconds=_seconds(container),
        fps=float(rate) if rate else None,
        width=video.codec_context.width if video is not None else 0,
        height=video.codec_context.height if video is not None else 0,
    )


def _kind(container: InputContainer, head: bytes) -> str:
    name = container.format.name
    if "mp4" in name.split(","):
        brand = container.metadata.get("major_brand", "").strip()
        return "quicktime" if brand == _QUICKTIME else "mp4"
    if "webm" in name.split(","):
        # FFmpeg reads Matroska and WebM alike; the file's header says which it is.
        return "webm" if _WEBM_DOCTYPE in head else "matroska"
    return name


def _seconds(container: InputContainer) -> float | None:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    video = container.streams.video[0] if container.streams.video else None
    if video is not None and video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return None


def sample(
    container: InputContainer,
    *,
    count: int,
    seconds: float | None,
    stopped: Callable[[], bool],
) -> Iterator[tuple[float, int, Gray]]:
    """Up to `count` frames spread across the video: (time, rotation, gray frame SAMPLE_WIDTH wide).

    Rotation is what the file asks players to turn the frame by, counter-clockwise.
    """
    for frame in keyframes(container, count=count, seconds=seconds, stopped=stopped):
        yield frame.time or 0.0, int(frame.rotation or 0), _gray(frame)


def keyframes(
    container: InputContainer,
    *,
    count: int,
    seconds: float | None,
    stopped: Callable[[], bool],
) -> Iterator[av.VideoFrame]:
    """Up to `count` keyframes spread across the video, decoded, each once.

    Each is the keyframe at or before its moment, reached by seeking: only keyframes are
    decoded (they need no other frame), so a long video costs `count` keyframes, not its length.
    """
    if not container.streams.video:
        return
    video = container.streams.video[0]
    video.codec_context.skip_frame = "NONKEY"
    for audio in container.streams.audio:
        audio.discard = av.stream.Discard.all
    span = seconds or 0.0
    # Without a length or a time base there is nowhere to seek to: the first keyframe alone.
    count = count if span > 0 and video.time_base is not None else 1
    seen: set[int | None] = set()
    for n in range(count):
        if stopped():
            raise Unreadable(Why.OUT_OF_TIME)
        if n and video.time_base is not None:
            moment = span * (n + 0.5) / count
            container.seek(int(moment / video.time_base), stream=video, backward=True)
        frame = _keyframe(container, video)
        if frame is None or frame.pts in seen:
            continue  # one keyframe for two moments: it is looked at once
        seen.add(frame.pts)
        yield frame


def _keyframe(container: InputContainer, video: av.VideoStream) -> av.VideoFrame | None:
    """The next keyframe, decoded.

    A stream with B-frames has its decoder hold each frame back until later ones come (to put
    them in order): with the others skipped, that is the keyframe after next, seconds of bytes
    on. So the decoder is drained once the keyframe is in; the next seek makes it ready again.
    """
    for packet in container.demux(video):
        frames = packet.decode()
        if not frames and packet.is_keyframe:
            frames = video.codec_context.decode(None)
        if frames:
            return frames[0]
    return None


def _gray(frame: av.VideoFrame) -> Gray:
    width = min(SAMPLE_WIDTH, frame.width)
    height = max(1, round(frame.height * width / frame.width))
    # A gray frame is one byte a pixel; PyAV's stubs cannot know the format from its name.
    return np.asarray(
        frame.reformat(width=width, height=height, format="gray").to_ndarray(), np.uint8
    )


def sound(
    container: InputContainer,
    *,
    starts: Sequence[float],
    width: float,
    stopped: Callable[[], bool],
) -> list[tuple[float, NDArray[np.int16]]] | None:
    """The sound from each start on, `width` seconds of it, at RATE, mono; None without sound.

    Each window is reached by seeking: cameras interleave sound with the picture a moment at a
    time, so hearing a stretch whole means reading every byte of the picture beside it. The
    picture's packets are discarded by the demuxer: what is read is the blocks each window
    lies in.
    """
    if not container.streams.audio:
        return None
    audio = container.streams.audio[0]
    for video in container.streams.video:
        video.discard = av.stream.Discard.all
    audio.discard = av.stream.Discard.default
    heard: list[tuple[float, NDArray[np.int16]]] = []
    for start in starts:
        if stopped():
            raise Unreadable(Why.OUT_OF_TIME)
        if audio.time_base is not None:
            container.seek(int(start / audio.time_base), stream=audio, backward=True)
        samples = _window(container, audio, start, width)
        if samples is not None:
            heard.append((start, samples))
    return heard


def _window(
    container: InputContainer, audio: av.AudioStream, start: float, width: float
) -> NDArray[np.int16] | None:
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    chunks: list[NDArray[np.int16]] = []
    began: float | None = None  # when the first frame decoded starts
    got = 0
    for packet in container.demux(audio):
        for frame in packet.decode():
            if began is None:
                began = frame.time if frame.time is not None else start
            for mono in resampler.resample(frame):
                chunks.append(mono.to_ndarray().reshape(-1).astype(np.int16, copy=False))
                got += chunks[-1].size
        if began is not None and got >= (start + width - began) * RATE:
            break
    if began is None or not chunks:
        return None  # past the sound's end
    skip = max(0, round((start - began) * RATE))
    return np.concatenate(chunks)[skip : skip + round(width * RATE)]
