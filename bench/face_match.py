"""The likeness check's cost: one face comparison (a profile photo and 5 frames), and the listening.

Run from the project root: `python -m bench.face_match`. It prints one table; it asserts nothing.
The video is two minutes of 1080p30 H.264 with a keyframe a second (as phones record), the
astronaut moving and lit differently; the profile photo is scikit-image's astronaut (512×512, as
Slack's image_512). The models load once, timed apart; each run after samples the 5 frames from
the video and compares them. The listening is 20 s of espeak-ng speaking the statement, twice.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from bench.kit import rss_mib
from bot.governance.receipts import statement_for
from tests import mediafiles as m

SECONDS = 120


def video(path: Path) -> bytes:
    """Two minutes of 1080p30 with a keyframe a second; made once, kept in the temporary folder."""
    if path.exists():
        return path.read_bytes()

    def frame(n: int) -> m.Frame:
        step = n // 60
        return m.face(
            1920,
            1080,
            share=0.5 + 0.1 * (step % 3),
            shift=0.1 * (step % 3 - 1),
            light=0.8 + 0.1 * (step % 3),
        )

    made = m.video(seconds=SECONDS, frames=frame, fps=30, keyframe_every=30)
    path.write_bytes(made)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    pid = os.getpid()
    from skimage import data  # the tests' photographs; loaded before the baseline

    photo = data.astronaut()
    recording = video(Path(tempfile.gettempdir()) / "bench-face-match.mp4")
    speech = m.fill(m.speech(statement_for("Ada Lovelace")), 20)
    # The media check's own decoders, already loaded in a worker that checks media.
    import av  # noqa: F401
    import cv2  # noqa: F401

    from bot.media.inspection.video import open_video

    before = rss_mib(pid)
    started = time.perf_counter()
    from bot.media.likeness import embeddings, frames

    embeddings.load()
    load = time.perf_counter() - started
    loaded = rss_mib(pid)

    times = []
    found = None
    for _ in range(runs):
        started = time.perf_counter()
        with open_video(io.BytesIO(recording)) as container:
            sampled = frames.video_frames(container, seconds=float(SECONDS), stopped=lambda: False)
        found = embeddings.compare(photo, sampled)
        times.append(time.perf_counter() - started)
    compared = rss_mib(pid)

    started = time.perf_counter()
    from bot.media.likeness import speech as listening

    listen_load = time.perf_counter() - started
    heard_times = []
    heard = None
    for _ in range(2):
        started = time.perf_counter()
        heard = listening.hear_statement(speech, name="Ada Lovelace")
        heard_times.append(time.perf_counter() - started)
    after = rss_mib(pid)

    print(f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| models loaded (dlib HOG, 5 landmarks, ResNet) | {load:.2f} s | once |")
    print(
        f"| one comparison: 5 frames of 1080p + profile photo ({runs} runs) | "
        f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s | ≤ 5 s |"
    )
    print(
        f"| outcome | {found.outcome if found else None}, {found.agreed if found else 0}/5 agreed, "
        f"median distance {found.median if found else None} | |"
    )
    print(
        f"| RSS added by the models, then by comparing | {loaded - before:.0f} MiB, "
        f"{compared - before:.0f} MiB | ≤ 300 MiB |"
    )
    print(f"| pocketsphinx imported | {listen_load:.2f} s | |")
    print(
        f"| statement heard in 20 s of speech (2 runs) | "
        f"{', '.join(f'{t:.2f} s' for t in heard_times)}; WER "
        f"{heard.error_rate if heard else None} | |"
    )
    print(f"| RSS added by everything | {after - before:.0f} MiB | ≤ 300 MiB |")


if __name__ == "__main__":
    main()
