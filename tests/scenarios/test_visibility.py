"""Who sees what: private replicas only their own people, guests only their own, no secret links."""

from __future__ import annotations

import json

import pytest

from bot import messages
from bot.slack.blocks import form
from tests.conftest import Bot, Launch
from tests.flows import (
    ask,
    ask_for_consent,
    consent,
    consent_request_of,
    delivered,
    settled_create,
)
from tests.slack_client import CHANNEL_ID, USER_ID

DANA = "U0DANA"  # the person shown
BOB = "U0BOB"  # someone else in the workspace
ADA = "U0ADA"  # a workspace admin
SECRET = "G0SECRET"  # a private channel the bot is in


async def asked_in(
    bot: Bot, channel: str, name: str, subject: str = DANA, **fields: str
) -> dict[str, object]:
    """A replica asked for by USER_ID in `channel`, of `subject`, who consented."""
    values = {form.NAME: name, form.SUBJECT: subject, **fields}
    job = await ask_for_consent(bot, channel, **values)
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=subject)
    return await settled_create(bot, job["id"])


def listed(answer: dict[str, object]) -> str:
    return json.dumps(answer.get("blocks") or []) + str(answer.get("text", ""))


async def test_a_private_channels_replica_is_listed_only_to_its_own_people(bot: Bot) -> None:
    bot.slack.private.add(SECRET)
    bot.slack.admins.add(ADA)
    await asked_in(bot, SECRET, "Hidden Dana")
    await asked_in(bot, CHANNEL_ID, "Open Dana")

    seen = {who: listed(await ask(bot, "list", user=who)) for who in (USER_ID, DANA, ADA, BOB)}

    for who in (USER_ID, DANA, ADA):
        assert "Hidden Dana" in seen[who], who
        assert "Open Dana" in seen[who], who
    assert "Hidden Dana" not in seen[BOB]
    assert "Open Dana" in seen[BOB]
    [job] = [job for job in await bot.jobs() if job["replica_name"] == "Hidden Dana"]
    assert job["private"] in (True, 1)


async def test_status_of_a_private_replica_is_not_found_for_anyone_else(bot: Bot) -> None:
    bot.slack.private.add(SECRET)
    job = await asked_in(bot, SECRET, "Hidden Dana")

    for query in ("Hidden Dana", str(job["replica_id"])):
        answer = await ask(bot, f"status {query}", user=BOB)
        assert answer["text"] == messages.NOT_FOUND.format(query=query)
    mine = await ask(bot, f"status {job['replica_id']}", user=DANA)
    assert "Hidden Dana" in listed(mine)


async def test_a_replica_asked_for_in_a_dm_is_private(bot: Bot) -> None:
    await asked_in(bot, f"D{USER_ID}", "DM Dana")

    assert "DM Dana" not in listed(await ask(bot, "list", user=BOB))
    assert bot.slack.called("conversations.info") == []  # a DM is private: no need to ask


async def test_a_channel_slack_will_not_describe_counts_as_private(bot: Bot) -> None:
    bot.slack.private.add(SECRET)
    bot.slack.outside.add(SECRET)  # a private channel the bot is not in: channel_not_found

    await ask_for_consent(bot, SECRET, **{form.NAME: "Hidden Dana", form.SUBJECT: DANA})

    [job] = await bot.jobs()
    assert job["private"] in (True, 1)
    assert "Hidden Dana" not in listed(await ask(bot, "list", user=BOB))


# --- guests ---------------------------------------------------------------------------------

GUEST_FLAGS = ("is_restricted", "is_ultra_restricted", "is_stranger")


@pytest.mark.parametrize("flag", GUEST_FLAGS)
async def test_a_guest_sees_no_replica_but_those_of_them(launch: Launch, flag: str) -> None:
    bot = await launch()
    await asked_in(bot, CHANNEL_ID, "Dana public")  # asked by USER_ID, of DANA
    await asked_in(bot, CHANNEL_ID, "Ada public", ADA)
    await bot.stop()
    # Slack's answers are kept a minute: a new instance asks again, and hears of a guest.
    bot = await launch()
    bot.slack.profiles[DANA][flag] = True
    bot.slack.profiles[BOB][flag] = True

    assert (await ask(bot, "list", user=BOB))["text"] == messages.LIST_EMPTY
    for query in ("Dana public", "Ada public"):
        answer = await ask(bot, f"status {query}", user=BOB)
        assert answer["text"] == messages.NOT_FOUND.format(query=query)
    theirs = listed(await ask(bot, "list", user=DANA))
    assert "Dana public" in theirs
    assert "Ada public" not in theirs
    assert (await ask(bot, "status Ada public", user=DANA))["text"].startswith("I don't know")
    assert "Dana public" in listed(await ask(bot, "status Dana public", user=DANA))


async def test_slack_not_saying_who_asks_shows_them_only_their_own(bot: Bot) -> None:
    await asked_in(bot, CHANNEL_ID, "Dana public")
    bot.slack.fail("users.info", "fatal_error", times=5)

    answer = await ask(bot, "list", user=BOB)

    assert "Dana public" not in listed(answer)


# --- links in a status ------------------------------------------------------------------------

SIGNED_CONSENT = "https://cdn.example.com/dana-consent.mp4?X-Amz-Signature=S1GNATURE"
THUMBNAIL = "https://cdn.tavus.example/preview.mp4?token=T0KEN"


async def ready_with_preview(bot: Bot) -> dict[str, object]:
    job = await asked_in(bot, CHANNEL_ID, "Dana", **{form.CONSENT_VIDEO: SIGNED_CONSENT})
    replica = str(job["replica_id"])
    bot.tavus.replicas[replica]["thumbnail_video_url"] = THUMBNAIL
    await bot.tavus.call_back(replica, bot.tavus.finish(replica))
    await delivered(bot)
    return job


async def test_a_status_names_the_consent_video_by_host_and_file_never_its_link(bot: Bot) -> None:
    job = await ready_with_preview(bot)

    answer = listed(await ask(bot, f"status {job['replica_id']}"))

    assert "cdn.example.com · dana-consent.mp4" in answer
    assert "S1GNATURE" not in answer
    assert "dana-consent.mp4?" not in answer


async def test_the_preview_video_is_linked_only_for_those_party_to_the_replica(bot: Bot) -> None:
    job = await ready_with_preview(bot)
    bot.slack.admins.add(ADA)

    for who in (USER_ID, DANA, ADA):
        assert THUMBNAIL in listed(await ask(bot, f"status {job['replica_id']}", user=who)), who
    seen = listed(await ask(bot, f"status {job['replica_id']}", user=BOB))
    assert "Dana" in seen
    assert "T0KEN" not in seen
    # The channel reads the result: no preview there either.
    for post in bot.slack.posts(CHANNEL_ID):
        assert "T0KEN" not in json.dumps(post)
