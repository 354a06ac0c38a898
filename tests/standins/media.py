"""A stand-in for the hosts training media live on: files with ranges, pages, errors, redirects."""

from __future__ import annotations

import asyncio
import re
import struct
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.standins.server import StandIn


def box(kind: bytes, *children: bytes, payload: bytes = b"") -> bytes:
    """An MP4 box: its size, its four-letter type, then its payload and child boxes."""
    body = payload + b"".join(children)
    return struct.pack(">I", 8 + len(body)) + kind + body


def mp4(codec: bytes = b"avc1", *, index_first: bool = True, padding: int = 4096) -> bytes:
    """A small MP4 whose one video track's sample entry is `codec` (avc1: H.264, hvc1: HEVC).

    `index_first` (fast start) puts the movie box before the media data, as most encoders
    asked to stream do; otherwise it comes after `padding` bytes of media.
    """
    entry = struct.pack(">I", 16) + codec + bytes(8)
    stsd = box(b"stsd", payload=bytes(4) + struct.pack(">I", 1) + entry)
    moov = box(b"moov", box(b"trak", box(b"mdia", box(b"minf", box(b"stbl", stsd)))))
    ftyp = box(b"ftyp", payload=b"isom" + bytes(4) + b"isomavc1")
    mdat = box(b"mdat", payload=bytes(padding))
    return ftyp + (moov + mdat if index_first else mdat + moov)


def png(width: int, height: int) -> bytes:
    """The first bytes of a PNG of this size (its signature and header chunk)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + header + bytes(4)


@dataclass
class Served:
    """One file (or page) at a path: its bytes, type, claimed size and how slowly it answers."""

    body: bytes
    content_type: str
    total: int | None = None  # the size claimed in Content-Range, if not len(body)
    delay: float = 0.0
    status: int = 200
    location: str | None = None  # a redirect's target
    ranges: bool = True  # False: a host that answers every Range with the whole file


class MediaStandIn(StandIn):
    """Serves what tests put at paths, honouring Range as file hosts do; records each request."""

    def __init__(self) -> None:
        super().__init__()
        self.served: dict[str, Served] = {}
        self.requests: list[dict[str, Any]] = []
        self.sent = 0  # bytes of bodies sent, all requests together
        self.app.router.add_get("/{path:.*}", self._get)

    def put(self, path: str, body: bytes, content_type: str, **how: Any) -> str:
        """Serve `body` at `path`; its URL."""
        self.served[path.lstrip("/")] = Served(body, content_type, **how)
        return f"{self.url}/{path.lstrip('/')}"

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        """Answer `path` with a redirect (302 unless told) to `to`; its URL."""
        self.served[path.lstrip("/")] = Served(b"", "text/plain", status=status, location=to)
        return f"{self.url}/{path.lstrip('/')}"

    async def _get(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        self.requests.append(
            {
                "path": path,
                "range": request.headers.get("Range"),
                "authorization": request.headers.get("Authorization"),
            }
        )
        await self.notify()
        planned = await self.planned(path, request)
        if planned is not None:
            return planned
        found = self.served.get(path)
        if found is None:
            return web.Response(status=404, text="not found")
        if found.delay:
            await asyncio.sleep(found.delay)
        if found.location is not None:
            return web.Response(status=found.status, headers={"Location": found.location})
        if found.status != 200:
            return web.Response(status=found.status, text="refused")
        total = found.total if found.total is not None else len(found.body)
        wanted = _RANGE.fullmatch(request.headers.get("Range", "").strip())
        if wanted and found.ranges and found.content_type != "text/html":
            first = int(wanted.group(1))
            if first >= len(found.body):
                return web.Response(status=416, headers={"Content-Range": f"bytes */{total}"})
            last = min(int(wanted.group(2) or total - 1), len(found.body) - 1)
            self.sent += last + 1 - first
            return web.Response(
                status=206,
                body=found.body[first : last + 1],
                headers={
                    "Content-Type": found.content_type,
                    "Content-Range": f"bytes {first}-{last}/{total}",
                },
            )
        # The whole file, counted as it goes: a client that stops reading stops the count.
        response = web.StreamResponse(headers={"Content-Type": found.content_type})
        response.content_length = len(found.body)
        await response.prepare(request)
        try:
            for at in range(0, len(found.body), 64 * 1024):
                chunk = found.body[at : at + 64 * 1024]
                await response.write(chunk)
                self.sent += len(chunk)
            await response.write_eof()
        except ConnectionResetError:
            pass  # the client had heard enough
        return response


_RANGE = re.compile(r"bytes=(\d+)-(\d*)")
