"""Slack's rate limits as the stand-in enforces them: a token bucket per method (posts: channel)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

POSTING = "chat.postMessage"
TIER_3 = ("chat.update", "conversations.", "files.")
TIER_4 = ("views.", "chat.postEphemeral", "users.info")


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
    """Slack's published limits: chat.postMessage per channel, Tier 3 and 4 per method.

    Bursts are Slack's unstated ones, as assumed here: two posts in a channel; Tier 3 "tolerates
    sporadic bursts" (ten); Tier 4 has "generous burst behaviour" (a hundred).
    """

    post: tuple[float, int] = (1.0, 2)
    tier_3: tuple[float, int] = (50 / 60, 10)
    tier_4: tuple[float, int] = (100 / 60, 100)
    clock: Callable[[], float] = time.monotonic
    buckets: dict[str, Bucket] = field(default_factory=dict)

    def refuse(self, method: str, channel: str) -> int | None:
        """Retry-After seconds if this call is over its limit (a 429), else None."""
        if method == POSTING:
            key, (rate, burst) = f"{method}:{channel}", self.post
        elif method.startswith(TIER_3):
            key, (rate, burst) = method, self.tier_3
        elif method.startswith(TIER_4):
            key, (rate, burst) = method, self.tier_4
        else:
            return None
        now = self.clock()
        bucket = self.buckets.setdefault(key, Bucket(rate, burst, burst, now))
        wait = bucket.take(now)
        return None if wait is None else max(1, math.ceil(wait))
