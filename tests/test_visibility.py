"""Who sees what: replicas asked for in private channels and DMs only by their own people."""

from __future__ import annotations

import json

from bot import messages
from bot.slack import form
from tests.conftest import Bot
from tests.flows import ask, ask_for_consent, consent, consent_request_of, settled_create
from tests.slack_client import CHANNEL_ID, USER_ID

DANA = "U0DANA"  # the person shown
BOB = "U0BOB"  # someone else in the workspace
ADA = "U0ADA"  # a workspace admin
SECRET = "G0SECRET"  # a private channel the bot is in


async def asked_in(bot: Bot, channel: str, name: str) -> dict[str, object]:
    job = await ask_for_consent(bot, channel, **{form.NAME: name, form.SUBJECT: DANA})
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=DANA)
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
