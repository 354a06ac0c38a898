"""Background tasks held in a set until they finish, so they can be awaited or cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def start_kept(tasks: set[asyncio.Task[T]], work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
    """Start `work` as a task held in `tasks` until it is done.

    The event loop keeps only weak references to tasks: one nobody holds may vanish mid-way.
    The set is also what a shutdown waits for.
    """
    task = asyncio.create_task(work)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task
