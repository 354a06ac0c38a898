"""Parts of a media link fetched as the link checks fetch: address guard, redirects hop by hop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from bot.media.addresses import (
    Address,
    GuardedResolver,
    PrivateAddress,
    TooManyRedirects,
    following,
    is_public,
)
from bot.media.inspection.ranged import Unreadable, Why

# The first request reads as much as the link check does: an image's header, or a fast-start
# MP4's index, in one answer.
FIRST = 256 * 1024
_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")
# A worker waiting for a part wakes this often to see whether the job was called off.
_POLL = 0.25


@dataclass(frozen=True, slots=True)
class Opened:
    """A link's first answer: where it led, the file's size and its first bytes."""

    url: str
    size: int
    first: bytes


class Remote:
    """Ranged GETs on one session of the bot's event loop, only ever to allowed addresses."""

    def __init__(
        self, *, allowed: Callable[[Address], bool] = is_public, timeout: float = 20.0
    ) -> None:
        self._allowed = allowed
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        """Release the connections."""
        if self._session is not None:
            await self._session.close()

    async def open(self, url: str, *, block: int = FIRST) -> Opened:
        """The first block, the file's size and the URL its redirects (each checked) led to.

        A host that answers a Range request with the whole file is not read on (NO_RANGES),
        unless the whole file is no larger than the block asked for.
        """
        async with self._get(url, 0, block - 1) as (final, response):
            if response.status == 200:
                length = response.content_length
                if length is None or length > block:
                    raise Unreadable(Why.NO_RANGES, f"status 200, {length} bytes")
                whole = await _read(response.content, block)
                return Opened(final, len(whole), whole)
            start, total = _content_range(response)
            if start != 0 or total is None:
                raise Unreadable(Why.NO_RANGES, "an answer without its place in the file")
            return Opened(final, total, await _read(response.content, block))

    async def part(self, url: str, start: int, end: int, *, size: int) -> bytes:
        """Bytes start…end of a file of `size` bytes (fewer at its end)."""
        async with self._get(url, start, end) as (_, response):
            if response.status == 416:
                return b""  # past the end of a file shorter than its host claimed
            if response.status != 206:
                raise Unreadable(Why.NO_RANGES, f"status {response.status}")
            at, total = _content_range(response)
            if total is not None and total != size:
                raise Unreadable(Why.CHANGED, f"{size} bytes, then {total}")
            if at != start:
                raise Unreadable(Why.NO_RANGES, "a part other than the one asked for")
            return await _read(response.content, end - start + 1)

    def _get(self, url: str, start: int, end: int) -> _Guarded:
        return _Guarded(self, url, {"Range": f"bytes={start}-{end}"})

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(resolver=GuardedResolver(self._allowed), limit=50)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                headers={"User-Agent": "replica-bot media check"},
            )
        return self._session


class _Guarded:
    """`following` with every way a fetch fails turned into Unreadable, by kind only.

    aiohttp's errors quote the whole link, query (a presigned signature) and all: never kept.
    """

    def __init__(self, remote: Remote, url: str, headers: dict[str, str]) -> None:
        self._following = following(
            remote._open(), url, allowed=remote._allowed, headers=lambda _: headers
        )

    async def __aenter__(self) -> tuple[str, aiohttp.ClientResponse]:
        try:
            final, response = await self._following.__aenter__()
        except (aiohttp.ClientError, OSError, ValueError, TooManyRedirects) as exc:
            raise _unreadable(exc) from None
        if response.status >= 400 and response.status != 416:
            await self._following.__aexit__(None, None, None)
            raise Unreadable(Why.NO_ANSWER, f"status {response.status}")
        return final, response

    async def __aexit__(self, *exc: object) -> None:
        # The answer was read, or is being given up: a connection that fails now is dropped.
        with contextlib.suppress(aiohttp.ClientError, OSError):
            await self._following.__aexit__(None, None, None)


def _unreadable(exc: Exception) -> Unreadable:
    if isinstance(exc, PrivateAddress):
        return Unreadable(Why.PRIVATE)
    if isinstance(exc, aiohttp.ClientConnectorError) and (
        isinstance(exc.__cause__, PrivateAddress) or isinstance(exc.os_error, PrivateAddress)
    ):
        return Unreadable(Why.PRIVATE)
    if isinstance(exc, TooManyRedirects):
        return Unreadable(Why.NO_ANSWER, "too many redirects")
    if isinstance(exc, TimeoutError):
        return Unreadable(Why.OUT_OF_TIME, "the host is slow")
    return Unreadable(Why.NO_ANSWER, type(exc).__name__)


async def _read(stream: aiohttp.StreamReader, most: int) -> bytes:
    """Up to `most` bytes: a host that sends more than it was asked for is not read on."""
    chunks: list[bytes] = []
    got = 0
    try:
        while got < most:
            chunk = await stream.read(most - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except (aiohttp.ClientError, OSError) as exc:
        raise Unreadable(Why.NO_ANSWER, type(exc).__name__) from None
    except TimeoutError:
        raise Unreadable(Why.OUT_OF_TIME, "the host is slow") from None
    return b"".join(chunks)


def _content_range(response: aiohttp.ClientResponse) -> tuple[int | None, int | None]:
    found = _RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if found is None:
        return None, None
    total = found.group(3)
    return int(found.group(1)), (int(total) if total.isdigit() else None)


class Parts:
    """A worker thread's way to the event loop: each part fetched there, waited for here.

    `stopped()` is asked before each part and while waiting: a job whose time is up, or that
    was called off, stops its workers at their next read instead of reading on.
    """

    def __init__(
        self,
        remote: Remote,
        loop: asyncio.AbstractEventLoop,
        opened: Opened,
        stopped: Callable[[], bool],
    ) -> None:
        self._remote = remote
        self._loop = loop
        self._opened = opened
        self._stopped = stopped

    def __call__(self, start: int, end: int) -> bytes:
        """Bytes start…end, fetched on the loop; Unreadable(OUT_OF_TIME) once stopped."""
        if self._stopped():
            raise Unreadable(Why.OUT_OF_TIME)
        fetch = self._remote.part(self._opened.url, start, end, size=self._opened.size)
        try:
            future = asyncio.run_coroutine_threadsafe(fetch, self._loop)
        except RuntimeError:  # the loop is closed: the bot is stopping
            fetch.close()
            raise Unreadable(Why.OUT_OF_TIME) from None
        while True:
            try:
                return future.result(timeout=_POLL)
            except concurrent.futures.TimeoutError:
                if self._stopped():
                    future.cancel()
                    raise Unreadable(Why.OUT_OF_TIME) from None
            except concurrent.futures.CancelledError:
                raise Unreadable(Why.OUT_OF_TIME) from None
