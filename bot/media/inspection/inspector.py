"""The media check: each file of a job read in parts and measured in a worker pool, then judged."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import traceback
from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import urlsplit

from bot.media.addresses import Address, is_public
from bot.media.inspection.facts import Measured, Part
from bot.media.inspection.judge import judge
from bot.media.inspection.model import Finding, Medium, Report
from bot.media.inspection.ranged import RangedFile, Unreadable, Why
from bot.media.inspection.remote import Parts, Remote
from bot.media.inspection.requirements import requirements_for

log = logging.getLogger(__name__)
T = TypeVar("T")

# Bytes read of one file at most: a keyframe for each of ten samples and the sound's first
# minutes, even at 4K; a ten-minute file costs what a two-minute one does.
READ_AT_MOST = 64 * 1024 * 1024
# The order findings are told in.
_ORDER = (Medium.TRAINING_VIDEO, Medium.TRAINING_IMAGE, Medium.CONSENT_VIDEO)


class Inspector:
    """Looks at a job's training media before anyone consents or a credit is spent.

    Files are read over the link checks' own guarded fetch (on the event loop), and measured in
    a pool of `concurrency` threads: the loop never decodes a frame. Whatever cannot be looked
    at (a host without ranges, a timeout, a file FFmpeg cannot open, too many bytes) becomes an
    unchecked finding; nothing here blocks a job for lack of a look.
    """

    def __init__(
        self,
        *,
        allowed: Callable[[Address], bool] = is_public,
        clock: Callable[[], float],
        concurrency: int = 2,
        timeout: float = 60.0,
        most_bytes: int = READ_AT_MOST,
    ) -> None:
        self._remote = Remote(allowed=allowed, timeout=min(20.0, timeout))
        self._clock = clock
        self._timeout = timeout
        self._most_bytes = most_bytes
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix="media-check"
        )
        self._stops: set[threading.Event] = set()

    async def close(self) -> None:
        """Stop every check under way, wait for its worker, and release the connections."""
        for stop in list(self._stops):
            stop.set()
        # Waited for off the loop: a worker may be waiting for a part the loop still fetches.
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
        await self._remote.close()

    async def inspect(self, files: Mapping[Medium, str], *, model: str) -> Report:
        """Each file (medium → link) looked at, all within `timeout`; never raises but cancelled."""
        needs = requirements_for(model)
        stop = threading.Event()
        deadline = self._clock() + self._timeout
        self._stops.add(stop)

        def stopped() -> bool:
            return stop.is_set() or self._clock() >= deadline

        tasks = {
            medium: asyncio.create_task(self._measure(medium, url, stopped))
            for medium, url in files.items()
        }
        try:
            if tasks:
                await asyncio.wait(tasks.values(), timeout=self._timeout)
        finally:
            # Workers stop at their next read; the tasks waiting for them are let go.
            stop.set()
            self._stops.discard(stop)
            for task in tasks.values():
                task.cancel()
        findings: list[Finding] = []
        summaries: list[tuple[Medium, str]] = []
        for medium in sorted(tasks, key=_ORDER.index):
            measured = _outcome(files[medium], tasks[medium])
            found, summary = judge(
                medium,
                measured,
                needs,
                consent_in_it=medium is Medium.CONSENT_VIDEO or Medium.CONSENT_VIDEO not in files,
            )
            findings += found
            if summary is not None:
                summaries.append((medium, summary))
        return Report(findings=tuple(findings), summaries=tuple(summaries))

    async def opened(self, url: str, stopped: Callable[[], bool]) -> RangedFile:
        """A link as a file read in parts over the guarded fetch; raises Unreadable."""
        opened = await self._remote.open(url)
        return RangedFile(
            Parts(self._remote, asyncio.get_running_loop(), opened, stopped),
            size=opened.size,
            first=opened.first,
            most_bytes=self._most_bytes,
        )

    async def in_worker(self, work: Callable[[], T]) -> T:
        """`work` run in the checks' worker pool, off the event loop (the face match's too)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    async def _measure(self, medium: Medium, url: str, stopped: Callable[[], bool]) -> Measured:
        try:
            file = await self.opened(url, stopped)
        except Unreadable as exc:
            return Measured(unchecked=((Part.FILE, exc.why),))
        # The decoders (PyAV, OpenCV, numpy: 45 MiB) load with the first check, not at start.
        from bot.media.inspection.measure import measure_image, measure_video

        measure = measure_image if medium is Medium.TRAINING_IMAGE else measure_video
        measured = await self.in_worker(lambda: measure(file, stopped=stopped))
        log.info(
            "media check of %s: %d bytes in %d reads, %d unchecked",
            _safe(url),
            measured.bytes_read,
            file.reads,
            len(measured.unchecked),
        )
        return measured


def _outcome(url: str, task: asyncio.Task[Measured]) -> Measured:
    """What a file's task measured; a task that failed or ran out of time, as unchecked."""
    if not task.done() or task.cancelled():
        return Measured(unchecked=((Part.FILE, Why.OUT_OF_TIME),))
    failed = task.exception()
    if failed is None:
        return task.result()
    # By its kind and where it was raised only: an error's text may quote the link, query and all.
    where = traceback.extract_tb(failed.__traceback__)[-1:]
    place = f"{where[0].filename}:{where[0].lineno}" if where else "?"
    log.warning("media check of %s failed: %s at %s", _safe(url), type(failed).__name__, place)
    return Measured(unchecked=((Part.FILE, Why.UNREADABLE),))


def _safe(url: str) -> str:
    """A link as the log may show it: without its query string (presigned signatures)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
