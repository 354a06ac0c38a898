"""GET /metrics and the time Slack waits for its answer: the metrics, served and timed over HTTP."""

from __future__ import annotations

import hmac
import ipaddress
import time
from collections.abc import Callable, Mapping

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware
from prometheus_client import CONTENT_TYPE_LATEST

from bot.config import SLACK_EVENTS_PATH
from bot.ops.metrics import Metrics, SnapshotSource

PATH = "/metrics"
REALM = 'Bearer realm="metrics"'
LOCAL_ONLY = "without METRICS_TOKEN, /metrics answers this machine only"
# Headers a proxy adds: a request carrying one came from farther away than its loopback peer.
FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Real-IP")

# Where an application keeps its Metrics, for the routes that count (Tavus callbacks).
METRICS = web.AppKey("metrics", Metrics)


def from_this_machine(remote: str | None, headers: Mapping[str, str]) -> bool:
    """Whether a request came from this machine: a loopback peer relaying nobody else's request."""
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.partition("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_loopback and not any(name in headers for name in FORWARDED)


def metrics_handler(
    metrics: Metrics, snapshot: SnapshotSource, token: str | None, *, local_only: bool = False
) -> Handler:
    """The GET /metrics handler: the store's gauges read afresh, then everything rendered.

    With a token, only a request carrying it as `Authorization: Bearer <token>` is served;
    without one and `local_only`, only a request from this machine (from_this_machine). A
    refused request never reaches the store.
    """
    if token is not None and not token:
        # An empty token would let in whoever sends "Bearer " with nothing after it.
        raise ValueError("the metrics token is empty")

    async def serve(request: web.Request) -> web.Response:
        if token is not None and not _authorized(request, token):
            return web.Response(
                status=401, text="a bearer token is required", headers={"WWW-Authenticate": REALM}
            )
        if token is None and local_only and not from_this_machine(request.remote, request.headers):
            return web.Response(status=403, text=LOCAL_ONLY)
        # prometheus-client's collectors are synchronous: the store is asked here, first.
        await metrics.refresh(snapshot)
        return web.Response(body=metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    return serve


def add_routes(
    app: web.Application,
    metrics: Metrics,
    snapshot: SnapshotSource,
    token: str | None,
    *,
    local_only: bool = False,
) -> None:
    """Serve GET /metrics on an application, and make `metrics` its app[METRICS].

    `local_only`: without a token, serve this machine only (many workspaces, where anyone may
    reach the bot and the store's counts would be every tenant's).
    """
    app[METRICS] = metrics
    handler = metrics_handler(metrics, snapshot, token, local_only=local_only)
    app.router.add_get(PATH, handler, allow_head=False)


def ack_timer(
    metrics: Metrics,
    path: str = SLACK_EVENTS_PATH,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Middleware:
    """An aiohttp middleware timing the responses to `path` (only) into slack_ack_seconds."""

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != path:
            return await handler(request)
        started = clock()
        try:
            return await handler(request)
        finally:
            # A refusal (401) or a failure is an answer Slack waited for too.
            metrics.observe_ack(clock() - started)

    return timed


def _authorized(request: web.Request, token: str) -> bool:
    scheme, _, given = request.headers.get(hdrs.AUTHORIZATION, "").partition(" ")
    # Bytes: compare_digest refuses str with anything but ASCII, and a header may carry any.
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )
