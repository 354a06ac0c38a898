"""Clocks for the store, the domain and the paces, moved by hand so tests never sleep."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Stands still until a test moves it on."""

    def __init__(self, start: datetime = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta = timedelta(), **delta: float) -> datetime:
        """Move on by `by` and/or timedelta(**delta); the new time."""
        self.now += by + timedelta(**delta)
        return self.now


class Ticks:
    """A clock in seconds (as time.monotonic gives them) that stands still until moved."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
