"""Retry-After as every client reads it: seconds or an HTTP-date, capped, garbage ignored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.retry_after import delay_of

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def delay(header: str | None, *, most: float = 300.0) -> float:
    return delay_of(header, default=1.0, most=most, now=NOW)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("30", 30.0), ("0", 0.0), ("1.5", 1.5), (" 7 ", 7.0), ("007", 7.0)],
)
def test_a_delay_in_seconds_is_taken_as_it_is(header: str, seconds: float) -> None:
    assert delay(header) == seconds


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "  ",
        "soon",
        "-3",
        "+5",
        "inf",
        "Infinity",
        "nan",
        "1e3",
        "1_000",
        "0x10",
        ".5",
        "5 s",
        "Tue, 01 Jan 2030 25:00:00 GMT",
        "Tue, 32 Jan 2030 12:00:00 GMT",
    ],
)
def test_an_absent_or_unreadable_header_gives_the_default(header: str | None) -> None:
    assert delay(header) == 1.0


@pytest.mark.parametrize(
    "header",
    [
        "Tue, 01 Jan 2030 12:00:30 GMT",  # IMF-fixdate, the form senders must use
        "Tuesday, 01-Jan-30 12:00:30 GMT",  # RFC 850, obsolete but to be read
        "Tue Jan  1 12:00:30 2030",  # asctime, which names no zone: GMT
    ],
)
def test_an_http_date_is_the_time_until_then(header: str) -> None:
    assert delay(header) == 30.0


def test_a_date_already_past_asks_for_no_wait() -> None:
    assert delay("Mon, 31 Dec 2029 12:00:00 GMT") == 0.0


@pytest.mark.parametrize(
    "header",
    ["86400", "9" * 400, "Fri, 01 Jan 2100 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 -2359"],
)
def test_no_header_asks_for_more_than_the_callers_most(header: str) -> None:
    assert delay(header, most=60.0) == 60.0
    assert delay(header, most=300.0) == 300.0
