"""End to end over HTTP: /replica → form → Tavus → channel message → threaded result."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest

from bot import messages
from bot.signing import digest
from bot.slack.blocks import form
from tests.conftest import Bot
from tests.flows import (
    CONSENT_VIDEO,
    IMAGE,
    USE,
    VIDEO,
    announcement_of,
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    open_form,
    settled,
    settled_create,
    start_training,
    submit,
    thread_replies,
)
from tests.slack_client import CHANNEL_ID, USER_ID, SlackSender, filled, submission
from tests.standins.server import Fault


async def test_slash_command_opens_the_form_with_its_trigger(bot: Bot) -> None:
    view = await open_form(bot)
    call = bot.slack.called("views.open")[0]
    assert call["trigger_id"] == bot.sender.last_trigger
    assert call["_ok"]
    assert view["callback_id"] == form.CALLBACK_ID
    assert CHANNEL_ID in view["private_metadata"]
    block_ids = {block.get("block_id") for block in view["blocks"]}
    assert {form.NAME, form.VIDEO, form.IMAGE, form.VOICE, form.CONSENT_VIDEO, form.MODEL} <= (
        block_ids
    )
    assert form.CONSENT in block_ids


@pytest.mark.parametrize(
    ("fields", "block", "words"),
    [
        ({form.NAME: "  "}, form.NAME, "name"),
        ({form.VIDEO: None}, form.VIDEO, "video"),
        ({form.IMAGE: IMAGE, form.VOICE: "anna"}, form.IMAGE, "not both"),
        ({form.VIDEO: None, form.IMAGE: IMAGE}, form.VOICE, "voice"),
        ({form.VIDEO: "cdn.example.com/dana.mp4"}, form.VIDEO, "https://"),
        ({form.VIDEO: "ftp://cdn.example.com/dana.mp4"}, form.VIDEO, "https://"),
        ({form.CONSENT_VIDEO: "javascript:alert(1)"}, form.CONSENT_VIDEO, "https://"),
        ({form.CONSENT: False}, form.CONSENT, "media shows"),
        ({form.USE: None}, form.USE, "what the replica is for"),
        ({form.MODEL: "phoenix-99"}, form.MODEL, "model"),
    ],
)
async def test_invalid_forms_are_refused_inline_and_change_nothing(
    bot: Bot, fields: dict[str, Any], block: str, words: str
) -> None:
    values = {form.NAME: "Dana", form.VIDEO: VIDEO, form.CONSENT: True, form.USE: USE, **fields}
    status, answer = await submit(bot, **values)
    assert status == 200
    assert answer["response_action"] == "errors"
    assert words in answer["errors"][block]
    # Nothing saved nor owed: nothing is left for delivery to post later.
    assert await bot.jobs() == []
    assert await bot.notices() == []
    assert bot.slack.called("chat.postMessage") == []
    assert bot.tavus.creates == []


async def test_video_form_creates_the_replica_and_announces_it_in_the_channel(bot: Bot) -> None:
    post = await start_training(bot, **{form.CONSENT_VIDEO: CONSENT_VIDEO})
    await delivered(bot)

    [create] = bot.tavus.creates
    [job] = await bot.jobs()
    replica_id = job["replica_id"]
    assert {k: v for k, v in create.items() if k != "callback_url"} == {
        "replica_name": "Dana",
        "model_name": "phoenix-4",
        "train_video_url": VIDEO,
        "consent_video_url": CONSENT_VIDEO,
    }
    prefix = f"{str(bot.settings.public_url).rstrip('/')}/tavus/callback/{job['id']}/"
    assert create["callback_url"].startswith(prefix)
    secret = create["callback_url"].removeprefix(prefix)
    assert len(secret) >= 32
    assert secret not in str(job)
    assert job["callback_digest"] == digest(secret)

    assert post["channel"] == CHANNEL_ID
    for words in (f"<@{USER_ID}>", "Dana", "phoenix-4", "this card", "thread"):
        assert words in post["text"]
    assert post["blocks"]
    assert (job["status"], job["announcement_channel"], job["announcement_ts"]) == (
        "training",
        CHANNEL_ID,
        post["ts"],
    )
    # The card is redrawn once Tavus has the replica, by delivery, a moment after.
    await bot.slack.wait_until(
        lambda: replica_id in json.dumps(bot.slack.card(CHANNEL_ID, post["ts"])["blocks"])
    )
    assert "Training" in json.dumps(bot.slack.card(CHANNEL_ID, post["ts"])["blocks"])


async def test_image_form_sends_the_image_and_voice(bot: Bot) -> None:
    await start_training(
        bot, **{form.VIDEO: None, form.IMAGE: IMAGE, form.VOICE: "julia", form.MODEL: "phoenix-3"}
    )
    [create] = bot.tavus.creates
    assert create["train_image_url"] == IMAGE
    assert create["voice_name"] == "julia"
    assert create["model_name"] == "phoenix-3"
    assert "train_video_url" not in create
    assert "consent_video_url" not in create


async def test_ready_callback_replies_in_the_announcement_thread(bot: Bot) -> None:
    post = await start_training(bot)
    [job] = await bot.jobs()

    status, _ = await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))

    assert status == 200
    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    [reply] = await thread_replies(bot, post)
    assert f"<@{USER_ID}>" in reply["text"]
    assert "ready" in reply["text"]
    assert job["replica_id"] in reply["text"]
    assert (await bot.jobs())[0]["status"] == "ready"


async def test_failed_callback_replies_with_the_reason_and_a_hint(bot: Bot) -> None:
    post = await start_training(bot)
    [job] = await bot.jobs()
    reason = "Your consent phrase does not match the required statement."

    status, _ = await bot.tavus.call_back(
        job["replica_id"], bot.tavus.finish(job["replica_id"], reason)
    )

    assert status == 200
    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    [reply] = await thread_replies(bot, post)
    assert reason in reply["text"]
    assert "word for word" in reply["text"]
    assert f"<@{USER_ID}>" in reply["text"]
    stored = (await bot.jobs())[0]
    assert (stored["status"], stored["error_message"]) == ("failed", reason)


async def test_repeated_callback_replies_once(bot: Bot) -> None:
    post = await start_training(bot)
    [job] = await bot.jobs()
    body = bot.tavus.finish(job["replica_id"])

    answers = [await bot.tavus.call_back(job["replica_id"], body) for _ in range(3)]

    assert [status for status, _ in answers] == [200, 200, 200]
    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    assert len(await thread_replies(bot, post)) == 1


async def test_progress_callback_is_accepted_and_posts_nothing(bot: Bot) -> None:
    await start_training(bot)
    [job] = await bot.jobs()
    await delivered(bot)
    asked = len(bot.slack.called("chat.postMessage"))

    status, _ = await bot.tavus.call_back(
        job["replica_id"], {"replica_id": job["replica_id"], "status": "training"}
    )

    assert status == 200
    await delivered(bot)
    assert bot.slack.called("chat.postMessage")[asked:] == []
    assert (await bot.jobs())[0]["status"] == "training"


async def test_forged_callbacks_are_refused_and_post_nothing(bot: Bot) -> None:
    post = await start_training(bot)
    [job] = await bot.jobs()
    replica_id = job["replica_id"]
    url = bot.tavus.replicas[replica_id]["callback_url"]
    base, secret = url.rsplit("/", 1)
    ready = {"replica_id": replica_id, "status": "ready"}
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    bot.tavus.finish(replica_id)  # had a forgery been taken, the job would be settled
    await delivered(bot)
    asked = len(bot.slack.called("chat.postMessage"))

    forgeries = [
        (f"{base}/{tampered}", ready, None, 403),
        (f"{bot.url}/tavus/callback/000000000000000000000000/{secret}", ready, None, 403),
        (f"{base}/", ready, None, 404),
        (url, {"replica_id": "r-someone-else", "status": "ready"}, None, 409),
        (url, {"status": "ready"}, None, 409),
        (url, None, b"replica_id=x&status=ready", 400),
        (url, None, b"[1, 2, 3]", 400),
        (url, None, b'{"replica_id": "' + b"x" * 20_000 + b'"}', 413),
    ]
    for target, body, raw, expected in forgeries:
        status, _ = await bot.tavus.call_back(replica_id, body, url=target, raw=raw)
        assert status == expected, target

    await delivered(bot)
    assert bot.slack.called("chat.postMessage")[asked:] == []
    assert (await bot.jobs())[0]["status"] == "training"
    # The real callback still speaks afterwards.
    assert (await bot.tavus.call_back(replica_id, ready))[0] == 200
    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    assert len(await thread_replies(bot, post)) == 1


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        (Fault(400, {"error": "Invalid train_video_url"}), "rejected", "Invalid train_video_url"),
        (Fault(401, {"message": "Invalid access token"}), "rejected", "TAVUS_API_KEY"),
        (Fault(402, {"error": "Insufficient credits"}), "rejected", "paid Tavus plan"),
        (Fault(403, {"error": "Plan does not allow custom replicas"}), "rejected", "paid"),
        (Fault(500, "Internal Server Error"), "unknown", "can't tell whether"),
        (Fault(429, {"message": "Too many requests"}), "rejected", "Try again in a few minutes"),
        (Fault(delay=5), "unknown", "can't tell whether"),
    ],
)
async def test_tavus_refusals_are_explained_to_the_requester_and_shown_on_the_card(
    bot: Bot, fault: Fault, status: str, words: str
) -> None:
    bot.tavus.fail_next("create", fault)
    job = await ask_for_consent(bot)
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"])

    job = await settled_create(bot, job["id"])
    await delivered(bot)
    dms = bot.slack.posts(f"D{USER_ID}")
    [told] = [p for p in dms if "was not created" in p["text"] or "can't tell" in p["text"]]
    assert words in told["text"]
    assert len(bot.tavus.creates) == 1  # never retried: a second create can cost a second credit
    assert job["status"] == status
    post = await announcement_of(bot, job["id"])
    shown = messages.CARD_NOT_CREATED if status == "rejected" else messages.CARD_UNKNOWN
    assert shown in bot.slack.card(CHANNEL_ID, post["ts"])["text"]

    # The bot keeps serving.
    await open_form(bot)
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as health:
        assert health.status == 200


async def test_a_refusal_reaches_the_requester_when_someone_else_is_shown(bot: Bot) -> None:
    bot.tavus.fail_next("create", Fault(400, {"error": "Invalid train_video_url"}))
    job = await ask_for_consent(bot, **{form.SUBJECT: "U0DANA"})
    await consent_request_of(bot, job["id"])

    await consent(bot, job["id"], user="U0DANA")

    await settled_create(bot, job["id"])
    await delivered(bot)
    [dm] = bot.slack.posts(f"D{USER_ID}")
    assert "Invalid train_video_url" in dm["text"]
    assert bot.slack.posts("DU0DANA")  # the person shown was only asked for consent


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
        "wrong-secret",
        "stale",
    ],
    ids=["none", "forged", "malformed", "wrong-secret", "stale"],
)
async def test_unsigned_or_stale_slack_requests_are_refused(
    bot: Bot, headers: dict[str, str] | str
) -> None:
    body = bot.sender.command_body()
    if headers == "wrong-secret":
        wrong = SlackSender(bot.sender.events_url, "not-the-secret", triggers=bot.slack.trigger)
        sent = wrong.headers(body)
    elif headers == "stale":
        sent = bot.sender.headers(body, age=6 * 60)
    else:
        assert isinstance(headers, dict)
        sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}

    status, _ = await bot.sender.post(body, sent)

    assert status == 401
    assert bot.slack.called("views.open") == []


async def test_a_form_body_changed_after_signing_is_refused_and_saves_nothing(bot: Bot) -> None:
    view = await open_form(bot)
    values = {
        form.NAME: "Dana",
        form.VIDEO: VIDEO,
        form.CONSENT: True,
        form.USE: "sales demo videos",
    }
    trigger = bot.slack.trigger()
    signed = urlencode({"payload": json.dumps(submission(filled(view, **values), trigger=trigger))})
    forged = {**values, form.NAME: "Eve"}
    sent = urlencode({"payload": json.dumps(submission(filled(view, **forged), trigger=trigger))})

    status, _ = await bot.sender.post(sent, bot.sender.headers(signed))

    assert status == 401
    await settled(bot)
    assert bot.tavus.creates == []
    assert await bot.jobs() == []


async def test_a_name_full_of_url_syntax_reaches_tavus_unchanged(bot: Bot) -> None:
    name = "R&D + Sales = 100% ; café ☕ #1?"

    created = await start_training(bot, announced=False, **{form.NAME: name})

    assert created["replica_name"] == name


async def test_a_body_that_is_not_text_is_refused(bot: Bot) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            bot.sender.events_url,
            data=b"command=%2Freplica&text=\xff\xfe",
            headers=bot.sender.headers("anything"),
        ) as response,
    ):
        assert response.status == 401
    assert bot.slack.called("views.open") == []


async def test_health_check_answers_when_the_database_does(bot: Bot) -> None:
    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["ok"] is True


async def test_a_database_too_slow_to_save_gets_try_again_and_nothing_starts(bot: Bot) -> None:
    path = bot.settings.database_url.removeprefix("sqlite:///")
    locker = sqlite3.connect(path, timeout=1, check_same_thread=False)
    view = await open_form(bot)
    values = {
        form.NAME: "Dana",
        form.VIDEO: VIDEO,
        form.CONSENT: True,
        form.USE: "sales demo videos",
    }
    await asyncio.to_thread(locker.execute, "BEGIN IMMEDIATE")
    try:
        status, answer = await bot.sender.submit(filled(view, **values))
    finally:
        await asyncio.to_thread(locker.rollback)
        locker.close()

    assert status == 200
    assert answer["response_action"] == "errors"
    assert "try again" in answer["errors"][form.NAME]
    # The save went on waiting for the lock; now it lands, and is undone as it does.
    async with asyncio.timeout(10):
        while not (jobs := await bot.jobs()) or jobs[0]["status"] != "rejected":
            await asyncio.sleep(0.02)
    assert len(jobs) == 1
    assert bot.tavus.creates == []
