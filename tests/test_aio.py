"""start_kept: a background task is held until it is done, then let go."""

from __future__ import annotations

import asyncio

from bot.aio import start_kept


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
