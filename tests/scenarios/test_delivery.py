"""Nothing lost, nothing twice: duplicate callbacks, polling, Slack's limits, outages, restarts."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.conftest import Bot, Launch
from tests.flows import ask_for_consent, delivered, start_training, thread_replies
from tests.slack_client import CHANNEL_ID, USER_ID
from tests.standins.server import Fault


def in_channel(calls: list[dict[str, Any]], channel: str = CHANNEL_ID) -> list[dict[str, Any]]:
    """The calls made for one channel (a consent request goes to another: a DM)."""
    return [call for call in calls if call.get("channel") == channel]


async def job_of(bot: Bot) -> dict[str, Any]:
    [job] = await bot.jobs()
    return job


async def test_concurrent_duplicate_callbacks_reply_once(bot: Bot) -> None:
    post = await start_training(bot)
    job = await job_of(bot)
    body = bot.tavus.finish(job["replica_id"])
    await delivered(bot)
    before = len(await bot.notices())

    answers = await asyncio.gather(
        *(bot.tavus.call_back(job["replica_id"], body) for _ in range(12))
    )

    assert {status for status, _ in answers} == {200}
    await delivered(bot)
    assert len(await thread_replies(bot, post)) == 1
    # The card is redrawn with the result, not owed as a notice of its own.
    assert [n["kind"] for n in (await bot.notices())[before:]] == ["result"]


async def test_a_ready_callback_for_an_unfinished_replica_posts_nothing(bot: Bot) -> None:
    post = await start_training(bot)
    job = await job_of(bot)

    status, _ = await bot.tavus.call_back(
        job["replica_id"], {"replica_id": job["replica_id"], "status": "ready"}
    )

    assert status == 200
    assert bot.tavus.gets == [job["replica_id"]]  # it asked Tavus rather than trusting the body
    await delivered(bot)
    assert await thread_replies(bot, post) == []
    assert (await job_of(bot))["status"] == "training"


async def test_an_unconfirmable_callback_is_deferred_and_polling_settles_it(
    launch: Launch,
) -> None:
    bot = await launch(tavus_poll_interval=0.3)
    post = await start_training(bot)
    job = await job_of(bot)
    body = bot.tavus.finish(job["replica_id"], "There was an issue downloading your video file")
    bot.tavus.fail_next("get", Fault(503, "unavailable"))

    status, _ = await bot.tavus.call_back(job["replica_id"], body)

    assert status == 202
    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    [reply] = await thread_replies(bot, post)
    assert "downloading your video" in reply["text"]
    assert "direct download link" in reply["text"]


async def test_a_late_callback_after_polling_reported_posts_nothing_more(launch: Launch) -> None:
    bot = await launch(tavus_poll_interval=0.2)
    post = await start_training(bot)
    job = await job_of(bot)
    body = bot.tavus.finish(job["replica_id"])

    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    status, _ = await bot.tavus.call_back(job["replica_id"], body)

    assert status == 200
    await delivered(bot)
    assert len(await thread_replies(bot, post)) == 1
    assert (await job_of(bot))["status"] == "ready"


async def test_without_a_public_url_results_are_found_by_polling(launch: Launch) -> None:
    bot = await launch(public_url=None, tavus_poll_interval=0.2)
    post = await start_training(bot)
    [create] = bot.tavus.creates
    assert "callback_url" not in create
    job = await job_of(bot)

    bot.tavus.finish(job["replica_id"], "Your consent phrase does not match")

    await bot.slack.wait_for_posts(2, channel=CHANNEL_ID)
    [reply] = await thread_replies(bot, post)
    assert "consent phrase" in reply["text"]
    assert (await job_of(bot))["status"] == "failed"


async def test_tavus_errors_while_polling_are_retried_on_later_rounds(launch: Launch) -> None:
    bot = await launch(tavus_poll_interval=0.2, tavus_timeout=0.5)
    post = await start_training(bot)
    job = await job_of(bot)
    bot.tavus.fail_next("get", Fault(500, "boom"), times=2)
    bot.tavus.fail_next("get", Fault(429, {"message": "slow down"}))
    bot.tavus.fail_next("get", Fault(delay=1.0))  # longer than TAVUS_TIMEOUT
    bot.tavus.fail_next("get", Fault(200, "not json"))

    bot.tavus.finish(job["replica_id"])

    await bot.slack.wait_for_posts(2, within=20, channel=CHANNEL_ID)
    assert len(bot.tavus.gets) >= 6
    assert len(await thread_replies(bot, post)) == 1


async def test_a_429_is_waited_out_as_retry_after_says(bot: Bot) -> None:
    bot.slack.rate_limit("chat.postMessage", retry_after=1, channel=CHANNEL_ID)

    post = await start_training(bot)

    assert post["channel"] == CHANNEL_ID
    assert bot.slack.answers("chat.postMessage", 429) == 1
    assert bot.slack.early_retries == 0
    await delivered(bot)
    assert len(bot.slack.posts(CHANNEL_ID)) == 1


async def test_replies_in_one_channel_are_paced_to_slacks_limit(launch: Launch) -> None:
    bot = await launch(slack_channel_rate=4, slack_channel_burst=1, tavus_poll_interval=0.2)
    # Slack's limit here is this test's own, five a second: the tiers' one would be another.
    bot.slack.tiers = None
    bot.slack.channel_limit = 5
    for n in range(6):
        await start_training(bot, replica_name=f"Dana {n}")
    for job in await bot.jobs():
        bot.tavus.finish(job["replica_id"])

    await bot.slack.wait_for_posts(12, within=20, channel=CHANNEL_ID)

    assert bot.slack.answers("chat.postMessage", 429) == 0
    await delivered(bot)
    assert len(bot.slack.posts(CHANNEL_ID)) == 12


async def test_a_busy_channel_does_not_hold_up_another(launch: Launch) -> None:
    # Five requests wait for the same person's consent: more than they may by default.
    bot = await launch(
        slack_channel_rate=2, slack_channel_burst=1, public_url=None, consent_waiting_per_subject=5
    )
    # Each request's card is owed as soon as it is saved.
    for _ in range(4):
        await ask_for_consent(bot, "C0BUSY")
    await ask_for_consent(bot, "C0QUIET")

    def order() -> list[str]:
        # Each request's consent was asked in a DM: only the channels' posts race here.
        return [post["channel"] for post in bot.slack.posts() if post["channel"].startswith("C")]

    await bot.slack.wait_until(lambda: len(order()) >= 5, within=20)
    order = order()

    # The quiet channel's one message went out long before the busy channel's queue drained.
    assert order.index("C0QUIET") < 3
    assert order.count("C0BUSY") == 4


async def test_a_slow_success_is_found_and_not_posted_twice(launch: Launch) -> None:
    bot = await launch(slack_timeout=1)
    bot.slack.fail_next("chat.postMessage", Fault(late_answer=2.0), channel=CHANNEL_ID)

    await start_training(bot, announced=False)

    [notice] = [n for n in await delivered(bot) if n["kind"] == "announcement"]
    [post] = bot.slack.posts(CHANNEL_ID)
    assert len(in_channel(bot.slack.called("chat.postMessage"))) == 1
    # One look, where the attempt in doubt went: not the requester's DM besides.
    [looked] = bot.slack.called("conversations.history")
    assert looked["channel"] == CHANNEL_ID
    job = await job_of(bot)
    assert (notice["status"], notice["ts"]) == ("sent", post["ts"])
    assert job["announcement_ts"] == post["ts"]


@pytest.mark.parametrize("status", [500, 503])
async def test_a_server_error_after_the_post_is_looked_for_and_not_posted_twice(
    bot: Bot, status: int
) -> None:
    # Slack posted the announcement, then answered an error: the post may have landed.
    failed = Fault(status, {"ok": False, "error": "internal_error"}, after_work=True)
    bot.slack.fail_next("chat.postMessage", failed, channel=CHANNEL_ID)

    await start_training(bot, announced=False)

    [notice] = [n for n in await delivered(bot) if n["kind"] == "announcement"]
    # In the channel once: the first post, found by looking, not posted again.
    [post] = bot.slack.messages[CHANNEL_ID]
    assert [call["_status"] for call in in_channel(bot.slack.called("chat.postMessage"))] == [
        status
    ]
    [looked] = bot.slack.called("conversations.history")
    assert looked["channel"] == CHANNEL_ID
    assert (notice["status"], notice["ts"]) == ("sent", post["ts"])
    assert (await job_of(bot))["announcement_ts"] == post["ts"]


@pytest.mark.parametrize(
    "refusal",
    [
        "is_archived",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "restricted_action_thread_locked",
    ],
)
async def test_a_channel_that_refuses_the_result_gets_it_by_dm(bot: Bot, refusal: str) -> None:
    post = await start_training(bot)
    job = await job_of(bot)
    bot.slack.fail("chat.postMessage", refusal)

    await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))

    notices = await delivered(bot)
    assert await thread_replies(bot, post) == []
    [dm] = [p for p in bot.slack.posts(f"D{USER_ID}") if "ready" in p["text"]]
    assert "ready" in dm["text"]
    assert f"<#{CHANNEL_ID}>" in dm["text"]
    [result] = [notice for notice in notices if notice["kind"] == "result"]
    assert refusal in result["last_error"]


async def test_a_message_nobody_can_take_is_recorded_as_failed(bot: Bot) -> None:
    bot.slack.fail("chat.postMessage", "not_in_channel", channel=CHANNEL_ID)
    bot.slack.fail("chat.postMessage", "channel_not_found", channel=CHANNEL_ID)  # after joining

    await start_training(bot, announced=False)

    [notice] = [n for n in await delivered(bot) if n["kind"] == "announcement"]
    assert notice["status"] == "failed"
    assert notice["last_error"] == "channel_not_found"
    assert bot.slack.posts(CHANNEL_ID) == []


@pytest.mark.parametrize("restart", [False, True])
async def test_a_slack_outage_delays_the_reply_but_loses_nothing(
    launch: Launch, restart: bool
) -> None:
    bot = await launch()
    post = await start_training(bot)
    job = await job_of(bot)
    bot.slack.down = True

    status, _ = await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    assert status == 200
    await bot.slack.wait_until(lambda: sum(c.args["_status"] == 503 for c in bot.slack.calls) >= 3)
    if restart:  # what is owed outlives the process: the next one sends it
        await bot.stop()
        bot = await launch()
    bot.slack.down = False

    await delivered(bot, within=40)
    [reply] = await thread_replies(bot, post)
    assert "ready" in reply["text"]
    assert len(bot.slack.posts(CHANNEL_ID)) == 2


async def test_a_rate_limited_look_keeps_the_doubt_and_posts_once(launch: Launch) -> None:
    bot = await launch(slack_timeout=1)
    bot.slack.fail_next("chat.postMessage", Fault(late_answer=2.0), channel=CHANNEL_ID)
    bot.slack.rate_limit("conversations.history", retry_after=1)

    await start_training(bot, announced=False)

    [notice] = [n for n in await delivered(bot, within=20) if n["kind"] == "announcement"]
    assert notice["status"] == "sent"
    assert bot.slack.answers("conversations.history", 429) == 1
    assert len(bot.slack.called("conversations.history")) >= 2
    assert len(in_channel(bot.slack.called("chat.postMessage"))) == 1


async def test_a_look_slack_answers_with_its_own_trouble_keeps_the_doubt_and_posts_once(
    launch: Launch,
) -> None:
    bot = await launch(slack_timeout=1)
    bot.slack.fail_next("chat.postMessage", Fault(late_answer=2.0), channel=CHANNEL_ID)
    # Slack's own trouble, said in the body of a 200: "not now", as a 429 or a 503 would be.
    bot.slack.fail("conversations.history", "internal_error")

    await start_training(bot, announced=False)

    [notice] = [n for n in await delivered(bot, within=20) if n["kind"] == "announcement"]
    assert notice["status"] == "sent"
    assert len(bot.slack.called("conversations.history")) >= 2
    assert len(in_channel(bot.slack.called("chat.postMessage"))) == 1
