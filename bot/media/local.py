"""Media kept in a local folder and served by the bot itself, behind signed, expiring links."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from aiohttp import web

from bot import signing

log = logging.getLogger(__name__)

ROUTE = "/media/{key}"


@dataclass(frozen=True, slots=True)
class Stored:
    """A file the bot keeps: its key, and what the receipt records of it."""

    key: str
    sha256: str
    size: int


class MediaStore(Protocol):
    """Where kept files live: a local folder served by the bot, or an S3 bucket."""

    async def put(self, key: str, chunks: AsyncIterator[bytes], *, most: int) -> Stored:
        """Keep the chunks as `key`; ValueError past `most` bytes."""

    async def link(self, key: str, *, until: datetime) -> str:
        """A link Tavus can download `key` from until `until`."""

    async def delete(self, key: str) -> None:
        """Delete a kept file; one already gone is fine."""


def new_key(extension: str) -> str:
    """A fresh random key for a file with this extension (e.g. "mp4")."""
    return f"{secrets.token_hex(16)}.{extension}"


class LocalMedia:
    """A folder of files; each reachable only through a link signed with the bot's media key."""

    def __init__(self, folder: Path, *, base_url: str, secret: bytes) -> None:
        self._folder = folder
        self._base_url = base_url.rstrip("/")
        self._secret = secret

    async def put(self, key: str, chunks: AsyncIterator[bytes], *, most: int) -> Stored:
        """Write the chunks to `key`, counting and hashing them; ValueError past `most` bytes.

        Written to a temporary name first: a half-written file is never served.
        """
        self._folder.mkdir(parents=True, exist_ok=True)
        final = self._path(key)
        partial = final.with_name(final.name + ".part")
        digest, size = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                async for chunk in chunks:
                    size += len(chunk)
                    if size > most:
                        raise ValueError(f"more than {most} bytes")
                    digest.update(chunk)
                    await asyncio.to_thread(out.write, chunk)
            partial.replace(final)
        finally:
            partial.unlink(missing_ok=True)
        return Stored(key=key, sha256=digest.hexdigest(), size=size)

    async def link(self, key: str, *, until: datetime) -> str:
        """A link to `key` that works until `until`."""
        return f"{self._base_url}/media/{key}?{signing.query(self._secret, key, until)}"

    async def delete(self, key: str) -> None:
        """Delete a file; one already gone is fine."""
        self._path(key).unlink(missing_ok=True)

    def _path(self, key: str) -> Path:
        if not signing.KEY.fullmatch(key):
            raise ValueError(f"not a media key: {key!r}")
        return self._folder / key

    def add_routes(self, app: web.Application, now: Callable[[], datetime]) -> None:
        """Serve the files at PUBLIC_URL/media/…: GET, HEAD and Range, signed links only."""

        async def serve(request: web.Request) -> web.StreamResponse:
            key = request.match_info["key"]
            expires, sig = request.query.get("expires", ""), request.query.get("sig", "")
            if not signing.valid(self._secret, key, expires, sig, now=now()):
                raise web.HTTPForbidden(text="this link is not valid, or has expired")
            path = self._path(key)
            if not path.is_file():
                raise web.HTTPNotFound(text="this file has been deleted")
            return web.FileResponse(path, headers={"Cache-Control": "private, no-store"})

        app.router.add_get(ROUTE, serve)
