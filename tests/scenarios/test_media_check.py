"""The media check over HTTP: real media from the media stand-in, read in ranges, judged."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from functools import cache

import numpy as np
import pytest

from bot.media.inspection.inspector import Inspector
from bot.media.inspection.model import Finding, Medium, Report, Weight
from tests import mediafiles as m
from tests.standins.media import MediaStandIn

VIDEO = Medium.TRAINING_VIDEO
IMAGE = Medium.TRAINING_IMAGE
CONSENT = Medium.CONSENT_VIDEO


@cache
def still(width: int = 1920, height: int = 1080, **how: float) -> m.Frame:
    return m.face(width, height, share=0.7, **how)


@cache
def talk_then_listen(speaking: float = 30.0, listening: float = 31.0) -> m.Sound:
    words = m.speech("I am currently speaking and consent Tavus to create an AI clone of me")
    return np.concatenate([m.fill(words, speaking), m.silence(listening)])


@cache
def good_video(index_first: bool = True) -> bytes:
    """What Tavus asks for: a minute, 1080p, 25 fps, one centred face, speaking then listening."""
    frame = still()
    return m.video(
        seconds=61, frames=lambda _: frame, sound=talk_then_listen(), index_first=index_first
    )


@pytest.fixture
async def inspector() -> AsyncIterator[Inspector]:
    # The stand-in listens on loopback, which the address guard refuses to everyone else.
    checker = Inspector(allowed=lambda _: True, clock=time.monotonic)
    yield checker
    await checker.close()


def codes(report: Report, weight: Weight | None = None) -> set[str]:
    return {f.code for f in report.findings if weight is None or f.weight is weight}


async def test_a_video_as_tavus_asks_for_it_has_no_findings(
    inspector: Inspector, media: MediaStandIn
) -> None:
    url = media.put("dana.mp4", good_video(), "video/mp4")

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    assert report.findings == ()
    assert report.summaries == ((VIDEO, "1920×1080, 25 fps, 1 min 1 s, H.264 + AAC"),)


async def test_a_short_video_at_20_fps_is_blocked_for_both_with_the_fix(
    inspector: Inspector, media: MediaStandIn
) -> None:
    frame = still()
    url = media.put(
        "short.mp4",
        m.video(seconds=42, fps=20, frames=lambda _: frame, sound=talk_then_listen(20, 22)),
        "video/mp4",
    )

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    assert codes(report, Weight.BLOCKING) == {"video_duration", "video_fps"}
    [duration] = [f for f in report.findings if f.code == "video_duration"]
    assert duration == Finding(
        VIDEO,
        "video_duration",
        Weight.BLOCKING,
        "The training video is 42 s long; Tavus needs at least 1 min, best 1.5–2 minutes. "
        "Record a longer take.",
    )


async def test_a_host_that_ignores_ranges_leaves_the_file_unchecked_and_undownloaded(
    inspector: Inspector, media: MediaStandIn
) -> None:
    # Large enough that what loopback's socket buffers take before the bot hangs up is a sliver.
    body = good_video() + bytes(64 * 2**20)
    url = media.put("whole.mp4", body, "video/mp4", ranges=False)

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    [finding] = report.findings
    assert finding.weight is Weight.UNCHECKED
    assert "does not serve parts of files" in finding.text
    assert media.sent < len(body) // 4
