"""Who may do what: create replicas (the workspace's rule), and change one (requester or admin)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.governance import Creators, Governance
from bot.jobs import Job
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
# Guests: multi-channel (restricted) and single-channel (ultra restricted).
GUEST_FLAGS = ("is_restricted", "is_ultra_restricted")


class CannotTell(Exception):
    """Slack did not say who the user is: neither yes nor no can be answered."""


async def may_create(client: AsyncWebClient, user_id: str, creators: Creators) -> bool:
    """Whether a user may create replicas under `creators`. Raises CannotTell.

    Guests, bots and deactivated accounts never may. A user group Slack will not list (it
    needs a paid plan) counts as empty, never as everyone.
    """
    user = await _user(client, user_id)
    if user.get("deleted") or user.get("is_bot") or any(user.get(f) for f in GUEST_FLAGS):
        return False
    if creators.everyone:
        return True
    if creators.admins:
        return _is_admin(user)
    if user_id in creators.users:
        return True
    for group in creators.groups:
        try:
            response = await client.usergroups_users_list(usergroup=group)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "plan_upgrade_required":
                log.warning("user group %s needs a paid Slack plan: counted as empty", group)
            else:
                log.warning("could not list user group %s (%s): counted as empty", group, error)
            continue
        if user_id in (response.get("users") or []):
            return True
    return False


async def creator_refusal(
    client: AsyncWebClient, governance: Governance, *, team_id: str, user_id: str
) -> str | None:
    """Why `user_id` may not create a replica here (and it is on record), or None if they may."""
    try:
        allowed = await may_create(client, user_id, governance.creators(team_id))
    except CannotTell:
        return messages.CREATOR_UNKNOWN
    if allowed:
        return None
    try:
        await governance.refused(
            team_id=team_id, user_id=user_id, what="create", why="not a creator"
        )
    except StoreUnavailable as exc:
        # The refusal stands either way; only its record is lost.
        log.error("could not record a refused create by %s: %s", user_id, exc)
    return messages.NOT_A_CREATOR


@dataclass(frozen=True, slots=True)
class Person:
    """A full member of the workspace, with the name their profile gives."""

    user_id: str
    name: str


async def check_subject(client: AsyncWebClient, user_id: str) -> Person | str:
    """The person whose likeness it is, or what is wrong with choosing them.

    Only full members may be: not guests, bots or deactivated accounts.
    """
    try:
        user = await _user(client, user_id)
    except CannotTell:
        return messages.ERROR_SUBJECT_UNKNOWN
    if user.get("deleted"):
        return messages.ERROR_SUBJECT_GONE
    if user.get("is_bot") or user_id == "USLACKBOT":
        return messages.ERROR_SUBJECT_BOT
    if any(user.get(flag) for flag in GUEST_FLAGS):
        return messages.ERROR_SUBJECT_GUEST
    profile = user.get("profile") or {}
    names = (profile.get("real_name"), user.get("real_name"), user.get("name"))
    return Person(user_id, next((n.strip() for n in names if n and n.strip()), user_id))


async def may_change(client: AsyncWebClient, user_id: str, job: Job) -> bool:
    """Whether a user may rename or delete a replica: its requester, or a workspace admin."""
    if user_id == job.requester.user_id:
        return True
    try:
        user = await _user(client, user_id)
    except CannotTell:
        return False  # refuse rather than guess
    return _is_admin(user)


async def _user(client: AsyncWebClient, user_id: str) -> dict[str, Any]:
    try:
        response = await client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("could not look up %s: %s", user_id, exc)
        raise CannotTell(str(exc.response.get("error"))) from exc
    user = response.get("user")
    return user if isinstance(user, dict) else {}


def _is_admin(user: dict[str, Any]) -> bool:
    return any(user.get(flag) for flag in ADMIN_FLAGS)
