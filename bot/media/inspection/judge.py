"""A file's container, streams and size judged against a model's requirements (pure)."""

from __future__ import annotations

from bot import messages
from bot.media.inspection.facts import Measured, Part, Picture, Streams
from bot.media.inspection.model import Finding, Medium, Weight
from bot.media.inspection.requirements import Requirements
from bot.media.inspection.scene import judge_hearing, judge_looks
from bot.media.inspection.wording import length, unchecked

_CODEC_NAMES = {
    "h264": "H.264",
    "hevc": "HEVC (H.265)",
    "mpeg4": "MPEG-4 Part 2",
    "vp8": "VP8",
    "vp9": "VP9",
    "av1": "AV1",
    "prores": "ProRes",
    "aac": "AAC",
    "opus": "Opus",
    "mp3": "MP3",
}
_IMAGE_FORMATS = ("JPEG", "PNG")
# How a container is named to the user.
_CONTAINERS = {"matroska": "a Matroska (.mkv) file", "avi": "an AVI file", "flv": "a Flash video"}


def judge(
    medium: Medium, measured: Measured, needs: Requirements, *, consent_in_it: bool
) -> tuple[list[Finding], str | None]:
    """The findings about one file, and what was measured in a line (None if nothing was).

    `consent_in_it`: the spoken consent statement must be in this file (the consent video, or
    the training video when there is none), so a file without sound cannot do.
    """
    findings: list[Finding] = []
    summary = None
    if measured.size is not None and measured.size > needs.most_bytes:
        findings.append(
            Finding(
                medium,
                "file_size",
                Weight.BLOCKING,
                messages.CHECK_TOO_LARGE.format(
                    medium=medium,
                    size=messages.size_of(measured.size),
                    most=f"{needs.most_bytes // 2**20} MB",
                ),
            )
        )
    if measured.streams is not None:
        findings += _streams(medium, measured.streams, needs, consent_in_it=consent_in_it)
        summary = _summary(measured.streams)
    if measured.picture is not None:
        findings += _picture(medium, measured.picture, needs)
        summary = messages.CHECK_SUMMARY_IMAGE.format(
            format=measured.picture.format,
            width=measured.picture.width,
            height=measured.picture.height,
        )
    findings += judge_looks(medium, measured.looks, needs)
    if medium is Medium.TRAINING_VIDEO and measured.hearing is not None:
        findings += judge_hearing(medium, measured.hearing, needs)
    kind = "an image" if medium is Medium.TRAINING_IMAGE else "a video"
    findings += [
        Finding(medium, "unchecked", Weight.UNCHECKED, unchecked(medium, part, why, kind=kind))
        for part, why in measured.unchecked
        # A file that could not be read at all is one line, not one per part.
        if part is Part.FILE or (Part.FILE, why) not in measured.unchecked
    ]
    return findings, summary


def _streams(
    medium: Medium, streams: Streams, needs: Requirements, *, consent_in_it: bool
) -> list[Finding]:
    found: list[Finding] = []

    def add(code: str, weight: Weight, text: str) -> None:
        found.append(Finding(medium, code, weight, text))

    if streams.container not in ("mp4", "quicktime", "webm"):
        shown = _CONTAINERS.get(streams.container, f"a {streams.container} file")
        add(
            "video_format",
            Weight.BLOCKING,
            messages.CHECK_FORMAT.format(medium=medium, container=shown),
        )
    elif streams.container == "quicktime":
        add("video_format", Weight.ADVICE, messages.CHECK_QUICKTIME.format(medium=medium))
    allowed = needs.webm_codecs if streams.container == "webm" else needs.codecs
    if streams.video_codec is None:
        add("video_codec", Weight.BLOCKING, messages.CHECK_NO_PICTURE.format(medium=medium))
        return found
    if streams.video_codec not in allowed:
        codec = _CODEC_NAMES.get(streams.video_codec, streams.video_codec.upper())
        add("video_codec", Weight.BLOCKING, messages.CHECK_CODEC.format(medium=medium, codec=codec))
    if streams.audio_codec is None:
        if consent_in_it:
            add("no_sound", Weight.BLOCKING, messages.CHECK_NO_SOUND_CONSENT.format(medium=medium))
        else:
            add("no_sound", Weight.ADVICE, messages.CHECK_NO_SOUND.format(medium=medium))
    elif streams.container != "webm" and streams.audio_codec != "aac":
        add(
            "audio_codec",
            Weight.ADVICE,
            messages.CHECK_AUDIO_CODEC.format(
                medium=medium, codec=_CODEC_NAMES.get(streams.audio_codec, streams.audio_codec)
            ),
        )
    if medium is not Medium.TRAINING_VIDEO:
        return found  # a consent video is a statement: its length and frame rate are free
    if streams.seconds is not None and streams.seconds < needs.shortest:
        add(
            "video_duration",
            Weight.BLOCKING,
            messages.CHECK_TOO_SHORT.format(
                medium=medium,
                length=length(streams.seconds),
                least=length(needs.shortest),
                best=f"{needs.best[0] / 60:g}–{needs.best[1] / 60:g} minutes",
            ),
        )
    if streams.fps is not None and round(streams.fps) < needs.fewest_fps:
        add(
            "video_fps",
            Weight.BLOCKING,
            messages.CHECK_FPS.format(
                medium=medium, fps=f"{streams.fps:.3g}", least=round(needs.fewest_fps)
            ),
        )
    if streams.shorter_side and streams.shorter_side < needs.shortest_side:
        add(
            "resolution",
            Weight.ADVICE,
            messages.CHECK_RESOLUTION.format(
                medium=medium, width=streams.width, height=streams.height, side=needs.shortest_side
            ),
        )
    return found


def _picture(medium: Medium, picture: Picture, needs: Requirements) -> list[Finding]:
    if picture.format not in _IMAGE_FORMATS:
        text = messages.CHECK_IMAGE_FORMAT.format(medium=medium, format=picture.format)
        return [Finding(medium, "image_format", Weight.BLOCKING, text)]
    if min(picture.width, picture.height) < needs.image_side:
        text = messages.CHECK_IMAGE_SMALL.format(
            medium=medium, width=picture.width, height=picture.height, side=needs.image_side
        )
        return [Finding(medium, "image_size", Weight.BLOCKING, text)]
    return []


def _summary(streams: Streams) -> str:
    codecs = " + ".join(
        _CODEC_NAMES.get(codec, codec)
        for codec in (streams.video_codec, streams.audio_codec)
        if codec is not None
    )
    return messages.CHECK_SUMMARY_VIDEO.format(
        width=streams.width,
        height=streams.height,
        fps=f"{streams.fps:.3g}" if streams.fps else "?",
        length=length(streams.seconds) if streams.seconds is not None else "?",
        codecs=codecs or "no streams",
    )
