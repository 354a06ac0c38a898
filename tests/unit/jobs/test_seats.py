"""The media check's seats: a seat per file looked into at once, a check seated whole."""

from __future__ import annotations

import asyncio

from bot.jobs.media_checks import Seats


async def test_checks_are_seated_a_seat_per_file_in_the_order_they_came() -> None:
    seats = Seats(2)
    seated: list[str] = []
    done = {name: asyncio.Event() for name in ("one", "two", "three")}

    async def check(name: str, files: int) -> None:
        async with seats.taken(files):
            seated.append(name)
            await done[name].wait()

    tasks = [
        asyncio.create_task(check("one", 1)),
        asyncio.create_task(check("two", 2)),  # waits for a second seat
        asyncio.create_task(check("three", 1)),  # waits behind it, though a seat is free
    ]
    await asyncio.sleep(0.01)
    assert seated == ["one"]
    done["one"].set()
    await asyncio.sleep(0.01)
    assert seated == ["one", "two"]
    done["two"].set()
    done["three"].set()
    await asyncio.gather(*tasks)
    assert seated == ["one", "two", "three"]


async def test_a_check_of_more_files_than_seats_takes_them_all() -> None:
    seats = Seats(2)

    async with seats.taken(3):
        waiting = asyncio.create_task(_seated(seats))
        await asyncio.sleep(0.01)
        assert not waiting.done()
    await waiting


async def test_a_check_cut_off_while_it_waits_gives_back_what_it_had() -> None:
    seats = Seats(2)
    holding = asyncio.Event()

    async def hold_one() -> None:
        async with seats.taken(1):
            await holding.wait()

    first = asyncio.create_task(hold_one())
    await asyncio.sleep(0)
    cut = asyncio.create_task(_seated(seats, files=2))  # takes one seat, waits for the other
    await asyncio.sleep(0.01)
    cut.cancel()
    holding.set()
    await first

    await asyncio.wait_for(_seated(seats, files=2), timeout=1)


async def _seated(seats: Seats, files: int = 1) -> None:
    async with seats.taken(files):
        pass
