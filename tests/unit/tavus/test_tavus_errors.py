"""TavusClient's error mapping against the Tavus stand-in over real HTTP, not a mock transport.

test_tavus_client.py pins the exact requests with httpx.MockTransport; here the same mapping
meets a server's real answers: its faults, a wrong key, a slow answer, a closed port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from aiohttp.test_utils import unused_port

from bot.tavus import (
    TavusClient,
    TavusRejected,
    TavusTimeout,
    TavusUnavailable,
    TavusUncertain,
)
from tests.standins.server import Fault
from tests.standins.tavus import API_KEY, TavusStandIn

CALLBACK = "https://bot.example.com/tavus/callback/job1/s3cret"


@pytest.fixture
async def client(tavus: TavusStandIn) -> AsyncIterator[TavusClient]:
    http = TavusClient.build_http(base_url=tavus.url, api_key=API_KEY, timeout=1)
    yield TavusClient(http)
    await http.aclose()


async def create(client: TavusClient) -> None:
    await client.create_replica(
        replica_name="Dana",
        model_name="phoenix-4",
        callback_url=CALLBACK,
        train_video_url="https://cdn.example.com/training.mp4",
    )


async def test_a_refusal_is_rejected_with_tavus_own_words(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    tavus.fail_next("create", Fault(400, {"error": "Invalid training video"}))

    with pytest.raises(TavusRejected) as caught:
        await create(client)

    assert (caught.value.status, caught.value.message) == (400, "Invalid training video")
    assert tavus.replicas == {}  # asked, and refused: nothing made


async def test_a_wrong_key_is_rejected(tavus: TavusStandIn) -> None:
    http = TavusClient.build_http(base_url=tavus.url, api_key="not-the-key", timeout=1)
    try:
        with pytest.raises(TavusRejected) as caught:
            await TavusClient(http).get_replica("r1")
    finally:
        await http.aclose()

    assert caught.value.status == 401


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_server_error_on_a_create_is_uncertain(
    tavus: TavusStandIn, client: TavusClient, status: int
) -> None:
    tavus.fail_next("create", Fault(status, "<html>upstream connect error</html>"))

    # A 5xx may come after the work was done: the replica may exist.
    with pytest.raises(TavusUncertain, match=str(status)):
        await create(client)


async def test_a_429_is_unavailable_and_made_nothing(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    tavus.fail_next("create", Fault(429, {"message": "slow down"}, headers={"Retry-After": "3"}))

    with pytest.raises(TavusUnavailable) as caught:
        await create(client)

    assert not isinstance(caught.value, TavusUncertain)
    assert "slow down" in str(caught.value)


async def test_an_answer_slower_than_the_timeout_is_a_timeout(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    tavus.fail_next("get", Fault(delay=2.0))

    with pytest.raises(TavusTimeout):
        await client.get_replica("r1")


async def test_a_closed_port_is_unavailable_and_certainly_made_nothing() -> None:
    http = TavusClient.build_http(
        base_url=f"http://127.0.0.1:{unused_port()}", api_key=API_KEY, timeout=1
    )
    try:
        with pytest.raises(TavusUnavailable) as caught:
            await TavusClient(http).get_replica("r1")
    finally:
        await http.aclose()

    assert not isinstance(caught.value, TavusUncertain)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
