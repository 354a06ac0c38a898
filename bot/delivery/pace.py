"""The pace of one budget: a token bucket that learns from Slack's 429s how much it may send."""

from __future__ import annotations

# After a 429 the pace falls back to this share of its rate and a burst of one, then recovers
# a step with each message Slack takes: no second burst into the same wall.
FALL_BACK = 0.75
RECOVER_RATE = 0.05  # of the configured rate, per message taken
RECOVER_BURST_EVERY = 10  # messages taken per extra message of burst


class Pace:
    """A token bucket: `rate` messages a second, bursts of `burst`, as configured.

    Those are starting points, not promises: a 429 (pause) lowers both to what Slack showed it
    takes, and they climb back slowly as messages go through.
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
        if self._paused_until > now:
            return self._paused_until - now
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate

    def spend(self, now: float) -> None:
        """Use up one message's worth; having gone through, the pace recovers a step."""
        self._refill(now)
        self._tokens -= 1
        self._taken += 1
        self._rate = min(self._most_rate, self._rate + self._most_rate * RECOVER_RATE)
        if self._taken % RECOVER_BURST_EVERY == 0:
            self._burst = min(self._most_burst, self._burst + 1)

    def pause(self, until: float) -> None:
        """Send nothing more before `until` (Slack said so with Retry-After), then go slower."""
        # Resume with a single message, not a burst that would run straight into another 429.
        self._paused_until = max(self._paused_until, until)
        self._tokens = 1.0
        self._updated = self._paused_until
        self._burst = 1.0
        self._rate = max(self._most_rate * 0.1, self._rate * FALL_BACK)
        self._taken = 0

    def _refill(self, now: float) -> None:
        if now > self._updated:
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
