"""A clock for the store and the domain, moved by hand so tests never sleep."""

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
