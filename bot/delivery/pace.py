"""The pace of one channel: a token bucket that keeps posts under Slack's per-channel limit."""

from __future__ import annotations


class Pace:
    """A token bucket for one channel: `rate` messages a second, bursts of `burst`."""

    def __init__(self, *, rate: float, burst: int, now: float) -> None:
        self._rate = rate
        self._burst = float(burst)
        self._tokens = float(burst)
        self._updated = now
        self._paused_until = now

    def delay(self, now: float) -> float:
        """Seconds to wait before the next message may go out."""
        self._refill(now)
        if self._paused_until > now:
            return self._paused_until - now
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate

    def spend(self, now: float) -> None:
        """Use up one message's worth."""
        self._refill(now)
        self._tokens -= 1

    def pause(self, until: float) -> None:
        """Send nothing more before `until` (Slack said so with Retry-After)."""
        # Resume with a single message, not a burst that would run straight into another 429.
        self._paused_until = max(self._paused_until, until)
        self._tokens = 1.0
        self._updated = self._paused_until

    def _refill(self, now: float) -> None:
        if now > self._updated:
            self._tokens = min(self._burst, self._tokens + (now - self._updated) * self._rate)
            self._updated = now
