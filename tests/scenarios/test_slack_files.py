"""Training media straight from Slack: the shortcut, the upload, and the copy Tavus downloads."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import boto3
import pytest
from aiohttp.test_utils import unused_port
from moto.server import ThreadedMotoServer

from bot import messages
from bot.jobs.voices import DOCUMENTED
from bot.slack import shortcuts
from bot.slack.blocks import form
from tests.conftest import Bot, Launch
from tests.flows import (
    USE,
    announcement_of,
    consent,
    consent_request_of,
    delivered,
    settled,
    settled_create,
    thread_replies,
)
from tests.slack_client import filled
from tests.standins.media import MediaStandIn, mp4, png
from tests.standins.slack import BOT_TOKEN

VIDEO_BYTES = mp4(b"avc1", padding=300_000)


@pytest.fixture
async def bot(launch: Launch, tmp_path: Path) -> Bot:
    return await launch(media_dir=tmp_path / "media", media_allow_private_hosts=True)


async def use_shortcut(bot: Bot, files: list[dict[str, Any]], text: str = "") -> dict[str, Any]:
    """Use "Make a replica from this" on a message with `files`; the form it opened."""
    opened = len(bot.slack.modals)
    status, _ = await bot.sender.shortcut(shortcuts.CALLBACK_ID, {"text": text, "files": files})
    assert status == 200
    return await bot.slack.wait_for_modal(opened + 1)


async def refused_shortcut(bot: Bot, files: list[dict[str, Any]]) -> str:
    """Use the shortcut on a message with `files` that opens no form; what the bot said instead.

    The bot's answer at the shortcut's response_url, and its work after, close the window in
    which a form could have opened.
    """
    opened = len(bot.slack.called("views.open"))
    status, _ = await bot.sender.shortcut(shortcuts.CALLBACK_ID, {"text": "", "files": files})
    assert status == 200
    answer = await bot.slack.wait_for_response(bot.sender.last_response_key)
    await settled(bot)
    assert len(bot.slack.called("views.open")) == opened  # no form
    return str(answer["text"])


async def submit_form(bot: Bot, view: dict[str, Any], **fields: Any) -> Any:
    # Slack submits the name the form was opened with; the helper needs it spelled out.
    values = {form.NAME: "Dana", form.CONSENT: True, form.USE: USE, **fields}
    status, answer = await bot.sender.submit(filled(view, **values))
    assert status == 200
    return answer


async def link_of(bot: Bot, job_id: str, field: str = "train_video_url") -> str:
    async with asyncio.timeout(10):
        while True:
            job = next(j for j in await bot.jobs() if j["id"] == job_id)
            if job[field]:
                return str(job[field])
            await asyncio.sleep(0.05)


async def test_the_shortcut_opens_the_form_with_the_video_and_its_name(bot: Bot) -> None:
    file = bot.slack.post_file(
        "F0VIDEO", "dana-intro.mp4", "video/mp4", VIDEO_BYTES, title="Dana intro"
    )

    view = await use_shortcut(bot, [file])

    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks[form.NAME]["element"]["initial_value"] == "Dana intro"
    assert "dana-intro.mp4" in view["blocks"][0]["text"]["text"]
    assert json.loads(view["private_metadata"])["slack_file"]["id"] == "F0VIDEO"


async def test_the_copy_tavus_downloads_is_the_file_byte_for_byte(bot: Bot) -> None:
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", VIDEO_BYTES)
    view = await use_shortcut(bot, [file])

    answer = await submit_form(bot, view)

    assert answer["response_action"] == "update", answer
    [job] = await bot.jobs()
    link = await link_of(bot, job["id"])
    assert link.startswith(f"{str(bot.settings.public_url).rstrip('/')}/media/")
    # Downloaded as Tavus would: a separate client, no cookies, no token.
    async with aiohttp.ClientSession() as stranger, stranger.get(link) as got:
        assert got.status == 200
        assert await got.read() == VIDEO_BYTES
    assert bot.slack.downloads == [{"file": "F0VIDEO", "authorization": f"Bearer {BOT_TOKEN}"}]
    # Consent is asked once the copy is kept; its receipt proves which bytes.
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"])
    await bot.tavus.wait_until(lambda: len(bot.tavus.creates) == 1)
    # Tavus gets a link to the same copy, renewed as the create goes.
    sent = bot.tavus.creates[0]["train_video_url"]
    assert sent.split("?")[0] == link.split("?")[0]
    async with aiohttp.ClientSession() as tavus, tavus.get(sent) as got:
        assert await got.read() == VIDEO_BYTES
    [kept] = await bot.receipts()
    [medium] = json.loads(kept["media"])
    assert medium == {
        "url": "slack:F0VIDEO",
        "host": "Slack",
        "file": "dana.mp4",
        "sha256": hashlib.sha256(VIDEO_BYTES).hexdigest(),
        "size": len(VIDEO_BYTES),
    }


async def test_an_uploaded_image_is_the_training_image(bot: Bot) -> None:
    image = png(1024, 1024) + bytes(1000)
    uploaded = bot.slack.post_file("F0IMAGE", "head.png", "image/png", image)
    # No file: no form, the explanation instead.
    assert await refused_shortcut(bot, []) == messages.SHORTCUT_NO_FILE
    opened = len(bot.slack.called("views.open"))
    await bot.sender.command()
    form_view = await bot.slack.wait_for_modal(opened + 1)

    answer = await submit_form(
        bot,
        form_view,
        **{form.NAME: "Dana", form.IMAGE_FILE: [uploaded], form.VOICE: DOCUMENTED[0]},
    )

    assert answer["response_action"] == "update"
    [job] = await bot.jobs()
    link = await link_of(bot, job["id"], "train_image_url")
    async with aiohttp.ClientSession() as stranger, stranger.get(link) as got:
        assert await got.read() == image
        assert got.headers["Content-Type"] == "image/png"


async def test_a_message_without_a_video_or_image_is_explained(bot: Bot) -> None:
    pdf = bot.slack.post_file("F0PDF", "deck.pdf", "application/pdf", b"%PDF")

    assert await refused_shortcut(bot, [pdf]) == messages.SHORTCUT_NO_FILE


async def test_without_a_public_address_the_shortcut_says_why(launch: Launch) -> None:
    bot = await launch(public_url=None)
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", VIDEO_BYTES)

    assert await refused_shortcut(bot, [file]) == messages.SHORTCUT_NO_MEDIA


async def test_a_file_too_large_is_refused_before_any_download(bot: Bot) -> None:
    file = bot.slack.post_file("F0BIG", "long.mp4", "video/mp4", b"", size=900 * 1024 * 1024)
    view = await use_shortcut(bot, [file])

    answer = await submit_form(bot, view)

    assert answer["errors"] == {
        form.NAME: messages.FILE_TOO_LARGE.format(name="long.mp4", size=900)
    }
    assert bot.slack.downloads == []
    assert await bot.jobs() == []


async def test_a_file_the_bot_may_not_read_ends_the_job_with_the_fix(bot: Bot) -> None:
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", VIDEO_BYTES)
    del bot.slack.file_bytes["F0VIDEO"]  # Slack answers with its sign-in page
    view = await use_shortcut(bot, [file])

    await submit_form(bot, view)

    await delivered(bot)
    [job] = await bot.jobs()
    assert job["status"] == "rejected"
    post = await announcement_of(bot, job["id"])
    [reply] = await thread_replies(bot, post)
    assert "files:read" in reply["text"]
    assert bot.tavus.creates == []


async def test_the_token_is_never_sent_past_slacks_own_hosts(bot: Bot, media: MediaStandIn) -> None:
    # Slack hands the download to a CDN on another host: it gets the request, not the token.
    elsewhere = media.put("cdn/dana.mp4", VIDEO_BYTES, "video/mp4").replace(
        "127.0.0.1", "localhost"
    )
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", VIDEO_BYTES)
    bot.slack.download_redirects["F0VIDEO"] = elsewhere
    view = await use_shortcut(bot, [file])

    await submit_form(bot, view)

    [job] = await bot.jobs()
    await link_of(bot, job["id"])
    assert [r["authorization"] for r in media.requests] == [None]
    assert bot.slack.downloads[0]["authorization"] == f"Bearer {BOT_TOKEN}"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Any]]:
    """A real S3 implementation (moto's server mode) on loopback, with a bucket for the bot."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=unused_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket="replica-media")
    yield endpoint, client
    server.stop()


async def test_with_a_bucket_tavus_gets_a_presigned_link_and_the_copy_is_swept(
    launch: Launch, s3: tuple[str, Any]
) -> None:
    endpoint, client = s3
    settings = {
        "media_s3_bucket": "replica-media",
        "media_s3_endpoint_url": endpoint,
        "media_s3_region": "us-east-1",
        "media_allow_private_hosts": True,
    }
    bot = await launch(**settings)
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", VIDEO_BYTES)
    view = await use_shortcut(bot, [file])
    await submit_form(bot, view)
    [job] = await bot.jobs()

    link = await link_of(bot, job["id"])

    assert link.startswith(f"{endpoint}/replica-media/")
    assert "X-Amz-Signature=" in link
    expires = int(link.split("X-Amz-Expires=")[1].split("&")[0])
    assert 259_100 < expires <= 259_200  # MEDIA_TTL, 72 hours
    async with aiohttp.ClientSession() as stranger, stranger.get(link) as got:
        assert got.status == 200
        assert await got.read() == VIDEO_BYTES
    [kept] = client.list_objects_v2(Bucket="replica-media")["Contents"]
    assert kept["Size"] == len(VIDEO_BYTES)
    # Nothing in the bucket is public: without the signature, S3 refuses.
    async with aiohttp.ClientSession() as stranger, stranger.get(link.split("?")[0]) as bare:
        assert bare.status == 403
    # Training ends; the next sweep (at the next start, here) deletes the copy.
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"])
    await bot.tavus.wait_until(lambda: len(bot.tavus.creates) == 1)
    trained = await settled_create(bot, job["id"])
    await bot.tavus.call_back(trained["replica_id"], bot.tavus.finish(trained["replica_id"]))
    await delivered(bot)
    await bot.stop()
    await launch(**settings)
    async with asyncio.timeout(10):
        while client.list_objects_v2(Bucket="replica-media").get("KeyCount"):
            await asyncio.sleep(0.1)


async def test_the_address_guard_covers_the_download_from_slack(
    launch: Launch, tmp_path: Path
) -> None:
    # The guard on: the Slack stand-in is on loopback, which a real Slack never is.
    bot = await launch(media_dir=tmp_path / "media")
    file = bot.slack.post_file("F0VIDEO", "dana.mp4", "video/mp4", VIDEO_BYTES)
    view = await use_shortcut(bot, [file])

    await submit_form(bot, view)

    await delivered(bot)
    [job] = await bot.jobs()
    assert job["status"] == "rejected"
    assert job["error_message"] == messages.LINK_PRIVATE
    assert bot.slack.downloads == []


async def test_an_image_from_the_shortcut_needs_a_voice(bot: Bot) -> None:
    file = bot.slack.post_file("F0IMAGE", "head.png", "image/png", png(1024, 1024))
    view = await use_shortcut(bot, [file])

    answer = await submit_form(bot, view)

    assert answer["errors"] == {form.VOICE: messages.ERROR_IMAGE_NEEDS_VOICE}
    answer = await submit_form(bot, view, **{form.VOICE: DOCUMENTED[0]})
    assert answer["response_action"] == "update"
    [job] = await bot.jobs()
    assert ".png?expires=" in await link_of(bot, job["id"], "train_image_url")
