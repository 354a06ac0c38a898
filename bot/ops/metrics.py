"""Prometheus metrics: what the bot counts as it works, and what its store holds at a scrape."""

from __future__ import annotations

import asyncio
import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import httpx
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.store import Store, StoreUnavailable

log = logging.getLogger(__name__)

# Slack gives up on an acknowledgement after 3 s: the buckets are finest up to there, and the
# two beyond it count the requests Slack will have shown the user an error for.
ACK_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 5.0, 10.0)
# A scrape waits this long for the store's numbers; Prometheus's own default timeout is 10 s.
SNAPSHOT_TIMEOUT = 5.0

SlackResult = Literal["ok", "429", "error"]
# What a Tavus request came to when no HTTP status came back.
TavusFailure = Literal["no_connection", "timeout", "connection_lost", "cancelled", "error"]

# A path segment that is a fixed word of the API (v2, replicas, name), not an id.
_WORD = re.compile(r"^[a-z][a-z0-9_-]*$")
_SLACK_METHOD = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What the store holds at one moment: jobs by status, and the notices still owed to Slack."""

    jobs_by_status: Mapping[str, int]
    owed_notices: int
    oldest_owed_age_seconds: float | None


SnapshotSource = Callable[[], Awaitable[Snapshot]]


def store_snapshot(store: Store) -> SnapshotSource:
    """What /metrics reads from the store at each scrape: jobs by status, notices owed."""

    async def snapshot() -> Snapshot:
        by_status = await store.jobs.count_by_status()
        owed, oldest = await store.notices.owed()
        age = (store.now() - oldest).total_seconds() if oldest is not None else None
        return Snapshot(jobs_by_status=by_status, owed_notices=owed, oldest_owed_age_seconds=age)

    return snapshot


class Metrics:
    """The bot's counters, histogram and gauges, in a registry of their own.

    Never the library's global registry: tests, and several apps in one process, would then
    count into one another's numbers.
    """

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self._slack_calls = Counter(
            "slack_calls",
            "Slack Web API calls (each HTTP attempt), by method and result: ok, 429, error",
            ("method", "result"),
            registry=registry,
        )
        self._tavus_requests = Counter(
            "tavus_requests",
            "Tavus API requests, by endpoint (a route template) and HTTP status, or why none "
            "came: no_connection, timeout, connection_lost, cancelled, error",
            ("endpoint", "status"),
            registry=registry,
        )
        self._callback_verdicts = Counter(
            "callback_verdicts",
            "Tavus callback deliveries, by what became of them",
            ("verdict",),
            registry=registry,
        )
        self._consent_requests = Counter(
            "consent_requests",
            "Consent requests answered or ended, by outcome: given, declined, expired, withdrawn",
            ("outcome",),
            registry=registry,
        )
        self._slack_ack = Histogram(
            "slack_ack_seconds",
            "Time to acknowledge a request to /slack/events (Slack waits 3 s)",
            buckets=ACK_BUCKETS,
            registry=registry,
        )
        self._jobs = Gauge("jobs", "Jobs in the store, by status", ("status",), registry=registry)
        self._notices_owed = Gauge(
            "notices_owed", "Notices owed to Slack and not delivered yet", registry=registry
        )
        self._oldest_owed = Gauge(
            "notices_oldest_owed_seconds",
            "Age of the oldest notice still owed to Slack (0 when none is)",
            registry=registry,
        )
        self._store_up = Gauge(
            "store_up",
            "1 if the store answered this scrape's questions; 0 if not (its gauges then unknown)",
            registry=registry,
        )
        self._statuses: set[str] = set()

    def slack_call(self, method: str, result: SlackResult) -> None:
        """Count one Slack Web API call of `method`: ok, 429 or error."""
        self._slack_calls.labels(method=method, result=result).inc()

    def tavus_request(self, endpoint: str, status: int | TavusFailure) -> None:
        """Count one Tavus request, "GET /v2/replicas/r1" counted as "GET /v2/replicas/{id}"."""
        self._tavus_requests.labels(endpoint=endpoint_template(endpoint), status=str(status)).inc()

    def callback(self, verdict: str) -> None:
        """Count one Tavus callback delivery by its verdict (settled, noted, forbidden…)."""
        self._callback_verdicts.labels(verdict=verdict).inc()

    def consent(self, outcome: str) -> None:
        """Count one consent request's outcome (given, declined, expired, withdrawn)."""
        self._consent_requests.labels(outcome=outcome).inc()

    def observe_ack(self, seconds: float) -> None:
        """Record how long one Slack request took to be acknowledged."""
        self._slack_ack.observe(seconds)

    def record(self, snapshot: Snapshot) -> None:
        """Set the store's gauges from a snapshot of it."""
        # A status seen before and absent now has no jobs left: it reads 0, not its old count.
        statuses = set(snapshot.jobs_by_status) | self._statuses
        for status in sorted(statuses):
            self._jobs.labels(status=status).set(snapshot.jobs_by_status.get(status, 0))
        self._statuses = statuses
        self._notices_owed.set(snapshot.owed_notices)
        self._oldest_owed.set(snapshot.oldest_owed_age_seconds or 0.0)
        self._store_up.set(1)

    def store_down(self) -> None:
        """Drop the store's gauges: numbers from an earlier scrape would pass for today's."""
        self._jobs.clear()
        self._statuses = set()
        # A gauge without labels is always exported: NaN, Prometheus's "unknown", and not a 0
        # that would say nothing is owed.
        self._notices_owed.set(math.nan)
        self._oldest_owed.set(math.nan)
        self._store_up.set(0)

    async def refresh(self, snapshot: SnapshotSource) -> None:
        """Take a snapshot of the store and set the gauges from it (or store_up 0 if it fails)."""
        try:
            async with asyncio.timeout(SNAPSHOT_TIMEOUT):
                taken = await snapshot()
        except (StoreUnavailable, TimeoutError) as exc:
            # The counters are still worth a scrape: only the store's numbers go missing.
            log.warning("metrics: the store did not answer (%s)", str(exc) or "no answer in time")
            self.store_down()
            return
        self.record(taken)

    def render(self) -> bytes:
        """Everything in the registry, in Prometheus's text format."""
        return generate_latest(self.registry)

    def slack_counter(self) -> AsyncRetryHandler:
        """A slack_sdk retry handler that counts every Web API answer and never retries.

        Bolt copies its client's retry handlers into the client it makes for each request, so
        this one object counts the listeners' calls as well as the sender's. Put it first in
        the list: slack_sdk stops asking handlers once one retries.
        """
        return _SlackCounter(self)

    def tavus_transport(
        self, inner: httpx.AsyncBaseTransport | None = None
    ) -> httpx.AsyncBaseTransport:
        """An httpx transport that counts each request it sends (to `inner`, httpx's own)."""
        return _CountingTransport(self, inner or httpx.AsyncHTTPTransport())


def endpoint_template(endpoint: str) -> str:
    """An endpoint with its ids as {id} (GET /v2/replicas/{id}/name): no id becomes a label.

    Tavus's paths are /v2/<collection>/<id>/<action>: the third segment is always an id, and
    any other that is not a plain word is taken for one too.
    """
    method, _, path = endpoint.partition(" ")
    segments = [part for part in urlsplit(path).path.split("/") if part]
    shaped = [
        part if index != 2 and _WORD.match(part) else "{id}" for index, part in enumerate(segments)
    ]
    return f"{method.upper()} /{'/'.join(shaped)}"


class _SlackCounter(AsyncRetryHandler):
    """Counts each Slack Web API answer (or failure to get one) by method and result."""

    def __init__(self, metrics: Metrics) -> None:
        super().__init__(max_retry_count=0)
        self._metrics = metrics

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        """Count the answer; never ask for another attempt."""
        # slack_sdk asks every handler about every attempt until one retries; the base class's
        # version would stop asking this one once another had retried.
        self._metrics.slack_call(_slack_method(request.url), _slack_result(response, error))
        return False


def _slack_method(url: str) -> str:
    # https://slack.com/api/chat.postMessage; anything else (an upload URL) is not a method.
    _, api, method = urlsplit(url).path.rpartition("/api/")
    return method if api and _SLACK_METHOD.match(method) else "other"


def _slack_result(response: HttpResponse | None, error: Exception | None) -> SlackResult:
    if response is not None and response.status_code == 429:
        return "429"
    if error is not None or response is None or response.status_code >= 400:
        return "error"
    # Slack says most refusals with HTTP 200 and "ok": false.
    body = response.body
    return "error" if isinstance(body, dict) and body.get("ok") is False else "ok"


class _CountingTransport(httpx.AsyncBaseTransport):
    """Sends through another transport, counting each request by endpoint and outcome."""

    def __init__(self, metrics: Metrics, inner: httpx.AsyncBaseTransport) -> None:
        self._metrics = metrics
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send the request; count its HTTP status, or why there was none."""
        endpoint = f"{request.method} {request.url.path}"
        try:
            response = await self._inner.handle_async_request(request)
        except BaseException as exc:
            self._metrics.tavus_request(endpoint, _failure(exc))
            raise
        self._metrics.tavus_request(endpoint, response.status_code)
        return response

    async def aclose(self) -> None:
        """Close the transport underneath."""
        await self._inner.aclose()


def _failure(exc: BaseException) -> TavusFailure:
    # The lines TavusClient draws: nothing reached Tavus, no answer in time, an answer lost.
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return "no_connection"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TransportError):
        return "connection_lost"
    if isinstance(exc, asyncio.CancelledError):
        # TavusClient's own deadline, or a shutdown: either way the answer was not waited for.
        return "cancelled"
    return "error"
