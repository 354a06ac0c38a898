"""Unit tests for TavusClient over httpx.MockTransport: requests sent, answers and errors mapped."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from bot.tavus import (
    CreatedReplica,
    Replica,
    TavusClient,
    TavusError,
    TavusRejected,
    TavusTimeout,
    TavusUnavailable,
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

    assert created == CreatedReplica(replica_id="r783537ef5", status="started")
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

    assert await create(connect(fake)) == CreatedReplica(replica_id="f12345", status="started")


async def test_create_assumes_started_when_tavus_gives_no_status(connect: Connect) -> None:
    fake = FakeTavus(httpx.Response(201, json={"replica_id": "r1"}))

    assert await create(connect(fake)) == CreatedReplica(replica_id="r1", status="started")


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
        model_name="phoenix-4",
        thumbnail_video_url="https://cdn.tavus.test/thumb.mp4",
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
        httpx.ConnectTimeout("connect timed out"),
        httpx.PoolTimeout("pool timed out"),
    ],
    ids=["read", "write", "connect", "pool"],
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


# The exception tree callers rely on


def test_every_tavus_error_shares_one_root() -> None:
    assert issubclass(TavusRejected, TavusError)
    assert issubclass(TavusUnavailable, TavusError)
    assert issubclass(TavusTimeout, TavusUnavailable)
    assert not issubclass(TavusRejected, TavusUnavailable)
