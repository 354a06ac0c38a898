"""Retry-After, read one way for every API the bot calls: seconds or an HTTP-date (pure)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# RFC 9110 §10.2.3 says whole seconds; Slack and the tests also send fractions ("1.5"). A sign,
# an exponent, "inf" or "nan" is no delay (float() would read them all).
_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")


def delay_of(header: str | None, *, default: float, most: float, now: datetime) -> float:
    """Seconds a Retry-After asks for, at most `most`; `default` if it is absent or unreadable.

    A delay in seconds is taken as it is; an HTTP-date (any of RFC 9110's three forms) is the
    time until then from `now`, and none if it has passed.
    """
    text = (header or "").strip()
    if _SECONDS.fullmatch(text):
        # Thousands of digits make float() infinite, not wrong: the cap takes care of it.
        return min(float(text), most)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return default
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)  # the asctime form names no zone; HTTP-dates are GMT
    return min(max(0.0, (when - now).total_seconds()), most)
