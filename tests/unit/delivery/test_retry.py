"""The retry policy, case by case: what each failure means and what is done about it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.delivery import budgets
from bot.delivery.retry import (
    BACKOFF_CAP,
    GIVE_UP_AFTER,
    RETRY_AFTER,
    Crashed,
    Failure,
    GiveUp,
    NoAnswer,
    Refused,
    Retry,
    backoff,
    decide,
    failure_of,
    passing,
    slack_trouble,
)
from bot.jobs import Notice, NoticeKind

NOW = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def refusal(
    status: int, body: dict[str, object] | str, headers: dict[str, str] | None = None
) -> SlackApiError:
    """The error slack_sdk raises for this answer: built by its own response's validate()."""
    response = AsyncSlackResponse(
        client=AsyncWebClient(token="xoxb-test"),
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data=body,
        headers=CIMultiDictProxy(CIMultiDict(headers or {})),
        status_code=status,
    )
    try:
        response.validate()
    except SlackApiError as exc:
        return exc
    raise AssertionError(f"Slack would have accepted {status} {body}")


def refused(error: str, status: int = 200) -> SlackApiError:
    return refusal(status, {"ok": False, "error": error})


def notice(*, in_doubt: bool = False, attempts: int = 0, age: timedelta = timedelta()) -> Notice:
    return Notice(
        id="n1",
        job_id="j1",
        kind=NoticeKind.RESULT,
        created_at=NOW - timedelta(minutes=1) - age,
        attempts=attempts,
        in_doubt=in_doubt,
    )


def top(low: float, high: float) -> float:
    """A jitter that always waits the longest it may: the backoff's ceiling."""
    return high


RATE_LIMITED = refusal(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "7"})
RATE_LIMITED_UNSAID = refusal(429, {"ok": False, "error": "ratelimited"})
RATE_LIMITED_BLANK = refusal(429, {"ok": False, "error": "ratelimited"}, {"retry-after": ""})
SERVER_ERROR = refusal(500, {})
UNAVAILABLE = refusal(503, {"ok": False, "error": "service_unavailable"}, {"Retry-After": "9"})
UNREACHABLE = refused("channel_not_found")
INVALID_BLOCKS = refused("invalid_blocks")
TIMED_OUT = TimeoutError()
DISCONNECTED = aiohttp.ServerDisconnectedError()
REFUSED_CONNECTION = aiohttp.ClientConnectionError("connection refused")
CRASH = KeyError("ts")
UNHEEDED = Refused(200, "not_in_channel")


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (RATE_LIMITED, Refused(429, "ratelimited", retry_after=7.0)),
        (RATE_LIMITED_UNSAID, Refused(429, "ratelimited")),
        (RATE_LIMITED_BLANK, Refused(429, "ratelimited")),
        (SERVER_ERROR, Refused(500, "HTTP 500")),
        # Only a 429's Retry-After is heeded.
        (UNAVAILABLE, Refused(503, "service_unavailable")),
        (refusal(200, {"ok": False, "error": "not_in_channel"}, {"Retry-After": "5"}), UNHEEDED),
        (UNREACHABLE, Refused(200, "channel_not_found")),
        # A proxy's page of text, not Slack's JSON: slack_sdk keeps it as a string.
        (refusal(503, "upstream connect error"), Refused(503, "HTTP 503")),
        (INVALID_BLOCKS, Refused(200, "invalid_blocks")),
        (TIMED_OUT, NoAnswer("TimeoutError()")),
        (aiohttp.ServerTimeoutError("read"), NoAnswer("ServerTimeoutError('read')")),
        (DISCONNECTED, NoAnswer(repr(DISCONNECTED))),
        (REFUSED_CONNECTION, NoAnswer("ClientConnectionError('connection refused')")),
        (CRASH, Crashed("KeyError('ts')")),
        (ValueError("bad"), Crashed("ValueError('bad')")),
    ],
)
def test_a_failure_is_told_by_its_exception(exc: Exception, failure: Failure) -> None:
    assert failure_of(exc) == failure


@pytest.mark.parametrize(
    ("exc", "doubted", "decision"),
    [
        # A 429 posted nothing: wait as Slack says, keep any earlier doubt.
        (RATE_LIMITED, False, Retry(7.0, "ratelimited", False, counts=False)),
        (RATE_LIMITED, True, Retry(7.0, "ratelimited", True, counts=False)),
        (RATE_LIMITED_UNSAID, False, Retry(1.0, "ratelimited", False, counts=False)),
        (RATE_LIMITED_UNSAID, True, Retry(1.0, "ratelimited", True, counts=False)),
        (RATE_LIMITED_BLANK, False, Retry(1.0, "ratelimited", False, counts=False)),
        # Slack's own trouble: back off; the request may have landed.
        (SERVER_ERROR, False, Retry(0.5, "HTTP 500", True)),
        (UNAVAILABLE, False, Retry(0.5, "service_unavailable", True)),
        (UNAVAILABLE, True, Retry(0.5, "service_unavailable", True)),
        # Refused for good: no point asking again.
        (UNREACHABLE, False, GiveUp("channel_not_found", "Slack refused it for good")),
        (INVALID_BLOCKS, True, GiveUp("invalid_blocks", "Slack refused it for good")),
        (refusal(404, {}), False, GiveUp("HTTP 404", "Slack refused it for good")),
        (refusal(502, "<html>Bad Gateway</html>"), False, Retry(0.5, "HTTP 502", True)),
        # No answer: it may have landed, so look before posting again.
        (TIMED_OUT, False, Retry(0.5, "no answer: TimeoutError()", True)),
        (DISCONNECTED, False, Retry(0.5, f"no answer: {DISCONNECTED!r}", True)),
        (
            REFUSED_CONNECTION,
            False,
            Retry(0.5, "no answer: ClientConnectionError('connection refused')", True),
        ),
        (CRASH, False, Retry(0.5, "KeyError('ts')", True)),
        # Below 5xx Slack answered, whatever its word: it took nothing, so no doubt arises.
        (
            refusal(499, {"ok": False, "error": "internal_error"}),
            False,
            Retry(0.5, "internal_error", False),
        ),
    ],
)
def test_each_failure_is_retried_or_given_up_as_the_policy_says(
    exc: Exception, doubted: bool, decision: Retry | GiveUp
) -> None:
    assert decide(failure_of(exc), notice(in_doubt=doubted), now=NOW, jitter=top) == decision


@pytest.mark.parametrize(
    "word",
    [
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "ratelimited",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
    ],
)
@pytest.mark.parametrize("doubted", [False, True])
def test_a_transient_error_is_retried_with_backoff_keeping_the_doubt_it_had(
    word: str, doubted: bool
) -> None:
    decision = decide(failure_of(refused(word)), notice(in_doubt=doubted), now=NOW, jitter=top)

    assert decision == Retry(0.5, word, in_doubt=doubted)


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (SERVER_ERROR, "HTTP 500"),
        (refused("invalid_auth"), "invalid_auth"),
        (TIMED_OUT, "no answer: TimeoutError()"),
        (CRASH, "KeyError('ts')"),
    ],
)
def test_a_notice_a_day_old_is_given_up_at_its_next_failure(exc: Exception, reason: str) -> None:
    old = notice(age=GIVE_UP_AFTER, attempts=30, in_doubt=True)

    decision = decide(failure_of(exc), old, now=NOW, jitter=top)

    assert decision == GiveUp(reason, f"giving up after {GIVE_UP_AFTER}")


def test_a_notice_just_under_a_day_old_is_still_retried() -> None:
    young = notice(age=GIVE_UP_AFTER - timedelta(minutes=2))

    assert decide(failure_of(SERVER_ERROR), young, now=NOW, jitter=top) == Retry(
        0.5, "HTTP 500", True
    )


@pytest.mark.parametrize(
    ("exc", "decision"),
    [
        # A 429 never counts as a failed attempt, but a day of them ends like any failure:
        # a read Slack allows once a minute must not keep a notice (and its job's results) forever.
        (RATE_LIMITED, GiveUp("ratelimited", f"giving up after {GIVE_UP_AFTER}")),
        (INVALID_BLOCKS, GiveUp("invalid_blocks", "Slack refused it for good")),
    ],
)
def test_a_day_old_notice_is_given_up_on_a_429_too_and_refused_as_ever(
    exc: Exception, decision: Retry | GiveUp
) -> None:
    old = notice(age=2 * GIVE_UP_AFTER, in_doubt=True)

    assert decide(failure_of(exc), old, now=NOW, jitter=top) == decision


@pytest.mark.parametrize("exc", [SERVER_ERROR, RATE_LIMITED])
@pytest.mark.parametrize(
    ("age", "given_up"),
    [
        (timedelta(hours=24), False),
        (timedelta(hours=24, microseconds=1), True),
    ],
)
def test_a_notice_is_tried_for_a_whole_day_and_given_up_once_it_has_passed(
    exc: Exception, age: timedelta, given_up: bool
) -> None:
    sent = Notice(id="n1", job_id="j1", kind=NoticeKind.RESULT, created_at=NOW - age)

    decision = decide(failure_of(exc), sent, now=NOW, jitter=top)

    assert isinstance(decision, GiveUp) is given_up


def test_a_spent_budget_is_waited_out_as_a_429_that_posted_nothing() -> None:
    failure = failure_of(budgets.Spent("chat.postMessage:C1", 12.5))

    assert failure == Refused(429, "ratelimited", 12.5)
    assert decide(failure, notice(in_doubt=True), now=NOW, jitter=top) == Retry(
        12.5, "ratelimited", True, counts=False
    )


def test_a_place_to_look_that_just_opened_is_looked_at_soon_keeping_the_doubt() -> None:
    failure = failure_of(budgets.LookAgain("C1"))

    assert failure == Refused(429, "joined C1 to look there")
    assert decide(failure, notice(in_doubt=True), now=NOW, jitter=top) == Retry(
        RETRY_AFTER, "ratelimited", True, counts=False
    )


def test_a_429_under_a_day_old_is_waited_for_without_counting() -> None:
    young = notice(age=GIVE_UP_AFTER - timedelta(minutes=2), in_doubt=True)

    assert decide(failure_of(RATE_LIMITED), young, now=NOW, jitter=top) == Retry(
        7.0, "ratelimited", True, counts=False
    )


@pytest.mark.parametrize(
    ("attempts", "ceiling"),
    [
        (-1, 0.5),
        (0, 0.5),
        (1, 1.0),
        (2, 2.0),
        (3, 4.0),
        (5, 16.0),
        (6, 30.0),
        (7, 30.0),
        (40, 30.0),
    ],
)
def test_backoff_doubles_with_each_attempt_up_to_its_cap(attempts: int, ceiling: float) -> None:
    drawn: list[tuple[float, float]] = []

    def jitter(low: float, high: float) -> float:
        drawn.append((low, high))
        return low

    assert backoff(attempts, jitter) == ceiling / 2
    assert drawn == [(ceiling / 2, ceiling)]
    assert ceiling <= BACKOFF_CAP


@pytest.mark.parametrize("attempts", [0, 3, 6, 12])
@pytest.mark.parametrize("exc", [TIMED_OUT, SERVER_ERROR, refused("invalid_auth"), CRASH])
def test_a_counted_retry_waits_by_the_notice_attempts(attempts: int, exc: Exception) -> None:
    decision = decide(failure_of(exc), notice(attempts=attempts), now=NOW, jitter=top)

    assert isinstance(decision, Retry)
    assert decision.counts is True
    assert decision.delay == backoff(attempts, top)


def test_the_jitter_by_default_is_random_within_half_the_ceiling_and_the_ceiling() -> None:
    delays = {backoff(4) for _ in range(50)}

    assert all(4.0 <= delay <= 8.0 for delay in delays)
    assert len(delays) > 1


@pytest.mark.parametrize(
    ("status", "error", "trouble", "not_now"),
    [
        (503, "", True, True),  # Slack down
        (500, "", True, True),
        (499, "", False, False),  # any other 4xx is a plain no
        (429, "", True, True),  # a rate limit without its word
        (200, "ratelimited", True, True),
        (200, "fatal_error", True, True),
        (200, "invalid_auth", False, True),  # an admin's to fix: delivery waits, check says so
        (200, "token_revoked", False, True),
        (200, "channel_not_found", False, False),
        (400, "invalid_blocks", False, False),
    ],
)
def test_slack_trouble_is_told_from_a_token_to_fix_and_from_a_plain_no(
    status: int, error: str, trouble: bool, not_now: bool
) -> None:
    assert slack_trouble(status, error) is trouble
    assert passing(status, error) is not_now
