"""Steps the end-to-end tests share: open the form, fill it in, start a training."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.app import FOLLOW_UPS
from bot.slack.blocks import form, kit
from tests.conftest import Bot
from tests.slack_client import CHANNEL_ID, USER_ID, SlackSender, action_payload, filled

VIDEO = "https://cdn.example.com/dana.mp4"
IMAGE = "https://cdn.example.com/dana.png"
CONSENT_VIDEO = "https://cdn.example.com/dana-consent.mp4"
USE = "sales demo videos"


async def open_form(bot: Bot, channel: str = CHANNEL_ID, user: str = USER_ID) -> dict[str, Any]:
    """Type /replica and return the form the bot opened."""
    opened = len(bot.slack.modals)
    status, body = await bot.sender.command(channel=channel, user=user)
    assert (status, body) == (200, "")
    return await bot.slack.wait_for_modal(opened + 1)


async def submit(
    bot: Bot, channel: str = CHANNEL_ID, *, user: str = USER_ID, **fields: Any
) -> tuple[int, Any]:
    """Open the form and submit it filled with `fields` (block id -> value)."""
    view = await open_form(bot, channel, user)
    return await bot.sender.submit(filled(view, **fields), user=user)


async def ask_for_consent(
    bot: Bot, channel: str = CHANNEL_ID, *, user: str = USER_ID, **fields: Any
) -> dict[str, Any]:
    """Submit a valid form as `user`: the job, saved to wait for consent."""
    values = {form.NAME: "Dana", form.VIDEO: VIDEO, form.CONSENT: True, form.USE: USE, **fields}
    known = {job["id"] for job in await bot.jobs()}
    status, answer = await submit(bot, channel, user=user, **values)
    assert status == 200
    assert answer["response_action"] == "update", answer
    [job] = [job for job in await bot.jobs() if job["id"] not in known]
    return job


async def start_training(
    bot: Bot,
    channel: str = CHANNEL_ID,
    *,
    announced: bool = True,
    user: str = USER_ID,
    **fields: Any,
) -> dict[str, Any]:
    """Submit a valid form, consent as the person shown, and wait for Tavus's answer.

    Returns the announcement (the job's card, as first posted), or the create request Tavus
    received when `announced` is False (the card may be held up by a fault the test set).
    """
    creates = len(bot.tavus.creates)
    job = await ask_for_consent(bot, channel, user=user, **fields)
    await consent_request_of(bot, job["id"])  # as the person shown sees it, before clicking
    await consent(bot, job["id"], user=job["subject_id"])
    await bot.tavus.wait_until(lambda: len(bot.tavus.creates) > creates, within=10)
    await settled_create(bot, job["id"])
    if not announced:
        return bot.tavus.creates[-1]
    return await announcement_of(bot, job["id"])


async def announcement_of(bot: Bot, job_id: str, within: float = 10.0) -> dict[str, Any]:
    """The message a job was announced with, once it is posted (wherever it went)."""
    async with asyncio.timeout(within):
        while True:
            for notice in await bot.notices():
                sent = notice["status"] == "sent" and notice["kind"] == "announcement"
                if sent and notice["job_id"] == job_id:
                    [post] = [
                        p for p in bot.slack.posts(notice["channel"]) if p["ts"] == notice["ts"]
                    ]
                    return post
            await asyncio.sleep(0.01)


async def consent_request_of(bot: Bot, job_id: str, within: float = 10.0) -> dict[str, Any]:
    """The DM asking the person shown to consent to a job, once it is posted."""
    async with asyncio.timeout(within):
        while True:
            for post in bot.slack.posts():
                if _asks(post, job_id):
                    return post
            await asyncio.sleep(0.01)


async def consent(
    bot: Bot, job_id: str, *, user: str = USER_ID, action: str = kit.CONSENT_GIVE_ACTION
) -> dict[str, Any]:
    """Click "I consent" (or another button of the request) as `user`; the bot's answer.

    The click comes from the request's DM when it has been posted, as a real one would.
    """
    request = next((p for p in bot.slack.posts() if _asks(p, job_id)), None)
    return await press(bot, request, action, job_id, user=user)


async def press(
    bot: Bot, post: dict[str, Any] | None, action: str, value: str, *, user: str = USER_ID
) -> dict[str, Any]:
    """Click a button of `post` (None: of a message not known) as `user`; the bot's answer."""
    container: dict[str, Any] = {"type": "message"}
    if post is not None:
        container.update(channel_id=post["channel"], message_ts=post["ts"])
    key = f"click-{next(_clicks)}"
    payload = action_payload(
        action,
        value,
        user=user,
        container=container,
        message=None if post is None else bot.slack.card(post["channel"], post["ts"]),
        trigger=bot.slack.trigger(),
        response_url=bot.slack.response_url(
            key, origin=None if post is None else (post["channel"], post["ts"])
        ),
        team=bot.sender.team,
        enterprise=bot.sender.enterprise,
        org_install=bot.sender.org_install,
    )
    status, _ = await bot.sender.post(urlencode({"payload": json.dumps(payload)}))
    assert status == 200
    return await bot.slack.wait_for_response(key)


_clicks = itertools.count(1)


def _asks(post: dict[str, Any], job_id: str) -> bool:
    shown = json.dumps(post.get("blocks") or [])
    return job_id in shown and kit.CONSENT_GIVE_ACTION in shown


async def settled_create(bot: Bot, job_id: str, within: float = 10.0) -> dict[str, Any]:
    """Wait until Tavus's answer to a job's create is stored; the job then."""
    async with asyncio.timeout(within):
        while True:
            job = next(job for job in await bot.jobs() if job["id"] == job_id)
            if job["status"] not in ("awaiting_consent", "queued", "creating"):
                return job
            await asyncio.sleep(0.01)


async def thread_replies(bot: Bot, post: dict[str, Any]) -> list[dict[str, Any]]:
    """The accepted replies in the thread under `post`."""
    return [p for p in bot.slack.posts(post["channel"]) if p.get("thread_ts") == post["ts"]]


async def delivered(bot: Bot, within: float = 15.0) -> list[dict[str, Any]]:
    """Wait until nothing is owed any more; returns every notice."""
    async with asyncio.timeout(within):
        rows = await bot.notices()
        while not rows or any(row["status"] == "pending" for row in rows):
            await asyncio.sleep(0.05)
            rows = await bot.notices()
    return rows


async def ask(bot: Bot, text: str, *, user: str = USER_ID) -> dict[str, Any]:
    """Type `/replica text` and return what the bot sent to the command's response_url."""
    status, body = await bot.sender.command(text, user=user)
    assert (status, body) == (200, "")
    return await bot.slack.wait_for_response(bot.sender.last_response_key)


async def click(bot: Bot, action_id: str, value: str, *, user: str = USER_ID) -> dict[str, Any]:
    """Click a message button; return what the bot sent to the click's response_url."""
    status, _ = await bot.sender.action(action_id, value, user=user)
    assert status == 200
    return await bot.slack.wait_for_response(bot.sender.last_response_key)


def as_workspace(
    bot: Bot, team: str, enterprise: str | None = None, *, org_install: bool = False
) -> Bot:
    """The same bot, its requests coming from another workspace (of an org-wide install)."""
    sender = SlackSender(
        f"{bot.url}/slack/events",
        respond_to=f"{bot.slack.url}/respond",
        triggers=bot.slack.trigger,
        team=team,
        enterprise=enterprise,
        org_install=org_install,
    )
    return replace(bot, sender=sender)


@dataclass(frozen=True)
class Someone:
    """Someone who clicks or types: a user of the bot's own workspace, or of another one."""

    user: str
    team: str | None = None  # another workspace sharing the channel; None: the bot's own

    def at(self, bot: Bot) -> Bot:
        """The bot as this person reaches it, from their own workspace."""
        return bot if self.team is None else as_workspace(bot, self.team)


async def refusals(bot: Bot) -> list[tuple[str, str, str, str]]:
    """Each refusal on record: its workspace, who, what they were refused, and why."""
    rows = [row for row in await bot.audit() if row["action"] == "refused"]
    found = []
    for row in rows:
        details = json.loads(row["details"])
        found.append((row["team_id"], row["actor"], details["what"], details["why"]))
    return found


async def logged(
    caplog: pytest.LogCaptureFixture, words: str, within: float = 10.0
) -> logging.LogRecord:
    """The first record logged with `words` in its message, once there is one."""
    async with asyncio.timeout(within):
        while not (found := [r for r in caplog.records if words in r.getMessage()]):
            await asyncio.sleep(0.01)
    return found[0]


async def settled(bot: Bot, within: float = 10.0) -> None:
    """Wait until the work the bot's listeners left to run after answering Slack is done."""
    assert bot.runner is not None, "settled() needs the bot in this process"
    async with asyncio.timeout(within):
        await bot.runner.app[FOLLOW_UPS].settled()
