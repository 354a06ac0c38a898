"""The pace of one budget: a token bucket that learns from Slack's 429s how much it may send."""

from __future__ import annotations

from dataclasses import dataclass

# After a 429 the pace falls back to this share of its rate and a burst of one, then recovers
# a step with each message Slack takes: no second burst into the same wall. The burst is what
# ran into it (Slack's rate is published, its bursts are not), so the rate falls back a little.
FALL_BACK = 0.9
RECOVER_RATE = 0.05  # of the configured rate, per message taken
RECOVER_BURST_EVERY = 10  # messages taken per extra message of burst
SLOWEST = 0.1  # of the configured rate: however many 429s, the pace goes no slower


@dataclass(frozen=True, slots=True)
class Limit:
    """A budget's configured pace: `rate` calls a second, in bursts of `burst`."""

    rate: float
    burst: int


@dataclass(frozen=True, slots=True)
class PaceState:
    """Where a pace stands: what it has learned, and its bucket as of `updated` (seconds)."""

    rate: float
    burst: float
    tokens: float
    updated: float
    paused_until: float
    taken: int


class Pace:
    """A token bucket: `rate` messages a second, bursts of `burst`, as configured.

    Those are starting points, not promises: a 429 (pause) lowers both to what Slack showed it
    takes, and they climb back slowly as messages go through. A message may be spent before its
    token is back (a reservation): the bucket then owes it, and the next one waits the longer.
    """

    def __init__(self, *, rate: float, burst: int, now: float) -> None:
        self._most_rate = rate
        self._most_burst = float(burst)
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._updated = now
        self._paused_until = now
        self._taken = 0  # messages taken since the last 429

    @classmethod
    def restored(cls, limit: Limit, state: PaceState) -> Pace:
        """A pace as `state` left it (kept in the database, shared by instances)."""
        pace = cls(rate=limit.rate, burst=limit.burst, now=state.updated)
        pace._rate = min(limit.rate, state.rate)
        pace._burst = min(float(limit.burst), state.burst)
        pace._tokens = min(pace._burst, state.tokens)
        pace._paused_until = state.paused_until
        pace._taken = state.taken
        return pace

    def state(self) -> PaceState:
        """Where it stands, to be kept and restored."""
        return PaceState(
            rate=self._rate,
            burst=self._burst,
            tokens=self._tokens,
            updated=self._updated,
            paused_until=self._paused_until,
            taken=self._taken,
        )

    @property
    def rate(self) -> float:
        """The rate it keeps now, messages a second."""
        return self._rate

    @property
    def burst(self) -> int:
        """The burst it allows now."""
        return int(self._burst)

    def delay(self, now: float) -> float:
        """Seconds to wait before the next message may go out."""
        self._refill(now)
        # The bucket counts from `updated`, which a pause puts at its end.
        ready = self._updated + max(0.0, (1 - self._tokens) / self._rate)
        return max(0.0, ready - now, self._paused_until - now)

    def spend(self, now: float) -> None:
        """Use up one message's worth; having gone through, the pace recovers a step."""
        self._refill(now)
        self._tokens -= 1
        self._taken += 1
        self._rate = min(self._most_rate, self._rate + self._most_rate * RECOVER_RATE)
        if self._taken % RECOVER_BURST_EVERY == 0:
            self._burst = min(self._most_burst, self._burst + 1)

    def answered(self, sent: float, now: float) -> None:
        """A call spent at `sent` was answered at `now`: count its turn from the answer.

        Slack counts a call when it arrives, somewhere between the two: counted from the answer,
        a call delayed on its way (a busy event loop, the network) cannot land within a turn of
        the next one. Later turns already given are left as they are.
        """
        if self._updated > now:
            return
        self._refill(now)
        self._tokens -= min(self._tokens + 1, max(0.0, now - sent) * self._rate)

    def pause(self, until: float) -> None:
        """Send nothing more before `until` (Slack said so with Retry-After), then go slower."""
        self._paused_until = max(self._paused_until, until)
        # The next turn not yet given: turns given past the pause are kept (nobody may take
        # them again); those inside it are refused when their callers look again.
        free = self._updated + max(0.0, (1 - self._tokens) / self._rate)
        if free <= self._paused_until:
            # Resume with a single message, not a burst that would run into another 429.
            self._tokens = 1.0
            self._updated = self._paused_until
        self._burst = 1.0
        self._rate = max(self._most_rate * SLOWEST, self._rate * FALL_BACK)
        self._taken = 0

    def at_rest(self, now: float) -> bool:
        """Whether it is as a fresh one would be: full, unpaused, nothing learned to undo."""
        self._refill(now)
        return (
            now >= self._paused_until
            and self._tokens >= self._most_burst
            and self._burst >= self._most_burst
            and self._rate >= self._most_rate
        )

    def paused_for(self, now: float) -> float:
        """Seconds a 429's pause still holds the budget (0: not paused)."""
        return max(0.0, self._paused_until - now)

    def _refill(self, now: float) -> None:
        if now > self._updated:
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
