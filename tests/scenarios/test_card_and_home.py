"""End to end over HTTP: the live card and its thread, Try again, App Home, channels the bot
cannot post in, and the form's voices from Tavus."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot import messages
from bot.jobs.voices import DOCUMENTED
from bot.slack.blocks import form, kit
from bot.slack.blocks.kit import RETRY_ACTION
from bot.slack.oauth import SCOPES
from tests.conftest import Bot, Launch
from tests.flows import (
    CONSENT_VIDEO,
    IMAGE,
    USE,
    VIDEO,
    consent,
    delivered,
    logged,
    open_form,
    settled,
    start_training,
    thread_replies,
)
from tests.slack_client import CHANNEL_ID, USER_ID, filled
from tests.standins.server import Fault
from tests.standins.tavus import TavusStandIn

OTHER_USER = "U0BOB"
THUMBNAIL = "https://cdn.example.com/dana-thumbnail.mp4"


async def only_job(bot: Bot) -> dict[str, Any]:
    [job] = await bot.jobs()
    return job


def field_texts(message: dict[str, Any]) -> list[str]:
    """The texts of every section field in a message's blocks."""
    return [
        field["text"]
        for block in message.get("blocks") or []
        if block["type"] == "section"
        for field in block.get("fields", [])
    ]


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every button in a list of blocks."""
    return [
        element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def card_updates(bot: Bot, post: dict[str, Any]) -> list[dict[str, Any]]:
    """The accepted chat.update calls that redrew the announcement `post`."""
    return [
        call
        for call in bot.slack.called("chat.update")
        if call["_ok"] and (call["channel"], call["ts"]) == (post["channel"], post["ts"])
    ]


def voice_options(view: dict[str, Any]) -> list[str]:
    [voice] = [b for b in view["blocks"] if b.get("block_id") == form.VOICE]
    return [option["value"] for option in voice["element"]["options"]]


async def start_training_as(bot: Bot, user: str, name: str) -> dict[str, Any]:
    """Start a training as `user`, of `user`: the announcement."""
    return await start_training(bot, user=user, **{form.NAME: name})


# --- the card -------------------------------------------------------------------------------


async def test_the_announcement_is_a_card_with_status_model_requester_and_id(bot: Bot) -> None:
    post = await start_training(bot, **{form.MODEL: "phoenix-3"})
    job = await only_job(bot)
    await delivered(bot)

    fields = field_texts(bot.slack.card(post["channel"], post["ts"]))
    assert f"*Status*\n{messages.CARD_TRAINING}" in fields
    assert f"*Likeness of*\n<@{USER_ID}>" in fields
    assert "*Model*\nphoenix-3" in fields
    assert f"*Started by*\n<@{USER_ID}>" in fields
    assert f"*Replica id*\n`{job['replica_id']}`" in fields
    assert post["text"]  # the plain-text fallback for notifications


async def test_progress_seen_by_polling_redraws_the_card_in_place(launch: Launch) -> None:
    bot = await launch(tavus_poll_interval=0.2)
    post = await start_training(bot)
    job = await only_job(bot)
    await delivered(bot)
    asked = len(bot.slack.called("chat.postMessage"))

    bot.tavus.replicas[job["replica_id"]]["training_progress"] = "40/100"

    await bot.slack.wait_until(lambda: any("40%" in c["text"] for c in card_updates(bot, post)))
    card = bot.slack.card(post["channel"], post["ts"])
    assert "40%" in card["text"]
    assert any("40%" in text for text in field_texts(card))
    await delivered(bot)
    assert bot.slack.called("chat.postMessage")[asked:] == []  # redrawn, not posted again


async def test_a_finished_training_makes_the_card_ready_and_replies_with_details(
    launch: Launch,
) -> None:
    bot = await launch(tavus_poll_interval=0.2)
    post = await start_training(bot)
    job = await only_job(bot)
    replica_id = job["replica_id"]

    bot.tavus.replicas[replica_id]["thumbnail_video_url"] = THUMBNAIL
    bot.tavus.finish(replica_id)

    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    await delivered(bot)
    card = bot.slack.card(post["channel"], post["ts"])
    assert messages.CARD_READY in card["text"]
    assert f"*Status*\n{messages.CARD_READY}" in field_texts(card)
    [reply] = await thread_replies(bot, post)
    result = reply["text"] + json.dumps(reply["blocks"])
    assert f"<@{USER_ID}>" in reply["text"]  # mentioned, so Slack notifies them
    assert f"`{replica_id}`" in reply["text"]
    assert "phoenix-4" in result
    assert THUMBNAIL not in result  # the channel reads it: the preview is for /replica status
    assert "Next:" in result


async def test_a_failed_results_try_again_reopens_the_form_with_its_values(bot: Bot) -> None:
    post = await start_training(
        bot,
        **{form.NAME: "Dana retry", form.CONSENT_VIDEO: CONSENT_VIDEO, form.MODEL: "phoenix-3"},
    )
    job = await only_job(bot)
    reason = "There was an issue downloading your video file"
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"], reason))
    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    await delivered(bot)
    [reply] = await thread_replies(bot, post)
    assert reason in reply["text"]
    assert messages.CARD_FAILED in bot.slack.card(post["channel"], post["ts"])["text"]
    [retry] = buttons(reply["blocks"])
    assert (retry["action_id"], retry["value"]) == (RETRY_ACTION, job["id"])
    assert retry["text"]["text"] == messages.RETRY_BUTTON
    opened = len(bot.slack.called("views.open"))

    status, _ = await bot.sender.action(retry["action_id"], retry["value"])

    assert status == 200
    view = await bot.slack.wait_for_modal(opened + 1)
    call = bot.slack.called("views.open")[opened]
    assert call["trigger_id"] == bot.sender.last_trigger
    assert call["_ok"]
    initial = {
        b["block_id"]: b["element"].get("initial_value", b["element"].get("initial_option"))
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert initial[form.NAME] == "Dana retry"
    assert initial[form.VIDEO] == VIDEO
    assert initial[form.CONSENT_VIDEO] == CONSENT_VIDEO
    assert initial[form.MODEL]["value"] == "phoenix-3"
    assert json.loads(view["private_metadata"])["channel_id"] == CHANNEL_ID


SIGNED_VIDEO = "https://cdn.example.com/dana.mp4?X-Amz-Signature=S1GNATURE"
SIGNED_CONSENT = "https://cdn.example.com/dana-consent.mp4?sig=S1GNATURE"


async def failed_from_signed_links(bot: Bot) -> dict[str, Any]:
    """A training from presigned links that Tavus failed: its Try again button."""
    post = await start_training(
        bot,
        **{form.NAME: "Dana signed", form.VIDEO: SIGNED_VIDEO, form.CONSENT_VIDEO: SIGNED_CONSENT},
    )
    job = await only_job(bot)
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"], "No luck"))
    await delivered(bot)
    [reply] = await thread_replies(bot, post)
    [retry] = buttons(reply["blocks"])
    return retry


async def test_try_again_by_anyone_else_is_refused_and_shows_nothing_of_the_job(bot: Bot) -> None:
    retry = await failed_from_signed_links(bot)
    opened = len(bot.slack.modals)

    status, _ = await bot.sender.action(retry["action_id"], retry["value"], user=OTHER_USER)

    assert status == 200
    view = await bot.slack.wait_for_modal(opened + 1)
    assert view["blocks"][0]["text"]["text"] == messages.RETRY_NOT_YOURS
    seen = json.dumps(bot.slack.modal(opened))
    for secret in ("cdn.example.com", "S1GNATURE", "Dana signed", USE, "slack_file"):
        assert secret not in seen
    assert "callback_id" not in view  # no form: nothing could be submitted


async def test_try_again_by_an_admin_refills_the_form_without_signed_links(bot: Bot) -> None:
    retry = await failed_from_signed_links(bot)
    bot.slack.admins.add(OTHER_USER)
    opened = len(bot.slack.modals)

    status, _ = await bot.sender.action(retry["action_id"], retry["value"], user=OTHER_USER)

    assert status == 200
    view = await bot.slack.wait_for_modal(opened + 1)
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in view["blocks"]
        if b["type"] == "input"
    }
    assert (initial[form.NAME], initial[form.USE]) == ("Dana signed", USE)
    assert initial[form.VIDEO] is None
    assert initial[form.CONSENT_VIDEO] is None
    assert "S1GNATURE" not in json.dumps(view)
    assert json.loads(view["private_metadata"]) == {"channel_id": CHANNEL_ID}


# --- where the bot cannot post --------------------------------------------------------------


async def test_in_a_public_channel_it_is_not_in_the_bot_announces_there_without_joining(
    bot: Bot,
) -> None:
    bot.slack.outside.add(CHANNEL_ID)  # chat:write.public is granted: posting needs no join

    post = await start_training(bot)

    assert post["channel"] == CHANNEL_ID
    assert bot.slack.called("conversations.join") == []
    assert CHANNEL_ID in bot.slack.outside


async def test_without_chat_write_public_the_bot_joins_a_public_channel_and_announces_there(
    bot: Bot,
) -> None:
    bot.slack.outside.add(CHANNEL_ID)
    # An install granted without chat:write.public: Slack answers not_in_channel.
    bot.slack.granted_scopes = tuple(s for s in SCOPES if s != "chat:write.public")

    post = await start_training(bot)

    assert [call["channel"] for call in bot.slack.called("conversations.join")] == [CHANNEL_ID]
    assert post["channel"] == CHANNEL_ID
    assert "/invite" not in post["text"]
    # Only the person shown was written to (asked for consent), not told of a channel.
    await delivered(bot)
    assert [
        p["text"] for p in bot.slack.called("chat.postMessage") if p["channel"] != CHANNEL_ID
    ] == [messages.CONSENT_ASK.format(user=USER_ID, name="Dana")]


async def test_in_a_private_channel_the_requester_is_told_by_dm_and_gets_the_result_there(
    bot: Bot,
) -> None:
    bot.slack.outside.add(CHANNEL_ID)
    bot.slack.private.add(CHANNEL_ID)

    post = await start_training(bot)

    assert post["channel"] == f"D{USER_ID}"
    assert "/invite" in post["text"]
    assert f"<#{CHANNEL_ID}>" in post["text"]
    job = await only_job(bot)
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    await delivered(bot)
    # Tried once in the channel, where Slack refused it; the result went straight to the DM.
    [tried] = [p for p in bot.slack.called("chat.postMessage") if p["channel"] == CHANNEL_ID]
    assert not tried["_ok"]
    [reply] = await thread_replies(bot, post)
    assert reply["channel"] == f"D{USER_ID}"
    assert "ready" in reply["text"]
    assert job["replica_id"] in reply["text"]
    assert messages.CARD_READY in bot.slack.card(post["channel"], post["ts"])["text"]


# --- App Home -------------------------------------------------------------------------------


async def test_app_home_shows_the_users_own_replicas_and_a_button_to_start_one(
    bot: Bot,
) -> None:
    await start_training_as(bot, OTHER_USER, "Bobs replica")
    await start_training(bot, **{form.NAME: "Dana first"})
    await start_training(bot, **{form.NAME: "Dana second"})

    status, _ = await bot.sender.event(
        {"type": "app_home_opened", "user": USER_ID, "channel": "D1", "tab": "home"}
    )

    assert status == 200
    await bot.slack.wait_for("views.publish")
    [published] = bot.slack.called("views.publish")
    assert published["user_id"] == USER_ID
    view = published["view"]
    view = json.loads(view) if isinstance(view, str) else view
    shown = json.dumps(view)
    assert view["type"] == "home"
    assert shown.index("Dana second") < shown.index("Dana first")
    assert "Bobs replica" not in shown
    requested, of_me = shown.split(messages.HOME_OF_ME)
    assert requested.count(messages.CARD_TRAINING) == 2
    # Dana is shown in both: she asked, and the likeness is hers, so she may withdraw.
    assert of_me.count(messages.CARD_TRAINING) == 2
    [button] = buttons(view["blocks"])
    withdraw = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert [b["action_id"] for b in withdraw] == [kit.WITHDRAW_ACTION] * 2
    assert button["action_id"] == kit.OPEN_FORM_ACTION


async def test_the_home_button_opens_the_form_posting_to_the_users_dm(bot: Bot) -> None:
    status, _ = await bot.sender.action(
        kit.OPEN_FORM_ACTION, "home", container={"type": "view", "view_id": "V0HOME"}
    )

    assert status == 200
    view = await bot.slack.wait_for_modal()
    [opened] = bot.slack.called("views.open")
    assert opened["trigger_id"] == bot.sender.last_trigger
    assert opened["_ok"]
    assert view["callback_id"] == form.CALLBACK_ID
    assert json.loads(view["private_metadata"])["channel_id"] == USER_ID


async def test_opening_the_messages_tab_publishes_nothing(bot: Bot) -> None:
    await start_training(bot)

    status, _ = await bot.sender.event(
        {"type": "app_home_opened", "user": USER_ID, "channel": "D1", "tab": "messages"}
    )
    assert status == 200
    await settled(bot)  # whatever the event left to do after its answer is done

    assert bot.slack.called("views.publish") == []


# --- voices ---------------------------------------------------------------------------------


async def test_the_form_offers_the_voices_tavus_serves_and_accepts_them(bot: Bot) -> None:
    assert "sophia" not in DOCUMENTED
    async with asyncio.timeout(10):
        while "sophia" not in voice_options(view := await open_form(bot)):
            await asyncio.sleep(0.05)

    assert voice_options(view) == bot.tavus.voices
    assert bot.tavus.voice_requests

    status, answer = await bot.sender.submit(
        filled(
            view,
            **{
                form.NAME: "Dana",
                form.IMAGE: IMAGE,
                form.VOICE: "sophia",
                form.CONSENT: True,
                form.USE: "sales demo videos",
            },
        )
    )
    assert (status, answer["response_action"]) == (200, "update")
    [job] = await bot.jobs()
    await consent(bot, job["id"])
    await bot.tavus.wait_until(lambda: bool(bot.tavus.creates))
    assert bot.tavus.creates[0]["voice_name"] == "sophia"


async def test_the_form_offers_the_documented_voices_when_tavus_cannot_list_them(
    launch: Launch, tavus: TavusStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    tavus.fail_next("voices", Fault(503, {"message": "unavailable"}))
    bot = await launch()
    await logged(caplog, "could not list Tavus voices")  # the failed answer, taken in

    view = await open_form(bot)

    assert voice_options(view) == list(DOCUMENTED)
    assert "sophia" not in voice_options(view)
