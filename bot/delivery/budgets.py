"""Slack's rate limits as Slack keeps them: a budget per method and workspace (posts: channel).

`chat.postMessage` is limited per channel (about one a second, in short bursts); the tiered
methods per workspace: Tier 3 (`chat.update`, `conversations.*`, `files.*`, about 50 a minute)
and Tier 4 (`views.*`, `chat.postEphemeral`, `users.info`, about 100 a minute). A 429 pauses the
budget it names, and no other. The paces live in memory (one instance) or in the database,
where several instances share them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.delivery.pace import Limit, Pace, PaceState
from bot.retry_after import delay_of

T = TypeVar("T")

POST = "chat.postMessage"
UPDATE = "chat.update"
TIER_3 = Limit(rate=50 / 60, burst=10)
TIER_4 = Limit(rate=100 / 60, burst=20)
TIER_3_METHODS = ("chat.update", "conversations.", "files.")
# The reads before a resend. Apps distributed by OAuth outside the Marketplace get one a minute
# of each (docs.slack.dev/reference/methods/conversations.history); others, Tier 3.
HISTORY_METHODS = ("conversations.history", "conversations.replies")
LIMITED_HISTORY = Limit(rate=1 / 60, burst=1)
TIER_4_METHODS = ("views.", "chat.postEphemeral", "users.info")
# A 429 that names no Retry-After (or an unreadable one) still pauses its budget, briefly.
RETRY_AFTER = 1.0
# However long a 429 says to wait, no budget is held longer: a header is not to stop the bot.
MOST_RETRY_AFTER = 300.0
# LocalPaces forgets the paces at rest once it keeps this many: one a DM, each person once.
FORGET_AT = 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """The configured pace of each kind of budget."""

    post: Limit  # chat.postMessage, per channel
    update: Limit = TIER_3  # chat.update, per workspace
    history: Limit = TIER_3  # conversations.history and .replies, each per workspace

    def of(self, method: str) -> Limit:
        """The pace a method's budget starts from."""
        if method == POST:
            return self.post
        if method == UPDATE:
            return self.update
        if method in HISTORY_METHODS:
            return self.history
        if method.startswith(TIER_4_METHODS):
            return TIER_4
        # Tier 3, and the slower methods the bot rarely calls: Tier 3 is the safe guess.
        return TIER_3


def budget_key(workspace: str, method: str, channel: str | None = None) -> str:
    """The budget a call spends: its method's, in its workspace, and its channel's for posts."""
    if method == POST:
        return f"{workspace}/{method}/{channel or ''}"
    return f"{workspace}/{method}"


class Paces(Protocol):
    """Where the paces are kept: `change` runs `how` on a budget's pace, alone, and keeps it."""

    def now(self) -> float:
        """The paces' clock, in seconds."""
        ...

    async def change(self, key: str, limit: Limit, how: Callable[[Pace], T]) -> T:
        """Apply `how` to the pace of `key` (made from `limit` if new) and keep the result."""
        ...

    async def peek(self, key: str, limit: Limit, how: Callable[[Pace], T]) -> T:
        """What `how` reads of the pace of `key` (a fresh one if new), keeping nothing."""
        ...


class LocalPaces:
    """Paces kept in this process: enough for one instance."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._paces: dict[str, Pace] = {}
        self._forget_at = FORGET_AT

    def __len__(self) -> int:
        """How many paces it keeps."""
        return len(self._paces)

    def now(self) -> float:
        """The monotonic clock (or the one injected)."""
        return self._clock()

    async def change(self, key: str, limit: Limit, how: Callable[[Pace], T]) -> T:
        """Apply `how` to the pace of `key`, made from `limit` if new."""
        return how(self._pace(key, limit))

    async def peek(self, key: str, limit: Limit, how: Callable[[Pace], T]) -> T:
        """What `how` reads of the pace of `key` (a fresh one, not kept, if new)."""
        pace = self._paces.get(key) or Pace(rate=limit.rate, burst=limit.burst, now=self.now())
        return how(pace)

    def _pace(self, key: str, limit: Limit) -> Pace:
        pace = self._paces.get(key)
        if pace is None:
            if len(self._paces) >= self._forget_at:
                self._forget_rested()
            pace = self._paces[key] = Pace(rate=limit.rate, burst=limit.burst, now=self.now())
        return pace

    def _forget_rested(self) -> None:
        # A pace at rest is what a fresh one would be: forgetting it changes no turn. Looked
        # for again only once as many more are kept, so a sweep costs each new pace O(1).
        now = self.now()
        self._paces = {key: pace for key, pace in self._paces.items() if not pace.at_rest(now)}
        self._forget_at = max(FORGET_AT, 2 * len(self._paces))


class PaceStore(Protocol):
    """The store's side of shared paces: a row per budget, changed under a lock."""

    async def change(
        self, key: str, fresh: PaceState, how: Callable[[PaceState], tuple[PaceState, T]]
    ) -> T:
        """Apply `how` to the state of `key` (`fresh` if it has none yet) and keep the result."""
        ...

    async def get(self, key: str) -> PaceState | None:
        """The state of `key`, if it has any."""
        ...


class SharedPaces:
    """Paces kept in the database: several instances together keep each budget."""

    def __init__(self, store: PaceStore, clock: Callable[[], float] = time.time) -> None:
        # Wall-clock seconds: the instances share the paces, so they must share the clock.
        self._store = store
        self._clock = clock

    def now(self) -> float:
        """Wall-clock seconds (or the clock injected)."""
        return self._clock()

    async def change(self, key: str, limit: Limit, how: Callable[[Pace], T]) -> T:
        """Apply `how` to the pace of `key` in one locked transaction."""

        def changed(state: PaceState) -> tuple[PaceState, T]:
            pace = Pace.restored(limit, state)
            result = how(pace)
            return pace.state(), result

        fresh = Pace(rate=limit.rate, burst=limit.burst, now=self.now()).state()
        return await self._store.change(key, fresh, changed)

    async def peek(self, key: str, limit: Limit, how: Callable[[Pace], T]) -> T:
        """What `how` reads of the pace of `key` as last kept (a fresh one if none), unlocked."""
        state = await self._store.get(key)
        fresh = Pace(rate=limit.rate, burst=limit.burst, now=self.now())
        return how(fresh if state is None else Pace.restored(limit, state))


class LookAgain(Exception):
    """The place to look became readable only now (the bot joined it): look on the next try.

    Like Spent, a "not now": nothing was posted, and the notice keeps its doubt.
    """


class Spent(Exception):
    """A budget cannot spend before `wait` seconds have passed: longer than a call may wait."""

    def __init__(self, key: str, wait: float) -> None:
        super().__init__(f"{key}: budget spent for {wait:.1f}s")
        self.key = key
        self.wait = wait


class Budgets:
    """A workspace's budgets: each call waits its turn, and a 429 pauses the budget it names."""

    def __init__(
        self, paces: Paces, limits: Limits, *, workspace: str = "", most_wait: float = 10.0
    ) -> None:
        self._paces = paces
        self._limits = limits
        self._workspace = workspace
        self._most_wait = most_wait

    def now(self) -> float:
        """The budgets' clock, in seconds."""
        return self._paces.now()

    async def delay(self, method: str, channel: str | None = None) -> float:
        """Seconds before a call of `method` (to `channel`) may go, spending nothing."""
        now = self._paces.now()
        return await self._paces.peek(
            self._key(method, channel), self._limits.of(method), lambda pace: pace.delay(now)
        )

    async def take(self, method: str, channel: str | None = None) -> None:
        """Wait for the turn of one call, or raise Spent if it is further off than `most_wait`."""
        if (wait := await self.turn(method, channel)) > 0:
            await asyncio.sleep(wait)
            # A 429 may have paused the budget meanwhile: a turn inside the pause is no turn.
            key, now = self._key(method, channel), self._paces.now()
            paused = await self._paces.peek(
                key, self._limits.of(method), lambda pace: pace.paused_for(now)
            )
            if paused > 0:
                raise Spent(key, paused)

    async def turn(self, method: str, channel: str | None = None) -> float:
        """Take the next turn of one call: seconds until it comes (Spent if beyond `most_wait`)."""
        key, now = self._key(method, channel), self._paces.now()

        def reserve(pace: Pace) -> float:
            wait = pace.delay(now)
            if wait <= self._most_wait:
                # Spent now, sent at its turn: nobody else can take that turn meanwhile.
                pace.spend(now + wait)
            return wait

        wait = await self._paces.change(key, self._limits.of(method), reserve)
        if wait > self._most_wait:
            raise Spent(key, wait)
        return wait

    async def answered(self, method: str, channel: str | None, sent: float) -> None:
        """A post spent at `sent` has its answer: its channel's next turn counts from now."""
        if method == POST:
            now = self._paces.now()
            await self._paces.change(
                self._key(method, channel),
                self._limits.of(method),
                lambda pace: pace.answered(sent, now),
            )

    async def pause(self, method: str, channel: str | None, seconds: float) -> None:
        """Hold the budget Slack named in a 429 for its Retry-After; then it goes slower."""
        until = self._paces.now() + seconds
        await self._paces.change(
            self._key(method, channel), self._limits.of(method), lambda pace: pace.pause(until)
        )

    def _key(self, method: str, channel: str | None) -> str:
        return budget_key(self._workspace, method, channel)


class PacedClient(AsyncWebClient):
    """Slack's Web API client, each call within its budget; a 429 pauses the budget it names."""

    def __init__(self, *, budgets: Budgets, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budgets = budgets

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        """Wait for the method's budget, call it, and pause the budget if Slack says 429."""
        channel = _channel_of(api_method, kwargs)
        await self.budgets.take(api_method, channel)
        sent = self.budgets.now()
        try:
            response = await super().api_call(api_method, **kwargs)
            await self.budgets.answered(api_method, channel, sent)
            return response
        except SlackApiError as exc:
            if exc.response.status_code == 429:
                seconds = retry_after(exc.response.headers.get("Retry-After"))
                await self.budgets.pause(api_method, channel, seconds)
            raise


def retry_after(header: str | None) -> float:
    """Seconds Slack's Retry-After asks for: RETRY_AFTER if none or unreadable, at most 300."""
    return delay_of(header, default=RETRY_AFTER, most=MOST_RETRY_AFTER, now=datetime.now(UTC))


def _channel_of(method: str, kwargs: dict[str, Any]) -> str | None:
    if method != POST:
        return None
    for part in ("json", "data", "params"):
        body = kwargs.get(part)
        if isinstance(body, dict) and body.get("channel"):
            return str(body["channel"])
    return None
