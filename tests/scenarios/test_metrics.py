"""GET /metrics scraped over HTTP as Prometheus does: counters, the ack histogram, store gauges."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import httpx
import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port
from multidict import CIMultiDict
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SLACK_EVENTS_PATH
from bot.ops.metrics import Metrics, Snapshot, endpoint_template
from bot.ops.metrics_http import (
    METRICS,
    PATH,
    ack_timer,
    add_routes,
    from_this_machine,
    metrics_handler,
)
from bot.store import StoreUnavailable
from bot.tavus import TavusClient, TavusError, TavusRejected, TavusTimeout, TavusUnavailable
from tests.clocks import Ticks
from tests.conftest import Launch
from tests.flows import delivered, start_training
from tests.standins.server import Fault
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn

TOKEN = "a-metrics-token-long-enough"
Labels = dict[str, str]


@dataclass
class Store:
    """Plays the store's answers to the snapshot; `down` makes it fail as a lost database."""

    jobs: dict[str, int] = field(default_factory=lambda: {"ready": 2, "training": 1})
    owed: int = 3
    oldest: float | None = 42.5
    down: bool = False
    asked: int = 0

    async def snapshot(self) -> Snapshot:
        self.asked += 1
        if self.down:
            raise StoreUnavailable("connection refused")
        return Snapshot(
            jobs_by_status=dict(self.jobs),
            owed_notices=self.owed,
            oldest_owed_age_seconds=self.oldest,
        )


@dataclass
class Served:
    """A tiny app serving /metrics beside a stand-in /slack/events, on a loopback port."""

    url: str
    metrics: Metrics
    store: Store
    ack_delay: list[float]

    async def scrape(
        self, token: str | None = None, *, url: str | None = None, **headers: str
    ) -> aiohttp.ClientResponse:
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{url or self.url}{PATH}", headers=headers) as response,
        ):
            await response.read()
            return response

    async def families(self, token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"{self.url}{PATH}", headers=headers) as response,
        ):
            assert response.status == 200
            return parse(await response.text())

    async def post(self, path: str) -> int:
        async with aiohttp.ClientSession() as session, session.post(f"{self.url}{path}") as answer:
            return answer.status


Serve = Callable[..., Awaitable[Served]]


@pytest.fixture
async def serve() -> AsyncIterator[Serve]:
    runners: list[web.AppRunner] = []

    async def start(
        *,
        token: str | None = None,
        store: Store | None = None,
        local_only: bool = False,
    ) -> Served:
        metrics, store = Metrics(), store or Store()
        delays: list[float] = []
        clock = Ticks()

        async def slack_events(_: web.Request) -> web.Response:
            clock.now += delays.pop(0) if delays else 0  # the answer took this long
            return web.json_response({})

        async def other(_: web.Request) -> web.Response:
            return web.json_response({})

        app = web.Application(middlewares=[ack_timer(metrics, clock=clock)])
        app.router.add_post(SLACK_EVENTS_PATH, slack_events)
        app.router.add_post("/tavus/callback/j/s", other)
        add_routes(app, metrics, store.snapshot, token, local_only=local_only)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        runners.append(runner)
        port = unused_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return Served(f"http://127.0.0.1:{port}", metrics, store, delays)

    yield start
    for runner in runners:
        await runner.cleanup()


def parse(text: str) -> dict[str, Any]:
    """Prometheus's text format, parsed as Prometheus's own client library parses it."""
    return {family.name: family for family in text_string_to_metric_families(text)}


def rendered(metrics: Metrics) -> dict[str, Any]:
    return parse(metrics.render().decode())


def value(families: dict[str, Any], sample: str, **labels: str) -> float | None:
    """The value of one sample (by its full name and labels), None if it is not there."""
    for family in families.values():
        for each in family.samples:
            if each.name == sample and each.labels == labels:
                return float(each.value)
    return None


def samples(families: dict[str, Any], name: str) -> list[Labels]:
    return [each.labels for each in families[name].samples]


async def test_each_count_is_scraped_under_its_labels(serve: Serve) -> None:
    served = await serve()
    metrics = served.metrics
    metrics.slack_call("chat.postMessage", "ok")
    metrics.slack_call("chat.postMessage", "ok")
    metrics.slack_call("chat.update", "429")
    metrics.tavus_request("POST /v2/replicas", 200)
    metrics.tavus_request("GET /v2/replicas/r1", "timeout")
    metrics.callback("settled")
    metrics.callback("forbidden")
    metrics.consent("given")
    metrics.consent("declined")
    metrics.consent("given")

    families = await served.families()

    assert value(families, "slack_calls_total", method="chat.postMessage", result="ok") == 2
    assert value(families, "slack_calls_total", method="chat.update", result="429") == 1
    assert value(families, "slack_calls_total", method="chat.update", result="ok") is None
    assert value(families, "tavus_requests_total", endpoint="POST /v2/replicas", status="200") == 1
    timeout = value(
        families, "tavus_requests_total", endpoint="GET /v2/replicas/{id}", status="timeout"
    )
    assert timeout == 1
    assert value(families, "callback_verdicts_total", verdict="settled") == 1
    assert value(families, "callback_verdicts_total", verdict="forbidden") == 1
    assert value(families, "consent_requests_total", outcome="given") == 2
    assert value(families, "consent_requests_total", outcome="declined") == 1


async def test_the_scrape_is_in_prometheus_text_format(serve: Serve) -> None:
    served = await serve()

    response = await served.scrape()

    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")


async def test_a_tavus_endpoint_is_counted_by_its_route_never_by_an_id(serve: Serve) -> None:
    served = await serve()
    served.metrics.tavus_request("PATCH /v2/replicas/r9f3a1/name", 200)
    served.metrics.tavus_request("DELETE /v2/replicas/r9f3a1?hard=true", 404)
    served.metrics.tavus_request("GET /v2/replicas?limit=1", 200)

    families = await served.families()

    endpoints = {labels["endpoint"] for labels in samples(families, "tavus_requests")}
    assert endpoints == {
        "PATCH /v2/replicas/{id}/name",
        "DELETE /v2/replicas/{id}",
        "GET /v2/replicas",
    }


@pytest.mark.parametrize(
    ("endpoint", "template"),
    [
        ("GET /v2/replicas/r783537ef5", "GET /v2/replicas/{id}"),
        ("get /v2/replicas/r1/name", "GET /v2/replicas/{id}/name"),
        ("POST /v2/conversations/c123/end", "POST /v2/conversations/{id}/end"),
        ("GET /v2/replicas/{id}", "GET /v2/replicas/{id}"),
        ("GET /v2/voices?page=2", "GET /v2/voices"),
        ("GET /v2/replicas/r1/9F00-AB", "GET /v2/replicas/{id}/{id}"),
    ],
)
def test_ids_in_an_endpoint_become_placeholders(endpoint: str, template: str) -> None:
    assert endpoint_template(endpoint) == template


async def test_the_store_gauges_are_read_afresh_at_each_scrape(serve: Serve) -> None:
    served = await serve()

    first = await served.families()
    served.store.jobs = {"ready": 3}
    served.store.owed, served.store.oldest = 1, 7.0
    second = await served.families()

    assert value(first, "jobs", status="ready") == 2
    assert value(first, "jobs", status="training") == 1
    assert value(first, "notices_owed") == 3
    assert value(first, "notices_oldest_owed_seconds") == 42.5
    assert value(second, "jobs", status="ready") == 3
    assert value(second, "jobs", status="training") == 0  # none left: 0, not the old count
    assert value(second, "notices_owed") == 1
    assert value(second, "notices_oldest_owed_seconds") == 7.0
    assert value(second, "store_up") == 1
    assert served.store.asked == 2


async def test_with_nothing_owed_the_oldest_owed_age_reads_zero(serve: Serve) -> None:
    served = await serve(store=Store(owed=0, oldest=None))

    families = await served.families()

    assert value(families, "notices_owed") == 0
    assert value(families, "notices_oldest_owed_seconds") == 0


async def test_a_store_that_does_not_answer_leaves_the_counters_scraped(serve: Serve) -> None:
    served = await serve()
    served.metrics.slack_call("chat.postMessage", "ok")
    await served.families()
    served.store.down = True

    families = await served.families()

    assert value(families, "store_up") == 0
    assert samples(families, "jobs") == []  # no count from an earlier scrape passes for today's
    assert math.isnan(value(families, "notices_owed") or 0)
    assert math.isnan(value(families, "notices_oldest_owed_seconds") or 0)
    assert value(families, "slack_calls_total", method="chat.postMessage", result="ok") == 1


async def test_slack_acknowledgements_are_timed_and_only_theirs(serve: Serve) -> None:
    served = await serve()
    served.ack_delay.extend([0.3, 0.0])

    assert await served.post(SLACK_EVENTS_PATH) == 200
    assert await served.post(SLACK_EVENTS_PATH) == 200
    assert await served.post("/tavus/callback/j/s") == 200
    families = await served.families()

    assert value(families, "slack_ack_seconds_count") == 2
    assert value(families, "slack_ack_seconds_sum") == pytest.approx(0.3)
    assert value(families, "slack_ack_seconds_bucket", le="0.25") == 1
    assert value(families, "slack_ack_seconds_bucket", le="0.5") == 2
    assert value(families, "slack_ack_seconds_bucket", le="3.0") == 2


async def test_an_acknowledgement_that_fails_is_timed_too() -> None:
    metrics = Metrics()

    async def failing(_: web.Request) -> web.StreamResponse:
        raise web.HTTPUnauthorized()

    app = web.Application(middlewares=[ack_timer(metrics)])
    app.router.add_post(SLACK_EVENTS_PATH, failing)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = unused_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"http://127.0.0.1:{port}{SLACK_EVENTS_PATH}") as answer,
        ):
            assert answer.status == 401
    finally:
        await runner.cleanup()

    families = rendered(metrics)
    assert value(families, "slack_ack_seconds_count") == 1


async def test_with_a_token_a_scrape_without_it_is_refused(serve: Serve) -> None:
    served = await serve(token=TOKEN)

    response = await served.scrape()

    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert served.store.asked == 0  # the database is not asked for a refused scrape


async def test_with_a_token_a_wrong_one_is_refused(serve: Serve) -> None:
    served = await serve(token=TOKEN)

    assert (await served.scrape(token=TOKEN + "x")).status == 401
    assert (await served.scrape(token=TOKEN[:-1])).status == 401
    assert (await served.scrape(token="")).status == 401
    assert (await served.scrape(token="jeton-étrange")).status == 401


async def test_with_a_token_a_scrape_carrying_it_is_served(serve: Serve) -> None:
    served = await serve(token=TOKEN)

    families = await served.families(token=TOKEN)

    assert value(families, "store_up") == 1


async def test_the_token_must_come_as_a_bearer_token(serve: Serve) -> None:
    served = await serve(token=TOKEN)

    async with aiohttp.ClientSession() as session:
        for header, expected in [
            (f"bearer {TOKEN}", 200),  # the scheme's name is case-insensitive
            (f"Basic {TOKEN}", 401),
            (TOKEN, 401),
        ]:
            async with session.get(
                f"{served.url}{PATH}", headers={"Authorization": header}
            ) as answer:
                assert answer.status == expected, header


async def test_without_a_token_anyone_may_scrape(serve: Serve) -> None:
    served = await serve(token=None)

    assert (await served.scrape()).status == 200
    assert (await served.scrape(token="anything")).status == 200


@pytest.mark.parametrize(
    ("remote", "headers", "local"),
    [
        ("127.0.0.1", {}, True),
        ("127.0.0.2", {}, True),
        ("::1", {}, True),
        ("::ffff:127.0.0.1", {}, True),
        ("fe80::1%eth0", {}, False),
        ("192.0.2.2", {}, False),
        ("10.0.0.1", {}, False),
        ("0.0.0.0", {}, False),  # noqa: S104 (an address judged, not bound)
        ("", {}, False),
        (None, {}, False),
        ("not an address", {}, False),
        ("127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, False),  # a proxy on this machine
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
        ("127.0.0.1", {"X-Real-IP": "203.0.113.9"}, False),
    ],
)
def test_only_a_loopback_peer_relaying_nobody_is_this_machine(
    remote: str | None, headers: dict[str, str], local: bool
) -> None:
    assert from_this_machine(remote, CIMultiDict(headers)) is local


async def test_local_only_without_a_token_serves_this_machine_alone(serve: Serve) -> None:
    served = await serve(local_only=True)

    assert (await served.scrape()).status == 200
    asked = served.store.asked
    # Relayed by a proxy on this machine for someone else (a peer that is not loopback is
    # judged by the same predicate, tested above: the tests never leave loopback).
    proxied = await served.scrape(**{"X-Forwarded-For": "203.0.113.9"})
    forwarded = await served.scrape(Forwarded="for=203.0.113.9")

    assert proxied.status == 403
    assert forwarded.status == 403
    assert served.store.asked == asked  # the database is not asked for a refused scrape


async def test_local_only_with_a_token_serves_whoever_carries_it(serve: Serve) -> None:
    served = await serve(token=TOKEN, local_only=True)
    elsewhere = {"X-Forwarded-For": "203.0.113.9"}

    assert (await served.scrape(token=TOKEN, **elsewhere)).status == 200
    assert (await served.scrape(**elsewhere)).status == 401


async def test_one_workspaces_metrics_without_a_token_are_open_beyond_loopback(
    launch: Launch,
) -> None:
    bot = await launch()
    elsewhere = {"X-Forwarded-For": "203.0.113.9"}

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bot.url}{PATH}", headers=elsewhere) as answer,
    ):
        assert answer.status == 200


def test_an_empty_token_is_refused_rather_than_letting_everyone_in() -> None:
    async def snapshot() -> Snapshot:
        raise AssertionError("never asked")

    with pytest.raises(ValueError, match="empty"):
        metrics_handler(Metrics(), snapshot, "")


async def test_the_routes_make_the_metrics_the_apps() -> None:
    metrics = Metrics()
    app = web.Application()

    add_routes(app, metrics, Store().snapshot, None)

    assert app[METRICS] is metrics


async def test_two_metrics_in_one_process_count_apart(serve: Serve) -> None:
    one, other = await serve(), await serve()
    one.metrics.slack_call("chat.postMessage", "ok")
    one.metrics.observe_ack(0.1)

    mine, theirs = await one.families(), await other.families()

    assert value(mine, "slack_calls_total", method="chat.postMessage", result="ok") == 1
    assert samples(theirs, "slack_calls") == []
    assert value(theirs, "slack_ack_seconds_count") == 0
    # Nothing reaches prometheus-client's global registry either.
    assert b"slack_calls" not in generate_latest(REGISTRY)


async def test_every_slack_answer_is_counted_by_method_and_result(slack: SlackStandIn) -> None:
    metrics = Metrics()
    client = AsyncWebClient(
        token=BOT_TOKEN, base_url=slack.api_url, retry_handlers=[metrics.slack_counter()]
    )
    slack.fail("chat.postMessage", "channel_not_found")
    slack.rate_limit("chat.update", retry_after=1)

    await client.auth_test()
    await client.auth_test()
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", text="hello")
    with pytest.raises(SlackApiError):
        await client.chat_update(channel="C1", ts="1.0", text="hello")

    families = rendered(metrics)
    assert value(families, "slack_calls_total", method="auth.test", result="ok") == 2
    assert value(families, "slack_calls_total", method="chat.postMessage", result="error") == 1
    assert value(families, "slack_calls_total", method="chat.update", result="429") == 1
    assert slack.answers("chat.update", 429) == 1  # counted, and not retried


async def test_a_slack_call_that_gets_no_answer_counts_as_an_error() -> None:
    metrics = Metrics()
    client = AsyncWebClient(
        token=BOT_TOKEN,
        base_url=f"http://127.0.0.1:{unused_port()}/api/",
        # Counted first, as app.py lists it: the retry that follows is counted as well.
        retry_handlers=[metrics.slack_counter(), AsyncConnectionErrorRetryHandler()],
    )

    with pytest.raises(aiohttp.ClientError):
        await client.auth_test()

    families = rendered(metrics)
    assert value(families, "slack_calls_total", method="auth.test", result="error") == 2


async def test_every_tavus_request_is_counted_by_route_and_status(tavus: TavusStandIn) -> None:
    metrics = Metrics()
    async with httpx.AsyncClient(
        base_url=tavus.url,
        headers={"x-api-key": API_KEY},
        timeout=httpx.Timeout(0.5),
        transport=metrics.tavus_transport(),
    ) as http:
        client = TavusClient(http)
        await client.check_key()
        with pytest.raises(TavusRejected):
            await client.get_replica("r-nobody-knows")
        tavus.fail_next("get", Fault(status=503, body={"error": "busy"}))
        with pytest.raises(TavusUnavailable):
            await client.get_replica("r-busy")
        tavus.fail_next("get", Fault(delay=2.0))
        with pytest.raises(TavusTimeout):
            await client.get_replica("r-slow")

    families = rendered(metrics)
    counted = {
        (labels["endpoint"], labels["status"]): each.value
        for each in families["tavus_requests"].samples
        if each.name == "tavus_requests_total"
        for labels in [each.labels]
    }
    assert counted == {
        ("GET /v2/replicas", "200"): 1,
        ("GET /v2/replicas/{id}", "400"): 1,
        ("GET /v2/replicas/{id}", "503"): 1,
        ("GET /v2/replicas/{id}", "timeout"): 1,
    }


async def test_a_tavus_request_that_reaches_nobody_counts_as_no_connection() -> None:
    metrics = Metrics()
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{unused_port()}", transport=metrics.tavus_transport()
    ) as http:
        with pytest.raises(TavusError):
            await TavusClient(http).get_replica("r1")

    families = rendered(metrics)
    assert (
        value(
            families,
            "tavus_requests_total",
            endpoint="GET /v2/replicas/{id}",
            status="no_connection",
        )
        == 1
    )


async def test_a_tavus_request_cut_off_by_the_clients_deadline_counts_as_cancelled(
    tavus: TavusStandIn,
) -> None:
    metrics = Metrics()
    tavus.fail_next("get", Fault(delay=2.0))
    async with httpx.AsyncClient(
        base_url=tavus.url, headers={"x-api-key": API_KEY}, transport=metrics.tavus_transport()
    ) as http:
        with pytest.raises(TavusTimeout):
            await TavusClient(http, deadline=0.2).get_replica("r1")

    families = rendered(metrics)
    assert (
        value(
            families, "tavus_requests_total", endpoint="GET /v2/replicas/{id}", status="cancelled"
        )
        == 1
    )


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (httpx.ReadError("connection reset"), "connection_lost"),
        (httpx.ReadTimeout("slow"), "timeout"),
        (httpx.ConnectTimeout("unreachable"), "no_connection"),
        (RuntimeError("a bug"), "error"),
    ],
)
async def test_a_tavus_request_without_an_answer_is_counted_by_why(
    failure: Exception, status: str
) -> None:
    metrics = Metrics()

    def fail(_: httpx.Request) -> httpx.Response:
        raise failure

    transport = metrics.tavus_transport(httpx.MockTransport(fail))
    async with httpx.AsyncClient(base_url="https://tavus.test", transport=transport) as http:
        with pytest.raises(type(failure)):
            await http.get("/v2/replicas/r1")

    families = rendered(metrics)
    assert (
        value(families, "tavus_requests_total", endpoint="GET /v2/replicas/{id}", status=status)
        == 1
    )


async def test_metrics_count_a_jobs_life_from_form_to_result(launch: Launch) -> None:
    bot = await launch(metrics_token=TOKEN)
    await start_training(bot)
    [job] = await bot.jobs()
    status, _ = await bot.tavus.call_back(job["replica_id"], bot.tavus.finish(job["replica_id"]))
    assert status == 200
    await delivered(bot)

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bot.url}{PATH}", headers={"Authorization": f"Bearer {TOKEN}"}) as answer,
    ):
        assert answer.status == 200
        families = parse(await answer.text())

    assert value(families, "jobs", status="ready") == 1
    assert value(families, "jobs", status="failed") == 0
    assert value(families, "notices_owed") == 0
    assert value(families, "consent_requests_total", outcome="given") == 1
    assert value(families, "callback_verdicts_total", verdict="settled") == 1
    created = value(families, "tavus_requests_total", endpoint="POST /v2/replicas", status="200")
    assert created == 1
    # The listeners' calls (the form) and the sender's (the card, the result) alike.
    assert value(families, "slack_calls_total", method="views.open", result="ok") == 1
    posted = value(families, "slack_calls_total", method="chat.postMessage", result="ok")
    assert posted is not None
    assert posted >= 3  # the consent request, the card, the result
    acks = value(families, "slack_ack_seconds_count")
    assert acks is not None
    assert acks >= 3  # /replica, the form's submission, the consent click


async def test_the_bots_metrics_refuse_a_scrape_without_the_right_token(launch: Launch) -> None:
    bot = await launch(metrics_token=TOKEN)

    async with aiohttp.ClientSession() as session:
        for headers in ({}, {"Authorization": "Bearer not-the-token-at-all"}):
            async with session.get(f"{bot.url}{PATH}", headers=headers) as answer:
                assert answer.status == 401
                assert answer.headers["WWW-Authenticate"].startswith("Bearer")


async def test_the_bots_metrics_are_open_without_a_token(launch: Launch) -> None:
    bot = await launch()

    async with aiohttp.ClientSession() as session, session.get(f"{bot.url}{PATH}") as answer:
        assert answer.status == 200
        assert value(parse(await answer.text()), "store_up") == 1
