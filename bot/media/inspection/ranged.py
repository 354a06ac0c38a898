"""A remote file as a seekable, read-only file object: ranged reads in blocks, cached, budgeted."""

from __future__ import annotations

import enum
import io
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

# Reads are rounded out to blocks, the size of FFmpeg's own reads (bot/media/inspection/video.py):
# a jump to a sound chunk between a second of picture costs one block, not the picture.
BLOCK = 64 * 1024
# Reading on from where the last read ended fetches twice as many blocks at once as last time, up
# to this many: an index or a keyframe in a few requests, each request a round trip to the host.
AHEAD = 16
# Blocks kept (4 MB): a seek back into what was just read (the demuxer's probing, Pillow's header
# reads) costs nothing.
CACHED = 64


class Why(enum.StrEnum):
    """Why a file could not be read (on), each said to the user as an unchecked finding."""

    NO_RANGES = "no_ranges"  # the host answers a Range request with the whole file
    NO_ANSWER = "no_answer"  # no connection, a reset, an error status
    PRIVATE = "private"  # the address guard refused it
    TOO_MANY_BYTES = "too_many_bytes"  # the byte budget is spent
    OUT_OF_TIME = "out_of_time"  # the job's time is up, or the check was cancelled
    CHANGED = "changed"  # the file's size changed between two reads
    UNREADABLE = "unreadable"  # FFmpeg or Pillow could not make sense of it


class Unreadable(Exception):
    """A file that could not be read (on), and why."""

    def __init__(self, why: Why, detail: str = "") -> None:
        super().__init__(f"{why}: {detail}" if detail else str(why))
        self.why = why


class RangedFile(io.RawIOBase):
    """What PyAV's `av.open` and Pillow's `Image.open` read, made of ranged reads.

    `fetch(start, end)` returns bytes start…end (inclusive) of the file and may return fewer at
    its end; it is called from the reading thread. Every byte fetched counts against `most_bytes`:
    a read past it raises Unreadable(TOO_MANY_BYTES), so a ten-minute file costs what a short
    one does.
    """

    def __init__(
        self,
        fetch: Callable[[int, int], bytes],
        *,
        size: int,
        first: bytes = b"",
        most_bytes: int,
        block: int = BLOCK,
    ) -> None:
        super().__init__()
        self._fetch = fetch
        self._size = size
        self._block = block
        self._most = most_bytes
        self._at = 0
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._last = -1  # the last block fetched
        self._ahead = 1
        # Blocks fetched by the first read after a jump: one, unless the reader knows more (a
        # sound window at a known bitrate, a keyframe), as `expect` says.
        self._after_jump = 1
        self.bytes_read = 0
        self.reads = 0
        # The first failure, kept: later reads end the file instead of failing again, for FFmpeg
        # tries a failed read again and PyAV prints each failure after the first to stderr.
        self.failure: Unreadable | None = None
        # The answer that told the size brought the first bytes: they are the first blocks.
        self._keep(0, first)
        self.bytes_read = len(first)

    @property
    def size(self) -> int:
        """The whole file's size in bytes, as its host said."""
        return self._size

    def readable(self) -> bool:
        """Yes."""
        return True

    def seekable(self) -> bool:
        """Yes: that is the point."""
        return True

    def tell(self) -> int:
        """Where the next read starts."""
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        """Move; nothing is read until asked."""
        if whence == io.SEEK_SET:
            at = offset
        elif whence == io.SEEK_CUR:
            at = self._at + offset
        elif whence == io.SEEK_END:
            at = self._size + offset
        else:
            raise ValueError(f"unknown whence {whence}")
        if at < 0:
            raise ValueError("negative seek position")
        self._at = at
        return at

    def readinto(self, buffer: Any) -> int:
        """Fill `buffer` from the blocks under the current position; 0 at the end."""
        view = memoryview(buffer).cast("B")
        wanted = max(0, min(len(view), self._size - self._at))
        done = 0
        while done < wanted:
            index, offset = divmod(self._at + done, self._block)
            data = self._get(index)
            chunk = data[offset : offset + wanted - done]
            if not chunk:
                break  # the host had fewer bytes than it said
            view[done : done + len(chunk)] = chunk
            done += len(chunk)
        self._at += done
        return done

    def _get(self, index: int) -> bytes:
        if index in self._blocks:
            self._blocks.move_to_end(index)
            return self._blocks[index]
        if self.failure is not None:
            return b""
        try:
            return self._fetched(index)
        except Unreadable as exc:
            self.failure = exc
            raise

    def expect(self, count: int) -> None:
        """Read about `count` bytes at once after each jump: one request where it takes one."""
        self._after_jump = max(1, min(AHEAD, -(-count // self._block)))

    def failed(self) -> None:
        """Raise the failure a read met, if one did: what was read after it is not the file."""
        if self.failure is not None:
            raise self.failure

    def _fetched(self, index: int) -> bytes:
        if index in self._blocks:
            self._blocks.move_to_end(index)
            return self._blocks[index]
        if index == self._last + 1:
            self._ahead = min(AHEAD, self._ahead * 2)
            count = self._ahead
        else:
            # What was expected after a jump is read at once; reading on from it starts small
            # again, for it usually stops there.
            self._ahead, count = 1, self._after_jump
        start = index * self._block
        left = self._most - self.bytes_read
        end = min(self._size, start + count * self._block, start + left) - 1
        if end < min(self._size - 1, start + self._block - 1):
            raise Unreadable(Why.TOO_MANY_BYTES, f"{self.bytes_read} bytes read already")
        data = self._fetch(start, end)
        self.reads += 1
        self.bytes_read += len(data)
        self._last = index + max(0, -(-len(data) // self._block) - 1)
        self._keep(index, data)
        return self._blocks.get(index, b"")

    def _keep(self, index: int, data: bytes) -> None:
        for at in range(0, len(data), self._block):
            self._blocks[index + at // self._block] = data[at : at + self._block]
            self._blocks.move_to_end(index + at // self._block)
        while len(self._blocks) > CACHED:
            self._blocks.popitem(last=False)
