"""End to end over HTTP: /replica help, list, status, rename, delete and the prefilled form."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import messages
from bot.slack.blocks import form, kit
from tests.conftest import Bot
from tests.flows import CONSENT_VIDEO, IMAGE, VIDEO, ask, click, delivered, start_training
from tests.slack_client import CHANNEL_ID, USER_ID
from tests.standins.server import Fault

OTHER_USER = "U0BOB"


async def only_job(bot: Bot) -> dict[str, Any]:
    [job] = await bot.jobs()
    return job


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in a message's blocks."""
    return [
        element
        for block in message.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def initial_values(view: dict[str, Any]) -> dict[str, Any]:
    """The input blocks' prefilled values, by block id."""
    return {
        block["block_id"]: block["element"].get("initial_value")
        for block in view["blocks"]
        if block["type"] == "input"
    }


# --- help and usage -------------------------------------------------------------------------


async def test_help_is_the_commands_own_answer_listing_every_subcommand(bot: Bot) -> None:
    status, body = await bot.sender.command("help")

    assert status == 200
    answer = json.loads(body)
    for words in (
        "`/replica`",
        "/replica Dana https://",
        "/replica list",
        "/replica status",
        "/replica rename",
        "/replica delete",
    ):
        assert words in answer["text"]
    assert answer["blocks"]
    # Only the caller sees it: no in_channel answer, nothing posted to the channel.
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert bot.slack.called("chat.postMessage") == []
    assert bot.slack.called("views.open") == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("frobnicate", "I don't know `frobnicate`"),
        ("list x", "takes a page number"),
        ("status", "needs a replica id or name"),
        ("rename r1", "needs a replica id and a new name"),
        ("delete", "needs one replica id"),
        ("delete a b", "needs one replica id"),
    ],
)
async def test_unknown_or_malformed_subcommands_get_a_short_usage_hint(
    bot: Bot, text: str, problem: str
) -> None:
    status, body = await bot.sender.command(text)

    assert status == 200
    answer = json.loads(body)
    assert problem in answer["text"]
    assert "/replica help" in answer["text"]
    assert len(answer["text"]) < 200
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert bot.slack.called("chat.postMessage") == []
    assert bot.slack.called("views.open") == []
    assert bot.tavus.renames == []
    assert bot.tavus.deletes == []


# --- list -----------------------------------------------------------------------------------


async def test_list_shows_the_workspaces_replicas_newest_first_with_status(bot: Bot) -> None:
    for name in ("Alpha", "Bravo", "Charlie"):
        await start_training(bot, **{form.NAME: name})
    await delivered(bot)
    posted = len(bot.slack.called("chat.postMessage"))

    answer = await ask(bot, "list")

    text = answer["text"]
    assert answer["response_type"] == "ephemeral"
    assert text.index("Charlie") < text.index("Bravo") < text.index("Alpha")
    assert text.count(messages.CARD_TRAINING) == 3
    for job in await bot.jobs():
        assert job["replica_id"] in text
    assert buttons(answer) == []
    assert len(bot.slack.called("chat.postMessage")) == posted  # no new post


async def test_a_long_list_pages_and_next_page_replaces_the_first(bot: Bot) -> None:
    names = [f"Replica {n:02d}" for n in range(11)]
    for name in names:
        await start_training(bot, **{form.NAME: name})

    first = await ask(bot, "list")

    for name in names[1:]:
        assert name in first["text"]
    assert names[0] not in first["text"]
    [more] = buttons(first)
    assert more["action_id"] == kit.LIST_PAGE_ACTION
    assert more["value"].startswith("2|")
    # A replica started meanwhile shifts nothing: the next page is found after the last shown.
    await start_training(bot, **{form.NAME: "Newest"})

    second = await click(bot, kit.LIST_PAGE_ACTION, more["value"])

    assert second["replace_original"] is True
    assert "page 2" in second["text"]
    assert names[0] in second["text"]
    for name in names[1:]:
        assert name not in second["text"]
    assert buttons(second) == []


async def test_list_in_an_empty_workspace_says_there_are_none_yet(bot: Bot) -> None:
    answer = await ask(bot, "list")

    assert answer["text"] == messages.LIST_EMPTY
    assert answer["response_type"] == "ephemeral"


# --- status ---------------------------------------------------------------------------------


async def test_status_by_id_shows_progress_fresh_from_tavus_and_the_details(bot: Bot) -> None:
    await start_training(bot, **{form.CONSENT_VIDEO: CONSENT_VIDEO, form.MODEL: "phoenix-3"})
    job = await only_job(bot)
    bot.tavus.replicas[job["replica_id"]]["training_progress"] = "40/100"

    answer = await ask(bot, f"status {job['replica_id']}")

    text = answer["text"]
    assert answer["response_type"] == "ephemeral"
    assert "Dana" in text
    assert "40%" in text
    assert job["replica_id"] in text
    assert "phoenix-3" in text
    assert f"<@{USER_ID}>" in text
    assert "Consent" in text
    assert "cdn.example.com · dana-consent.mp4" in text  # as receipts name it, never a link
    assert job["replica_id"] in bot.tavus.gets
    assert (await only_job(bot))["training_progress"] == "40/100"


async def test_status_by_name_of_a_failed_replica_shows_the_error_and_a_hint(bot: Bot) -> None:
    await start_training(bot, **{form.NAME: "Dana Failing"})
    job = await only_job(bot)
    reason = "Your consent phrase does not match the required statement."
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"], reason))
    await delivered(bot)

    answer = await ask(bot, "status dana failing")

    text = answer["text"]
    assert messages.CARD_FAILED in text
    assert reason in text
    assert "word for word" in text  # the hint for a consent failure
    assert job["replica_id"] in text
    assert "phoenix-4" in text
    assert f"<@{USER_ID}>" in text
    assert f"Given by <@{USER_ID}> on <!date^" in text


async def test_status_of_a_ready_replica_links_its_thumbnail(bot: Bot) -> None:
    await start_training(bot)
    job = await only_job(bot)
    thumbnail = "https://cdn.example.com/dana-thumbnail.mp4"
    bot.tavus.replicas[job["replica_id"]]["thumbnail_video_url"] = thumbnail
    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    await delivered(bot)

    answer = await ask(bot, f"status {job['replica_id']}")

    assert messages.CARD_READY in answer["text"]
    assert f"<{thumbnail}|" in answer["text"]


async def test_status_of_an_unknown_replica_says_so(bot: Bot) -> None:
    await start_training(bot)

    answer = await ask(bot, "status Nobody")

    assert "I don't know a replica `Nobody`" in answer["text"]
    assert answer["response_type"] == "ephemeral"


async def test_a_command_that_mentions_payload_is_answered_like_any_other(bot: Bot) -> None:
    # Bolt alone takes any form body containing "payload" for a button click, and drops it.
    answer = await ask(bot, "status payload-demo")

    assert "I don't know a replica `payload-demo`" in answer["text"]


# --- the prefilled form ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "filled_in", "left_empty"),
    [
        (f"Dana Lee {VIDEO}", {form.NAME: "Dana Lee", form.VIDEO: VIDEO}, form.IMAGE),
        # As a command with "Escape channels, users, and links" on would send a link.
        (f"Dana Lee <{IMAGE}>", {form.NAME: "Dana Lee", form.IMAGE: IMAGE}, form.VIDEO),
    ],
)
async def test_a_name_and_url_open_the_form_filled_in(
    bot: Bot, text: str, filled_in: dict[str, str], left_empty: str
) -> None:
    status, body = await bot.sender.command(text, raw=True)

    assert (status, body) == (200, "")
    view = await bot.slack.wait_for_modal()
    [opened] = bot.slack.called("views.open")
    assert opened["trigger_id"] == bot.sender.last_trigger
    assert opened["_ok"]
    values = initial_values(view)
    for block, value in filled_in.items():
        assert values[block] == value
    assert values[left_empty] is None
    assert json.loads(view["private_metadata"])["channel_id"] == CHANNEL_ID


# --- rename ---------------------------------------------------------------------------------


async def test_the_requester_renames_a_replica_at_tavus_and_the_card_follows(bot: Bot) -> None:
    post = await start_training(bot)
    await delivered(bot)
    job = await only_job(bot)

    answer = await ask(bot, f"rename {job['replica_id']} Dana (sales)")

    assert bot.tavus.renames == [(job["replica_id"], "Dana (sales)")]
    assert "Renamed" in answer["text"]
    assert "Dana (sales)" in answer["text"]
    assert job["replica_id"] in answer["text"]
    await bot.slack.wait_for("chat.update")
    await delivered(bot)
    card = bot.slack.card(post["channel"], post["ts"])
    assert "Dana (sales)" in card["text"]
    assert "Dana (sales)" in json.dumps(card["blocks"])
    assert (await only_job(bot))["replica_name"] == "Dana (sales)"


async def test_someone_else_cannot_rename_a_replica(bot: Bot) -> None:
    post = await start_training(bot)
    job = await only_job(bot)

    answer = await ask(bot, f"rename {job['replica_id']} Stolen", user=OTHER_USER)

    assert f"Only <@{USER_ID}>" in answer["text"]
    assert bot.tavus.renames == []
    assert (await only_job(bot))["replica_name"] == "Dana"
    await delivered(bot)
    assert "Stolen" not in bot.slack.card(post["channel"], post["ts"])["text"]


async def test_a_workspace_admin_may_rename_someone_elses_replica(bot: Bot) -> None:
    await start_training(bot)
    job = await only_job(bot)
    bot.slack.admins.add(OTHER_USER)

    answer = await ask(bot, f"rename {job['replica_id']} Dana by admin", user=OTHER_USER)

    assert bot.tavus.renames == [(job["replica_id"], "Dana by admin")]
    assert "Renamed" in answer["text"]
    assert (await only_job(bot))["replica_name"] == "Dana by admin"


async def test_a_rename_tavus_refuses_gives_the_reason_and_keeps_the_name(bot: Bot) -> None:
    post = await start_training(bot)
    job = await only_job(bot)
    bot.tavus.fail_next("rename", Fault(400, {"error": "Name already taken"}))

    answer = await ask(bot, f"rename {job['replica_id']} Dana (sales)")

    assert "couldn't rename" in answer["text"]
    assert "Name already taken" in answer["text"]
    assert (await only_job(bot))["replica_name"] == "Dana"
    await delivered(bot)
    assert "Dana (sales)" not in bot.slack.card(post["channel"], post["ts"])["text"]


# --- delete ---------------------------------------------------------------------------------


async def test_delete_asks_first_with_a_danger_button_behind_a_confirmation(bot: Bot) -> None:
    await start_training(bot)
    job = await only_job(bot)

    answer = await ask(bot, f"delete {job['replica_id']}")

    assert "can't be undone" in answer["text"]
    assert answer["response_type"] == "ephemeral"
    [button] = buttons(answer)
    assert (button["action_id"], button["value"]) == (kit.DELETE_ACTION, job["id"])
    assert button["style"] == "danger"
    dialog = button["confirm"]
    assert {"title", "text", "confirm", "deny"} <= dialog.keys()
    assert bot.tavus.deletes == []  # nothing deleted before the click
    assert (await only_job(bot))["status"] == "training"


async def test_confirmed_delete_removes_it_at_tavus_and_marks_the_card(bot: Bot) -> None:
    post = await start_training(bot)
    await delivered(bot)
    job = await only_job(bot)
    question = await ask(bot, f"delete {job['replica_id']}")
    [button] = buttons(question)

    answer = await click(bot, button["action_id"], button["value"])

    assert bot.tavus.deletes == [job["replica_id"]]
    assert answer["replace_original"] is True
    assert "Deleted" in answer["text"]
    assert (await only_job(bot))["status"] == "deleted"
    await bot.slack.wait_for("chat.update")
    await delivered(bot)
    assert messages.CARD_DELETED in bot.slack.card(post["channel"], post["ts"])["text"]
    # A deleted replica is no longer listed.
    assert (await ask(bot, "list"))["text"] == messages.LIST_EMPTY


async def test_someone_else_clicking_delete_is_refused_and_nothing_is_deleted(bot: Bot) -> None:
    await start_training(bot)
    job = await only_job(bot)

    answer = await click(bot, kit.DELETE_ACTION, job["id"], user=OTHER_USER)

    assert f"Only <@{USER_ID}>" in answer["text"]
    assert bot.tavus.deletes == []
    assert (await only_job(bot))["status"] == "training"


async def test_a_delete_tavus_refuses_gives_the_reason_and_keeps_the_replica(bot: Bot) -> None:
    await start_training(bot)
    job = await only_job(bot)
    bot.tavus.fail_next("delete", Fault(409, {"error": "Replica is used by a conversation"}))

    answer = await click(bot, kit.DELETE_ACTION, job["id"])

    assert bot.tavus.deletes == [job["replica_id"]]
    assert "couldn't delete" in answer["text"]
    assert "Replica is used by a conversation" in answer["text"]
    assert (await only_job(bot))["status"] == "training"
    assert job["replica_id"] in bot.tavus.replicas
