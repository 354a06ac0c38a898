"""Steps the end-to-end tests share: open the form, fill it in, start a training."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.slack import form
from tests.conftest import Bot
from tests.slack_client import CHANNEL_ID, USER_ID, filled

VIDEO = "https://cdn.example.com/dana.mp4"
IMAGE = "https://cdn.example.com/dana.png"
CONSENT_VIDEO = "https://cdn.example.com/dana-consent.mp4"


async def open_form(bot: Bot, channel: str = CHANNEL_ID) -> dict[str, Any]:
    """Type /replica and return the form the bot opened."""
    opened = len(bot.slack.called("views.open"))
    status, body = await bot.sender.command(channel=channel)
    assert (status, body) == (200, "")
    await bot.slack.wait_for("views.open", opened + 1)
    return bot.slack.called("views.open")[opened]["view"]


async def submit(bot: Bot, channel: str = CHANNEL_ID, **fields: Any) -> tuple[int, Any]:
    """Open the form and submit it filled with `fields` (block id -> value)."""
    view = await open_form(bot, channel)
    return await bot.sender.submit(filled(view, **fields))


async def start_training(
    bot: Bot, channel: str = CHANNEL_ID, *, announced: bool = True, **fields: Any
) -> dict[str, Any]:
    """Submit a valid form and wait for Tavus's answer in the modal (and the announcement).

    Returns the announcement, or the create request Tavus received when `announced` is False.
    """
    values = {form.NAME: "Dana", form.VIDEO: VIDEO, form.CONSENT: True, **fields}
    updated, posted = len(bot.slack.called("views.update")), len(bot.slack.posts())
    status, answer = await submit(bot, channel, **values)
    assert status == 200
    assert answer["response_action"] == "update"
    await bot.slack.wait_for("views.update", updated + 1)
    if not announced:
        return bot.tavus.creates[-1]
    await bot.slack.wait_for_posts(posted + 1)
    return bot.slack.posts()[posted]


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
