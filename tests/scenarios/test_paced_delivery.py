"""Slack's tiers held while the real app posts: a 429 on a redraw, a burst spent."""

from __future__ import annotations

import asyncio
import json
import time

from tests.conftest import Launch
from tests.flows import delivered, start_training, thread_replies


async def test_a_429_on_chat_update_holds_no_result_and_the_cards_follow(launch: Launch) -> None:
    bot = await launch(slack_update_rate=50, slack_update_burst=50)
    bot.slack.tiers = None  # the one 429 is this test's own, planned on chat.update
    first = await start_training(bot, **{"replica_name": "Dana one"})
    second = await start_training(bot, **{"replica_name": "Dana two"})
    await delivered(bot)
    jobs = {job["announcement_ts"]: job for job in await bot.jobs()}
    bot.slack.rate_limit("chat.update", retry_after=2)

    started = time.monotonic()
    for post in (first, second):
        replica = jobs[post["ts"]]["replica_id"]
        await bot.tavus.call_back(replica, bot.tavus.finish(replica))
    # Both results reach their threads at once: the paused budget is chat.update's alone.
    for post in (first, second):
        await bot.slack.wait_until(
            lambda p=post: (
                len([m for m in bot.slack.posts(p["channel"]) if m.get("thread_ts") == p["ts"]])
                == 1
            )
        )
    assert time.monotonic() - started < 2
    assert bot.slack.answers("chat.update", 429) == 1

    # The cards follow once Slack's Retry-After has passed, each redrawn to its result.
    async with asyncio.timeout(10):
        while not all(
            "Ready" in json.dumps(bot.slack.card(p["channel"], p["ts"])["blocks"])
            for p in (first, second)
        ):
            await asyncio.sleep(0.05)
    assert time.monotonic() - started >= 2
    for post in (first, second):
        assert len(await thread_replies(bot, post)) == 1


async def test_redraws_keep_the_tier_3_pace_when_a_burst_is_spent(launch: Launch) -> None:
    bot = await launch(slack_update_rate=2, slack_update_burst=1)
    posts = [await start_training(bot, **{"replica_name": f"Dana {n}"}) for n in range(3)]
    await delivered(bot)
    jobs = {job["announcement_ts"]: job for job in await bot.jobs()}
    updates_before = len(bot.slack.called("chat.update"))

    for post in posts:
        replica = jobs[post["ts"]]["replica_id"]
        await bot.tavus.call_back(replica, bot.tavus.finish(replica))
    await delivered(bot)
    async with asyncio.timeout(10):
        while len(bot.slack.called("chat.update")) < updates_before + 3:
            await asyncio.sleep(0.05)

    moments = [call.at for call in bot.slack.calls if call.method == "chat.update"][updates_before:]
    # One at once (the burst), then one every half second at most.
    assert moments[2] - moments[0] >= 0.9
    assert bot.slack.answers("chat.update", 429) == 0
