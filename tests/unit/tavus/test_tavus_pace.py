"""Tavus's pace: a cap on requests open at once, and a 429's Retry-After held by every caller."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.tavus import TavusClient, TavusUnavailable
from tests.clocks import Ticks
from tests.standins.server import Fault
from tests.standins.tavus import API_KEY, TavusStandIn


@pytest.fixture
async def client(tavus: TavusStandIn) -> AsyncIterator[TavusClient]:
    http = TavusClient.build_http(base_url=tavus.url, api_key=API_KEY, timeout=5)
    yield TavusClient(http, max_concurrency=4)
    await http.aclose()


async def create(client: TavusClient, n: int) -> str:
    created = await client.create_replica(
        replica_name=f"Dana {n}",
        model_name="phoenix-4",
        callback_url=None,
        train_video_url="https://cdn.example.com/dana.mp4",
    )
    return created.replica_id


async def test_a_burst_of_creates_never_has_more_than_the_cap_open_and_all_go(
    client: TavusClient, tavus: TavusStandIn
) -> None:
    tavus.fail_next("create", Fault(delay=0.2), times=12)  # each answer takes a while

    made = await asyncio.gather(*(create(client, n) for n in range(12)))

    assert len(set(made)) == 12
    assert tavus.most_open == 4
    # The rest waited their turn in the order they asked.
    assert [body["replica_name"] for body in tavus.creates][:4] == [f"Dana {n}" for n in range(4)]


async def test_a_429_holds_back_every_caller_for_its_retry_after(tavus: TavusStandIn) -> None:
    clock = Ticks(1000.0)
    waits: list[tuple[float, int]] = []  # each wait, and how many requests Tavus had by then

    async def sleep(seconds: float) -> None:
        waits.append((seconds, len(tavus.arrivals)))
        started = clock.now
        await asyncio.sleep(0)  # the others ask meanwhile, as they would while this one waits
        clock.now = max(clock.now, started + seconds)

    http = TavusClient.build_http(base_url=tavus.url, api_key=API_KEY, timeout=5)
    client = TavusClient(http, max_concurrency=4, clock=clock, sleep=sleep)
    tavus.fail_next("create", Fault(429, {"message": "slow down"}, headers={"Retry-After": "1"}))
    try:
        with pytest.raises(TavusUnavailable):
            await create(client, 0)
        made = await asyncio.gather(create(client, 1), create(client, 2))
        await client.get_replica(made[0])  # the pause is over: sent straight away
    finally:
        await http.aclose()

    # Both callers waited out the whole Retry-After before Tavus heard from either.
    assert waits == [(1.0, 1), (1.0, 1)]
    assert len(tavus.arrivals) == 4


async def test_waiting_for_a_slot_is_not_counted_as_tavus_not_answering(
    tavus: TavusStandIn,
) -> None:
    http = httpx.AsyncClient(base_url=tavus.url, headers={"x-api-key": API_KEY})
    client = TavusClient(http, deadline=0.5, max_concurrency=1)
    tavus.fail_next("create", Fault(delay=0.3), times=3)
    try:
        made = await asyncio.gather(*(create(client, n) for n in range(3)))  # 0.9 s in all
    finally:
        await http.aclose()

    assert len(made) == 3
