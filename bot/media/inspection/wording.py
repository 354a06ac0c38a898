"""Lengths, shares and what could not be checked, as the media check's findings say them (pure)."""

from __future__ import annotations

from bot import messages
from bot.media.inspection.facts import Part
from bot.media.inspection.model import Medium
from bot.media.inspection.ranged import Why


def length(seconds: float) -> str:
    """A length as people say it: "42 s", "1 min", "1 min 42 s"."""
    whole = round(seconds)
    minutes, rest = divmod(whole, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def share(value: float) -> str:
    """A share as a percentage: "23 %"."""
    return f"{round(value * 100)} %"


def unchecked(medium: Medium, part: Part, why: Why, *, kind: str) -> str:
    """What could not be checked of a file, and why, in one line."""
    what = messages.CHECK_WHAT[part.value].format(medium=medium)
    return messages.CHECK_UNCHECKED.format(
        what=what, why=messages.CHECK_WHY[why.value].format(kind=kind)
    )
