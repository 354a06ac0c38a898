"""Slack's tiers held while the real app posts: a 429 on a redraw, a burst spent."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.conftest import Bot, Launch
from tests.flows import delivered, start_training, thread_replies
from tests.standins.limits import Tiers


async def test_a_429_on_chat_update_holds_no_result_and_the_cards_follow(launch: Launch) -> None:
    bot = await launch(slack_update_rate=50, slack_update_burst=50)
    bot.slack.tiers = None  # the one 429 is this test's own, planned on chat.update
    first = await start_training(bot, **{"replica_name": "Dana one"})
    second = await start_training(bot, **{"replica_name": "Dana two"})
    await delivered(bot)
    jobs = {job["announcement_ts"]: job for job in await bot.jobs()}
    bot.slack.rate_limit("chat.update", retry_after=3)
    replica = {post["ts"]: jobs[post["ts"]]["replica_id"] for post in (first, second)}

    # The first result is owed with its card's redraw, which Slack refuses with Retry-After.
    await bot.tavus.call_back(replica[first["ts"]], bot.tavus.finish(replica[first["ts"]]))
    await bot.slack.wait_until(lambda: bot.slack.answers("chat.update", 429) == 1)
    # The second is owed while the redraws are held back: its reply does not wait with them.
    await bot.tavus.call_back(replica[second["ts"]], bot.tavus.finish(replica[second["ts"]]))
    await bot.slack.wait_until(lambda: replies_in(bot, second) == 1)
    [reply] = [c for c in bot.slack.calls if c.args.get("thread_ts") == second["ts"]]
    assert reply.at < bot.slack.retry_after_ends("chat.update")  # Slack's pause still on

    # The cards follow once Slack's Retry-After has passed, each redrawn to its result.
    async with asyncio.timeout(10):
        while not all(
            "Ready" in json.dumps(bot.slack.card(p["channel"], p["ts"])["blocks"])
            for p in (first, second)
        ):
            await asyncio.sleep(0.05)
    assert bot.slack.answers("chat.update", 429) == 1
    assert bot.slack.early_retries == 0  # no redraw went before Slack's Retry-After was over
    for post in (first, second):
        assert len(await thread_replies(bot, post)) == 1


def replies_in(bot: Bot, post: dict[str, Any]) -> int:
    """How many replies Slack took in the thread of `post`."""
    return len([m for m in bot.slack.posts(post["channel"]) if m.get("thread_ts") == post["ts"]])


async def test_redraws_keep_the_tier_3_pace_when_a_burst_is_spent(launch: Launch) -> None:
    bot = await launch(slack_update_rate=2, slack_update_burst=1)
    posts = [await start_training(bot, **{"replica_name": f"Dana {n}"}) for n in range(3)]
    await delivered(bot)
    jobs = {job["announcement_ts"]: job for job in await bot.jobs()}
    updates_before = len(bot.slack.called("chat.update"))
    # From here Slack refuses redraws closer together than half the pace set (a burst of one):
    # sent at the pace, none is refused; sent as fast as they come, the second would be.
    bot.slack.tiers = Tiers(post=(1000, 1000), tier_3=(4, 1))

    for post in posts:
        replica = jobs[post["ts"]]["replica_id"]
        await bot.tavus.call_back(replica, bot.tavus.finish(replica))
    await delivered(bot)
    async with asyncio.timeout(10):
        while len(bot.slack.called("chat.update")) < updates_before + 3:
            await asyncio.sleep(0.05)

    assert bot.slack.answers("chat.update", 429) == 0
