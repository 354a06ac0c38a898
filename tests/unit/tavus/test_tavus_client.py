"""Unit tests for TavusClient over httpx.MockTransport: requests sent, answers and errors mapped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.tavus import (
    VOICES_MAX_PAGES,
    VOICES_PAGE_SIZE,
    CreatedReplica,
    Replica,
    TavusClient,
    TavusError,
    TavusRejected,
    TavusTimeout,
    TavusUnavailable,
    TavusUncertain,
)

BASE_URL = "https://tavus.test"
API_KEY = "test-tavus-key"
CALLBACK = "https://bot.example.com/tavus/callback/job1/s3cret"

# Recorded answers, shaped as Tavus documents them.
CREATED = {"replica_id": "r783537ef5", "status": "started"}
COMPLETED = {
    "replica_id": "r783537ef5",
    "replica_name": "Dana – sales demo",
    "thumbnail_video_url": "https://cdn.tavus.test/thumb.mp4",
    "training_progress": "100/100",
    "status": "completed",
    "created_at": "2025-01-01T00:00:00Z",
    "updated_at": "2025-01-01T04:00:00Z",
    "error_message": None,
    "replica_type": "user",
    "model_name": "phoenix-4",
}

Answer = httpx.Response | Exception
EXPECTED_CREATED_AT = datetime(2025, 1, 1, tzinfo=UTC)


class FakeTavus:
    """Plays Tavus: answers every request with the next canned answer, recording the requests."""

    def __init__(self, *answers: Answer) -> None:
        self._answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self._answers.pop(0) if len(self._answers) > 1 else self._answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def body(self, index: int = 0) -> Any:
        return json.loads(self.requests[index].content)


Connect = Callable[[FakeTavus], TavusClient]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    """Builds a TavusClient whose HTTP client talks to a FakeTavus; closes them all afterwards."""
    clients: list[httpx.AsyncClient] = []

    def _connect(fake: FakeTavus) -> TavusClient:
        http = httpx.AsyncClient(
            transport=httpx.MockTransport(fake),
            base_url=BASE_URL,
            headers={"x-api-key": API_KEY, "accept": "application/json"},
        )
        clients.append(http)
        return TavusClient(http)

    yield _connect
    for http in clients:
        await http.aclose()


async def create(tavus: TavusClient, **fields: Any) -> CreatedReplica:
    arguments: dict[str, Any] = {
        "replica_name": "Dana",
        "model_name": "phoenix-4",
        "callback_url": CALLBACK,
        "train_video_url": "https://cdn.example.com/training.mp4",
    }
    arguments.update(fields)
    return await tavus.create_replica(**arguments)


# build_http


async def test_build_http_sets_base_url_api_key_and_timeout() -> None:
    http = TavusClient.build_http(base_url=BASE_URL, api_key=API_KEY, timeout=12.5)
    try:
        assert http.base_url == httpx.URL(BASE_URL)
        assert http.headers["x-api-key"] == API_KEY
        assert http.headers["accept"] == "application/json"
        assert http.timeout == httpx.Timeout(12.5)
    finally:
        await http.aclose()


# create_replica


async def test_create_posts_the_replica_with_the_api_key(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json=CREATED))

    created = await create(connect(fake))

    assert created == CreatedReplica(replica_id="r783537ef5")
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.url == httpx.URL(f"{BASE_URL}/v2/replicas")
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["content-type"] == "application/json"
    assert fake.body() == {
        "replica_name": "Dana",
        "model_name": "phoenix-4",
        "train_video_url": "https://cdn.example.com/training.mp4",
        "callback_url": CALLBACK,
    }


async def test_create_sends_every_optional_field_given(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json=CREATED))

    await create(
        connect(fake),
        model_name="phoenix-3",
        train_video_url=None,
        train_image_url="https://cdn.example.com/headshot.png",
        voice_name="anna",
        consent_video_url="https://cdn.example.com/consent.mp4",
    )

    assert fake.body() == {
        "replica_name": "Dana",
        "model_name": "phoenix-3",
        "train_image_url": "https://cdn.example.com/headshot.png",
        "voice_name": "anna",
        "consent_video_url": "https://cdn.example.com/consent.mp4",
        "callback_url": CALLBACK,
    }


async def test_create_leaves_out_optional_fields_not_given(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json=CREATED))

    await create(connect(fake), callback_url=None, voice_name="", consent_video_url=None)

    assert fake.body() == {
        "replica_name": "Dana",
        "model_name": "phoenix-4",
        "train_video_url": "https://cdn.example.com/training.mp4",
    }


async def test_create_accepts_face_id_when_replica_id_is_missing(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json={"face_id": "f12345", "status": "started"}))

    assert await create(connect(fake)) == CreatedReplica(replica_id="f12345")


async def test_create_needs_no_status_in_the_answer(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(201, json={"replica_id": "r1"}))

    assert await create(connect(fake)) == CreatedReplica(replica_id="r1")


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(500, json={"error": "boom"}), id="500"),
        pytest.param(httpx.ReadTimeout("read timed out"), id="timeout"),
        pytest.param(httpx.ConnectError("connection refused"), id="connect-error"),
        pytest.param(httpx.Response(429, json={"message": "slow down"}), id="429"),
    ],
)
async def test_create_is_never_retried(connect: Connect, answer: Answer) -> None:
    fake = FakeTavus(answer, httpx.Response(200, json=CREATED))

    with pytest.raises(TavusError):
        await create(connect(fake))

    assert len(fake.requests) == 1


# get_replica


async def test_get_replica_reads_every_field(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json=COMPLETED))

    replica = await connect(fake).get_replica("r783537ef5")

    assert replica == Replica(
        replica_id="r783537ef5",
        replica_name="Dana – sales demo",
        status="completed",
        training_progress="100/100",
        error_message=None,
        thumbnail_video_url="https://cdn.tavus.test/thumb.mp4",
        created_at=EXPECTED_CREATED_AT,
    )
    (request,) = fake.requests
    assert request.method == "GET"
    assert request.url == httpx.URL(f"{BASE_URL}/v2/replicas/r783537ef5")
    assert request.headers["x-api-key"] == API_KEY


async def test_get_replica_reports_a_training_error(connect: Connect) -> None:
    answer = {
        "replica_id": "r1",
        "replica_name": "Dana",
        "status": "error",
        "training_progress": "0/100",
        "error_message": "There was an issue downloading your video file.",
    }
    fake = FakeTavus(httpx.Response(200, json=answer))

    replica = await connect(fake).get_replica("r1")

    assert replica.status == "error"
    assert replica.error_message == "There was an issue downloading your video file."
    assert replica.training_progress == "0/100"


async def test_get_replica_falls_back_to_face_names(connect: Connect) -> None:
    answer = {"face_id": "f1", "face_name": "Dana", "status": "started"}
    fake = FakeTavus(httpx.Response(200, json=answer))

    replica = await connect(fake).get_replica("f1")

    assert replica.replica_id == "f1"
    assert replica.replica_name == "Dana"


async def test_get_replica_leaves_absent_and_empty_fields_as_none(connect: Connect) -> None:
    answer = {"replica_id": "r1", "replica_name": "", "training_progress": "", "status": None}
    fake = FakeTavus(httpx.Response(200, json=answer))

    replica = await connect(fake).get_replica("r1")

    assert replica == Replica(replica_id="r1", replica_name=None, status="")


async def test_get_replica_keeps_a_numeric_progress_as_text(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json={"replica_id": "r1", "training_progress": 0}))

    assert (await connect(fake).get_replica("r1")).training_progress == "0"


async def test_get_replica_without_an_id_in_the_answer_is_unavailable(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json={"status": "completed"}))

    with pytest.raises(TavusUnavailable):
        await connect(fake).get_replica("r1")


# Error mapping: refusals


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (400, {"error": "Invalid train_video_url"}, "Invalid train_video_url"),
        (401, {"message": "Invalid access token"}, "Invalid access token"),
        (402, {"message": "Not enough credits"}, "Not enough credits"),
        (403, {"detail": "Custom replicas need a paid plan"}, "Custom replicas need a paid plan"),
        (404, {"error": "Replica not found"}, "Replica not found"),
        (422, {"error": "  padded  "}, "padded"),
    ],
)
async def test_4xx_is_rejected_with_tavus_message(
    connect: Connect, status: int, body: dict[str, str], message: str
) -> None:
    fake = FakeTavus(httpx.Response(status, json=body))

    with pytest.raises(TavusRejected) as caught:
        await create(connect(fake))

    assert caught.value.status == status
    assert caught.value.message == message
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        pytest.param(httpx.Response(404), "Not Found", id="no-body"),
        pytest.param(httpx.Response(403, text="<html>Forbidden</html>"), "Forbidden", id="html"),
        pytest.param(httpx.Response(400, json={"error": ""}), "Bad Request", id="blank-error"),
        pytest.param(httpx.Response(400, json={"error": 7}), "Bad Request", id="non-text-error"),
        pytest.param(httpx.Response(400, json=["oops"]), "Bad Request", id="list-body"),
    ],
)
async def test_4xx_without_a_usable_message_falls_back_to_the_reason_phrase(
    connect: Connect, answer: httpx.Response, message: str
) -> None:
    fake = FakeTavus(answer)

    with pytest.raises(TavusRejected) as caught:
        await create(connect(fake))

    assert caught.value.message == message


async def test_error_wins_over_message_when_both_are_given(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(400, json={"message": "Bad Request", "error": "bad voice"}))

    with pytest.raises(TavusRejected) as caught:
        await create(connect(fake))

    assert caught.value.message == "bad voice"


# Error mapping: Tavus unavailable


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_429_and_5xx_are_unavailable_not_rejected(connect: Connect, status: int) -> None:
    fake = FakeTavus(httpx.Response(status, json={"message": "try later"}))

    with pytest.raises(TavusUnavailable) as caught:
        await create(connect(fake))

    assert not isinstance(caught.value, TavusRejected)
    assert not isinstance(caught.value, TavusTimeout)
    assert str(status) in str(caught.value)
    assert "try later" in str(caught.value)


async def test_5xx_with_a_non_json_body_is_unavailable(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(502, text="<html><h1>502 Bad Gateway</h1></html>"))

    with pytest.raises(TavusUnavailable, match="502"):
        await create(connect(fake))


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(200, text="<html>ok</html>"), id="html"),
        pytest.param(httpx.Response(200, text=""), id="empty"),
        pytest.param(httpx.Response(200, text="null"), id="null"),
        pytest.param(httpx.Response(200, json=["r1"]), id="list"),
        pytest.param(httpx.Response(200, json="r1"), id="string"),
        pytest.param(httpx.Response(204), id="no-content"),
    ],
)
async def test_success_without_a_json_object_is_unavailable(
    connect: Connect, answer: httpx.Response
) -> None:
    fake = FakeTavus(answer)

    with pytest.raises(TavusUnavailable) as caught:
        await create(connect(fake))

    assert not isinstance(caught.value, TavusTimeout)


@pytest.mark.parametrize(
    "body",
    [{"status": "started"}, {"replica_id": ""}, {"replica_id": 42}, {"replica_id": None}],
    ids=["absent", "empty", "number", "null"],
)
async def test_success_without_a_replica_id_is_unavailable(
    connect: Connect, body: dict[str, Any]
) -> None:
    fake = FakeTavus(httpx.Response(200, json=body))

    with pytest.raises(TavusUnavailable, match="replica_id"):
        await create(connect(fake))


# Transport errors


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.ReadError("connection reset"),
    ],
    ids=["connect", "protocol", "read"],
)
async def test_transport_error_is_unavailable_and_chained(
    connect: Connect, error: httpx.HTTPError
) -> None:
    fake = FakeTavus(error)

    with pytest.raises(TavusUnavailable) as caught:
        await create(connect(fake))

    assert not isinstance(caught.value, TavusTimeout)
    assert caught.value.__cause__ is error


@pytest.mark.parametrize(
    "error",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.WriteTimeout("write timed out"),
        httpx.PoolTimeout("pool timed out"),
    ],
    ids=["read", "write", "pool"],
)
async def test_timeout_is_tavus_timeout_and_chained(
    connect: Connect, error: httpx.TimeoutException
) -> None:
    fake = FakeTavus(error)

    with pytest.raises(TavusTimeout) as caught:
        await create(connect(fake))

    assert caught.value.__cause__ is error


async def test_timeout_on_a_read_is_tavus_timeout(connect: Connect) -> None:
    fake = FakeTavus(httpx.ReadTimeout("read timed out"))

    with pytest.raises(TavusTimeout):
        await connect(fake).get_replica("r1")


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(200, text=""), id="empty"),
        pytest.param(httpx.Response(204), id="no-content"),
    ],
)
async def test_get_replica_rejects_an_empty_success(
    connect: Connect, answer: httpx.Response
) -> None:
    with pytest.raises(TavusUnavailable, match="unreadable"):
        await connect(FakeTavus(answer)).get_replica("r1")


# list_voices


def voices_page(*names: str, total: int | None = None) -> httpx.Response:
    """An answer in the most likely shape: {"data": [{"voice_name": …}], "total_count": N}."""
    body: dict[str, Any] = {
        "data": [{"voice_name": name, "voice_id": f"v-{name}"} for name in names]
    }
    if total is not None:
        body["total_count"] = total
    return httpx.Response(200, json=body)


def full_page(page: int) -> list[str]:
    return [f"voice-{page}-{index}" for index in range(VOICES_PAGE_SIZE)]


def pages_requested(fake: FakeTavus) -> list[str | None]:
    return [request.url.params.get("page") for request in fake.requests]


async def test_list_voices_reads_the_documented_shape(connect: Connect) -> None:
    fake = FakeTavus(voices_page("anna", "benjamin", "james", total=3))

    assert await connect(fake).list_voices() == ("anna", "benjamin", "james")
    (request,) = fake.requests
    assert request.method == "GET"
    assert request.url.path == "/v2/voices"
    assert dict(request.url.params) == {"limit": str(VOICES_PAGE_SIZE), "page": "1"}
    assert request.headers["x-api-key"] == API_KEY


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"data": [{"voice_name": "anna"}, {"voice_name": "liam"}]}, id="voice_name"),
        pytest.param({"data": [{"name": "anna"}, {"name": "liam"}]}, id="name"),
        pytest.param({"data": [{"voice_id": "anna"}, {"voice_id": "liam"}]}, id="voice_id"),
        pytest.param({"data": [{"slug": "anna"}, {"slug": "liam"}]}, id="slug"),
        pytest.param([{"voice_name": "anna"}, {"name": "liam"}], id="bare-list-of-objects"),
        pytest.param(["anna", "liam"], id="bare-list-of-slugs"),
        pytest.param({"data": [{"slug": "anna"}, "liam"], "total_count": 2}, id="mixed"),
    ],
)
async def test_list_voices_accepts_every_likely_shape(connect: Connect, body: Any) -> None:
    fake = FakeTavus(httpx.Response(200, json=body))

    assert await connect(fake).list_voices() == ("anna", "liam")


async def test_list_voices_prefers_voice_name_then_slug_over_display_names_and_ids(
    connect: Connect,
) -> None:
    items = [
        {"voice_id": "v1", "name": "Anna (US)", "slug": "x", "voice_name": "anna"},
        {"voice_id": "v2", "name": "Liam (UK)", "slug": "liam"},
        {"voice_id": "v3", "name": "ivy"},
        {"voice_name": "  ", "slug": "julia"},
    ]
    fake = FakeTavus(httpx.Response(200, json={"data": items}))

    assert await connect(fake).list_voices() == ("anna", "liam", "ivy", "julia")


async def test_list_voices_lower_cases_and_drops_repeats_keeping_order(connect: Connect) -> None:
    fake = FakeTavus(voices_page("James", "anna", " ANNA ", "james", "Ivy"))

    assert await connect(fake).list_voices() == ("james", "anna", "ivy")


async def test_list_voices_skips_malformed_items(connect: Connect) -> None:
    items = [
        None,
        7,
        True,
        ["anna"],
        {},
        {"voice_name": 7},
        {"voice_name": None, "voice_id": 12},
        {"voice_name": ""},
        {"description": "a voice without a name"},
        "",
        "   ",
        {"voice_name": "liam"},
    ]
    fake = FakeTavus(httpx.Response(200, json={"data": items, "total_count": len(items)}))

    assert await connect(fake).list_voices() == ("liam",)


async def test_list_voices_may_be_empty(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json={"data": [], "total_count": 0}))

    assert await connect(fake).list_voices() == ()


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(200, json={"voices": ["anna"]}), id="unknown-key"),
        pytest.param(httpx.Response(200, json={"data": "anna"}), id="data-not-a-list"),
        pytest.param(httpx.Response(200, json="anna"), id="string"),
        pytest.param(httpx.Response(200, text="null"), id="null"),
        pytest.param(httpx.Response(200, text=""), id="empty"),
        pytest.param(httpx.Response(200, text="<html>ok</html>"), id="html"),
    ],
)
async def test_list_voices_with_an_unreadable_answer_is_unavailable(
    connect: Connect, answer: httpx.Response
) -> None:
    with pytest.raises(TavusUnavailable, match="unreadable"):
        await connect(FakeTavus(answer)).list_voices()


async def test_list_voices_reads_pages_until_a_short_one(connect: Connect) -> None:
    fake = FakeTavus(voices_page(*full_page(1)), voices_page("anna", "liam"), voices_page("x"))

    voices = await connect(fake).list_voices()

    assert voices == (*full_page(1), "anna", "liam")
    assert pages_requested(fake) == ["1", "2"]
    assert {request.url.params["limit"] for request in fake.requests} == {str(VOICES_PAGE_SIZE)}


async def test_list_voices_stops_when_total_count_is_reached(connect: Connect) -> None:
    fake = FakeTavus(
        voices_page(*full_page(1), total=2 * VOICES_PAGE_SIZE),
        voices_page(*full_page(2), total=2 * VOICES_PAGE_SIZE),
        voices_page("never-asked-for"),
    )

    voices = await connect(fake).list_voices()

    assert len(voices) == 2 * VOICES_PAGE_SIZE
    assert pages_requested(fake) == ["1", "2"]


@pytest.mark.parametrize("total", ["lots", True, -1, None, 1.5])
async def test_list_voices_ignores_a_nonsense_total_count(connect: Connect, total: Any) -> None:
    fake = FakeTavus(
        httpx.Response(200, json={"data": full_page(1), "total_count": total}),
        voices_page("anna"),
    )

    voices = await connect(fake).list_voices()

    assert voices[-1] == "anna"
    assert pages_requested(fake) == ["1", "2"]


async def test_list_voices_stops_when_a_page_brings_nothing_new(connect: Connect) -> None:
    # A server that ignores `page` (or counts from 0) answers the same full page again.
    fake = FakeTavus(voices_page(*full_page(1)))

    assert await connect(fake).list_voices() == tuple(full_page(1))
    assert pages_requested(fake) == ["1", "2"]


async def test_list_voices_reads_at_most_the_page_cap(connect: Connect) -> None:
    requests: list[httpx.Request] = []

    def endless(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return voices_page(*full_page(int(request.url.params["page"])))

    async with httpx.AsyncClient(transport=httpx.MockTransport(endless), base_url=BASE_URL) as http:
        voices = await TavusClient(http).list_voices()

    assert len(requests) == VOICES_MAX_PAGES
    assert [request.url.params["page"] for request in requests] == [
        str(page) for page in range(1, VOICES_MAX_PAGES + 1)
    ]
    assert len(voices) == VOICES_MAX_PAGES * VOICES_PAGE_SIZE


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        pytest.param(httpx.Response(401, json={"message": "Invalid access token"}), TavusRejected),
        pytest.param(httpx.Response(400, json={"error": "Invalid limit"}), TavusRejected),
        pytest.param(httpx.Response(429, json={"message": "slow down"}), TavusUnavailable),
        pytest.param(httpx.Response(503, text="<html>down</html>"), TavusUnavailable),
        pytest.param(httpx.ReadTimeout("read timed out"), TavusTimeout),
        pytest.param(httpx.ConnectError("connection refused"), TavusUnavailable),
    ],
)
async def test_list_voices_maps_errors_and_does_not_retry(
    connect: Connect, answer: Answer, error: type[TavusError]
) -> None:
    fake = FakeTavus(answer, voices_page("anna"))

    with pytest.raises(error):
        await connect(fake).list_voices()

    assert len(fake.requests) == 1


async def test_list_voices_fails_whole_when_a_later_page_fails(connect: Connect) -> None:
    fake = FakeTavus(voices_page(*full_page(1)), httpx.Response(500, json={"error": "boom"}))

    with pytest.raises(TavusUnavailable, match="boom"):
        await connect(fake).list_voices()


# rename_replica

# A write may be acknowledged with JSON, nothing at all, or something that is not JSON.
ACKNOWLEDGEMENTS = [
    pytest.param(httpx.Response(200, json={"replica_id": "r1"}), id="json"),
    pytest.param(httpx.Response(200, text=""), id="empty"),
    pytest.param(httpx.Response(200, text="OK"), id="text"),
    pytest.param(httpx.Response(200, json=[]), id="list"),
    pytest.param(httpx.Response(204), id="no-content"),
]

WRITE_ERRORS = [
    pytest.param(
        httpx.Response(400, json={"error": "Invalid replica_id"}),
        TavusRejected,
        "Invalid replica_id",
        id="400",
    ),
    pytest.param(
        httpx.Response(401, json={"message": "Invalid access token"}),
        TavusRejected,
        "Invalid access token",
        id="401",
    ),
    pytest.param(httpx.Response(429, json={"message": "slow"}), TavusUnavailable, "slow", id="429"),
    pytest.param(httpx.Response(500, json={"error": "boom"}), TavusUnavailable, "boom", id="500"),
    pytest.param(httpx.Response(502, text="<html/>"), TavusUnavailable, "502", id="502-html"),
    pytest.param(httpx.ReadTimeout("read timed out"), TavusTimeout, "no answer", id="timeout"),
    pytest.param(httpx.ConnectError("refused"), TavusUnavailable, "no connection", id="connect"),
]


async def test_rename_patches_the_name(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, text=""))

    await connect(fake).rename_replica(replica_id="r1", replica_name="Dana – v2")

    (request,) = fake.requests
    assert request.method == "PATCH"
    assert request.url == httpx.URL(f"{BASE_URL}/v2/replicas/r1/name")
    assert request.headers["x-api-key"] == API_KEY
    assert request.headers["content-type"] == "application/json"
    assert fake.body() == {"replica_name": "Dana – v2"}


@pytest.mark.parametrize("answer", ACKNOWLEDGEMENTS)
async def test_rename_accepts_any_success(connect: Connect, answer: httpx.Response) -> None:
    await connect(FakeTavus(answer)).rename_replica(replica_id="r1", replica_name="Dana")


@pytest.mark.parametrize(("answer", "error", "message"), WRITE_ERRORS)
async def test_rename_maps_errors_and_is_never_retried(
    connect: Connect, answer: Answer, error: type[TavusError], message: str
) -> None:
    fake = FakeTavus(answer, httpx.Response(200))

    with pytest.raises(error, match=message) as caught:
        await connect(fake).rename_replica(replica_id="r1", replica_name="Dana")

    assert len(fake.requests) == 1
    if isinstance(answer, httpx.Response) and answer.status_code < 429:
        assert isinstance(caught.value, TavusRejected)
        assert caught.value.status == answer.status_code
        assert caught.value.message == message


# delete_replica


async def test_delete_sends_a_soft_delete(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, text=""))

    await connect(fake).delete_replica(replica_id="r783537ef5")

    (request,) = fake.requests
    assert request.method == "DELETE"
    assert request.url == httpx.URL(f"{BASE_URL}/v2/replicas/r783537ef5")
    assert request.url.query == b""
    assert request.content == b""
    assert request.headers["x-api-key"] == API_KEY


@pytest.mark.parametrize("answer", ACKNOWLEDGEMENTS)
async def test_delete_accepts_any_success(connect: Connect, answer: httpx.Response) -> None:
    await connect(FakeTavus(answer)).delete_replica(replica_id="r1")


@pytest.mark.parametrize(("answer", "error", "message"), WRITE_ERRORS)
async def test_delete_maps_errors_and_is_never_retried(
    connect: Connect, answer: Answer, error: type[TavusError], message: str
) -> None:
    fake = FakeTavus(answer, httpx.Response(200))

    with pytest.raises(error, match=message) as caught:
        await connect(fake).delete_replica(replica_id="r1")

    assert len(fake.requests) == 1
    if isinstance(answer, httpx.Response) and answer.status_code < 429:
        assert isinstance(caught.value, TavusRejected)
        assert caught.value.status == answer.status_code


@pytest.mark.parametrize(
    ("replica_id", "path"),
    [
        ("r1?hard=true", "/v2/replicas/r1%3Fhard%3Dtrue"),
        ("../voices", "/v2/replicas/..%2Fvoices"),
        ("r1/name", "/v2/replicas/r1%2Fname"),
    ],
)
async def test_a_replica_id_stays_one_path_segment(
    connect: Connect, replica_id: str, path: str
) -> None:
    fake = FakeTavus(httpx.Response(200))

    await connect(fake).delete_replica(replica_id=replica_id)
    await connect(fake).rename_replica(replica_id=replica_id, replica_name="Dana")

    delete, rename = fake.requests
    assert delete.url.raw_path == path.encode()
    assert rename.url.raw_path == f"{path}/name".encode()


@pytest.mark.parametrize("replica_id", ["", ".", ".."])
async def test_a_missing_replica_id_is_refused_before_sending(
    connect: Connect, replica_id: str
) -> None:
    fake = FakeTavus(httpx.Response(200))
    tavus = connect(fake)

    with pytest.raises(ValueError, match="replica_id"):
        await tavus.delete_replica(replica_id=replica_id)
    with pytest.raises(ValueError, match="replica_id"):
        await tavus.rename_replica(replica_id=replica_id, replica_name="Dana")
    with pytest.raises(ValueError, match="replica_id"):
        await tavus.get_replica(replica_id)

    assert fake.requests == []


def test_every_tavus_error_shares_one_root() -> None:
    assert issubclass(TavusRejected, TavusError)
    assert issubclass(TavusUnavailable, TavusError)
    assert issubclass(TavusTimeout, TavusUnavailable)
    assert not issubclass(TavusRejected, TavusUnavailable)


@pytest.mark.parametrize(
    "error",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("connect timed out")],
    ids=["refused", "connect-timeout"],
)
async def test_a_request_that_never_reached_tavus_is_unavailable_not_uncertain(
    connect: Connect, error: httpx.HTTPError
) -> None:
    with pytest.raises(TavusUnavailable) as caught:
        await create(connect(FakeTavus(error)))

    assert not isinstance(caught.value, TavusUncertain)


@pytest.mark.parametrize(
    "error",
    [httpx.ReadError("reset"), httpx.RemoteProtocolError("closed mid-answer")],
    ids=["read-error", "protocol-error"],
)
async def test_a_request_whose_answer_was_lost_is_uncertain(
    connect: Connect, error: httpx.HTTPError
) -> None:
    with pytest.raises(TavusUncertain):
        await create(connect(FakeTavus(error)))


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_5xx_answer_is_uncertain_a_429_is_not(connect: Connect, status: int) -> None:
    with pytest.raises(TavusUncertain):
        await create(connect(FakeTavus(httpx.Response(status, json={"error": "down"}))))
    with pytest.raises(TavusUnavailable) as caught:
        await create(connect(FakeTavus(httpx.Response(429, json={"error": "slow"}))))
    assert not isinstance(caught.value, TavusUncertain)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2025-01-01T00:00:00Z", datetime(2025, 1, 1, tzinfo=UTC)),
        ("2025-01-01T00:00:00", datetime(2025, 1, 1, tzinfo=UTC)),
        ("yesterday", None),
        (None, None),
    ],
)
async def test_a_replicas_creation_time_is_read_when_tavus_gives_one(
    connect: Connect, written: str | None, read: datetime | None
) -> None:
    fake = FakeTavus(httpx.Response(200, json={**COMPLETED, "created_at": written}))

    replica = await connect(fake).get_replica("r783537ef5")

    assert replica.created_at == read


async def test_recent_replicas_asks_for_the_accounts_own_newest_first(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(200, json={"data": [COMPLETED], "total_count": 1}))

    [replica] = await connect(fake).recent_replicas()

    assert replica.replica_id == "r783537ef5"
    (request,) = fake.requests
    assert request.url.params["replica_type"] == "user"
    assert request.url.params["page"] == "1"
