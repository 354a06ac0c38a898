"""People: what Slack says of a user is kept a minute, then asked again; so many at most."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.slack.people import People


class FakeSlack:
    """Answers users.info, counting the questions."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def users_info(self, *, user: str) -> dict[str, Any]:
        self.asked.append(user)
        return {"ok": True, "user": {"id": user, "is_admin": len(self.asked) > 1}}


async def test_an_answer_is_kept_a_minute_then_asked_again() -> None:
    slack, now = FakeSlack(), [0.0]
    people = People(slack, clock=lambda: now[0])  # type: ignore[arg-type]

    first = await people.user("U1")
    now[0] = 59.0
    kept = await people.user("U1")
    now[0] = 61.0
    fresh = await people.user("U1")

    assert slack.asked == ["U1", "U1"]
    assert (first["is_admin"], kept["is_admin"], fresh["is_admin"]) == (False, False, True)


async def test_no_more_answers_are_kept_than_the_cap_however_fresh() -> None:
    # Each answer is asked within the minute, so none expires: only the cap can bound them.
    slack, now = FakeSlack(), [0.0]
    people = People(slack, clock=lambda: now[0])  # type: ignore[arg-type]
    users = [f"U{number}" for number in range(People.MOST + 1)]
    for user in users:
        await people.user(user)
        now[0] += 0.001
    asked_first = len(slack.asked)

    for user in reversed(users):  # newest first: an answer asked again makes no room
        await people.user(user)
    kept = len(users) - (len(slack.asked) - asked_first)

    assert now[0] < People.KEPT
    assert kept == People.MOST


async def test_a_changed_copy_does_not_change_what_is_kept() -> None:
    people = People(FakeSlack())  # type: ignore[arg-type]

    (await people.user("U1"))["is_admin"] = True

    assert (await people.user("U1"))["is_admin"] is False


async def test_what_one_workspace_says_of_a_person_never_answers_for_another() -> None:
    # In Enterprise Grid a user's id is the same in every workspace of the org; their role
    # is not: an admin of one workspace may be a guest in the next.
    slack = FakeSlack()
    people = People(slack)  # type: ignore[arg-type]

    in_first = await people.using(slack, "T1").user("U1")  # type: ignore[arg-type]
    again = await people.using(slack, "T1").user("U1")  # type: ignore[arg-type]
    in_second = await people.using(slack, "T2").user("U1")  # type: ignore[arg-type]

    assert slack.asked == ["U1", "U1"]
    assert (in_first["is_admin"], again["is_admin"], in_second["is_admin"]) == (False, False, True)


class SlowSlack(FakeSlack):
    """Answers users.info once let go, so several questions are in flight at once."""

    def __init__(self) -> None:
        super().__init__()
        self.go = asyncio.Event()

    async def users_info(self, *, user: str) -> dict[str, Any]:
        await self.go.wait()
        return await super().users_info(user=user)


async def test_a_question_on_its_way_is_shared_and_a_later_one_asked_again() -> None:
    slack, now = SlowSlack(), [0.0]
    people = People(slack, clock=lambda: now[0])  # type: ignore[arg-type]

    waiting = [asyncio.ensure_future(people.user("U1")) for _ in range(5)]
    other = asyncio.ensure_future(people.user("U2"))
    await asyncio.sleep(0)
    slack.go.set()
    answers = await asyncio.gather(*waiting, other)
    now[0] = 61.0  # past what is kept: a new question, asked again
    again = await people.user("U1")

    assert slack.asked == ["U1", "U2", "U1"]
    assert [a["id"] for a in answers] == ["U1"] * 5 + ["U2"]
    assert again["is_admin"] is True


async def test_one_caller_giving_up_does_not_cancel_the_question_for_the_others() -> None:
    slack = SlowSlack()
    people = People(slack)  # type: ignore[arg-type]

    first = asyncio.ensure_future(people.user("U1"))
    second = asyncio.ensure_future(people.user("U1"))
    await asyncio.sleep(0)
    first.cancel()
    slack.go.set()

    assert (await second)["id"] == "U1"
    with pytest.raises(asyncio.CancelledError):
        await first
    assert slack.asked == ["U1"]
