"""The per-channel pace: bursts, a steady rate after them, and pauses Slack asks for."""

from __future__ import annotations

import pytest

from bot.delivery.pace import Pace


def test_a_pace_allows_a_burst_then_one_message_per_interval() -> None:
    pace = Pace(rate=2, burst=3, now=0.0)
    for _ in range(3):
        assert pace.delay(0.0) == 0
        pace.spend(0.0)
    assert pace.delay(0.0) == pytest.approx(0.5)
    assert pace.delay(0.5) == 0
    pace.spend(0.5)
    assert pace.delay(0.5) == pytest.approx(0.5)


def test_a_pace_never_saves_up_more_than_its_burst() -> None:
    pace = Pace(rate=1, burst=2, now=0.0)
    for _ in range(2):
        pace.spend(100.0)
    assert pace.delay(100.0) == pytest.approx(1.0)


def test_a_paused_pace_waits_out_retry_after_and_starts_empty() -> None:
    pace = Pace(rate=5, burst=5, now=0.0)
    pace.pause(until=2.0)
    assert pace.delay(0.5) == pytest.approx(1.5)
    assert pace.delay(2.0) == 0
    pace.spend(2.0)
    assert pace.delay(2.0) > 0
