"""People: what Slack says of users, user groups and channels, each answer kept a minute."""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

import aiohttp
from cachetools import TTLCache
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.delivery.retry import error_word, passing
from bot.governance.rules import CannotTell, counts_as_admin
from bot.workspaces.accounts import BotTokens, NotInstalled, Workspace

log = logging.getLogger(__name__)
T = TypeVar("T")


class People:
    """What Slack says of users and user groups, each answer kept a minute.

    Opening a form and submitting it ask about the same people within seconds: asked again,
    Slack would double the wait of a submission that must be answered within 3 seconds.
    """

    KEPT = 60.0  # seconds; a changed role or a new guest is seen within a minute
    # Answers kept at most, however fresh: past it the least recently used goes.
    MOST = 10_000

    def __init__(
        self,
        client: AsyncWebClient,
        clock: Callable[[], float] = time.monotonic,
        team_id: str = "",
        most: int = MOST,
    ) -> None:
        self._client = client
        self._kept: TTLCache[str, Any] = TTLCache(maxsize=most, ttl=self.KEPT, timer=clock)
        # Questions on their way to Slack: a burst of forms in one channel asks about it once.
        self._asking: dict[str, asyncio.Task[Any]] = {}
        self._team = team_id

    def using(self, client: AsyncWebClient, team_id: str) -> People:
        """The same store of answers, asking Slack as one workspace (a request's token).

        Answers are kept by workspace: in Enterprise Grid a user's id is the same in every
        workspace of the org, but whether they are an admin, or a guest, is not.
        """
        if client is self._client and team_id == self._team:
            return self
        # A shallow copy: the People of every request share one store of answers.
        other = copy.copy(self)
        other._client, other._team = client, team_id
        return other

    async def user(self, user_id: str) -> dict[str, Any]:
        """users.info's user. Raises CannotTell if Slack does not answer it."""
        found = self._fresh(f"user:{user_id}")
        if found is None:
            found = await self._once(f"user:{user_id}", partial(self._ask_user, user_id))
        return dict(found)

    async def _ask_user(self, user_id: str) -> dict[str, Any]:
        try:
            response = await self._client.users_info(user=user_id)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not look up %s: %r", user_id, exc)
            raise CannotTell(repr(exc)) from exc
        except SlackApiError as exc:
            log.warning("could not look up %s: %s", user_id, exc)
            raise CannotTell(error_word(exc)) from exc
        user = response.get("user")
        kept: dict[str, Any] = self._keep(f"user:{user_id}", user if isinstance(user, dict) else {})
        return kept

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
                error = error_word(exc)
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
            found = await self._once(
                f"channel:{channel_id}", partial(self._ask_private, channel_id)
            )
        return bool(found)

    async def _ask_private(self, channel_id: str) -> bool:
        try:
            response = await self._client.conversations_info(channel=channel_id)
        except SlackApiError as exc:
            log.info("could not look up %s (%s): private", channel_id, error_word(exc))
            return True  # not kept: the next ask tries again
        channel = response.get("channel") or {}
        private = any(channel.get(flag) for flag in ("is_private", "is_im", "is_mpim"))
        return bool(self._keep(f"channel:{channel_id}", private))

    async def _once(self, key: str, ask: Callable[[], Awaitable[T]]) -> T:
        """`ask()`, or the answer to the same question already on its way to Slack.

        Only a question asked while another is in flight shares its answer (or its error):
        nothing older than the answers kept.
        """
        key = f"{self._team}/{key}"
        asking = self._asking.get(key)
        if asking is None:
            asking = self._asking[key] = asyncio.ensure_future(ask())
            # Done, it makes way for the next question (what it learned is kept by then).
            asking.add_done_callback(partial(self._answered, key))
        # Shielded: a caller that gives up (a cancelled request) does not cancel the others'.
        answer: T = await asyncio.shield(asking)
        return answer

    def _answered(self, key: str, asking: asyncio.Task[Any]) -> None:
        if self._asking.get(key) is asking:
            del self._asking[key]
        if not asking.cancelled():
            asking.exception()  # heard by whoever waited; nobody may be left to

    def _fresh(self, key: str) -> Any:
        # None for an answer never had or gone stale: no answer kept is None itself.
        return self._kept.get(f"{self._team}/{key}")

    def _keep(self, key: str, value: Any) -> Any:
        self._kept[f"{self._team}/{key}"] = value
        return value


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
        return counts_as_admin(user) and not user.get("deleted")
