"""create_app(settings): the aiohttp application with Bolt, the callback route and /healthz."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import ClientCreatorContext, get_session
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import slack
from bot.config import Settings
from bot.delivery.budgets import (
    LIMITED_HISTORY,
    TIER_3,
    Budgets,
    Limits,
    LocalPaces,
    PacedClient,
    Paces,
    SharedPaces,
)
from bot.delivery.clients import SlackClients
from bot.delivery.pace import Limit
from bot.delivery.poster import HISTORY_PAGE, LIMITED_HISTORY_PAGE
from bot.delivery.sender import Sender
from bot.governance.approvals import Approvals
from bot.governance.consent import Consent, MostWaiting
from bot.governance.policy import Governance
from bot.jobs import callbacks
from bot.jobs.callbacks import Callbacks
from bot.jobs.intake import Intake
from bot.jobs.lifecycle import Lifecycle
from bot.jobs.reconciler import Reconciler
from bot.jobs.replicas import Replicas
from bot.jobs.retention import Retention
from bot.jobs.talks import Talks
from bot.jobs.voices import Voices
from bot.media.addresses import Address, is_public
from bot.media.fetch import Fetcher
from bot.media.links import Prober
from bot.media.local import LocalMedia, MediaStore
from bot.media.s3 import S3Media
from bot.media.slack_files import SlackFiles
from bot.media.sweeper import Sweeper
from bot.ops import metrics
from bot.ops.metrics import Metrics, Snapshot, SnapshotSource
from bot.slack import oauth as slack_oauth
from bot.slack.deps import Deps, follow_ups
from bot.slack.oauth import authorize, oauth_settings
from bot.slack.people import People, SlackAdmins
from bot.store import Store, StoreUnavailable
from bot.tavus import TavusClient
from bot.workspaces.accounts import Accounts, Fingerprints, OneWorkspace, Workspaces
from bot.workspaces.connect import ConnectTavus
from bot.workspaces.departures import Departures
from bot.workspaces.vault import SigningKeys, Vault

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
STORE = web.AppKey("store", Store)
BOLT = web.AppKey("bolt", AsyncApp)
VERIFIER = web.AppKey("verifier", SignatureVerifier)
# A health check that hangs is as bad as a failing one.
HEALTH_TIMEOUT = 5.0
# How long a starting bot waits for its database before giving up.
DATABASE_WAIT = 60.0


async def create_app(settings: Settings) -> web.Application:
    """Open the store and the API clients, and wire them into one aiohttp application."""
    store = await open_store(settings)
    meters = Metrics()
    # slack_sdk ignores its own timeout when handed a session: the session's is the one in force.
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.slack_timeout))
    # With one workspace, its key is the HTTP client's; with many, each account sets its own.
    tavus_http = TavusClient.build_http(
        base_url=str(settings.tavus_api_url),
        api_key=settings.tavus_api_key,
        timeout=settings.tavus_timeout,
        transport=meters.tavus_transport(),
    )
    # The bot's own signing keys are sealed whenever there are keys to seal them with; bot
    # tokens and Tavus keys exist only with many workspaces, where SECRETS_KEYS is required.
    sealer = Vault(settings.secrets_keys) if settings.secrets_keys else None
    vault = sealer if settings.oauth else None
    signing_keys = SigningKeys(store.keys, sealer)
    # Jobs name the Tavus account they were made with by this, in either mode.
    fingerprints = Fingerprints(await signing_keys.get("fingerprints"))
    accounts: Accounts
    connect = None
    if vault is not None:
        accounts = workspaces = Workspaces(
            store=store,
            vault=vault,
            http=tavus_http,
            fingerprints=fingerprints,
            max_concurrency=settings.tavus_max_concurrency,
        )

        def slack_for(token: str) -> AsyncWebClient:
            return AsyncWebClient(token=token, base_url=settings.slack_api_base, session=session)

        connect = ConnectTavus(
            store=store,
            vault=vault,
            secret=await signing_keys.get("connect"),
            base_url=str(settings.public_url),
            tavus_for_key=workspaces.client_for,
            fingerprint=workspaces.fingerprint,
            # Asked as the page saves a key, with the workspace's own token.
            is_admin=SlackAdmins(tokens=workspaces, client_for=slack_for),
        )
    else:
        tavus = TavusClient(tavus_http, max_concurrency=settings.tavus_max_concurrency)
        accounts = OneWorkspace(
            bot_token=settings.slack_bot_token or "",
            tavus=tavus,
            fingerprint=fingerprints.of(settings.tavus_api_key or ""),
        )
    # Listeners answer people who are waiting: one quick retry on a dropped connection only.
    # Everything owed later goes through the sender, which has its own durable retries.
    # Counted first: slack_sdk stops asking the handlers once one retries.
    bolt_client = _slack_client(
        settings, session, [meters.slack_counter(), AsyncConnectionErrorRetryHandler()]
    )
    sender = Sender(
        store=store,
        clients=_delivery_clients(settings, session, store, accounts, meters.slack_counter()),
        request_timeout=settings.slack_timeout,
        audit_channel=settings.audit_channel,
    )
    poll_interval = timedelta(seconds=settings.tavus_poll_interval)
    files = SlackFiles(
        api_url=settings.slack_api_base,
        allowed=_any_address if settings.media_allow_private_hosts else is_public,
    )
    media: MediaStore | None = None
    local: LocalMedia | None = None
    sweeper, fetcher = None, None
    clients = contextlib.AsyncExitStack()
    if settings.media_s3_bucket is not None:
        media = S3Media(
            await clients.enter_async_context(s3_client(settings)),
            bucket=settings.media_s3_bucket,
            clock=store.now,
        )
    elif settings.public_url is not None:
        # Files taken from Slack are served from here, behind links signed with the bot's key.
        secret = await signing_keys.get("media")
        media = local = LocalMedia(
            settings.media_dir, base_url=str(settings.public_url), secret=secret
        )
        if store.db.engine.dialect.name == "postgresql":
            log.warning(
                "media are kept in the local folder %s, but PostgreSQL suggests several "
                "instances: each serves only its own files. Set MEDIA_S3_BUCKET.",
                settings.media_dir,
            )
    if media is not None:
        sweeper = Sweeper(store=store, media=media)
    lifecycle = Lifecycle(
        store=store,
        wake_delivery=sender.wake,
        poll_interval=poll_interval,
        wake_sweeper=sweeper.wake if sweeper is not None else None,
    )
    if media is not None:
        fetcher = Fetcher(
            store=store,
            lifecycle=lifecycle,
            media=media,
            files=files,
            accounts=accounts,
            ttl=timedelta(seconds=settings.media_ttl),
            consent_timeout=timedelta(seconds=settings.consent_timeout),
            quota=settings.media_quota_bytes,
            at_once=settings.media_copies_at_once,
        )
    intake = Intake(
        store=store,
        accounts=accounts,
        lifecycle=lifecycle,
        callback_url=settings.callback_url,
        create_timeout=timedelta(seconds=settings.tavus_timeout),
        poll_interval=poll_interval,
        consent_timeout=timedelta(seconds=settings.consent_timeout),
        # A file from Slack gets a fresh link as the create goes: consent may have taken days.
        fresh_links=fetcher.fresh_links if fetcher is not None else None,
    )
    retention = Retention(store=store, days=settings.retention_days)
    reconciler = Reconciler(
        store=store,
        accounts=accounts,
        intake=intake,
        lifecycle=lifecycle,
        poll_interval=poll_interval,
        tick=min(settings.tavus_poll_interval, 30.0),
        metrics=meters,
    )
    oauth: dict[str, Any] = {}
    if vault is not None:
        oauth = {
            "oauth_settings": oauth_settings(
                client_id=settings.slack_client_id or "",
                client_secret=settings.slack_client_secret or "",
                public_url=str(settings.public_url),
                store=store,
                vault=vault,
                state_secret=await signing_keys.get("oauth_state"),
            ),
            "authorize": authorize(store, vault),
        }
    bolt = AsyncApp(
        client=bolt_client,
        # slack_events checks signatures before Bolt sees a request; Socket Mode needs none.
        request_verification_enabled=False,
        # Slack is answered when a listener returns; what follows goes to the follow-ups.
        process_before_response=True,
        logger=logging.getLogger("bot.bolt"),
        **oauth,
    )
    voices = Voices(accounts, one_account=vault is None)
    prober = None
    if settings.media_check_links:
        allowed = _any_address if settings.media_allow_private_hosts else is_public
        prober = Prober(allowed=allowed, clock=store.now)
    deps = Deps(
        intake=intake,
        replicas=Replicas(store=store, accounts=accounts, lifecycle=lifecycle),
        governance=Governance(store=store, defaults=settings.policy),
        consent=Consent(
            store=store,
            lifecycle=lifecycle,
            accounts=accounts,
            metrics=meters,
            most_waiting=MostWaiting(
                per_requester=settings.consent_waiting_per_requester,
                per_subject=settings.consent_waiting_per_subject,
            ),
        ),
        approvals=Approvals(store=store, lifecycle=lifecycle),
        people=People(bolt_client),
        prober=prober,
        files=files if fetcher is not None else None,
        fetcher=fetcher,
        models=settings.tavus_models,
        voices=voices,
        follow_ups=follow_ups(),
        accounts=accounts,
        departures=Departures(store=store, lifecycle=lifecycle),
        talks=Talks(store=store, accounts=accounts),
        connect=connect,
    )
    slack.register(bolt, deps)

    app = web.Application(middlewares=[metrics.ack_timer(meters, SLACK_PATH)])
    app[STORE] = store
    app[BOLT] = bolt
    if settings.slack_signing_secret is not None:
        app[VERIFIER] = SignatureVerifier(settings.slack_signing_secret)
        app.router.add_post(SLACK_PATH, slack_events)
    app.router.add_get(HEALTH_PATH, healthz)
    metrics.add_routes(
        app, meters, store_snapshot(store), settings.metrics_token, local_only=settings.oauth
    )
    if settings.public_url is not None:
        callbacks.add_routes(app, Callbacks(store=store, accounts=accounts, lifecycle=lifecycle))
    if bolt.oauth_flow is not None:
        slack_oauth.add_routes(app, bolt.oauth_flow)
    if connect is not None:
        connect.add_routes(app)
    if local is not None:
        local.add_routes(app, store.now)

    async def running(_: web.Application) -> AsyncIterator[None]:
        socket = None
        if settings.slack_app_token:
            socket = AsyncSocketModeHandler(bolt, settings.slack_app_token)
            await socket.connect_async()  # type: ignore[no-untyped-call]
        delivery_loop = asyncio.create_task(sender.run())
        reconciler_loop = asyncio.create_task(reconciler.run())
        voices_loop = asyncio.create_task(voices.run())
        sweeper_loop = asyncio.create_task(sweeper.run()) if sweeper is not None else None
        retention_loop = asyncio.create_task(retention.run())
        yield
        retention_loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await retention_loop
        if sweeper_loop is not None:
            sweeper_loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper_loop
        # Stop taking work (no new Slack requests, no new rounds), let what is in flight finish,
        # then hand the rest back to the store.
        if socket is not None:
            await socket.close_async()  # type: ignore[no-untyped-call]
        reconciler_loop.cancel()
        voices_loop.cancel()
        await asyncio.gather(
            deps.follow_ups.wait_and_close(settings.shutdown_grace),
            intake.drain(settings.shutdown_grace),
        )
        # Delivery stops last: what the drained work owed is stored, and sent if there is time.
        await sender.stop(settings.shutdown_grace)
        delivery_loop.cancel()
        for loop in (delivery_loop, reconciler_loop, voices_loop):
            with contextlib.suppress(asyncio.CancelledError):
                await loop
        await voices.close()
        await tavus_http.aclose()
        if prober is not None:
            await prober.close()
        await files.close()
        await clients.aclose()
        await session.close()
        await store.close()

    app.cleanup_ctx.append(running)
    return app


def s3_client(settings: Settings) -> ClientCreatorContext[S3Client]:
    """The S3 client for MEDIA_S3_BUCKET; credentials as botocore finds them (AWS_… variables)."""
    endpoint = settings.media_s3_endpoint_url
    return get_session().create_client(
        "s3",
        region_name=settings.media_s3_region,
        endpoint_url=str(endpoint) if endpoint is not None else None,
        # SigV4, whatever the endpoint: the only signature every S3 region and clone takes.
        config=AioConfig(signature_version="s3v4"),
    )


def _any_address(_: Address) -> bool:
    # MEDIA_ALLOW_PRIVATE_HOSTS: for local testing only.
    return True


def store_snapshot(store: Store) -> SnapshotSource:
    """What /metrics reads from the store at each scrape: jobs by status, notices owed."""

    async def snapshot() -> Snapshot:
        by_status = await store.jobs.count_by_status()
        owed, oldest = await store.notices.owed()
        age = (store.now() - oldest).total_seconds() if oldest is not None else None
        return Snapshot(jobs_by_status=by_status, owed_notices=owed, oldest_owed_age_seconds=age)

    return snapshot


async def open_store(settings: Settings) -> Store:
    """Open the database, waiting a while for it if it is not up yet (e.g. starting alongside)."""
    delay = 0.5
    deadline = asyncio.get_running_loop().time() + DATABASE_WAIT
    while True:
        try:
            return await Store.open(settings.sqlalchemy_url, pool=settings.pool)
        except StoreUnavailable as exc:
            if asyncio.get_running_loop().time() + delay > deadline:
                raise
            log.warning("database not reachable yet (%s); retrying in %.0fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


def _delivery_clients(
    settings: Settings,
    session: aiohttp.ClientSession,
    store: Store,
    accounts: Accounts,
    counter: AsyncRetryHandler,
) -> SlackClients:
    """The sender's clients: each workspace's token, each call within its workspace's budget.

    On PostgreSQL the budgets are kept in the database, which every instance shares.
    """
    paces: Paces = (
        SharedPaces(store.paces, clock=lambda: store.now().timestamp())
        if store.is_shared
        else LocalPaces()
    )
    # Distributed by OAuth (and so, unless listed in the Marketplace, limited to a read a minute
    # of 15 messages), or a single workspace's own app at Tier 3.
    limits = Limits(
        post=Limit(settings.slack_channel_rate, settings.slack_channel_burst),
        update=Limit(settings.slack_update_rate, settings.slack_update_burst),
        history=LIMITED_HISTORY if settings.oauth else TIER_3,
    )

    def budgets(team_id: str) -> Budgets:
        # A call waits for its turn a quarter of a request's timeout at most (else it is tried
        # again later): a send's calls, waits included, then fit in its deadline of 5 timeouts.
        # One workspace keeps one set of budgets, whatever team a job or an audit record names.
        workspace = team_id if settings.oauth else ""
        return Budgets(paces, limits, workspace=workspace, most_wait=settings.slack_timeout / 4)

    def connect(token: str, kept: Budgets) -> PacedClient:
        return PacedClient(
            budgets=kept,
            token=token,
            base_url=settings.slack_api_base,
            session=session,
            # Counting only: the sender's retries are its own, durable ones.
            retry_handlers=[counter],
        )

    page = LIMITED_HISTORY_PAGE if settings.oauth else HISTORY_PAGE
    return SlackClients(tokens=accounts, budgets=budgets, connect=connect, history_page=page)


def _slack_client(
    settings: Settings,
    session: aiohttp.ClientSession,
    retry: list[AsyncRetryHandler],
) -> AsyncWebClient:
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base,
        session=session,
        retry_handlers=list(retry),
    )


async def slack_events(request: web.Request) -> web.Response:
    """Check a Slack request's signature, then hand it to Bolt, which runs the listener."""
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
