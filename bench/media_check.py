"""The media check's cost: a two-minute 1080p30 phone-like video and a 12-megapixel photo.

Run from the project root: `python -m bench.media_check`. It prints one table; it asserts nothing.
The files are served by the tests' media stand-in on loopback and read by the real Inspector,
ranges and all; the video (made once, ~2 minutes, kept in the temporary folder) is grainy, so
its bitrate is a camera's (about 10 Mbit/s), with a keyframe a second as phones record them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from bench.kit import rss_mib
from bot.media.inspection.inspector import Inspector
from bot.media.inspection.model import Medium, Report
from tests import mediafiles as m
from tests.standins.media import MediaStandIn

SECONDS = 120
FPS = 30
RATE = 48_000  # a phone's sound: 48 kHz AAC


def phone_video(path: Path) -> bytes:
    """Two minutes of 1080p30 H.264 at ~10 Mbit/s with AAC: speaking, then listening."""
    if path.exists():
        return path.read_bytes()
    base = m.face(1920, 1080, share=0.7).astype(np.int16)
    rng = np.random.default_rng(5)
    grains = [
        av.VideoFrame.from_ndarray(
            np.clip(base + rng.integers(-10, 10, base.shape), 0, 255).astype(np.uint8), "rgb24"
        ).reformat(format="yuv420p")
        for _ in range(FPS)
    ]
    words = m.speech("I am currently speaking and consent Tavus to create an AI clone of me")
    sound = np.concatenate([m.fill(words, 35), m.silence(35), m.fill(words, SECONDS - 70)])
    sound = np.repeat(sound, RATE // m.RATE)  # 16 kHz to 48 kHz, plainly
    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"}) as out:
        picture = out.add_stream("libx264", rate=FPS)
        picture.width, picture.height, picture.pix_fmt = 1920, 1080, "yuv420p"
        picture.bit_rate = 10_000_000
        picture.gop_size = FPS
        picture.options = {"preset": "ultrafast"}
        track = out.add_stream("aac", rate=RATE, layout="stereo")
        heard = 0
        for n in range(SECONDS * FPS):
            frame = grains[n % FPS]
            frame.pts, frame.time_base = n, Fraction(1, FPS)
            for packet in picture.encode(frame):
                out.mux(packet)
            # Sound interleaved with the picture a moment at a time, as phones write it.
            while heard < min((n + 1) * RATE // FPS, len(sound)):
                heard = _sound(out, track, sound, heard)
        for packet in picture.encode():
            out.mux(packet)
        while heard < len(sound):
            heard = _sound(out, track, sound, heard)
        for packet in track.encode():
            out.mux(packet)
    return path.read_bytes()


def _sound(
    out: av.container.OutputContainer, track: av.AudioStream, sound: np.ndarray, at: int
) -> int:
    chunk = sound[at : at + 1024]
    stereo = av.AudioFrame.from_ndarray(
        np.stack([chunk, chunk]).reshape(1, -1), format="s16", layout="stereo"
    )
    stereo.sample_rate, stereo.pts, stereo.time_base = RATE, at, Fraction(1, RATE)
    for packet in track.encode(stereo):
        out.mux(packet)
    return at + len(chunk)


def grainy_photo() -> bytes:
    """A 12-megapixel JPEG with a camera's grain: megabytes, as phones take them."""
    base = m.face(4000, 3000, share=0.6).astype(np.int16)
    grain = np.random.default_rng(6).integers(-8, 8, base.shape)
    return m.image(np.clip(base + grain, 0, 255).astype(np.uint8))


class Peak:
    """The process's largest resident size while it runs, sampled every 10 ms."""

    def __init__(self) -> None:
        self.most = rss_mib(os.getpid())
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(0.01):
            self.most = max(self.most, rss_mib(os.getpid()))


async def timed(
    checker: Inspector, media: MediaStandIn, medium: Medium, url: str
) -> tuple[Report, float, float, float]:
    """A report, its seconds, the loop's longest pause (ms), and the peak RSS added (MiB)."""
    pauses: list[float] = []
    before = rss_mib(os.getpid())
    started = time.perf_counter()
    with Peak() as peak:
        inspection = asyncio.create_task(checker.inspect({medium: url}, model="phoenix-4"))
        while not inspection.done():
            tick = time.perf_counter()
            await asyncio.sleep(0.005)
            pauses.append(time.perf_counter() - tick - 0.005)
        report = await inspection
    return report, time.perf_counter() - started, max(pauses) * 1000, peak.most - before


async def run(cache: Path) -> None:
    made = time.perf_counter()
    video = phone_video(cache / "media-check-1080p30-120s-interleaved.mp4")
    made = time.perf_counter() - made
    photo = grainy_photo()
    media = MediaStandIn()
    await media.start()
    checker = Inspector(allowed=lambda _: True, clock=time.monotonic)
    try:
        url = media.put("phone.mp4", video, "video/mp4")
        report, seconds, pause, memory = await timed(checker, media, Medium.TRAINING_VIDEO, url)
        requests, sent = len(media.requests), media.sent
        image_url = media.put("photo.jpg", photo, "image/jpeg")
        image, image_seconds, image_pause, image_memory = await timed(
            checker, media, Medium.TRAINING_IMAGE, image_url
        )
        image_requests, image_sent = len(media.requests) - requests, media.sent - sent
    finally:
        await checker.close()
        await media.stop()
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; the video made in {made:.0f} s (kept in {cache})"
    )
    print("| measure | result | target |")
    print("|---|---|---|")
    print(
        f"| 2-minute 1080p30 video ({len(video) / 1e6:.0f} MB), checked | {seconds:.2f} s "
        "| ≤ 15 s |"
    )
    print(
        f"| its bytes read, in ranged requests | {sent / 1e6:.1f} MB "
        f"({100 * sent / len(video):.0f} %) in {requests} | |"
    )
    print(f"| memory added at its peak (RSS) | {memory:.0f} MiB | ≤ 250 MiB |")
    print(f"| the event loop's longest pause meanwhile | {pause:.0f} ms | |")
    print(
        f"| 12-megapixel JPEG ({len(photo) / 1e6:.1f} MB), checked | {image_seconds:.2f} s "
        f"| < 1 s |"
    )
    print(
        f"| its bytes read, in ranged requests | {image_sent / 1e6:.1f} MB in {image_requests} | |"
    )
    print(
        f"| memory added / loop's longest pause | {image_memory:.0f} MiB / {image_pause:.0f} ms | |"
    )
    print(
        f"findings: video {[f.code for f in report.findings]}, image "
        f"{[f.code for f in image.findings]}; {report.summaries[0][1]}"
    )


def main(argv: list[str] | None = None) -> None:
    """Make (or reuse) the media, check each once, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()), help="where the video is kept"
    )
    args = parser.parse_args(argv)
    asyncio.run(run(args.cache))


if __name__ == "__main__":
    main()
