"""The Tavus stand-in behaves as Tavus does, as TavusClient sees it over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.tavus import VOICES_PAGE_SIZE, TavusClient, TavusRejected, TavusUnavailable
from tests.standins.server import Fault
from tests.standins.tavus import API_KEY as STANDIN_API_KEY
from tests.standins.tavus import VOICES, TavusStandIn


@pytest.fixture
async def client(tavus: TavusStandIn) -> AsyncIterator[TavusClient]:
    http = TavusClient.build_http(base_url=tavus.url, api_key=STANDIN_API_KEY, timeout=5)
    yield TavusClient(http)
    await http.aclose()


async def train(client: TavusClient) -> str:
    created = await client.create_replica(
        replica_name="Dana",
        model_name="phoenix-4",
        callback_url=None,
        train_video_url="https://cdn.example.com/training.mp4",
    )
    return created.replica_id


async def test_standin_serves_the_stock_voices(tavus: TavusStandIn, client: TavusClient) -> None:
    assert await client.list_voices() == VOICES
    assert tavus.voice_requests == [{"limit": str(VOICES_PAGE_SIZE), "page": "1"}]


async def test_standin_voices_are_read_page_by_page(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    tavus.voices = [f"Voice{index}" for index in range(2 * VOICES_PAGE_SIZE + 50)]

    voices = await client.list_voices()

    assert voices == tuple(voice.lower() for voice in tavus.voices)
    assert [query["page"] for query in tavus.voice_requests] == ["1", "2", "3"]


async def test_standin_voices_stop_at_total_count_on_a_full_last_page(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    tavus.voices = [f"voice{index}" for index in range(VOICES_PAGE_SIZE)]

    assert len(await client.list_voices()) == VOICES_PAGE_SIZE
    assert len(tavus.voice_requests) == 1


async def test_standin_voices_fault_on_a_later_page_fails_the_list(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    tavus.voices = [f"voice{index}" for index in range(VOICES_PAGE_SIZE + 1)]
    tavus.fail_next("voices", Fault(delay=0.01))  # page 1 answers normally, a little late
    tavus.fail_next("voices", Fault(status=503, body={"message": "maintenance"}))

    with pytest.raises(TavusUnavailable, match="maintenance"):
        await client.list_voices()
    assert len(tavus.voice_requests) == 2


async def test_standin_refuses_a_wrong_api_key(tavus: TavusStandIn) -> None:
    http = TavusClient.build_http(base_url=tavus.url, api_key="wrong", timeout=5)
    try:
        client = TavusClient(http)
        with pytest.raises(TavusRejected) as caught:
            await client.list_voices()
        assert (caught.value.status, caught.value.message) == (401, "Invalid access token")
        with pytest.raises(TavusRejected, match="Invalid access token"):
            await client.rename_replica(replica_id="r1", replica_name="Dana")
        with pytest.raises(TavusRejected, match="Invalid access token"):
            await client.delete_replica(replica_id="r1")
    finally:
        await http.aclose()


async def test_standin_rename_changes_the_name_tavus_reports(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    replica_id = await train(client)

    await client.rename_replica(replica_id=replica_id, replica_name="Dana – v2")

    assert tavus.renames == [(replica_id, "Dana – v2")]
    assert (await client.get_replica(replica_id)).replica_name == "Dana – v2"


async def test_standin_rename_of_an_unknown_replica_is_rejected(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    with pytest.raises(TavusRejected) as caught:
        await client.rename_replica(replica_id="r404", replica_name="Dana")

    assert (caught.value.status, caught.value.message) == (400, "Invalid replica_id")
    assert tavus.renames == [("r404", "Dana")]


async def test_standin_delete_answers_empty_and_forgets_the_replica(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    replica_id = await train(client)

    await client.delete_replica(replica_id=replica_id)

    assert tavus.deletes == [replica_id]
    assert replica_id not in tavus.replicas
    with pytest.raises(TavusRejected, match="Invalid replica_id"):
        await client.get_replica(replica_id)
    with pytest.raises(TavusRejected, match="Invalid replica_id"):
        await client.delete_replica(replica_id=replica_id)


async def test_standin_delete_fault_keeps_the_replica(
    tavus: TavusStandIn, client: TavusClient
) -> None:
    replica_id = await train(client)
    tavus.fail_next("delete", Fault(status=500, body={"error": "boom"}))

    with pytest.raises(TavusUnavailable, match="boom"):
        await client.delete_replica(replica_id=replica_id)

    assert tavus.deletes == [replica_id]
    assert replica_id in tavus.replicas


# The exception tree callers rely on


async def test_accounts_sharing_one_http_client_each_see_only_their_own_replicas(
    tavus: TavusStandIn,
) -> None:
    tavus.keys.add("key-of-acme")
    http = TavusClient.build_http(base_url=tavus.url, timeout=5)
    try:
        ours = TavusClient(http, api_key=STANDIN_API_KEY)
        theirs = TavusClient(http, api_key="key-of-acme")
        replica_id = await train(ours)

        await ours.check_key()
        await theirs.check_key()
        assert [r.replica_id for r in await ours.recent_replicas()] == [replica_id]
        assert await theirs.recent_replicas() == []
        with pytest.raises(TavusRejected) as caught:
            await theirs.get_replica(replica_id)
        assert caught.value.no_such_replica
        with pytest.raises(TavusRejected) as refused:
            await TavusClient(http, api_key="wrong").check_key()
        assert refused.value.status == 401
        assert ("GET", "/v2/replicas", "key-of-acme") in tavus.keys_used
    finally:
        await http.aclose()
