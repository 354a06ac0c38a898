"""Follow-ups: work after Slack's answer runs, is waited for, and never fails the answer."""

from __future__ import annotations

import asyncio
import gc
import warnings
from typing import Any, cast

import pytest

from bot.slack.deps import Deps, follow_ups


def deps() -> Deps:
    # Only the follow-ups matter here.
    return Deps(
        intake=cast(Any, None),
        replicas=cast(Any, None),
        governance=cast(Any, None),
        consent=cast(Any, None),
        approvals=cast(Any, None),
        people=cast(Any, None),
        prober=None,
        files=None,
        fetcher=None,
        models=("phoenix-4",),
        voices=cast(Any, None),
        follow_ups=follow_ups(),
        accounts=cast(Any, None),
        departures=cast(Any, None),
        talks=cast(Any, None),
    )


async def test_a_follow_up_runs_after_the_listener_and_shutdown_waits_for_it() -> None:
    given = deps()
    finished = asyncio.Event()

    async def work() -> None:
        await asyncio.sleep(0.05)
        finished.set()

    await given.after_ack(work())
    await given.follow_ups.drain(5)

    assert finished.is_set()


async def test_a_failing_follow_up_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    given = deps()

    async def work() -> None:
        raise RuntimeError("Slack said no")

    await given.after_ack(work())
    await given.follow_ups.drain(5)

    assert "follow-up failed" in caplog.text
    assert "Slack said no" in caplog.text


async def test_a_follow_up_asked_for_after_shutdown_is_dropped_without_raising(
    caplog: pytest.LogCaptureFixture,
) -> None:
    given = deps()
    await given.follow_ups.close()
    ran = False

    async def work() -> None:
        nonlocal ran
        ran = True

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "coroutine was never awaited" would be an error
        await given.after_ack(work())
        gc.collect()

    assert not ran
    assert "dropped a follow-up" in caplog.text
