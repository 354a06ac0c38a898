"""Every link in the form checked before it is saved: inline problems, a slow host, the guard."""

from __future__ import annotations

import ipaddress
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.jobs.voices import DOCUMENTED
from bot.media.addresses import is_public, literal
from bot.media.links import Kind, Prober, Problem, Unchecked, judge
from bot.media.sniff import Sniffed, UnreadableExpiry, image_size, link_expires, video_codec
from bot.slack.blocks import form
from tests.conftest import Bot, Launch
from tests.flows import USE, announcement_of, consent, delivered, submit, thread_replies
from tests.standins.media import MediaStandIn, box, mp4, png

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
DANA = "U0DANA"


# What first bytes say


def test_image_sizes_are_read_from_their_headers() -> None:
    jpeg = (
        b"\xff\xd8" + b"\xff\xe0\x00\x10" + bytes(14) + b"\xff\xc0\x00\x11\x08\x02\x58\x03\x20\x03"
    )
    gif = b"GIF89a" + (640).to_bytes(2, "little") + (480).to_bytes(2, "little")
    webp = b"RIFF" + bytes(4) + b"WEBPVP8X" + bytes(8) + (1023).to_bytes(3, "little") * 2

    assert image_size(png(1024, 768)) == (1024, 768)
    assert image_size(jpeg) == (800, 600)
    assert image_size(gif) == (640, 480)
    assert image_size(webp) == (1024, 1024)
    assert image_size(b"not an image") is None
    # A signature and nothing after it, or a kind Tavus does not take: no size.
    assert image_size(b"\xff\xd8\xff") is None
    assert image_size(b"BM" + bytes(30)) is None


def test_the_video_codec_is_read_from_the_movie_box_when_it_comes_first() -> None:
    assert video_codec(mp4(b"avc1")) == "h264"
    assert video_codec(mp4(b"hvc1")) == "hevc"
    assert video_codec(mp4(b"vp09")) == "vp09"
    # The index at the end, beyond what is read: the codec stays unchecked.
    assert video_codec(mp4(b"hvc1", index_first=False)[:2000]) is None
    assert video_codec(box(b"ftyp") + b"\x00\x00\x00\x00junk") is None


@pytest.mark.parametrize(
    ("query", "expires"),
    [
        ("X-Amz-Date=20261203T120000Z&X-Amz-Expires=3600", NOW + timedelta(hours=1)),
        ("X-Goog-Date=20261203T120000Z&X-Goog-Expires=172800", NOW + timedelta(days=2)),
        ("se=2026-12-04T00:00:00Z&sig=abc&sp=r", datetime(2026, 12, 4, tzinfo=UTC)),
        (
            f"Expires={int((NOW + timedelta(hours=5)).timestamp())}&Signature=x",
            NOW + timedelta(hours=5),
        ),
        ("v=2", None),
    ],
)
def test_presigned_links_say_when_they_expire(query: str, expires: datetime | None) -> None:
    assert link_expires(f"https://files.example.com/dana.mp4?{query}") == expires


@pytest.mark.parametrize(
    "query",
    [
        "X-Amz-Date=20261203T120000Z&X-Amz-Expires=99999999999999999999",
        "X-Amz-Date=20261203T120000Z&X-Amz-Expires=" + "9" * 5000,
        "X-Amz-Date=20261203T120000Z&X-Amz-Expires=%C2%B2",  # "²": a digit to isdigit()
        "X-Amz-Date=yesterday&X-Amz-Expires=3600",
        "X-Amz-Expires=3600",
        "X-Goog-Date=99991231T000000Z&X-Goog-Expires=604800",  # past the year 9999
        "se=next-week&sig=abc",
        "Expires=soon&Signature=x&Key-Pair-Id=K",
    ],
)
def test_an_expiry_that_cannot_be_read_is_said_so(query: str) -> None:
    with pytest.raises(UnreadableExpiry):
        link_expires(f"https://files.example.com/dana.mp4?{query}")


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104 (an address judged, not bound)
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("64:ff9b::99b:65", True),  # NAT64 of 9.155.0.101: its last 32 bits, nothing else
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("::127.0.0.1", False),  # IPv4-compatible loopback
        ("::a00:1", False),  # IPv4-compatible 10.0.0.1
        ("::8.8.8.8", True),
        ("::", False),
        ("::ffff:0:7f00:1", False),  # IPv4-translated, in reserved ::/8
        ("ff::1", False),  # reserved ::/8, which Python counts as global
        ("224.0.0.1", False),
    ],
)
def test_only_public_addresses_may_be_fetched(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    ("sniffed", "kind", "host", "problem"),
    [
        (Sniffed("video/mp4", 10, codec="h264"), Kind.VIDEO, "cdn.test", None),
        (Sniffed("application/octet-stream", 10), Kind.VIDEO, "cdn.test", None),
        (Sniffed("text/html", None), Kind.VIDEO, "drive.google.com", messages.LINK_DRIVE),
        (Sniffed("text/html", None), Kind.VIDEO, "www.dropbox.com", messages.LINK_DROPBOX),
        (Sniffed("text/html", None), Kind.IMAGE, "example.com", messages.LINK_WEB_PAGE),
        (
            Sniffed("image/png", 10, 1024, 1024),
            Kind.VIDEO,
            "cdn.test",
            messages.LINK_NOT_VIDEO.format(type="image/png"),
        ),
        (
            Sniffed("video/mp4", 10),
            Kind.IMAGE,
            "cdn.test",
            messages.LINK_NOT_IMAGE.format(type="video/mp4"),
        ),
        (Sniffed("application/octet-stream", 10, 600, 600), Kind.IMAGE, "cdn.test", None),
        (
            Sniffed("video/mp4", 800 * 1024 * 1024),
            Kind.VIDEO,
            "cdn.test",
            messages.LINK_TOO_LARGE.format(size=800),
        ),
        (
            Sniffed("image/jpeg", 10, 300, 900),
            Kind.IMAGE,
            "cdn.test",
            messages.LINK_TOO_SMALL.format(width=300, height=900, side=512),
        ),
        (Sniffed("video/quicktime", 10, codec="hevc"), Kind.VIDEO, "cdn.test", messages.LINK_HEVC),
    ],
)
def test_what_a_link_answered_is_judged_with_the_fix(
    sniffed: Sniffed, kind: Kind, host: str, problem: str | None
) -> None:
    verdict = judge(sniffed, kind, host=host)

    assert verdict == (Problem(problem) if problem else None)


# Through the form, end to end


@pytest.fixture
async def checking(launch: Launch) -> Bot:
    # The media stand-in is on loopback: allowed here, as MEDIA_ALLOW_PRIVATE_HOSTS allows.
    return await launch(media_check_links=True, media_allow_private_hosts=True)


async def submitted(bot: Bot, **links: str) -> tuple[int, Any]:
    values = {form.NAME: "Dana", form.CONSENT: True, form.USE: USE, **links}
    return await submit(bot, **values)


async def test_good_links_are_checked_with_a_ranged_get_and_the_request_is_saved(
    checking: Bot, media: MediaStandIn
) -> None:
    video = media.put("dana.mp4", mp4(b"avc1", padding=1_000_000), "video/mp4")
    consent_video = media.put("consent.mp4", mp4(b"avc1"), "video/mp4")

    status, answer = await submitted(
        checking, **{form.VIDEO: video, form.CONSENT_VIDEO: consent_video}
    )

    assert status == 200
    assert answer["response_action"] == "update"
    assert len(await checking.jobs()) == 1
    assert {r["path"] for r in media.requests} == {"dana.mp4", "consent.mp4"}
    assert all(r["range"] == "bytes=0-262143" for r in media.requests)


async def test_a_links_password_is_neither_sent_nor_kept_anywhere(
    checking: Bot, media: MediaStandIn
) -> None:
    video = media.put("dana.mp4", mp4(), "video/mp4")
    with_password = video.replace("http://", "http://dana:hunter2@")

    _, answer = await submitted(checking, **{form.VIDEO: with_password, form.SUBJECT: DANA})
    [job] = await checking.jobs()
    await consent(checking, job["id"], user=DANA)
    await checking.tavus.wait_until(lambda: len(checking.tavus.creates) == 1)

    assert answer["response_action"] == "update"
    assert [r["authorization"] for r in media.requests] == [None]  # the check sent none
    assert job["train_video_url"] == video
    assert checking.tavus.creates[0]["train_video_url"] == video
    [receipt] = await checking.receipts()
    assert json.loads(receipt["media"])[0]["url"] == video
    database = Path(checking.settings.database_url.removeprefix("sqlite:///"))
    for kept in database.parent.glob(f"{database.name}*"):
        assert b"hunter2" not in kept.read_bytes(), kept.name


@pytest.mark.parametrize(
    ("serve", "problem"),
    [
        (lambda m: f"{m.url}/missing.mp4", messages.LINK_REFUSED.format(status=404)),
        (lambda m: m.put("share", b"<html>", "text/html"), messages.LINK_WEB_PAGE),
        (
            lambda m: m.put("data.json", b"{}", "application/json"),
            messages.LINK_NOT_VIDEO.format(type="application/json"),
        ),
        (
            lambda m: m.put("big.mp4", mp4(), "video/mp4", total=900 * 1024 * 1024),
            messages.LINK_TOO_LARGE.format(size=900),
        ),
        (lambda m: m.put("iphone.mov", mp4(b"hvc1"), "video/quicktime"), messages.LINK_HEVC),
        (
            lambda m: m.put(
                "dana.mp4?X-Amz-Date=20200101T000000Z&X-Amz-Expires=60", b"", "video/mp4"
            ),
            "This link expires on 2020-01-01 00:01 UTC",
        ),
    ],
)
async def test_each_problem_is_shown_under_its_field_and_nothing_is_saved(
    checking: Bot, media: MediaStandIn, serve: Any, problem: str
) -> None:
    status, answer = await submitted(checking, **{form.VIDEO: serve(media)})

    assert status == 200
    assert answer["response_action"] == "errors"
    assert answer["errors"][form.VIDEO].startswith(problem)
    assert await checking.jobs() == []
    assert checking.tavus.creates == []


async def test_a_small_image_is_refused_under_the_image_field(
    checking: Bot, media: MediaStandIn
) -> None:
    image = media.put("head.png", png(300, 300), "image/png")

    _, answer = await submitted(checking, **{form.IMAGE: image, form.VOICE: DOCUMENTED[0]})

    assert answer["errors"] == {
        form.IMAGE: messages.LINK_TOO_SMALL.format(width=300, height=300, side=512)
    }


async def test_a_video_whose_index_is_at_the_end_goes_ahead_unjudged(
    checking: Bot, media: MediaStandIn
) -> None:
    video = media.put("late.mp4", mp4(b"hvc1", index_first=False, padding=400_000), "video/mp4")

    _, answer = await submitted(checking, **{form.VIDEO: video})

    assert answer["response_action"] == "update"


async def test_a_slow_host_does_not_block_and_the_thread_says_it_was_not_checked(
    checking: Bot, media: MediaStandIn
) -> None:
    video = media.put("slow.mp4", mp4(), "video/mp4", delay=5)

    status, answer = await submitted(checking, **{form.VIDEO: video, form.SUBJECT: DANA})

    assert status == 200
    assert answer["response_action"] == "update"
    [job] = await checking.jobs()
    assert job["unchecked"] == form.VIDEO
    await delivered(checking)
    post = await announcement_of(checking, job["id"])
    [note] = await thread_replies(checking, post)
    assert "couldn't check the link for the training video" in note["text"]
    await consent(checking, job["id"], user=DANA)
    await checking.tavus.wait_until(lambda: len(checking.tavus.creates) == 1)


async def test_links_to_private_addresses_are_refused_without_being_fetched(
    launch: Launch, media: MediaStandIn
) -> None:
    bot = await launch(media_check_links=True)  # the guard on: loopback is off limits
    video = media.put("dana.mp4", mp4(), "video/mp4")

    for url in (video, video.replace("127.0.0.1", "localhost"), "http://[::1]:9/x.mp4"):
        _, answer = await submitted(bot, **{form.VIDEO: url})
        assert answer["errors"] == {form.VIDEO: messages.LINK_PRIVATE}, url

    assert media.requests == []
    assert await bot.jobs() == []


async def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed(
    media: MediaStandIn,
) -> None:
    # The stand-in's own address plays the public internet; any other loopback one is private.
    prober = Prober(allowed=lambda a: str(a) == "127.0.0.1", clock=lambda: NOW)
    port = media.url.rsplit(":", 1)[1]
    hop = media.redirect("away", f"http://127.0.0.2:{port}/dana.mp4")
    mapped = media.redirect("mapped", f"http://[::ffff:127.0.0.1]:{port}/dana.mp4")
    decimal = media.redirect("decimal", f"http://2130706434:{port}/dana.mp4")  # 127.0.0.2
    media.put("dana.mp4", mp4(), "video/mp4")
    fine = media.redirect("fine", f"{media.url}/dana.mp4")
    try:
        assert await prober.check(hop, Kind.VIDEO) == Problem(messages.LINK_PRIVATE)
        assert await prober.check(mapped, Kind.VIDEO) == Problem(messages.LINK_PRIVATE)
        assert await prober.check(decimal, Kind.VIDEO) == Problem(messages.LINK_PRIVATE)
        assert await prober.check(fine, Kind.VIDEO) is None
    finally:
        await prober.close()
    assert [r["path"] for r in media.requests] == ["away", "mapped", "decimal", "fine", "dana.mp4"]


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_every_kind_of_redirect_is_followed_each_hop_checked(
    media: MediaStandIn, status: int
) -> None:
    prober = Prober(allowed=lambda a: str(a) == "127.0.0.1", clock=lambda: NOW)
    port = media.url.rsplit(":", 1)[1]
    media.put("dana.mp4", mp4(), "video/mp4")
    fine = media.redirect("fine", f"{media.url}/dana.mp4", status)
    away = media.redirect("away", f"http://127.0.0.2:{port}/dana.mp4", status)
    try:
        assert await prober.check(fine, Kind.VIDEO) is None
        assert await prober.check(away, Kind.VIDEO) == Problem(messages.LINK_PRIVATE)
    finally:
        await prober.close()
    assert [r["path"] for r in media.requests] == ["fine", "dana.mp4", "away"]


async def test_a_location_on_an_answer_that_is_no_redirect_is_not_followed(
    media: MediaStandIn,
) -> None:
    prober = Prober(clock=lambda: NOW, allowed=lambda a: True)
    media.put("dana.mp4", mp4(), "video/mp4")
    odd = media.redirect("odd", f"{media.url}/dana.mp4", status=200)
    try:
        await prober.check(odd, Kind.VIDEO)
    finally:
        await prober.close()

    assert [r["path"] for r in media.requests] == ["odd"]  # judged itself, never followed


async def test_five_redirects_are_followed_and_a_sixth_is_not(media: MediaStandIn) -> None:
    prober = Prober(clock=lambda: NOW, allowed=lambda a: True)
    url = media.put("dana.mp4", mp4(), "video/mp4")
    for hop in range(1, 7):  # hopN is N redirects away from the file
        url = media.redirect(f"hop{hop}", url)
    try:
        assert await prober.check(f"{media.url}/hop5", Kind.VIDEO) is None
        followed = [r["path"] for r in media.requests]
        assert await prober.check(f"{media.url}/hop6", Kind.VIDEO) == Problem(
            messages.LINK_REDIRECTS
        )
    finally:
        await prober.close()
    assert followed == ["hop5", "hop4", "hop3", "hop2", "hop1", "dana.mp4"]


# Every way to write loopback that some socket library reads as an address.
LOOPBACK_SPELLINGS = [
    "2130706433",  # decimal
    "127.1",  # short
    "0177.0.0.1",  # octal
    "0x7f000001",  # hex
    "0x7f.1",
    "0",  # 0.0.0.0
    "127.0.0.1.",  # trailing dot
    "[::127.0.0.1]",  # IPv4-compatible IPv6
    "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    "[::ffff:0:7f00:1]",  # IPv4-translated, in reserved ::/8
]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
async def test_loopback_in_any_spelling_is_refused_by_the_guard_before_any_request(
    media: MediaStandIn, host: str
) -> None:
    # LINK_PRIVATE is the guard's own verdict: aiohttp refusing the host itself (as 3.14.1 and
    # later do for some forms) would be "does not answer", and older ones would connect.
    prober = Prober(clock=lambda: NOW)
    port = media.url.rsplit(":", 1)[1]
    media.put("dana.mp4", mp4(), "video/mp4")
    try:
        verdict = await prober.check(f"http://{host}:{port}/dana.mp4", Kind.VIDEO)
    finally:
        await prober.close()

    assert verdict == Problem(messages.LINK_PRIVATE)
    assert media.requests == []


async def test_links_in_legacy_numeric_spellings_are_refused_through_the_form(
    launch: Launch, media: MediaStandIn
) -> None:
    bot = await launch(media_check_links=True)  # the guard on: loopback is off limits
    port = media.url.rsplit(":", 1)[1]
    media.put("dana.mp4", mp4(), "video/mp4")

    for host in LOOPBACK_SPELLINGS:
        _, answer = await submitted(bot, **{form.VIDEO: f"http://{host}:{port}/dana.mp4"})
        assert answer["errors"] == {form.VIDEO: messages.LINK_PRIVATE}, host

    assert media.requests == []
    assert await bot.jobs() == []


def test_a_host_is_read_as_an_address_the_way_a_socket_would() -> None:
    assert literal("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert literal("0x7f.1") == ipaddress.ip_address("127.0.0.1")
    assert literal("0") == ipaddress.ip_address("0.0.0.0")  # noqa: S104 (read, not bound)
    assert literal("127.0.0.1.") == ipaddress.ip_address("127.0.0.1")
    assert literal("[::1]") == ipaddress.ip_address("::1")
    assert literal("8.8.8.8") == ipaddress.ip_address("8.8.8.8")
    for name in ("example.com", "example.com.", "1e100.net", "0x7f.example", "١٢٧.0.0.1", ""):
        assert literal(name) is None, name


async def test_checks_run_together_within_the_budget(media: MediaStandIn) -> None:
    prober = Prober(allowed=lambda _: True, clock=lambda: NOW)
    slow = media.put("slow.mp4", mp4(), "video/mp4", delay=3)
    quick = media.put("quick.png", png(1024, 1024), "image/png")
    try:
        verdicts = await prober.check_all(
            {"a": (slow, Kind.VIDEO), "b": (quick, Kind.IMAGE)}, budget=0.5
        )
    finally:
        await prober.close()

    assert verdicts == {"a": Unchecked(), "b": None}


async def test_a_link_whose_expiry_cannot_be_read_is_refused_unfetched_and_not_logged(
    checking: Bot, media: MediaStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    query = (
        "X-Amz-Date=20261203T120000Z&X-Amz-Expires=99999999999999999999"
        "&X-Goog-Signature=a1b2c3d4e5f6signature"
    )
    video = media.put(f"dana.mp4?{query}", mp4(), "video/mp4")

    status, answer = await submitted(checking, **{form.VIDEO: video})

    assert status == 200
    assert answer["errors"] == {form.VIDEO: messages.LINK_EXPIRY_UNREADABLE}
    assert "fresh link" in messages.LINK_EXPIRY_UNREADABLE
    assert await checking.jobs() == []
    assert media.requests == []
    assert "a1b2c3d4e5f6signature" not in caplog.text


async def test_a_check_that_fails_unforeseen_is_a_problem_logged_without_the_query(
    media: MediaStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(_: object) -> bool:
        raise RuntimeError("a guard that fails")

    caplog.set_level(logging.DEBUG)
    prober = Prober(allowed=broken, clock=lambda: NOW)
    video = media.put("dana.mp4", mp4(), "video/mp4")
    signed = f"{video}?Signature=cloudfront-signature-0123&Policy=eyJTdGF0ZW1lbnQi&Key-Pair-Id=K1"
    try:
        verdicts = await prober.check_all({"video": (signed, Kind.VIDEO)}, budget=5)
    finally:
        await prober.close()

    assert verdicts == {"video": Problem(messages.LINK_NOT_CHECKED)}
    assert f"checking {video} failed: RuntimeError" in caplog.text
    assert "cloudfront-signature-0123" not in caplog.text
    assert media.requests == []
