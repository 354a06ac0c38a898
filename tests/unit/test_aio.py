"""start_kept and Kept: background tasks held until done, waited for, then cut off at shutdown."""

from __future__ import annotations

import asyncio

import pytest

from bot.aio import Inflow, Kept, start_kept


async def test_a_kept_task_is_held_while_it_runs_and_let_go_when_done() -> None:
    kept: set[asyncio.Task[int]] = set()
    go_on = asyncio.Event()

    async def work() -> int:
        await go_on.wait()
        return 7

    task = start_kept(kept, work())

    assert kept == {task}
    go_on.set()
    assert await task == 7
    await asyncio.sleep(0)  # done callbacks run on the next turn of the loop
    assert kept == set()


async def test_kept_work_past_its_grace_is_cut_off_and_no_more_is_taken() -> None:
    failures: list[BaseException] = []
    kept = Kept(failures.append)
    never = asyncio.Event()
    quick_done = asyncio.Event()

    async def stuck() -> None:
        await never.wait()

    async def quick() -> None:
        quick_done.set()

    kept.start(stuck())
    kept.start(quick())
    await kept.drain(0.05)

    assert quick_done.is_set()
    assert kept.closed
    assert failures == []  # cut off is not failed
    with pytest.raises(RuntimeError):
        kept.start(quick())


async def test_kept_work_that_fails_is_reported_not_left_for_the_collector() -> None:
    failures: list[BaseException] = []
    kept = Kept(failures.append)

    async def broken() -> None:
        raise ValueError("no")

    kept.start(broken())
    await kept.drain(5)

    assert [str(error) for error in failures] == ["no"]


async def test_work_that_can_wait_lets_requests_being_answered_go_first() -> None:
    inflow, order = Inflow(), []

    async def waits() -> None:
        await inflow.quiet()
        order.append("work")

    await inflow.quiet()  # nothing being answered: no wait at all
    with inflow.answering():
        work = asyncio.ensure_future(waits())
        with inflow.answering():
            await asyncio.sleep(0.01)
        order.append("answered")  # one of two answered: the work still waits
        await asyncio.sleep(0.01)
        order.append("both answered")
    await work

    assert order == ["answered", "both answered", "work"]


async def test_work_waits_for_requests_being_answered_only_so_long() -> None:
    inflow = Inflow()
    with inflow.answering():
        # Never quiet: the work goes after `most` whatever comes (Slack's 3 s are the requests').
        await asyncio.wait_for(inflow.quiet(most=0.01), timeout=5)
