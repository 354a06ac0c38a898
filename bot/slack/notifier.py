"""SlackNotifier: posts the domain's news to Slack, falling back to a DM where it cannot post."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs import Job
from bot.slack import blocks

log = logging.getLogger(__name__)

# Errors that mean "this channel won't take the message", so the requester's DM is used instead.
UNREACHABLE_CHANNEL = frozenset(
    {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}
)


class SlackNotifier:
    """The Notifier the domain uses, over one Slack Web API client."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def announce(self, job: Job) -> tuple[str, str]:
        """Post the job's card in its channel, or in the requester's DM if the channel refuses."""
        channel = job.requester.channel_id
        try:
            return await self._post(channel, blocks.announcement(job))
        except SlackApiError as exc:
            if _error(exc) not in UNREACHABLE_CHANNEL:
                raise
            log.info("job %s: cannot post in %s (%s); using a DM", job.id, channel, _error(exc))
        dm = await self.open_dm(job.requester.user_id)
        return await self._post(dm, blocks.announcement(job, moved_from=channel))

    async def report_result(self, job: Job) -> None:
        """Reply in the job's announcement thread (or DM the requester if it was never posted)."""
        message = blocks.result(job)
        if job.announcement_channel and job.announcement_ts:
            await self._post(job.announcement_channel, message, thread_ts=job.announcement_ts)
        else:
            await self._post(await self.open_dm(job.requester.user_id), message)

    async def tell(self, user_id: str, message: blocks.Message) -> None:
        """Send a user a private message in their DM with the bot."""
        await self._post(await self.open_dm(user_id), message)

    async def open_dm(self, user_id: str) -> str:
        """The id of the bot's DM with a user."""
        response = await self._client.conversations_open(users=user_id)
        return str(response["channel"]["id"])

    async def _post(
        self, channel: str, message: blocks.Message, *, thread_ts: str | None = None
    ) -> tuple[str, str]:
        response = await self._client.chat_postMessage(
            channel=channel, text=message.text, blocks=message.blocks, thread_ts=thread_ts
        )
        return str(response["channel"]), str(response["ts"])


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", ""))
