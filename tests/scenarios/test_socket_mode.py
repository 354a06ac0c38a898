"""Socket Mode: with SLACK_APP_TOKEN the bot talks to Slack over a WebSocket, no public URL."""

from __future__ import annotations

import aiohttp

from bot.slack.blocks import form, kit
from tests.conftest import Launch
from tests.flows import (
    VIDEO,
    announcement_of,
    consent_request_of,
    delivered,
    settled_create,
    thread_replies,
)
from tests.slack_client import CHANNEL_ID, action_payload, command_fields, filled, submission
from tests.standins.slack import APP_TOKEN


async def test_the_whole_flow_runs_over_socket_mode_without_a_public_url(launch: Launch) -> None:
    bot = await launch(slack_app_token=APP_TOKEN, public_url=None, tavus_poll_interval=0.2)
    slack = bot.slack
    assert slack.called("apps.connections.open")

    trigger = slack.trigger()
    ack = await slack.push("slash_commands", command_fields(trigger=trigger))
    assert "payload" not in ack or not ack["payload"]
    view = await slack.wait_for_modal()
    [opened] = slack.called("views.open")
    assert opened["trigger_id"] == trigger
    assert opened["_ok"]

    values = {
        form.NAME: "Dana",
        form.VIDEO: VIDEO,
        form.CONSENT: True,
        form.USE: "sales demo videos",
    }
    submitted = submission(filled(view, **values), trigger=slack.trigger())
    ack = await slack.push("interactive", submitted)
    assert ack["payload"]["response_action"] == "update"
    [job] = await bot.jobs()
    await consent_request_of(bot, job["id"])
    clicked = action_payload(
        kit.CONSENT_GIVE_ACTION,
        job["id"],
        trigger=slack.trigger(),
        response_url=slack.response_url("consent"),
    )
    await slack.push("interactive", clicked)
    job = await settled_create(bot, job["id"])
    post = await announcement_of(bot, job["id"])
    assert post["channel"] == CHANNEL_ID
    bot.tavus.finish(job["replica_id"])

    await slack.wait_for_posts(2, channel=CHANNEL_ID)
    await delivered(bot)
    [reply] = await thread_replies(bot, post)
    assert "ready" in reply["text"]

    # The HTTP server still answers health checks, and serves no callback route.
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot.url}/healthz") as health:
            assert health.status == 200
        async with session.post(f"{bot.url}/tavus/callback/x/y", json={}) as callback:
            assert callback.status == 404


async def test_invalid_input_over_socket_mode_is_refused_inline(launch: Launch) -> None:
    bot = await launch(slack_app_token=APP_TOKEN)
    await bot.slack.push("slash_commands", command_fields(trigger=bot.slack.trigger()))
    view = await bot.slack.wait_for_modal()

    submitted = submission(filled(view, **{form.NAME: ""}), trigger=bot.slack.trigger())
    ack = await bot.slack.push("interactive", submitted)

    assert ack["payload"]["response_action"] == "errors"
    assert form.NAME in ack["payload"]["errors"]
    assert bot.tavus.creates == []


async def test_socket_mode_needs_no_signing_secret_and_serves_no_http_events(
    launch: Launch,
) -> None:
    bot = await launch(slack_app_token=APP_TOKEN, slack_signing_secret=None)
    await bot.slack.push("slash_commands", command_fields(trigger=bot.slack.trigger()))
    await bot.slack.wait_for("views.open")

    # With no secret to check them by, requests over HTTP are not taken at all.
    status, _ = await bot.sender.command()
    assert status == 404
    assert len(bot.slack.called("views.open")) == 1
