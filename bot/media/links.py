"""Checking a form's links before hours are spent: each one fetched in part, judged, in parallel."""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import aiohttp

from bot import messages
from bot.media.addresses import (
    Address,
    GuardedResolver,
    PrivateAddress,
    TooManyRedirects,
    following,
    is_public,
)
from bot.media.sniff import (
    HEAD_BYTES,
    LINK_LIFETIME,
    MOST_BYTES,
    SMALLEST_SIDE,
    Sniffed,
    UnreadableExpiry,
    link_expires,
    sniff,
)

log = logging.getLogger(__name__)

MOST_CONNECTIONS = 500
_OCTETS = {"application/octet-stream", "binary/octet-stream", ""}
_SHARE_PAGES = {
    "drive.google.com": messages.LINK_DRIVE,
    "docs.google.com": messages.LINK_DRIVE,
    "www.dropbox.com": messages.LINK_DROPBOX,
    "dropbox.com": messages.LINK_DROPBOX,
}


class Kind(enum.Enum):
    """What a link must be."""

    VIDEO = "video"
    IMAGE = "image"


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a link will not do, in plain words with the fix."""

    words: str


@dataclass(frozen=True, slots=True)
class Unchecked:
    """A link that could not be checked in time: it goes ahead, and the thread says so."""


Finding = Problem | Unchecked | None  # None: the link is fine


class Prober:
    """Fetches the first bytes of links, only ever from public addresses (the guard)."""

    def __init__(
        self,
        *,
        allowed: Callable[[Address], bool] = is_public,
        clock: Callable[[], datetime],
        timeout: float = 10.0,
    ) -> None:
        self._allowed = allowed
        self._clock = clock
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        """Release the connections."""
        if self._session is not None:
            await self._session.close()

    async def check_all(
        self, links: Mapping[str, tuple[str, Kind]], *, budget: float
    ) -> dict[str, Finding]:
        """Check every link at once; whatever is not done within `budget` seconds is Unchecked.

        A check that failed in a way nobody foresaw is a Problem, never Unchecked: a link made
        to break the check must not go ahead as if its host had been slow.
        """
        tasks = {
            name: asyncio.create_task(self.check(url, kind)) for name, (url, kind) in links.items()
        }
        if not tasks:
            return {}
        done, pending = await asyncio.wait(tasks.values(), timeout=budget)
        for task in pending:
            task.cancel()
        verdicts: dict[str, Finding] = {}
        for name, task in tasks.items():
            if task not in done:
                verdicts[name] = Unchecked()
            elif (failed := task.exception()) is not None:
                # The link without its query (a presigned signature), the error by its kind:
                # its text may quote the whole link.
                url = links[name][0]
                log.warning("checking %s failed: %s", _safe(url), type(failed).__name__)
                verdicts[name] = Problem(messages.LINK_NOT_CHECKED)
            else:
                verdicts[name] = task.result()
        return verdicts

    async def check(self, url: str, kind: Kind) -> Finding:
        """Fetch the link's first bytes (following checked redirects) and judge what they are."""
        try:
            expires = link_expires(url)
        except UnreadableExpiry:
            log.info("link %s says when it expires unreadably", _safe(url))
            return Problem(messages.LINK_EXPIRY_UNREADABLE)
        if expires is not None and expires < self._clock() + LINK_LIFETIME:
            return Problem(messages.LINK_EXPIRES.format(when=f"{expires:%Y-%m-%d %H:%M} UTC"))
        try:
            fetched = await self._fetch(url)
        except PrivateAddress:
            return Problem(messages.LINK_PRIVATE)
        except aiohttp.ClientConnectorError as exc:
            # The guard refused the name's addresses; aiohttp hands that on wrapped.
            if isinstance(exc.__cause__, PrivateAddress) or isinstance(
                exc.os_error, PrivateAddress
            ):
                return Problem(messages.LINK_PRIVATE)
            # The socket's error names the address, never the link's query.
            log.info("link %s does not answer: %s", _safe(url), exc.os_error)
            return Problem(messages.LINK_NO_ANSWER)
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            # By its kind only: aiohttp's errors quote the whole link, query and all.
            log.info("link %s does not answer: %s", _safe(url), type(exc).__name__)
            return Problem(messages.LINK_NO_ANSWER)
        if isinstance(fetched, Problem):
            return fetched
        final_url, sniffed = fetched
        return judge(sniffed, kind, host=urlsplit(final_url).hostname or "")

    async def _fetch(self, url: str) -> tuple[str, Sniffed] | Problem:
        ranged = {"Range": f"bytes=0-{HEAD_BYTES - 1}"}
        try:
            async with following(
                self._open(), url, allowed=self._allowed, headers=lambda _: ranged
            ) as (final_url, response):
                if response.status >= 400:
                    return Problem(messages.LINK_REFUSED.format(status=response.status))
                head = await _read(response.content, HEAD_BYTES)
                return final_url, sniff(response.headers, head)
        except TooManyRedirects:
            return Problem(messages.LINK_REDIRECTS)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            # A burst of submissions checks its links at once: aiohttp's default of 100
            # connections would queue the rest behind them, into Slack's 3 seconds.
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self._allowed), limit=MOST_CONNECTIONS
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                headers={"User-Agent": "replica-bot link check"},
            )
        return self._session


async def _read(stream: aiohttp.StreamReader, most: int) -> bytes:
    """Up to `most` bytes: a server that ignores Range is not read to its end."""
    chunks: list[bytes] = []
    got = 0
    while got < most:
        chunk = await stream.read(most - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def judge(sniffed: Sniffed, kind: Kind, *, host: str) -> Problem | None:
    """Whether what a link answered is a file Tavus can train from. Pure."""
    kind_of = sniffed.content_type.partition("/")[0]
    if sniffed.content_type in ("text/html", "application/xhtml+xml"):
        return Problem(_SHARE_PAGES.get(host.lower(), messages.LINK_WEB_PAGE))
    if kind is Kind.VIDEO and not (kind_of == "video" or sniffed.content_type in _OCTETS):
        return Problem(messages.LINK_NOT_VIDEO.format(type=sniffed.content_type))
    looks_like_image = sniffed.width is not None
    if kind is Kind.IMAGE and not (
        kind_of == "image" or (sniffed.content_type in _OCTETS and looks_like_image)
    ):
        return Problem(messages.LINK_NOT_IMAGE.format(type=sniffed.content_type or "unknown"))
    if sniffed.size is not None and sniffed.size > MOST_BYTES:
        return Problem(messages.LINK_TOO_LARGE.format(size=sniffed.size // (1024 * 1024)))
    small = sniffed.width is not None and sniffed.height is not None
    if (
        kind is Kind.IMAGE
        and small
        and min(sniffed.width or 0, sniffed.height or 0) < SMALLEST_SIDE
    ):
        return Problem(
            messages.LINK_TOO_SMALL.format(
                width=sniffed.width, height=sniffed.height, side=SMALLEST_SIDE
            )
        )
    if kind is Kind.VIDEO and sniffed.codec == "hevc":
        return Problem(messages.LINK_HEVC)
    if kind is Kind.VIDEO and sniffed.codec not in (None, "h264"):
        return Problem(messages.LINK_NOT_H264.format(codec=sniffed.codec))
    return None


def _safe(url: str) -> str:
    """A link as the log may show it: without its query string (presigned signatures)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
