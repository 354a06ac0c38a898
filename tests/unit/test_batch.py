"""Batch: calls made together are answered together, each with its own answer or error."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from bot.aio import Batch


@asynccontextmanager
async def at_once() -> AsyncIterator[None]:
    yield None


async def test_calls_made_together_are_answered_by_one_turn_each_with_its_own_answer() -> None:
    turns: list[list[int]] = []

    async def double(_: None, asks: list[int]) -> list[int]:
        turns.append(asks)
        return [ask * 2 for ask in asks]

    batch: Batch[None, int, int] = Batch(at_once, double)

    assert await asyncio.gather(*(batch(n) for n in range(5))) == [0, 2, 4, 6, 8]
    assert turns == [[0, 1, 2, 3, 4]]


async def test_an_answer_that_is_an_error_is_raised_to_its_caller_alone() -> None:
    async def answer(_: None, asks: list[int]) -> list[int | Exception]:
        return [ValueError(ask) if ask == 2 else ask for ask in asks]

    batch: Batch[None, int, int] = Batch(at_once, answer)

    results = await asyncio.gather(*(batch(n) for n in range(4)), return_exceptions=True)

    assert results[:2] == [0, 1]
    assert isinstance(results[2], ValueError)
    assert results[3] == 3


async def test_a_turn_that_cannot_open_fails_every_call_waiting_for_it() -> None:
    @asynccontextmanager
    async def broken() -> AsyncIterator[None]:
        raise ConnectionError("database down")
        yield None  # pragma: no cover

    async def answer(_: None, asks: list[int]) -> list[int]:
        raise AssertionError("never reached")  # pragma: no cover

    batch: Batch[None, int, int] = Batch(broken, answer)

    results = await asyncio.gather(batch(1), batch(2), return_exceptions=True)

    assert [type(result) for result in results] == [ConnectionError, ConnectionError]
    with pytest.raises(ConnectionError):  # and the next call gets a turn of its own
        await batch(3)


async def test_a_batch_under_way_is_finished_and_waited_for_after_its_caller_gives_up() -> None:
    inside, go_on = asyncio.Event(), asyncio.Event()
    written: list[str] = []

    @asynccontextmanager
    async def writing() -> AsyncIterator[Any]:
        yield None

    async def write(_: Any, asks: list[str]) -> list[bool]:
        inside.set()
        await go_on.wait()
        written.extend(asks)
        return [True] * len(asks)

    together: Batch[Any, str, bool] = Batch(writing, write)
    call = asyncio.create_task(together("claim"))
    await inside.wait()
    call.cancel()  # e.g. a shutdown cancels the sender's lane mid-claim
    with contextlib.suppress(asyncio.CancelledError):
        await call
    finishing = asyncio.create_task(together.finish())
    for _ in range(10):  # the loop goes round: finish() would be done, were it not waiting
        await asyncio.sleep(0)

    assert not finishing.done()  # what follows (handing claims back) must wait for it
    go_on.set()
    await finishing
    assert written == ["claim"]
