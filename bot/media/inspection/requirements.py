"""What Tavus asks of training media, per model: the one table the check and the README read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.media.inspection.wording import length
from bot.media.sniff import MOST_BYTES, SMALLEST_SIDE

_SHOWN = {"h264": "H.264", "vp8": "VP8", "vp9": "VP9"}


@dataclass(frozen=True, slots=True)
class Requirements:
    """The thresholds one Tavus model's training is judged by (docs.tavus.io, see tavus-api.md)."""

    model: str
    # Blocking: Tavus fails a training video under a minute (video_duration); 1.5–2 is best.
    shortest: float = 60.0
    best: tuple[float, float] = (90.0, 120.0)
    # Blocking: "at least 25fps" (video_fps), judged rounded: a camera's 24.97 is 25.
    fewest_fps: int = 25
    # Blocking: over 750 MB (file_size).
    most_bytes: int = MOST_BYTES
    # Blocking: what Tavus names for uploads, by FFmpeg's codec names; anything else
    # (HEVC from an iPhone, MPEG-4 Part 2, ProRes) is refused as video_codec.
    codecs: tuple[str, ...] = ("h264",)
    webm_codecs: tuple[str, ...] = ("vp8", "vp9")
    # Advice: Tavus asks for 1080p; the shorter side, so that portrait video counts too.
    shortest_side: int = 1080
    # Blocking: Tavus's smallest training image, each side.
    image_side: int = SMALLEST_SIDE
    # Advice: the face's height as the detector boxes it (brow to chin), as a share of the
    # frame's: Tavus's "face at least 25 % of the frame" in a waist-up shot.
    face_share: float = 0.15
    # Advice: how far the face's centre may sit from the frame's, as a share of its width.
    off_centre: float = 0.2
    # Blocking when this share of the sampled frames (or more) shows two faces or more.
    two_people_share: float = 0.3
    # Advice: no face in this share of the sampled frames (or more); none in any is blocking.
    faceless_share: float = 0.3
    # Advice: the mean brightness (0–255) of two sampled frames in a row differing by more.
    light_jump: float = 40.0
    # Advice: about 30 s of speaking first …
    speaking: float = 20.0
    # … then a still, silent listening stretch (0: the model does not ask for one).
    listening: float = 25.0
    # Advice: the listening stretch (or the quiet between words) louder than this, in dBFS.
    loudest_quiet: float = -45.0


PHOENIX_4 = Requirements(model="phoenix-4")
# Phoenix-3 trains on the speaking alone: a listening stretch is welcome, not asked for.
PHOENIX_3 = Requirements(model="phoenix-3", listening=0.0)
MODELS = (PHOENIX_4, PHOENIX_3)


def requirements_for(model_name: str) -> Requirements:
    """The thresholds for a model; a name the bot does not know (phoenix-4.5) gets phoenix-4's."""
    for known in MODELS:
        if known.model == model_name.strip().lower():
            return known
    return PHOENIX_4


# The README's rows: what is checked, how much it counts, and each model's threshold.
_ROWS: tuple[tuple[str, str, Callable[[Requirements], str]], ...] = (
    ("training video length", "blocking under", lambda r: length(r.shortest)),
    ("best length", "said with it", lambda r: f"{length(r.best[0])} to {length(r.best[1])}"),
    ("frame rate", "blocking under", lambda r: f"{r.fewest_fps} fps"),
    ("file size", "blocking over", lambda r: f"{r.most_bytes // 2**20} MB"),
    (
        "container and video codec",
        "blocking otherwise",
        lambda r: f"{_names(r.codecs)} in MP4 or MOV; {_names(r.webm_codecs)} in WebM",
    ),
    ("resolution (shorter side)", "advice under", lambda r: f"{r.shortest_side} px"),
    ("training image, each side", "blocking under", lambda r: f"{r.image_side} px"),
    ("no face", "blocking in every frame; advice in", lambda r: _of_frames(r.faceless_share)),
    ("two faces or more", "blocking in", lambda r: _of_frames(r.two_people_share)),
    ("face height (brow to chin)", "advice under", lambda r: f"{_share(r.face_share)} of frame"),
    ("face centre off the middle", "advice over", lambda r: f"{_share(r.off_centre)} of width"),
    ("brightness jump between frames", "advice over", lambda r: f"{r.light_jump:g} of 255"),
    ("speaking first", "advice under", lambda r: length(r.speaking)),
    (
        "silent listening stretch after it",
        "advice under",
        lambda r: length(r.listening) if r.listening else "not asked",
    ),
    ("noise in the quiet", "advice over", lambda r: f"{r.loudest_quiet:g} dBFS"),
)


def _share(value: float) -> str:
    return f"{round(value * 100)} %"


def _of_frames(value: float) -> str:
    return f"{_share(value)} of frames sampled"


def _names(codecs: tuple[str, ...]) -> str:
    return " or ".join(_SHOWN.get(codec, codec) for codec in codecs)


def table() -> str:
    """The README's table of thresholds, one column per model."""
    head = ["| check | counts as | " + " | ".join(r.model for r in MODELS) + " |"]
    head.append("|---|---|" + "---|" * len(MODELS))
    rows = [
        f"| {name} | {weight} | " + " | ".join(shown(r) for r in MODELS) + " |"
        for name, weight, shown in _ROWS
    ]
    return "\n".join(head + rows)
