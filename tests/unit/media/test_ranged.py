"""The remote file PyAV and Pillow read: blocks, reading ahead, the cache and the byte budget."""

from __future__ import annotations

import io

import pytest

from bot.media.inspection.ranged import AHEAD, BLOCK, RangedFile, Unreadable, Why

DATA = bytes(range(256)) * (64 * 1024)  # 16 MB


class Host:
    """Serves DATA's parts, recording each asked for."""

    def __init__(self, data: bytes = DATA) -> None:
        self.data = data
        self.asked: list[tuple[int, int]] = []

    def __call__(self, start: int, end: int) -> bytes:
        self.asked.append((start, end))
        return self.data[start : end + 1]


def test_reads_are_rounded_out_to_blocks_and_kept() -> None:
    host = Host()
    file = RangedFile(host, size=len(DATA), most_bytes=len(DATA))

    file.seek(5 * BLOCK + 10)
    first = file.read(100)
    file.seek(5 * BLOCK + 500)
    again = file.read(100)

    assert first == DATA[5 * BLOCK + 10 : 5 * BLOCK + 110]
    assert again == DATA[5 * BLOCK + 500 : 5 * BLOCK + 600]
    assert host.asked == [(5 * BLOCK, 6 * BLOCK - 1)]
    assert (file.reads, file.bytes_read) == (1, BLOCK)


def test_reading_on_reads_ahead_twice_as_far_each_time_up_to_a_limit() -> None:
    host = Host()
    file = RangedFile(host, size=len(DATA), most_bytes=len(DATA))

    assert file.read(len(DATA)) == DATA

    sizes = [(end + 1 - start) // BLOCK for start, end in host.asked]
    # From the start of the file is reading on already.
    assert sizes[:5] == [2, 4, 8, AHEAD, AHEAD]
    assert set(sizes[3:-1]) == {AHEAD}


def test_a_seek_elsewhere_reads_one_block_again() -> None:
    host = Host()
    file = RangedFile(host, size=len(DATA), most_bytes=len(DATA))
    file.read(3 * BLOCK)

    file.seek(200 * BLOCK)
    file.read(10)

    assert host.asked[-1] == (200 * BLOCK, 201 * BLOCK - 1)


def test_the_first_answer_is_the_first_blocks() -> None:
    host = Host()
    file = RangedFile(host, size=len(DATA), first=DATA[: 4 * BLOCK], most_bytes=len(DATA))

    assert file.read(4 * BLOCK) == DATA[: 4 * BLOCK]
    assert host.asked == []
    assert file.bytes_read == 4 * BLOCK


def test_seeking_from_the_end_and_reading_past_it() -> None:
    file = RangedFile(Host(), size=len(DATA), most_bytes=len(DATA))

    file.seek(-10, io.SEEK_END)

    assert file.read(100) == DATA[-10:]
    assert file.read(100) == b""
    with pytest.raises(ValueError, match="negative"):
        file.seek(-1)


def test_a_host_with_fewer_bytes_than_it_said_ends_the_file_there() -> None:
    host = Host(DATA[: BLOCK + 5])
    file = RangedFile(host, size=len(DATA), most_bytes=len(DATA))

    assert file.read(3 * BLOCK) == DATA[: BLOCK + 5]


def test_reading_past_the_budget_fails_once_and_then_ends_the_file() -> None:
    host = Host()
    file = RangedFile(host, size=len(DATA), most_bytes=3 * BLOCK)

    with pytest.raises(Unreadable) as failed:
        file.read(len(DATA))

    assert failed.value.why is Why.TOO_MANY_BYTES
    assert file.bytes_read <= 3 * BLOCK
    # FFmpeg reads again after a failure: it is told the file ended, and the failure is kept.
    file.seek(100 * BLOCK)
    assert file.read(10) == b""
    with pytest.raises(Unreadable):
        file.failed()


def test_what_was_read_stays_readable_after_a_failure() -> None:
    file = RangedFile(Host(), size=len(DATA), first=DATA[:BLOCK], most_bytes=BLOCK)

    with pytest.raises(Unreadable):
        file.read(2 * BLOCK)

    file.seek(0)
    assert file.read(BLOCK) == DATA[:BLOCK]


def test_a_reader_that_knows_what_a_jump_needs_gets_it_in_one_request() -> None:
    host = Host()
    file = RangedFile(host, size=len(DATA), most_bytes=len(DATA))
    file.expect(5 * BLOCK - 10)

    file.seek(100 * BLOCK)
    file.read(5 * BLOCK)
    file.read(10)  # reading on past it starts small again

    assert host.asked == [(100 * BLOCK, 105 * BLOCK - 1), (105 * BLOCK, 107 * BLOCK - 1)]
