"""Who may do what: create replicas (the workspace's rule), and change one (requester or admin)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import messages
from bot.delivery.retry import passing
from bot.governance.model import Approvers, Creators, Policy
from bot.governance.policy import Governance
from bot.jobs import Job, Sight, Viewer
from bot.store import StoreUnavailable
from bot.workspaces.accounts import BotTokens, NotInstalled, Workspace

log = logging.getLogger(__name__)

ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
# Guests: multi-channel (restricted) and single-channel (ultra restricted).
GUEST_FLAGS = ("is_restricted", "is_ultra_restricted")


class CannotTell(Exception):
    """Slack did not say who the user is: neither yes nor no can be answered."""


class People:
    """What Slack says of users and user groups, each answer kept a minute.

    Opening a form and submitting it ask about the same people within seconds: asked again,
    Slack would double the wait of a submission that must be answered within 3 seconds.
    """

    KEPT = 60.0  # seconds; a changed role or a new guest is seen within a minute
    MOST = 10_000  # answers kept at most before the expired ones are dropped

    def __init__(
        self,
        client: AsyncWebClient,
        clock: Callable[[], float] = time.monotonic,
        kept: dict[str, tuple[float, Any]] | None = None,
        team_id: str = "",
    ) -> None:
        self._client = client
        self._clock = clock
        self._kept: dict[str, tuple[float, Any]] = {} if kept is None else kept
        self._team = team_id

    def using(self, client: AsyncWebClient, team_id: str) -> People:
        """The same store of answers, asking Slack as one workspace (a request's token).

        Answers are kept by workspace: in Enterprise Grid a user's id is the same in every
        workspace of the org, but whether they are an admin, or a guest, is not.
        """
        if client is self._client and team_id == self._team:
            return self
        return People(client, self._clock, self._kept, team_id)

    async def user(self, user_id: str) -> dict[str, Any]:
        """users.info's user. Raises CannotTell if Slack does not answer it."""
        found = self._fresh(f"user:{user_id}")
        if found is None:
            try:
                response = await self._client.users_info(user=user_id)
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("could not look up %s: %r", user_id, exc)
                raise CannotTell(repr(exc)) from exc
            except SlackApiError as exc:
                log.warning("could not look up %s: %s", user_id, exc)
                raise CannotTell(str(exc.response.get("error"))) from exc
            user = response.get("user")
            found = self._keep(f"user:{user_id}", user if isinstance(user, dict) else {})
        return dict(found)

    async def members(self, group: str) -> frozenset[str]:
        """The members of a user group; none when Slack will not list it (logged why).

        Raises CannotTell when Slack is busy (the method is Tier 2: about 20 a minute) or down:
        "not a member" would refuse someone wrongly, and put the refusal on record.
        """
        found = self._fresh(f"group:{group}")
        if found is None:
            # An org-wide install's token must name the workspace whose group it is; a
            # workspace's own token may (usergroups.users.list: "Required if org token is used").
            try:
                response = await self._client.usergroups_users_list(
                    usergroup=group, team_id=self._team or None
                )
                found = frozenset(response.get("users") or [])
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise CannotTell(repr(exc)) from exc
            except SlackApiError as exc:
                error = exc.response.get("error")
                if passing(exc.response.status_code, str(error)):
                    log.warning("could not list user group %s now (%s)", group, error)
                    raise CannotTell(str(error)) from exc
                if error == "plan_upgrade_required":
                    log.warning("user group %s needs a paid Slack plan: counted as empty", group)
                else:
                    log.warning("could not list user group %s (%s): counted as empty", group, error)
                return frozenset()  # not kept: the next ask tries again
            self._keep(f"group:{group}", found)
        return frozenset(found)

    async def is_private(self, channel_id: str) -> bool:
        """Whether a channel is private, a DM or a group DM; True when Slack will not say.

        A private channel the bot is not in answers channel_not_found: private, then.
        """
        if channel_id[:1] in {"D", "U", "W"}:
            return True  # a DM (a user id as channel: the App Home's Messages tab)
        found = self._fresh(f"channel:{channel_id}")
        if found is None:
            try:
                response = await self._client.conversations_info(channel=channel_id)
            except SlackApiError as exc:
                log.info(
                    "could not look up %s (%s): private", channel_id, exc.response.get("error")
                )
                return True
            channel = response.get("channel") or {}
            private = any(channel.get(flag) for flag in ("is_private", "is_im", "is_mpim"))
            found = self._keep(f"channel:{channel_id}", private)
        return bool(found)

    def _fresh(self, key: str) -> Any:
        kept = self._kept.get(f"{self._team}/{key}")
        return kept[1] if kept is not None and kept[0] > self._clock() else None

    def _keep(self, key: str, value: Any) -> Any:
        now = self._clock()
        if len(self._kept) >= self.MOST:
            # In place: the People of other requests share this dict.
            for expired in [k for k, v in self._kept.items() if v[0] <= now]:
                del self._kept[expired]
        self._kept[f"{self._team}/{key}"] = (now + self.KEPT, value)
        return value


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
        return _is_admin(user)
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
    return _is_admin(user)


async def is_admin(people: People, user_id: str) -> bool:
    """Whether a user is a workspace admin or owner; False when Slack cannot say."""
    try:
        return _is_admin(await people.user(user_id))
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


class SlackAdmins:
    """Whether a user is an admin of a workspace now, asked of Slack with the workspace's token.

    For the Connect Tavus page, outside any Slack request: nothing is kept from earlier answers.
    """

    def __init__(self, *, tokens: BotTokens, client_for: Callable[[str], AsyncWebClient]) -> None:
        self._tokens = tokens
        self._client_for = client_for

    async def __call__(self, workspace: Workspace, user_id: str) -> bool | None:
        """True for an active admin or owner; False if not, or uninstalled; None if Slack is mum."""
        try:
            token = await self._tokens.bot_token(workspace)
        except NotInstalled:
            return False
        people = People(self._client_for(token), team_id=workspace.team_id)
        try:
            user = await people.user(user_id)
        except CannotTell:
            return None
        return _is_admin(user) and not user.get("deleted")


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
    return Viewer(user_id, Sight.ALL if _is_admin(user) else Sight.MEMBER)


def _is_admin(user: dict[str, Any]) -> bool:
    # An admin of another organization, met in a shared channel, is no admin here.
    return not user.get("is_stranger") and any(user.get(flag) for flag in ADMIN_FLAGS)
