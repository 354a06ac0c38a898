"""Slack's rate limits as the stand-in enforces them: a token bucket per method (posts: channel)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

POSTING = "chat.postMessage"
TIER_2 = ("usergroups.users.list",)
TIER_3 = ("chat.update", "conversations.", "files.")
TIER_4 = ("views.", "chat.postEphemeral", "users.info")
HISTORY = ("conversations.history", "conversations.replies")
# Non-Marketplace apps distributed by OAuth (new installs since 2025-05-29, all from 2026-03-03):
# conversations.history and .replies at 1 request a minute, per method and workspace
# (docs.slack.dev/reference/methods/conversations.history, "rate limits" usage info).
HISTORY_LIMITED = (1 / 60, 1)


@dataclass
class Bucket:
    """`rate` calls a second in bursts of `burst`, as of `updated`."""

    rate: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> float | None:
        """Take a call's token; None if there was one, else seconds until there is."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return None
        return (1 - self.tokens) / self.rate


@dataclass
class Tiers:
    """Slack's published limits: chat.postMessage per channel, Tiers 2, 3 and 4 per method.

    Each workspace has its own budget (Slack limits an app per workspace). Bursts are Slack's
    unstated ones, as assumed here: two posts in a channel; Tier 2 "occasional bursts" (three);
    Tier 3 "tolerates sporadic bursts" (ten); Tier 4 has "generous burst behaviour" (a hundred).
    `history`, when set, limits conversations.history and .replies instead of Tier 3.
    """

    post: tuple[float, int] = (1.0, 2)
    tier_2: tuple[float, int] = (20 / 60, 3)
    tier_3: tuple[float, int] = (50 / 60, 10)
    tier_4: tuple[float, int] = (100 / 60, 100)
    history: tuple[float, int] | None = None
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def refuse(self, method: str, channel: str, team: str = "") -> int | None:
        """Retry-After seconds if this call (in workspace `team`) is over its limit, else None."""
        if method == POSTING:
            key, (rate, burst) = f"{method}:{channel}", self.post
        elif self.history is not None and method in HISTORY:
            key, (rate, burst) = method, self.history
        elif method.startswith(TIER_2):
            key, (rate, burst) = method, self.tier_2
        elif method.startswith(TIER_3):
            key, (rate, burst) = method, self.tier_3
        elif method.startswith(TIER_4):
            key, (rate, burst) = method, self.tier_4
        else:
            return None
        now = self.clock()
        key = f"{team}/{key}"
        bucket = self.buckets.setdefault(key, Bucket(rate, burst, burst, now))
        wait = bucket.take(now)
        return None if wait is None else max(1, math.ceil(wait))
