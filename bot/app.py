"""create_app(settings): the aiohttp application with Bolt, the callback route and /healthz."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import callbacks, slack
from bot.config import Settings
from bot.service import ReplicaService
from bot.slack.deps import Deps
from bot.slack.notifier import SlackNotifier
from bot.store import Store
from bot.tavus import TavusClient

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
STORE = web.AppKey("store", Store)
BOLT = web.AppKey("bolt", AsyncApp)
# A health check that hangs is as bad as a failing one.
HEALTH_TIMEOUT = 5.0


async def create_app(settings: Settings) -> web.Application:
    """Open the store and the API clients, and wire them into one aiohttp application."""
    store = await Store.open(settings.sqlalchemy_url)
    session = aiohttp.ClientSession()
    tavus_http = TavusClient.build_http(
        base_url=str(settings.tavus_api_url),
        api_key=settings.tavus_api_key,
        timeout=settings.tavus_timeout,
    )
    slack_client = AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base,
        session=session,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=2),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            AsyncServerErrorRetryHandler(max_retry_count=2),
        ],
    )
    notifier = SlackNotifier(slack_client)
    service = ReplicaService(
        store=store,
        tavus=TavusClient(tavus_http),
        notifier=notifier,
        callback_url=settings.callback_url,
    )
    bolt = AsyncApp(
        client=slack_client,
        signing_secret=settings.slack_signing_secret,
        logger=logging.getLogger("bot.bolt"),
    )
    slack.register(bolt, Deps(service=service, notifier=notifier, models=settings.tavus_models))

    app = web.Application()
    app[STORE] = store
    app[BOLT] = bolt
    app.router.add_post(SLACK_PATH, slack_events)
    app.router.add_get(HEALTH_PATH, healthz)
    callbacks.add_routes(app, service)

    async def close(_: web.Application) -> None:
        await tavus_http.aclose()
        await session.close()
        await store.close()

    app.on_cleanup.append(close)
    return app


async def slack_events(request: web.Request) -> web.Response:
    """Hand a Slack request to Bolt, which checks its signature and runs the listener."""
    bolt_response = await request.app[BOLT].async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(bolt_response)


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 when it does not."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT):
            await request.app[STORE].ping()
    except Exception as exc:  # any failure to answer is "unhealthy", whatever its type
        log.warning("health check failed: %s", exc)
        return web.json_response({"ok": False, "database": "unreachable"}, status=503)
    return web.json_response({"ok": True, "database": "ok"})
