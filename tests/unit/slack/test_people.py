"""People: what Slack says of a user is kept a minute, then asked again; so many at most.

Slack is the stand-in over HTTP, asked through slack_sdk's own client as the bot asks it: its
answers, errors and the questions it was asked are Slack's, not a fake's.
"""

from __future__ import annotations

import asyncio

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.governance.rules import CannotTell
from bot.slack.people import People
from tests.standins.server import Fault
from tests.standins.slack import BOT_TOKEN, SlackStandIn


def client_of(slack: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=BOT_TOKEN, base_url=slack.api_url)


def asked(slack: SlackStandIn) -> list[str]:
    return [call["user"] for call in slack.called("users.info")]


async def test_an_answer_is_kept_a_minute_then_asked_again(slack: SlackStandIn) -> None:
    now = [0.0]
    people = People(client_of(slack), clock=lambda: now[0])

    first = await people.user("U1")
    slack.admins.add("U1")  # made an admin meanwhile: seen once the answer has gone stale
    now[0] = 59.0
    kept = await people.user("U1")
    now[0] = 61.0
    fresh = await people.user("U1")

    assert asked(slack) == ["U1", "U1"]
    assert (first["is_admin"], kept["is_admin"], fresh["is_admin"]) == (False, False, True)


async def test_no_more_answers_are_kept_than_the_cap_however_fresh(slack: SlackStandIn) -> None:
    # Each answer is asked within the minute, so none expires: only the cap can bound them.
    now = [0.0]
    people = People(client_of(slack), clock=lambda: now[0], most=5)
    users = [f"U{number}" for number in range(6)]
    for user in users:
        await people.user(user)
        now[0] += 0.001
    asked_first = len(asked(slack))

    for user in reversed(users):  # newest first: an answer asked again makes no room
        await people.user(user)
    kept = len(users) - (len(asked(slack)) - asked_first)

    assert now[0] < People.KEPT
    assert kept == 5


async def test_a_changed_copy_does_not_change_what_is_kept(slack: SlackStandIn) -> None:
    people = People(client_of(slack))

    (await people.user("U1"))["is_admin"] = True

    assert (await people.user("U1"))["is_admin"] is False


async def test_what_one_workspace_says_of_a_person_never_answers_for_another(
    slack: SlackStandIn,
) -> None:
    # In Enterprise Grid a user's id is the same in every workspace of the org; their role
    # is not: an admin of one workspace may be a guest in the next.
    client = client_of(slack)
    people = People(client)

    in_first = await people.using(client, "T1").user("U1")
    slack.admins.add("U1")
    again = await people.using(client, "T1").user("U1")
    in_second = await people.using(client, "T2").user("U1")

    assert asked(slack) == ["U1", "U1"]
    assert (in_first["is_admin"], again["is_admin"], in_second["is_admin"]) == (False, False, True)


async def test_a_user_slack_does_not_know_cannot_be_told_and_is_not_kept(
    slack: SlackStandIn,
) -> None:
    slack.unknown_users.add("U0GONE")
    people = People(client_of(slack))

    with pytest.raises(CannotTell, match="user_not_found"):
        await people.user("U0GONE")
    with pytest.raises(CannotTell, match="user_not_found"):
        await people.user("U0GONE")

    assert asked(slack) == ["U0GONE", "U0GONE"]


async def test_slack_unreachable_cannot_be_told(slack: SlackStandIn) -> None:
    slack.fail_next("users.info", Fault(503, "upstream connect error"))
    people = People(client_of(slack))

    with pytest.raises(CannotTell):
        await people.user("U1")
    assert (await people.user("U1"))["id"] == "U1"  # nothing wrong was kept


async def test_a_question_on_its_way_is_shared_and_a_later_one_asked_again(
    slack: SlackStandIn,
) -> None:
    now = [0.0]
    people = People(client_of(slack), clock=lambda: now[0])
    slack.fail_next("users.info", Fault(delay=0.2))  # U1's answer is slow: the rest wait on it

    waiting = [asyncio.ensure_future(people.user("U1")) for _ in range(5)]
    other = asyncio.ensure_future(people.user("U2"))
    answers = await asyncio.gather(*waiting, other)
    slack.admins.add("U1")
    now[0] = 61.0  # past what is kept: a new question, asked again
    again = await people.user("U1")

    assert sorted(asked(slack)) == ["U1", "U1", "U2"]
    assert [a["id"] for a in answers] == ["U1"] * 5 + ["U2"]
    assert again["is_admin"] is True


async def test_one_caller_giving_up_does_not_cancel_the_question_for_the_others(
    slack: SlackStandIn,
) -> None:
    people = People(client_of(slack))
    slack.fail_next("users.info", Fault(delay=0.2))

    first = asyncio.ensure_future(people.user("U1"))
    second = asyncio.ensure_future(people.user("U1"))
    await asyncio.sleep(0)
    first.cancel()

    assert (await second)["id"] == "U1"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert asked(slack) == ["U1"]
