"""The stand-in's tiers refuse as Slack does: per channel for posts, per method for the tiers."""

from __future__ import annotations

from tests.clocks import Ticks
from tests.standins.limits import Tiers


def test_posts_are_limited_per_channel_after_a_burst_of_two() -> None:
    clock = Ticks()
    tiers = Tiers(clock=clock)

    assert [tiers.refuse("chat.postMessage", "C1") for _ in range(3)] == [None, None, 1]
    assert tiers.refuse("chat.postMessage", "C2") is None
    clock.now = 1.0
    assert tiers.refuse("chat.postMessage", "C1") is None


def test_tiered_methods_are_limited_per_method_in_the_workspace() -> None:
    clock = Ticks()
    tiers = Tiers(clock=clock)

    updates = [tiers.refuse("chat.update", f"C{n}") for n in range(11)]

    assert updates == [None] * 10 + [2]  # Tier 3: 50 a minute, a token every 1.2 s
    assert tiers.refuse("conversations.history", "C1") is None  # its own budget
    assert tiers.refuse("auth.test", "") is None  # not limited here
