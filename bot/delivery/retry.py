"""The retry policy: what a failed send means, and whether and when to try it again."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError

from bot.delivery import budgets
from bot.jobs import Notice

# Slack's own trouble: the same call may work later, unchanged.
SLACK_TROUBLE = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
# A token Slack no longer takes: once an admin reinstalls, the same call works.
TOKEN_TROUBLE = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
GIVE_UP_AFTER = timedelta(hours=24)
# A 429 that names no Retry-After is tried again soon (its budget is paused as long).
RETRY_AFTER = budgets.RETRY_AFTER


@dataclass(frozen=True, slots=True)
class Refused:
    """Slack answered with an error: its HTTP status, its error word, a 429's Retry-After."""

    status: int
    error: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class NoAnswer:
    """No answer from Slack (a timeout, a dropped connection): the request may have landed."""

    reason: str


@dataclass(frozen=True, slots=True)
class Crashed:
    """The send failed in a way nobody foresaw: a bug, or a surprise from Slack."""

    reason: str


Failure = Refused | NoAnswer | Crashed


@dataclass(frozen=True, slots=True)
class Retry:
    """Try the notice again after `delay` seconds.

    `in_doubt`: an attempt may have reached Slack, so look before posting again. `counts`: it
    counts as a failed attempt (towards backoff).
    """

    delay: float
    reason: str
    in_doubt: bool
    counts: bool = True


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Stop trying: `error` is recorded with the notice, `why` says which rule gave it up."""

    error: str
    why: str


def slack_trouble(status: int, error: str) -> bool:
    """Whether the refusal is Slack's own trouble or its rate limit, not about the call."""
    return status == 429 or status >= 500 or error in SLACK_TROUBLE


def passing(status: int, error: str) -> bool:
    """Whether Slack's refusal says "not now" (its trouble, a token to fix) rather than "no"."""
    return slack_trouble(status, error) or error in TOKEN_TROUBLE


def error_word(exc: SlackApiError) -> str:
    """Slack's error word ("channel_not_found"), or "HTTP 503" when its answer is no JSON.

    A proxy in front of Slack answers an outage with a page of text or HTML, which slack_sdk
    keeps as a string: asking it for "error" as a dict would raise.
    """
    data = exc.response.data
    error = data.get("error") if isinstance(data, dict) else None
    return str(error or f"HTTP {exc.response.status_code}")


def refusal(exc: SlackApiError) -> Refused:
    """What Slack's error answer says: its status, its error word (or the status), a Retry-After."""
    status = exc.response.status_code
    error = error_word(exc)
    retry_after = None
    if status == 429:
        # Only a 429's Retry-After is heeded (other errors back off by attempts); a blank one
        # is none.
        header = exc.response.headers.get("Retry-After")
        retry_after = budgets.retry_after(header) if header else None
    return Refused(status, error, retry_after)


def failure_of(exc: Exception) -> Failure:
    """What went wrong, told by the exception a send raised."""
    if isinstance(exc, budgets.Spent):
        # Our own budget said wait, so Slack was not asked: as good as its 429.
        return Refused(429, "ratelimited", exc.wait)
    if isinstance(exc, budgets.LookAgain):
        # Nothing was posted; the read that can tell whether an attempt landed waits its turn.
        return Refused(429, f"joined {exc} to look there", None)
    if isinstance(exc, SlackApiError):
        return refusal(exc)
    if isinstance(exc, aiohttp.ClientError | TimeoutError):
        return NoAnswer(repr(exc))
    return Crashed(repr(exc))


def decide(
    failure: Failure,
    notice: Notice,
    *,
    now: datetime,
    jitter: Callable[[float, float], float] = random.uniform,
) -> Retry | GiveUp:
    """Whether to try `notice` again after `failure`, and how; `now` is the store's clock."""
    match failure:
        case Refused(status=429, error=error) if now - notice.created_at > GIVE_UP_AFTER:
            # Rate limits end too: a notice refused for a day, 429 or not, is given up.
            return GiveUp(error, why=f"giving up after {GIVE_UP_AFTER}")
        case Refused(status=429, retry_after=retry_after):
            # A 429 posted nothing, but an earlier attempt still may have: keep that doubt.
            delay = RETRY_AFTER if retry_after is None else retry_after
            return Retry(delay, "ratelimited", in_doubt=notice.in_doubt, counts=False)
        case Refused(status=status, error=error) if passing(status, error):
            # A 5xx may answer a post that went through; an error word says Slack took nothing.
            reason, in_doubt = error, notice.in_doubt or status >= 500
        case Refused(error=error):
            return GiveUp(error, why="Slack refused it for good")
        case NoAnswer(reason=reason):
            # The request may have reached Slack: look before sending it again.
            reason, in_doubt = f"no answer: {reason}", True
        case Crashed(reason=reason):
            in_doubt = True
    if now - notice.created_at > GIVE_UP_AFTER:
        return GiveUp(reason, why=f"giving up after {GIVE_UP_AFTER}")
    return Retry(backoff(notice.attempts, jitter), reason, in_doubt=in_doubt)


def backoff(attempts: int, jitter: Callable[[float, float], float] = random.uniform) -> float:
    """Seconds to wait after `attempts` failed attempts: doubling from BASE up to CAP, jittered."""
    # Full jitter keeps many instances (and many notices) from retrying in lockstep.
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts))
    return jitter(ceiling / 2, ceiling)
