"""Asyncio building blocks: tasks kept, calls batched into one turn, requests being answered."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
# How long work cut off at shutdown gets to unwind (aiojobs's default, which the follow-ups had).
CUT_OFF_WAIT = 0.1
# How long work that can wait yields, at most, to requests being answered: a Slack request not
# answered within 3 seconds fails, while what the work owes is kept (in the database) meanwhile.
YIELD_MOST = 1.0


def start_kept(tasks: set[asyncio.Task[T]], work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """Start `work` as a task held in `tasks` until it is done.

    The event loop keeps only weak references to tasks: one nobody holds may vanish mid-way.
    The set is also what a shutdown waits for.
    """
    task = asyncio.create_task(work)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


class Inflow:
    """Requests being answered now, so that work which can wait lets them be answered first.

    A burst of forms is answered only as fast as the CPU goes round: the cards and DMs their
    saves owe (sent by the sender, and kept in the database) need not go out until it has been.
    """

    def __init__(self) -> None:
        self._count = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @contextlib.contextmanager
    def answering(self) -> Iterator[None]:
        """Count a request in while it is being answered."""
        self._count += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._count -= 1
            if self._count == 0:
                self._quiet.set()

    async def quiet(self, most: float = YIELD_MOST) -> None:
        """Return once no request is being answered, or after `most` seconds whatever comes."""
        if self._quiet.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), timeout=most)


class Kept:
    """Work handed in from outside (a listener's follow-ups), each task held by start_kept.

    A failure is handed to `failed`, never left for the garbage collector to report. At
    shutdown `drain` waits for the work, then `close` cuts off the rest and refuses more.
    """

    def __init__(self, failed: Callable[[BaseException], None]) -> None:
        self._tasks: set[asyncio.Task[object]] = set()
        self._failed = failed
        self._closed = False

    @property
    def closed(self) -> bool:
        """Whether the work has been cut off: nothing new may start."""
        return self._closed

    def start(self, work: Coroutine[Any, Any, object]) -> None:
        """Run `work` in a task of its own; RuntimeError once closed (`work` is then closed)."""
        if self._closed:
            work.close()
            raise RuntimeError("started after close")
        start_kept(self._tasks, work).add_done_callback(self._report)

    async def settled(self) -> None:
        """Return once no work is running (any started meanwhile waited for too)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def drain(self, grace: float) -> None:
        """Wait up to `grace` seconds for the work (and any started meanwhile), then close."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                await self.settled()
        await self.close()

    async def close(self) -> None:
        """Refuse more work; cancel what is still running and give it CUT_OFF_WAIT to unwind."""
        self._closed = True
        running = set(self._tasks)
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running, timeout=CUT_OFF_WAIT)

    def _report(self, task: asyncio.Task[object]) -> None:
        if not task.cancelled() and (error := task.exception()) is not None:
            self._failed(error)


# Batch: calls made at the same moment, answered together by one request or one transaction.
#
# One mechanism with two uses: the store's group commit (a turn is the writer's next
# transaction) and Tavus lookups (a turn is a short window for others to join). Only what opens
# a turn differs, so that is what a Batch is given.
Context = TypeVar("Context")
Ask = TypeVar("Ask")
Answer = TypeVar("Answer")


class Batch(Generic[Context, Ask, Answer]):
    """Calls that arrive before a turn begins, answered by one call of `answer` in that turn.

    `turn` opens the turn (a transaction, a short wait); the calls waiting once it is open are
    taken together, and `answer` returns one answer per call, in order. An answer that is an
    exception is raised to its caller alone; an exception raised by `turn` or `answer` goes to
    every caller of the turn. Nobody hears back before `turn` has closed (committed).
    """

    def __init__(
        self,
        turn: Callable[[], contextlib.AbstractAsyncContextManager[Context]],
        answer: Callable[[Context, list[Ask]], Awaitable[Sequence[Answer | Exception]]],
    ) -> None:
        self._open_turn = turn
        self._answer = answer
        self._waiting: list[tuple[Ask, asyncio.Future[Answer]]] = []
        self._turns: set[asyncio.Task[None]] = set()

    async def __call__(self, ask: Ask) -> Answer:
        """Join the next turn and wait for its answer to `ask`."""
        answered: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._waiting.append((ask, answered))
        if len(self._waiting) == 1:
            start_kept(self._turns, self._turn())
        return await answered

    async def finish(self) -> None:
        """Wait for the turns under way (their callers may have given up on them)."""
        await asyncio.gather(*self._turns, return_exceptions=True)

    async def _turn(self) -> None:
        batch: list[tuple[Ask, asyncio.Future[Answer]]] | None = None
        try:
            async with self._open_turn() as context:
                batch, self._waiting = self._waiting, []
                # A caller that gave up while waiting (a shutdown) asks for nothing any more.
                batch = [(ask, answered) for ask, answered in batch if not answered.done()]
                if not batch:
                    return
                answers = await self._answer(context, [ask for ask, _ in batch])
            answered_by = list(zip(batch, answers, strict=True))
        except Exception as exc:
            # Failed before or after taking the batch: either way its callers hear why.
            if batch is None:
                batch, self._waiting = self._waiting, []
            for _, answered in batch:
                if not answered.done():
                    answered.set_exception(exc)
            return
        for (_, answered), answer in answered_by:
            if answered.done():
                continue
            if isinstance(answer, Exception):
                answered.set_exception(answer)
            else:
                answered.set_result(answer)
