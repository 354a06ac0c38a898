"""Who may change a replica: its requester, or a workspace admin."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.jobs import Job

log = logging.getLogger(__name__)


async def may_change(client: AsyncWebClient, user_id: str, job: Job) -> bool:
    """Whether a user may rename or delete a replica: its requester, or a workspace admin."""
    if user_id == job.requester.user_id:
        return True
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("could not tell whether %s is an admin: %s", user_id, exc)
        return False  # refuse rather than guess
    user = response.get("user") or {}
    return any(user.get(flag) for flag in ("is_admin", "is_owner", "is_primary_owner"))
