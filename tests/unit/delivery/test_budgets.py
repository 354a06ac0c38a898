"""Budgets per method, as Slack keeps them: a 429 pauses only the budget it names."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError

from bot.delivery.budgets import (
    TIER_3,
    TIER_4,
    Budgets,
    Limits,
    LocalPaces,
    PacedClient,
    Spent,
    budget_key,
    retry_after,
)
from bot.delivery.pace import Limit, Pace
from tests.clocks import Ticks
from tests.standins.slack import BOT_TOKEN, SlackStandIn


def test_a_pace_resumes_after_a_pause_with_one_message() -> None:
    pace = Pace(rate=50 / 60, burst=10, now=0.0)
    pace.pause(30.0)

    assert pace.delay(10.0) == 20.0
    assert pace.delay(30.0) == 0.0
    pace.spend(30.0)
    assert pace.delay(30.0) > 1.0


# Budgets as Slack keeps them: per channel for posts, per workspace for each tiered method.


LIMITS = Limits(post=Limit(rate=1, burst=2), update=Limit(rate=0.5, burst=1))


def test_each_method_keeps_the_budget_slack_gives_it() -> None:
    assert budget_key("T1", "chat.postMessage", "C1") != budget_key("T1", "chat.postMessage", "C2")
    assert budget_key("T1", "chat.update") != budget_key("T2", "chat.update")
    assert budget_key("T1", "conversations.history") != budget_key("T1", "chat.update")
    assert LIMITS.of("chat.postMessage") == Limit(rate=1, burst=2)
    assert LIMITS.of("chat.update") == Limit(rate=0.5, burst=1)
    for tier_3 in ("conversations.open", "conversations.replies", "files.info"):
        assert LIMITS.of(tier_3) == TIER_3
    for tier_4 in ("views.open", "views.publish", "chat.postEphemeral", "users.info"):
        assert LIMITS.of(tier_4) == TIER_4


async def test_turns_are_taken_in_order_a_burst_then_one_per_interval() -> None:
    clock = Ticks(1000.0)
    budgets = Budgets(LocalPaces(clock), LIMITS, most_wait=10)

    waits = [await budgets.turn("chat.postMessage", "C1") for _ in range(5)]

    # Each caller is given a later turn: nobody else can take a turn already given.
    assert waits == pytest.approx([0, 0, 1, 2, 3])
    assert await budgets.turn("chat.postMessage", "C2") == 0


async def test_paces_at_rest_are_forgotten_and_no_turn_changes_for_it() -> None:
    clock = Ticks(1000.0)
    paces = LocalPaces(clock)
    budgets = Budgets(paces, LIMITS, most_wait=60)
    # A DM to each of 3,000 people, once: a pace each, none at rest yet (each spent a token).
    for n in range(3000):
        assert await budgets.turn("chat.postMessage", f"D{n}") == 0
    await budgets.pause("chat.postMessage", "D7", 1)  # D7 learns to go slower
    await budgets.pause("chat.update", None, 600)
    assert len(paces) == 3001
    clock.now += 10

    # As many more again: the paces at rest are forgotten along the way, the others kept.
    for n in range(3000, 4100):
        assert await budgets.turn("chat.postMessage", f"D{n}") == 0

    assert len(paces) < 1200
    assert await budgets.delay("chat.update") == pytest.approx(590)
    assert await budgets.turn("chat.postMessage", "D7") == 0
    assert await budgets.turn("chat.postMessage", "D7") > 1  # its burst is still one
    # A pace forgotten is taken again as a fresh one would be: a burst of two.
    assert [await budgets.turn("chat.postMessage", "D5") for _ in range(3)] == pytest.approx(
        [0, 0, 1]
    )


def test_a_posts_turn_counts_from_slacks_answer_not_from_when_it_was_spent() -> None:
    # One a second, bursts of one. A post spent at 0 reached Slack late, answered at 0.6: Slack
    # may have counted it as late as that, so the next must not land before 1.6.
    pace = Pace(rate=1, burst=1, now=0.0)
    pace.spend(0.0)
    pace.answered(0.0, 0.6)
    assert pace.delay(0.6) == pytest.approx(1.0)

    # Answered at once, nothing changes; nor for a turn given before a later one was spent.
    prompt = Pace(rate=1, burst=1, now=0.0)
    prompt.spend(0.0)
    prompt.answered(0.0, 0.0)
    assert prompt.delay(0.0) == pytest.approx(1.0)


async def test_a_post_answered_late_moves_its_channels_next_turn_and_nothing_else() -> None:
    clock = Ticks(1000.0)
    budgets = Budgets(LocalPaces(clock), Limits(post=Limit(rate=1, burst=1)), most_wait=60)
    assert await budgets.turn("chat.postMessage", "C1") == 0
    await budgets.turn("chat.update")
    clock.now += 0.5  # the answers came half a second after the turns were taken

    await budgets.answered("chat.postMessage", "C1", 1000.0)
    await budgets.answered("chat.update", None, 1000.0)

    assert await budgets.delay("chat.postMessage", "C1") == pytest.approx(1.0)
    # Only a post's turn counts from its answer: a redraw's keeps the budget it took.
    assert await budgets.delay("chat.update") == pytest.approx(0.0)


async def test_a_turn_further_off_than_a_call_may_wait_is_refused_and_not_taken() -> None:
    clock = Ticks(1000.0)
    budgets = Budgets(LocalPaces(clock), LIMITS, most_wait=1.5)
    await budgets.pause("chat.postMessage", "C1", 30)

    with pytest.raises(Spent) as spent:
        await budgets.turn("chat.postMessage", "C1")

    assert spent.value.wait == pytest.approx(30)
    clock.now += 30
    assert await budgets.turn("chat.postMessage", "C1") == 0


async def test_a_429_pauses_only_the_budget_it_names(slack: SlackStandIn) -> None:
    clock = Ticks(1000.0)
    budgets = Budgets(LocalPaces(clock), LIMITS, most_wait=60)
    slack.rate_limit("chat.postMessage", retry_after=20, channel="C1")
    async with aiohttp.ClientSession() as session:
        client = PacedClient(
            budgets=budgets, token=BOT_TOKEN, base_url=slack.api_url, session=session
        )
        with pytest.raises(SlackApiError):
            await client.chat_postMessage(channel="C1", text="first")
        posted = await client.chat_postMessage(channel="C2", text="elsewhere")
        await client.chat_update(channel="C2", ts=posted["ts"], text="redrawn")

    assert await budgets.delay("chat.postMessage", "C1") == pytest.approx(20)
    assert await budgets.delay("chat.postMessage", "C2") == 0
    # The redraw spent chat.update's only token: its own budget, not C1's pause.
    assert await budgets.delay("chat.update") == pytest.approx(2)
    assert [call.method for call in slack.calls] == ["chat.postMessage"] * 2 + ["chat.update"]


async def test_a_turn_that_falls_inside_a_pause_met_meanwhile_is_refused() -> None:
    budgets = Budgets(LocalPaces(), Limits(post=Limit(rate=20, burst=1)), most_wait=1)
    await budgets.take("chat.postMessage", "C1")  # the burst: at once

    waiting = asyncio.create_task(budgets.take("chat.postMessage", "C1"))  # its turn: 50 ms on
    await asyncio.sleep(0)
    await budgets.pause("chat.postMessage", "C1", 30)  # another call met a 429 meanwhile

    with pytest.raises(Spent) as spent:
        await waiting
    assert spent.value.wait == pytest.approx(30, abs=1)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("1.5", 1.5),
        ("30", 30.0),
        (None, 1.0),
        ("", 1.0),
        ("soon", 1.0),
        ("inf", 1.0),
        ("-3", 1.0),
        ("86400", 300.0),  # a header is not to stop the bot for a day
    ],
)
def test_a_retry_after_is_read_safely(header: str | None, seconds: float) -> None:
    assert retry_after(header) == seconds
