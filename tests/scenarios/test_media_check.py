"""The media check over HTTP: real media served by the media stand-in, read in ranges, judged."""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import AsyncIterator
from functools import cache

import numpy as np
import pytest
from PIL import Image

from bot.media.inspection.inspector import Inspector
from bot.media.inspection.model import Finding, Medium, Report, Weight
from tests import mediafiles as m
from tests.standins.media import MediaStandIn
from tests.standins.server import Fault

VIDEO = Medium.TRAINING_VIDEO
IMAGE = Medium.TRAINING_IMAGE
CONSENT = Medium.CONSENT_VIDEO
BLOCKING, ADVICE, UNCHECKED = Weight.BLOCKING, Weight.ADVICE, Weight.UNCHECKED
WORDS = "I am currently speaking and consent Tavus to create an AI clone of me"


@cache
def frame(width: int = 640, height: int = 360, **how: float) -> m.Frame:
    """A still, cached: the encoder converts the same array once."""
    return m.face(width, height, **{"share": 0.7, **how})


@cache
def talk(speaking: float = 30.0, listening: float = 31.0, noise: float = 0.0) -> m.Sound:
    """Speaking, then listening: silent, or with white noise at `noise` of full scale."""
    quiet = m.noise(listening, level=noise) if noise else m.silence(listening)
    return np.concatenate([m.fill(m.speech(WORDS), speaking), quiet])


@cache
def clip(
    seconds: float = 61,
    *,
    still: tuple[tuple[str, float], ...] = (),
    fps: int = 25,
    sound: tuple[float, float, float] | None = (30.0, 31.0, 0.0),
    **how: object,
) -> bytes:
    """A video of one still (frame(**still)) with talk(*sound); `how`: mediafiles.video's rest."""
    picture = frame(**dict(still))
    track = talk(*sound) if sound is not None else None
    return m.video(seconds=seconds, frames=lambda _: picture, fps=fps, sound=track, **how)


@pytest.fixture
async def inspector() -> AsyncIterator[Inspector]:
    # The stand-in listens on loopback, which the address guard refuses to everyone else.
    checker = Inspector(allowed=lambda _: True, clock=time.monotonic)
    yield checker
    await checker.close()


def codes(report: Report, weight: Weight | None = None) -> set[str]:
    return {f.code for f in report.findings if weight is None or f.weight is weight}


async def check(
    inspector: Inspector,
    media: MediaStandIn,
    body: bytes,
    *,
    medium: Medium = VIDEO,
    kind: str = "video/mp4",
    model: str = "phoenix-4",
) -> Report:
    url = media.put(f"file-{len(media.served)}", body, kind)
    return await inspector.inspect({medium: url}, model=model)


# What Tavus asks for, and what it refuses


async def test_a_video_as_tavus_asks_for_it_has_no_findings(
    inspector: Inspector, media: MediaStandIn
) -> None:
    body = clip(still=(("width", 1920), ("height", 1080)))

    report = await check(inspector, media, body)

    assert report.findings == ()
    assert report.summaries == ((VIDEO, "1920×1080, 25 fps, 1 min 1 s, H.264 + AAC"),)


async def test_a_short_video_at_20_fps_is_blocked_for_both_with_the_fix(
    inspector: Inspector, media: MediaStandIn
) -> None:
    report = await check(inspector, media, clip(42, fps=20, sound=(20.0, 22.0, 0.0)))

    assert codes(report, BLOCKING) == {"video_duration", "video_fps"}
    assert (
        Finding(
            VIDEO,
            "video_duration",
            BLOCKING,
            "The training video is 42 s long; Tavus needs at least 1 min, best 1.5–2 minutes. "
            "Record a longer take.",
        )
        in report.findings
    )
    # Below 1080p is advice, never a reason to stop.
    assert "resolution" in codes(report, ADVICE)


@pytest.mark.parametrize(
    ("how", "code"),
    [
        pytest.param({"codec": "mpeg4"}, "video_codec", id="mpeg4-in-mp4"),
        pytest.param({"container": "mov", "codec": "libx265"}, "video_codec", id="hevc-in-mov"),
        pytest.param({"container": "matroska"}, "video_format", id="h264-in-mkv"),
    ],
)
async def test_what_tavus_does_not_take_is_blocked(
    inspector: Inspector, media: MediaStandIn, how: dict[str, str], code: str
) -> None:
    # Five seconds are enough to be refused for the format too.
    report = await check(inspector, media, clip(5, sound=(3.0, 2.0, 0.0), **how))

    assert codes(report, BLOCKING) == {code, "video_duration"}


async def test_a_webm_with_vp9_and_opus_is_taken(inspector: Inspector, media: MediaStandIn) -> None:
    body = clip(
        5, sound=(3.0, 2.0, 0.0), container="webm", codec="libvpx-vp9", audio_codec="libopus"
    )

    report = await check(inspector, media, body, kind="video/webm")

    assert codes(report, BLOCKING) == {"video_duration"}
    assert "video_format" not in codes(report)
    assert report.summaries == ((VIDEO, "640×360, 25 fps, 5 s, VP9 + Opus"),)


async def test_a_file_over_750_mb_is_blocked_by_the_size_its_host_gives(
    inspector: Inspector, media: MediaStandIn
) -> None:
    url = media.put("huge.mp4", clip(), "video/mp4", total=800 * 10**6)

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    assert codes(report, BLOCKING) == {"file_size"}
    assert "800 MB; Tavus takes 750 MB at most" in report.blocking[0].text


async def test_a_consent_video_without_sound_is_blocked_but_a_training_video_beside_it_is_not(
    inspector: Inspector, media: MediaStandIn
) -> None:
    silent = clip(sound=None)
    files = {
        VIDEO: media.put("training.mp4", silent, "video/mp4"),
        CONSENT: media.put("consent.mp4", silent, "video/mp4"),
    }

    report = await inspector.inspect(files, model="phoenix-4")

    assert {(f.medium, f.weight) for f in report.findings if f.code == "no_sound"} == {
        (CONSENT, BLOCKING),
        (VIDEO, ADVICE),
    }
    # Told in a fixed order: the training video first.
    assert [medium for medium, _ in report.summaries] == [VIDEO, CONSENT]


# Faces and light


@pytest.mark.parametrize(
    ("still", "code", "weight"),
    [
        pytest.param((("people", 0),), "face_or_obstruction_detected", BLOCKING, id="nobody"),
        pytest.param((("people", 2), ("share", 0.5)), "second_person_detected", BLOCKING, id="two"),
        pytest.param((("share", 0.4),), "face_small", ADVICE, id="small-face"),
        pytest.param((("shift", 0.3),), "face_off_centre", ADVICE, id="off-centre"),
    ],
)
async def test_who_is_in_the_frame_is_judged_on_frames_sampled_across_the_video(
    inspector: Inspector,
    media: MediaStandIn,
    still: tuple[tuple[str, float], ...],
    code: str,
    weight: Weight,
) -> None:
    report = await check(inspector, media, clip(still=still))

    assert {(f.code, f.weight) for f in report.findings} - {("resolution", ADVICE)} == {
        (code, weight)
    }


async def test_a_light_switched_off_halfway_is_a_lighting_change(
    inspector: Inspector, media: MediaStandIn
) -> None:
    bright, dim = frame(), frame(light=0.3)
    body = m.video(seconds=61, frames=lambda n: bright if n < 30 * 25 else dim, sound=talk())

    report = await check(inspector, media, body)

    [light] = [f for f in report.findings if f.code == "lighting_change_detected"]
    assert light.weight is ADVICE
    assert "steady, even light" in light.text
    assert codes(report, BLOCKING) == set()


async def test_a_phone_video_shot_upright_is_seen_upright(
    inspector: Inspector, media: MediaStandIn
) -> None:
    upright = m.face(360, 640, share=0.55)
    sideways = np.ascontiguousarray(np.rot90(upright, k=-1))  # as the sensor records it
    turned = m.video(seconds=61, frames=lambda _: sideways, sound=talk(), rotation=90)
    unturned = m.video(seconds=61, frames=lambda _: sideways, sound=talk())

    report = await check(inspector, media, turned)
    # The same frames without the file saying how to turn them: nobody looks out of them.
    sideways_report = await check(inspector, media, unturned)

    assert codes(report) == {"resolution"}
    assert report.summaries == ((VIDEO, "360×640, 25 fps, 1 min 1 s, H.264 + AAC"),)
    assert "face_or_obstruction_detected" in codes(sideways_report, BLOCKING)


# Sound


async def test_noise_in_the_listening_stretch_is_advice(
    inspector: Inspector, media: MediaStandIn
) -> None:
    report = await check(inspector, media, clip(sound=(30.0, 31.0, 0.02)))

    [noise] = [f for f in report.findings if f.code == "background_noise_detected"]
    assert noise.weight is ADVICE
    # Heard half a second in every four: when the quiet starts is known to 4 s.
    assert "from about 34 s on, is noisy (-34 dBFS)" in noise.text


async def test_speaking_all_along_lacks_phoenix_4s_listening_but_suits_phoenix_3(
    inspector: Inspector, media: MediaStandIn
) -> None:
    body = clip(sound=(61.0, 0.0, 0.0))

    phoenix_4 = await check(inspector, media, body, model="phoenix-4")
    phoenix_3 = await check(inspector, media, body, model="phoenix-3")
    unknown = await check(inspector, media, body, model="phoenix-4.5")

    assert codes(phoenix_4, ADVICE) == {"resolution", "no_listening"}
    assert "Phoenix-4 trains on about 30 s of speaking, then 30 s of listening" in next(
        f.text for f in phoenix_4.findings if f.code == "no_listening"
    )
    assert codes(phoenix_3, ADVICE) == {"resolution"}
    assert codes(unknown) == codes(phoenix_4)


async def test_silence_first_is_not_speaking_first(
    inspector: Inspector, media: MediaStandIn
) -> None:
    quiet_then_talk = np.concatenate([m.silence(31), m.fill(m.speech(WORDS), 30)])
    still = frame()
    body = m.video(seconds=61, frames=lambda _: still, sound=quiet_then_talk)

    report = await check(inspector, media, body)

    assert "no_listening" in codes(report, ADVICE)


# Images


async def test_an_image_too_small_is_blocked(inspector: Inspector, media: MediaStandIn) -> None:
    body = m.image(m.face(400, 400, share=0.9))

    report = await check(inspector, media, body, medium=IMAGE, kind="image/jpeg")

    assert codes(report, BLOCKING) == {"image_size"}
    assert report.summaries == ((IMAGE, "JPEG, 400×400"),)


async def test_an_image_of_two_people_is_blocked(inspector: Inspector, media: MediaStandIn) -> None:
    body = m.image(m.face(1200, 800, people=2, share=0.6), kind="PNG")

    report = await check(inspector, media, body, medium=IMAGE, kind="image/png")

    assert codes(report) == {"second_person_detected"}
    assert report.blocking[0].text.startswith("I found two faces or more in the training image")


async def test_a_headshot_turned_by_its_exif_is_seen_upright(
    inspector: Inspector, media: MediaStandIn
) -> None:
    upright = m.face(800, 1000, share=0.7)
    stored = Image.fromarray(np.ascontiguousarray(np.rot90(upright, k=1)))
    exif = stored.getexif()
    exif[0x0112] = 6  # turn 90° clockwise to show
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", exif=exif)

    report = await check(inspector, media, buffer.getvalue(), medium=IMAGE, kind="image/jpeg")

    assert report.findings == ()
    assert report.summaries == ((IMAGE, "JPEG, 800×1000"),)


# Reading: in parts, bounded, off the event loop


@cache
def busy(
    seconds: float = 61, *, width: int = 640, height: int = 360, fps: int = 25, bframes: int = 0
) -> bytes:
    """A grainy video, every frame different: megabytes a second, its index at the end.

    As cameras make them.
    """
    base = m.face(width, height, share=0.7).astype(np.int16)
    rng = np.random.default_rng(1)
    grains = [
        np.clip(base + rng.integers(-12, 12, base.shape), 0, 255).astype(np.uint8)
        for _ in range(25)
    ]
    return m.video(
        seconds=seconds,
        fps=fps,
        frames=lambda n: grains[n % 25],
        sound=talk(30.0, seconds - 30.0),
        index_first=False,
        bframes=bframes,
    )


async def test_an_index_at_the_end_costs_a_few_ranges_not_a_download(
    inspector: Inspector, media: MediaStandIn
) -> None:
    body = busy()
    url = media.put("camera.mp4", body, "video/mp4")

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    assert codes(report) == {"resolution"}
    ranges = [r["range"] for r in media.requests]
    assert all(r is not None and r.startswith("bytes=") for r in ranges)
    # The start, then the index at the end: FFmpeg reads it in a range or two.
    size = len(body)
    assert int(ranges[1].removeprefix("bytes=").split("-")[0]) > size - 1024 * 1024
    assert media.sent < size // 2


async def test_frames_with_b_frames_between_cost_a_keyframe_each_not_the_frames_after(
    inspector: Inspector, media: MediaStandIn
) -> None:
    # Ten seconds between keyframes (x264's default), B-frames between: a decoder holds each
    # keyframe back until two more keyframes came, unless it is drained.
    body = busy(bframes=3)
    url = media.put("export.mp4", body, "video/mp4")

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    assert codes(report) == {"resolution"}
    assert media.sent < len(body) // 3


async def test_a_ten_minute_file_costs_what_a_short_one_does(
    inspector: Inspector, media: MediaStandIn
) -> None:
    # Five frames a second keeps it quick to make; each frame differs, so its bytes are many.
    body = busy(600, width=320, height=180, fps=5)
    url = media.put("long.mp4", body, "video/mp4")

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    assert report.summaries[0][1].startswith("320×180, 5 fps, 10 min")
    assert report.unchecked == ()
    # Ten keyframes, the index, and the first 100 s of sound with what lies between its chunks.
    assert media.sent < len(body) // 4


async def test_a_byte_budget_spent_leaves_the_rest_unchecked(
    media: MediaStandIn,
) -> None:
    checker = Inspector(allowed=lambda _: True, clock=time.monotonic, most_bytes=2 * 2**20)
    url = media.put("camera.mp4", busy(), "video/mp4")
    try:
        report = await checker.inspect({VIDEO: url}, model="phoenix-4")
    finally:
        await checker.close()

    assert report.blocking == ()
    assert [f.text for f in report.unchecked] == [
        "The sound of the training video could not be checked: that would take reading too much "
        "of it. Tavus will judge it when training starts."
    ]
    assert media.sent <= 2 * 2**20


async def test_the_event_loop_keeps_answering_while_a_video_is_measured(
    inspector: Inspector, media: MediaStandIn
) -> None:
    url = media.put("dana.mp4", clip(still=(("width", 1920), ("height", 1080))), "video/mp4")
    inspection = asyncio.create_task(inspector.inspect({VIDEO: url}, model="phoenix-4"))
    seen: list[tuple[int, int]] = []  # each tick, and the requests the stand-in had by then

    while not inspection.done():
        await asyncio.sleep(0.001)
        seen.append((len(seen), len(media.requests)))

    assert (await inspection).findings == ()
    total = len(media.requests)
    assert [n for n, _ in seen] == list(range(len(seen)))
    # Ticks came between the reads, while the frames were decoded and looked at in a worker.
    between = {count for _, count in seen if 1 < count < total}
    assert len(between) >= 3


async def test_a_corrupt_or_cut_file_is_unchecked_never_blocked(
    inspector: Inspector, media: MediaStandIn
) -> None:
    garbage = bytes(np.random.default_rng(3).integers(0, 256, 300_000, dtype=np.uint8))
    cut = busy()[: 2 * 2**20]  # the index, at the end, cut off
    files = {
        VIDEO: media.put("garbage.mp4", garbage, "video/mp4"),
        CONSENT: media.put("cut.mp4", cut, "video/mp4"),
    }

    report = await inspector.inspect(files, model="phoenix-4")

    assert report.findings == (
        Finding(
            VIDEO,
            "unchecked",
            UNCHECKED,
            "The training video could not be checked: it could not be read as a video. Tavus "
            "will judge it when training starts.",
        ),
        Finding(
            CONSENT,
            "unchecked",
            UNCHECKED,
            "The consent video could not be checked: it could not be read as a video. Tavus "
            "will judge it when training starts.",
        ),
    )


async def test_a_slow_host_runs_the_job_out_of_time(media: MediaStandIn) -> None:
    checker = Inspector(allowed=lambda _: True, clock=time.monotonic, timeout=0.3)
    url = media.put("slow.mp4", clip(), "video/mp4", delay=5.0)
    try:
        report = await checker.inspect({VIDEO: url}, model="phoenix-4")
    finally:
        await checker.close()

    assert [f.text for f in report.findings] == [
        "The training video could not be checked: the check ran out of time. Tavus will judge "
        "it when training starts."
    ]


class AfterFirst:
    """A clock that passes every deadline once read: the job's time is up as it starts."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        now, self.now = self.now, self.now + 1000.0
        return now


async def test_time_up_mid_way_keeps_what_was_measured_and_says_what_was_not(
    media: MediaStandIn,
) -> None:
    checker = Inspector(allowed=lambda _: True, clock=AfterFirst())
    # Small enough to come whole with the first answer, before the time was up.
    url = media.put("short.mp4", clip(5, fps=20, sound=(3.0, 2.0, 0.0)), "video/mp4")
    try:
        report = await checker.inspect({VIDEO: url}, model="phoenix-4")
    finally:
        await checker.close()

    # The container was read before the time was up: what it says still blocks.
    assert codes(report, BLOCKING) == {"video_duration", "video_fps"}
    assert [f.text.split(" could")[0] for f in report.unchecked] == [
        "Faces in the training video",
        "The sound of the training video",
    ]
    assert all("ran out of time" in f.text for f in report.unchecked)


async def test_a_private_address_is_never_fetched(media: MediaStandIn) -> None:
    checker = Inspector(clock=time.monotonic)  # the real guard: loopback is private
    url = media.put("dana.mp4", clip(), "video/mp4")
    try:
        report = await checker.inspect({VIDEO: url}, model="phoenix-4")
    finally:
        await checker.close()

    assert [f.text for f in report.findings] == [
        "The training video could not be checked: it is on a private address. Tavus will judge "
        "it when training starts."
    ]
    assert media.requests == []


async def test_redirects_are_followed_each_hop_checked(media: MediaStandIn) -> None:
    # The stand-in's own address plays the public internet; any other loopback one is private.
    checker = Inspector(allowed=lambda a: str(a) == "127.0.0.1", clock=time.monotonic)
    port = media.url.rsplit(":", 1)[1]
    media.put("dana.mp4", clip(), "video/mp4")
    fine = media.redirect("fine", f"{media.url}/dana.mp4")
    away = media.redirect("away", f"http://127.0.0.2:{port}/dana.mp4")
    try:
        followed = await checker.inspect({VIDEO: fine}, model="phoenix-4")
        refused = await checker.inspect({VIDEO: away}, model="phoenix-4")
    finally:
        await checker.close()

    assert codes(followed) == {"resolution"}
    assert "private address" in refused.unchecked[0].text


async def test_the_log_never_shows_a_links_query(
    inspector: Inspector, media: MediaStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    url = media.put("garbage.mp4", b"not a video at all" * 100, "video/mp4")
    caplog.set_level(logging.INFO, logger="bot.media.inspection")

    await inspector.inspect({VIDEO: f"{url}?X-Amz-Signature=SECRET"}, model="phoenix-4")

    assert "garbage.mp4" in caplog.text
    assert "SECRET" not in caplog.text


async def test_a_cancelled_check_stops_and_raises(
    inspector: Inspector, media: MediaStandIn
) -> None:
    url = media.put("slow.mp4", clip(), "video/mp4", delay=5.0)
    inspection = asyncio.create_task(inspector.inspect({VIDEO: url}, model="phoenix-4"))
    await media.wait_until(lambda: media.requests)

    inspection.cancel()

    with pytest.raises(asyncio.CancelledError):
        await inspection


async def test_a_small_file_from_a_host_without_ranges_is_checked_whole(
    inspector: Inspector, media: MediaStandIn
) -> None:
    body = m.image(m.face(800, 800, share=0.7))
    url = media.put("headshot.jpg", body, "image/jpeg", ranges=False)

    report = await inspector.inspect({IMAGE: url}, model="phoenix-4")

    assert report.findings == ()
    assert report.summaries == ((IMAGE, "JPEG, 800×800"),)


async def test_a_link_that_answers_an_error_is_unchecked(
    inspector: Inspector, media: MediaStandIn
) -> None:
    report = await inspector.inspect({VIDEO: f"{media.url}/gone.mp4"}, model="phoenix-4")

    assert [f.text for f in report.findings] == [
        "The training video could not be checked: its host refused it, or did not answer. Tavus "
        "will judge it when training starts."
    ]


@pytest.mark.parametrize(
    ("fault", "why"),
    [
        pytest.param(
            Fault(status=206, body="x", headers={"Content-Range": "bytes 0-0/5"}),
            "it changed while it was read",
            id="changed",
        ),
        pytest.param(Fault(status=200, body="whole"), "its host does not serve parts", id="200"),
        pytest.param(Fault(status=500), "its host refused it, or did not answer", id="500"),
    ],
)
async def test_a_host_that_misbehaves_after_its_first_answer_leaves_the_rest_unchecked(
    inspector: Inspector, media: MediaStandIn, fault: Fault, why: str
) -> None:
    url = media.put("camera.mp4", busy(), "video/mp4")
    media.fail_next("camera.mp4", Fault())  # the first answer as it should be
    media.fail_next("camera.mp4", fault)

    report = await inspector.inspect({VIDEO: url}, model="phoenix-4")

    [unchecked] = report.findings
    assert unchecked.weight is UNCHECKED
    assert why in unchecked.text


async def test_a_read_that_hangs_is_given_up_when_the_time_is_up(media: MediaStandIn) -> None:
    checker = Inspector(allowed=lambda _: True, clock=time.monotonic, timeout=0.5)
    url = media.put("camera.mp4", busy(), "video/mp4")
    media.fail_next("camera.mp4", Fault())
    media.fail_next("camera.mp4", Fault(delay=30.0))
    try:
        report = await checker.inspect({VIDEO: url}, model="phoenix-4")
    finally:
        await checker.close()  # the worker let go of its read: nothing waits 30 s

    assert "the check ran out of time" in report.unchecked[0].text
