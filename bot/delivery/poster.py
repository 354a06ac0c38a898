"""Slack's Web API for delivery: posting, redrawing, joining, DMs and looking before a resend."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.budgets import LookAgain
from bot.delivery.plan import Attempt, Plan, Posted
from bot.delivery.retry import error_word, passing, refusal
from bot.jobs import Notice
from bot.slack.blocks import kit

log = logging.getLogger(__name__)

# The channel won't take the message: post to the requester's DM instead. The restricted_action_*
# errors are channels an admin set to read-only, to thread replies only, to no threads at all,
# or a locked thread (chat.postMessage's documented errors).
UNREACHABLE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "restricted_action_thread_locked",
    }
)
# Every message delivery posts carries its notice's id under this type, to be found again.
METADATA_TYPE = "replica_bot_notice"


# How many messages one look before a resend reads: non-Marketplace apps distributed by OAuth get
# at most 15 (and one call a minute) from conversations.history and .replies; others, Tier 3.
HISTORY_PAGE = 200
LIMITED_HISTORY_PAGE = 15


class Poster:
    """The one caller of Slack's Web API for delivery; it knows plans and notices, not the store."""

    def __init__(self, client: AsyncWebClient, *, history_page: int = HISTORY_PAGE) -> None:
        self._client = client
        self._history_page = history_page
        # A DM's channel id never changes: it is looked up (or learnt from a post) once per user.
        self._dms: dict[str, str] = {}

    async def carry_out(self, plan: Plan, notice: Notice, attempt: Attempt | None = None) -> Posted:
        """Send `notice` as planned: look first if in doubt; if its channel refuses, the DM.

        `attempt` learns where each post went: should no answer come, the notice is in doubt
        there, and only there is it looked for before the next try.
        """
        attempt = attempt or Attempt()
        if plan.update_ts is not None and plan.channel is not None:
            # Redrawing is idempotent: no need to look for an earlier attempt.
            return await self.redraw(plan.channel, plan.update_ts, plan.message)
        if (
            notice.in_doubt
            and (found := await self.find_earlier(notice, plan, attempt)) is not None
        ):
            log.info("notice %s had reached Slack already", notice.id)
            return found
        if plan.channel is None:
            attempt.target = plan.requester
            return await self.post_dm(plan.requester, plan.message, notice)
        try:
            attempt.target = plan.channel
            return await self.post(plan.channel, plan.message, notice, plan.thread_ts)
        except SlackApiError as exc:
            refused = error_word(exc)
            if refused not in UNREACHABLE:
                raise
            if refused == "not_in_channel" and await self.join(plan.channel):
                # A public channel: having joined, the bot can post there after all.
                return await self.post(plan.channel, plan.message, notice, plan.thread_ts)
            if plan.fallback is None:
                raise
        log.info("notice %s: %s refused (%s); DM instead", notice.id, plan.channel, refused)
        attempt.target = plan.requester
        posted = await self.post_dm(plan.requester, plan.fallback, notice)
        return Posted(posted.channel, posted.ts, refused=f"{plan.channel}: {refused}")

    async def redraw(self, channel: str, ts: str, message: kit.Message) -> Posted:
        """Redraw a message in place (the card)."""
        response = await self._client.chat_update(
            channel=channel, ts=ts, text=message.text, blocks=message.blocks
        )
        return Posted(str(response["channel"]), str(response["ts"]))

    async def post(
        self, channel: str, message: kit.Message, notice: Notice, thread_ts: str | None = None
    ) -> Posted:
        """Post a new message that carries the notice's id, so a resend can find it."""
        response = await self._client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            metadata={
                "event_type": METADATA_TYPE,
                "event_payload": {"notice_id": notice.id, "job_id": notice.job_id},
            },
        )
        return Posted(str(response["channel"]), str(response["ts"]))

    async def post_dm(self, user_id: str, message: kit.Message, notice: Notice) -> Posted:
        """Post in the bot's DM with `user_id`, addressed to the user: Slack finds the DM.

        No conversations.open first: it is Tier 3 (about 50 a minute per workspace), so a burst
        of DMs (200 consent requests) would wait minutes for it; posting goes at its own pace.
        """
        # Always to the user's id, so each DM keeps one budget (its lane's), whoever learnt its id.
        posted = await self.post(user_id, message, notice)
        self._dms[user_id] = posted.channel
        return posted

    async def join(self, channel: str) -> bool:
        """Join `channel` so the bot may post there; False if Slack will not let it."""
        try:
            await self._client.conversations_join(channel=channel)
        except SlackApiError as exc:
            # Private channels and DMs cannot be joined: the requester's DM it is.
            log.info("cannot join %s: %s", channel, error_word(exc))
            return False
        return True

    async def dm(self, user_id: str) -> str:
        """The bot's DM channel with `user_id`, opened (or posted to) once and then remembered."""
        if user_id not in self._dms:
            response = await self._client.conversations_open(users=user_id)
            self._dms[user_id] = str(response["channel"]["id"])
        return self._dms[user_id]

    async def find_earlier(
        self, notice: Notice, plan: Plan, attempt: Attempt | None = None
    ) -> Posted | None:
        """Look for a message carrying this notice's id where the attempt in doubt went.

        One read, in one place: where that attempt posted (recorded with the notice), else where
        the plan posts first; and only as long as that attempt lasted (from its start, kept as
        the notice's ts, for as long as `attempt` may last), so that messages posted since
        cannot push it out of a page of 15. Reads have a budget of their own (an app distributed
        by OAuth gets one a minute): a read that must wait raises Spent, and the notice is tried
        again later, still in doubt.
        """
        where = notice.channel or plan.channel or plan.requester
        if not where:
            return None
        thread_ts = plan.thread_ts if where == plan.channel else None
        if where[:1] in {"U", "W"}:
            # Posted to a person's id: it landed in the bot's DM with them.
            where = await self.dm(where)
        try:
            messages = await self._read(where, thread_ts, _window(notice, attempt))
        except SlackApiError as exc:
            refused = refusal(exc)
            if passing(refused.status, refused.error):
                raise  # Slack says not now: look again on the next try, still in doubt
            if refused.error == "not_in_channel" and await self.join(where):
                # A public channel posted to through chat:write.public, which a bot can read only
                # as a member: a member now, it reads there on the next try.
                raise LookAgain(where) from exc
            # Without the history scopes we cannot tell: sending again is the lesser harm.
            log.warning("notice %s: cannot look in %s: %s", notice.id, where, exc)
            return None
        for message in messages:
            if _notice_id(message) == notice.id:
                return Posted(where, str(message["ts"]))
        return None

    async def _read(
        self, channel: str, thread_ts: str | None, window: tuple[str, str | None]
    ) -> list[dict[str, Any]]:
        """The messages of a thread, or of a channel, posted within `window` (oldest, latest)."""
        oldest, latest = window
        if thread_ts is not None:
            response = await self._client.conversations_replies(
                channel=channel,
                ts=thread_ts,
                oldest=oldest,
                latest=latest,
                include_all_metadata=True,
                limit=self._history_page,
            )
        else:
            response = await self._client.conversations_history(
                channel=channel,
                oldest=oldest,
                latest=latest,
                include_all_metadata=True,
                limit=self._history_page,
            )
        return list(response.get("messages") or [])


# Clocks differ (the database's, Slack's): a look reaches this far either side of its window.
CLOCK_SLACK = 10.0


def _window(notice: Notice, attempt: Attempt | None) -> tuple[str, str | None]:
    """`oldest` and `latest` of the messages an attempt in doubt may have posted."""
    began = _seconds(notice.ts) if notice.channel else None
    if began is None or attempt is None or not attempt.lasts:
        # Not known when (a notice in doubt from before this was kept): since it was owed.
        return f"{notice.created_at.timestamp() - CLOCK_SLACK:.6f}", None
    return f"{began - CLOCK_SLACK:.6f}", f"{began + attempt.lasts + CLOCK_SLACK:.6f}"


def _seconds(ts: str | None) -> float | None:
    try:
        return float(ts) if ts else None
    except ValueError:
        return None


def _notice_id(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_TYPE:
        return None
    value = (metadata.get("event_payload") or {}).get("notice_id")
    return str(value) if value else None
