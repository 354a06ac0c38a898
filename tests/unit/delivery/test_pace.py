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


def test_after_a_429_the_pace_falls_back_then_recovers_slowly() -> None:
    pace = Pace(rate=1, burst=4, now=0.0)

    pace.pause(until=5.0)

    # No second burst into the same wall: one message, then a slower pace than configured.
    assert (pace.burst, pace.rate) == (1, 0.9)
    assert pace.delay(5.0) == 0
    pace.spend(5.0)
    assert pace.delay(5.0) == pytest.approx(1 / pace.rate)
    # Each message Slack takes wins back a little: the rate first, the burst every ten.
    now = 5.0
    for _ in range(30):
        now += pace.delay(now)
        pace.spend(now)
    assert pace.rate == 1
    assert pace.burst == 4


def test_a_second_429_falls_back_further() -> None:
    pace = Pace(rate=1, burst=3, now=0.0)
    pace.pause(until=1.0)
    pace.pause(until=2.0)

    assert pace.rate == pytest.approx(0.81)
    assert pace.delay(1.5) == pytest.approx(0.5)


def test_a_pause_keeps_the_turns_already_given_beyond_it() -> None:
    pace = Pace(rate=1, burst=1, now=0.0)
    for _ in range(5):  # turns at 0, 1, 2, 3 and 4, each given to a caller
        pace.spend(pace.delay(0.0))

    pace.pause(until=2.0)

    # Nobody is given a turn another caller holds: the next free one comes after theirs.
    assert pace.delay(0.0) == pytest.approx(4 + 1 / pace.rate)  # after the turn at 4, slower
    assert pace.paused_for(0.5) == pytest.approx(1.5)
    assert pace.paused_for(3.0) == 0
