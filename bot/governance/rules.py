"""Who may do what: create, approve, be shown, change, talk to or connect; asked of a People."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot import messages
from bot.governance.model import Approvers, Creators, Policy
from bot.governance.policy import Governance
from bot.jobs import Job, Sight, Viewer
from bot.store import StoreUnavailable
from bot.workspaces.accounts import Workspace

log = logging.getLogger(__name__)

ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
# Guests: multi-channel (restricted) and single-channel (ultra restricted).
GUEST_FLAGS = ("is_restricted", "is_ultra_restricted")


class CannotTell(Exception):
    """Slack did not say who the user is: neither yes nor no can be answered."""


class People(Protocol):
    """What the rules ask of the people a workspace knows (slack/people.py answers it)."""

    async def user(self, user_id: str) -> Mapping[str, Any]:
        """The user's record as Slack's users.info gives it. Raises CannotTell."""
        ...

    async def members(self, group: str) -> frozenset[str]:
        """A user group's members; none if it cannot be listed. Raises CannotTell if not now."""
        ...


async def may_create(people: People, user_id: str, creators: Creators) -> bool:
    """Whether a user may create replicas under `creators`. Raises CannotTell.

    Guests, bots and deactivated accounts never may. A user group Slack will not list (it
    needs a paid plan) counts as empty, never as everyone.
    """
    user = await people.user(user_id)
    if user.get("deleted") or user.get("is_bot") or any(user.get(f) for f in GUEST_FLAGS):
        return False
    if creators.everyone:
        return True
    if creators.admins:
        return counts_as_admin(user)
    if user_id in creators.users:
        return True
    for group in creators.groups:
        if user_id in await people.members(group):
            return True
    return False


async def creator_refusal(
    people: People, governance: Governance, *, team_id: str, user_id: str
) -> str | None:
    """Why `user_id` may not create a replica here (and it is on record), or None if they may."""
    try:
        creators = (await governance.policy(team_id)).creators
        allowed = await may_create(people, user_id, creators)
    except CannotTell:
        return messages.CREATOR_UNKNOWN
    except StoreUnavailable as exc:
        # Without the workspace's policy nobody can be let in, and nothing could be saved.
        log.error("could not read the policy of %s: %s", team_id, exc)
        return messages.NOT_SAVED_LATER
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


async def approvers_of(people: People, approvers: Approvers) -> list[str]:
    """Every approver's user id, the members of its user groups included, each once, sorted."""
    found = set(approvers.users)
    for group in approvers.groups:
        found |= await people.members(group)
    return sorted(found)


async def approvers_to_ask(people: People, policy: Policy, job: Job) -> list[str] | None:
    """Who to ask for approval once consent is given; None where the workspace asks for none.

    The approval channel if there is one; otherwise each approver but the requester and the
    person shown, who may not decide their own request.
    """
    if not policy.approvers:
        return None
    if policy.approval_channel:
        return [policy.approval_channel]
    own = {job.requester.user_id, job.request.subject_id}
    return [user for user in await approvers_of(people, policy.approvers) if user not in own]


OWN_REQUEST = "own request"
NOT_APPROVER = "not an approver"


async def approval_refusal(people: People, policy: Policy, *, user_id: str, job: Job) -> str | None:
    """Why `user_id` may not approve or reject `job` (OWN_REQUEST, NOT_APPROVER), or None.

    Neither the requester nor the person shown may decide their own request.
    """
    if user_id in (job.requester.user_id, job.request.subject_id):
        return OWN_REQUEST
    if user_id not in await approvers_of(people, policy.approvers):
        return NOT_APPROVER
    return None


@dataclass(frozen=True, slots=True)
class Person:
    """A full member of the workspace, with the name their profile gives."""

    user_id: str
    name: str


async def check_subject(people: People, user_id: str) -> Person | str:
    """The person whose likeness it is, or what is wrong with choosing them.

    Only full members may be: not guests, bots or deactivated accounts.
    """
    try:
        user = await people.user(user_id)
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


def elsewhere(job: Job, clicked_in: Workspace) -> bool:
    """Whether a click on a job's button came from a workspace other than the job's own.

    A button posted in a channel shared by two workspaces (Slack Connect, or Grid) can be
    clicked under the other one's identity. The job, its policy, its Tavus account and who its
    admins are all belong to its own workspace: the other workspace's rights count for nothing.
    """
    if clicked_in.team_id != job.requester.team_id:
        return True
    ours, theirs = job.requester.enterprise_id, clicked_in.enterprise_id
    return bool(ours and theirs and ours != theirs)


async def may_change(people: People, user_id: str, job: Job) -> bool:
    """Whether a user may rename or delete a replica: its requester, or a workspace admin."""
    if user_id == job.requester.user_id:
        return True
    try:
        user = await people.user(user_id)
    except CannotTell:
        return False  # refuse rather than guess
    return counts_as_admin(user)


async def is_admin(people: People, user_id: str) -> bool:
    """Whether a user is a workspace admin or owner; False when Slack cannot say."""
    try:
        return counts_as_admin(await people.user(user_id))
    except CannotTell:
        return False  # refuse rather than guess


async def may_talk(people: People, user_id: str, job: Job) -> bool:
    """Whether a user may talk to a replica: its requester, the person it shows, or an admin."""
    return user_id == job.request.subject_id or await may_change(people, user_id, job)


async def may_connect(people: People, user_id: str) -> bool:
    """Whether a user may connect the workspace's Tavus account: an admin or owner only.

    Installing the app is not enough: any member may, where the workspace lets members install
    apps, and the account connected gets every later replica and its footage.
    """
    return await is_admin(people, user_id)


async def viewer(people: People, user_id: str) -> Viewer:
    """Whose eyes a list is drawn for: an admin sees every replica, a guest only their own.

    Guests, and people of another organization met in a shared channel (is_stranger), see
    only the replicas they asked for or that show them: a guest let into one channel must not
    learn what the rest of the workspace makes.
    """
    try:
        user = await people.user(user_id)
    except CannotTell:
        return Viewer(user_id, Sight.GUEST)  # show them less rather than more
    if user.get("is_stranger") or any(user.get(flag) for flag in GUEST_FLAGS):
        return Viewer(user_id, Sight.GUEST)
    return Viewer(user_id, Sight.ALL if counts_as_admin(user) else Sight.MEMBER)


def counts_as_admin(user: Mapping[str, Any]) -> bool:
    """Whether Slack's record of a user makes them an admin or owner of this workspace."""
    # An admin of another organization, met in a shared channel, is no admin here.
    return not user.get("is_stranger") and any(user.get(flag) for flag in ADMIN_FLAGS)


def profile_photo(user: Mapping[str, Any]) -> str:
    """A user's profile photo, as users.info links it; "" for Slack's default avatar (no face)."""
    profile = user.get("profile") or {}
    if not profile.get("is_custom_image"):
        return ""
    return str(profile.get("image_512") or profile.get("image_original") or "")
