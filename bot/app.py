"""create_app(settings): the routes over build()'s services, and each resource's life in order."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from functools import partial
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.aio import Inflow, Kept
from bot.config import SLACK_EVENTS_PATH, Settings
from bot.jobs import callbacks
from bot.ops import metrics_http
from bot.ops.metrics import store_snapshot
from bot.slack import oauth as slack_oauth
from bot.store import Store
from bot.wiring import Services, build

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
STORE = web.AppKey("store", Store)
BOLT = web.AppKey("bolt", AsyncApp)
VERIFIER = web.AppKey("verifier", SignatureVerifier)
INFLOW = web.AppKey("inflow", Inflow)
# The work listeners left to run after answering Slack (what has yet to happen, for a look in).
FOLLOW_UPS = web.AppKey("follow_ups", Kept)
# A health check that hangs is as bad as a failing one.
HEALTH_TIMEOUT = 5.0

Lifetime = AbstractAsyncContextManager[None]


async def create_app(settings: Settings) -> web.Application:
    """Build the services, and serve Slack, Tavus's callbacks, /healthz and /metrics over them."""
    services = await build(settings)
    store, bolt = services.clients.store, services.bolt
    app = web.Application(middlewares=[metrics_http.ack_timer(services.metrics, SLACK_EVENTS_PATH)])
    app[STORE] = store
    app[BOLT] = bolt
    app[INFLOW] = services.inflow
    app[FOLLOW_UPS] = services.deps.follow_ups
    if settings.slack_signing_secret is not None:
        app[VERIFIER] = SignatureVerifier(settings.slack_signing_secret)
        app.router.add_post(SLACK_EVENTS_PATH, slack_events)
    app.router.add_get(HEALTH_PATH, healthz)
    metrics_http.add_routes(
        app,
        services.metrics,
        store_snapshot(store),
        settings.metrics_token,
        local_only=settings.oauth,
    )
    if services.callbacks is not None:
        callbacks.add_routes(app, services.callbacks)
    if bolt.oauth_flow is not None:
        slack_oauth.add_routes(app, bolt.oauth_flow)
    if services.connect is not None:
        services.connect.add_routes(app)
    if services.local is not None:
        services.local.add_routes(app, store.now)
    for life in lifetimes(services):
        app.cleanup_ctx.append(partial(_lasting, life))
    return app


def lifetimes(services: Services) -> list[Lifetime]:
    """Each resource's life, in start order: aiohttp ends them in reverse at shutdown.

    So at shutdown the bot stops taking work (Socket Mode, then the loops that find work), lets
    what is in flight finish, sends what that owed, then closes its clients and the store last.
    """
    clients, settings = services.clients, services.settings
    grace = settings.shutdown_grace
    lives: list[Lifetime] = [
        _closing(clients.store.close),
        _closing(clients.slack_session.close),
        _closing(clients.entered.aclose),
        _closing(clients.files.close),
    ]
    if clients.prober is not None:
        lives.append(_closing(clients.prober.close))
    if clients.inspector is not None:
        # Closed once the checks have been drained (below, so ended first): its workers too.
        lives.append(_closing(clients.inspector.close))
    lives += [
        _closing(clients.tavus_http.aclose),
        # The refreshes forms asked for (the hourly one is a loop of its own, below).
        _closing(services.voices.close),
        # Delivery stops last: what the drained work owed is stored, and sent if there is time.
        _running(services.sender.run, stop=partial(services.sender.stop, grace)),
        # Reached once no work comes in (Socket Mode and the loops below have stopped): what is
        # in flight gets the grace to finish.
        _closing(partial(_drain_in_flight, services, grace)),
        _running(services.reconciler.run),
        _running(services.voices.run),
    ]
    if settings.slack_app_token:
        lives.append(_socket_mode(services.bolt, settings.slack_app_token))
    if services.sweeper is not None:
        lives.append(_running(services.sweeper.run))
    lives.append(_running(services.retention.run))
    return lives


async def _drain_in_flight(services: Services, grace: float) -> None:
    # The listeners' follow-ups and the creates they started, waited for together: the grace is
    # spent once, and a follow-up waiting on a create ends with it.
    await asyncio.gather(
        services.deps.follow_ups.drain(grace),
        services.intake.drain(grace),
        # Media checks left unfinished are handed back, due at once: the next start runs them.
        services.media_checks.drain(grace),
        *((services.face_matches.drain(grace),) if services.face_matches is not None else ()),
    )


def _lasting(life: Lifetime, _: web.Application) -> Lifetime:
    return life


@asynccontextmanager
async def _closing(close: Callable[[], Awaitable[object]]) -> AsyncIterator[None]:
    try:
        yield
    finally:
        await close()


@asynccontextmanager
async def _running(
    run: Callable[[], Coroutine[Any, Any, object]],
    stop: Callable[[], Awaitable[object]] | None = None,
) -> AsyncIterator[None]:
    # A loop runs as a task for the app's life; `stop` lets it finish its work before the cancel.
    loop = asyncio.create_task(run())
    try:
        yield
    finally:
        if stop is not None:
            await stop()
        loop.cancel()
        with suppress(asyncio.CancelledError):
            await loop


@asynccontextmanager
async def _socket_mode(bolt: AsyncApp, app_token: str) -> AsyncIterator[None]:
    socket = AsyncSocketModeHandler(bolt, app_token)
    await socket.connect_async()  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        await socket.close_async()  # type: ignore[no-untyped-call]


async def slack_events(request: web.Request) -> web.Response:
    """Check a Slack request's signature, then hand it to Bolt, which runs the listener."""
    with request.app[INFLOW].answering():
        return await _slack_events(request)


async def _slack_events(request: web.Request) -> web.Response:
    try:
        raw = await request.text()
        signed = request.app[VERIFIER].is_valid_request(raw, request.headers)
    except ValueError:  # a body that is not text, a timestamp that is not a number
        signed = False
    if not signed:
        return web.json_response({"error": "invalid request"}, status=401)
    body = raw
    if request.content_type == "application/x-www-form-urlencoded":
        # Decoded here, by aiohttp in C, and handed to Bolt as JSON: Bolt's parse_qsl took 180 µs
        # for a form submission, most of a request's CPU under a burst (see bench/), and Bolt
        # takes any command whose text merely contains "payload" for a button click.
        fields = await request.post()
        payload = fields.get("payload")
        if isinstance(payload, str):
            body = payload  # buttons and forms: one field of JSON
        else:
            body = json.dumps({name: v for name, v in fields.items() if isinstance(v, str)})
    bolt_request = AsyncBoltRequest(
        body=body,
        query=request.query_string,
        headers={name: [value] for name, value in request.headers.items()},
    )
    return await to_aiohttp_response(await request.app[BOLT].async_dispatch(bolt_request))


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 when it does not."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await request.app[STORE].ping()
    except Exception as exc:  # any failure to answer is "unhealthy", whatever its type
        log.warning("health check failed: %s", exc)
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    return web.json_response({"ok": True, "database": "ok"})
