"""The bot's connections out: its database, Slack's Web API, Tavus, S3, the links it reads."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiohttp
import httpx
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

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
from bot.jobs import media_checks
from bot.media.addresses import Address, is_public
from bot.media.inspection.inspector import Inspector
from bot.media.links import Prober
from bot.media.s3 import s3_client
from bot.media.slack_files import SlackFiles
from bot.ops.metrics import Metrics
from bot.store import Store, StoreUnavailable
from bot.tavus import TavusClient
from bot.workspaces.accounts import BotTokens

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client

log = logging.getLogger(__name__)

# How long a starting bot waits for its database before giving up.
DATABASE_WAIT = 60.0


@dataclass(frozen=True, slots=True)
class Clients:
    """What the bot opens before it makes anything else; each is closed once, at shutdown."""

    store: Store
    # Slack's Web API, for the listeners and the sender alike.
    slack_session: aiohttp.ClientSession
    # With one workspace, its key is this client's; with many, each account sets its own.
    tavus_http: httpx.AsyncClient
    # Entered, and so left to close it: the S3 client, with MEDIA_S3_BUCKET.
    entered: contextlib.AsyncExitStack
    s3: S3Client | None
    # Files posted in Slack, read for Tavus; their sessions open when first needed.
    files: SlackFiles
    # Checks the form's links before a save; None where the operator turned checks off.
    prober: Prober | None
    # Looks into each job's files once it is saved (MEDIA_CHECK); None with the check off.
    inspector: Inspector | None


async def open_clients(settings: Settings, metrics: Metrics) -> Clients:
    """Open the store, then make the HTTP clients (which connect when first used)."""
    store = await open_store(settings)
    entered = contextlib.AsyncExitStack()
    s3 = None
    if settings.media_s3_bucket is not None:
        s3 = await entered.enter_async_context(s3_client(settings))
    allowed = _any_address if settings.media_allow_private_hosts else is_public
    return Clients(
        store=store,
        # slack_sdk ignores its own timeout when handed a session: the session's is in force.
        slack_session=aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=settings.slack_timeout)
        ),
        tavus_http=TavusClient.build_http(
            base_url=str(settings.tavus_api_url),
            api_key=settings.tavus_api_key,
            timeout=settings.tavus_timeout,
            transport=metrics.tavus_transport(),
        ),
        entered=entered,
        s3=s3,
        files=SlackFiles(api_url=settings.slack_api_base, allowed=allowed),
        prober=Prober(allowed=allowed, clock=store.now) if settings.media_check_links else None,
        inspector=Inspector(
            allowed=allowed,
            clock=time.monotonic,
            concurrency=settings.media_check_concurrency,
            timeout=media_checks.TIMEOUT,
        )
        if settings.media_check
        else None,
    )


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


def listeners_client(settings: Settings, clients: Clients, metrics: Metrics) -> AsyncWebClient:
    """Bolt's client: listeners answer people who are waiting, so one quick retry at most.

    Only on a dropped connection: everything owed later goes through the sender, which has
    its own durable retries.
    """
    return AsyncWebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_base,
        session=clients.slack_session,
        # Counted first: slack_sdk stops asking the handlers once one retries.
        retry_handlers=[metrics.slack_counter(), AsyncConnectionErrorRetryHandler()],
    )


def delivery_clients(
    settings: Settings, clients: Clients, tokens: BotTokens, metrics: Metrics
) -> SlackClients:
    """The sender's clients: each workspace's token, each call within its workspace's budget.

    On PostgreSQL the budgets are kept in the database, which every instance shares.
    """
    store = clients.store
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
    counter = metrics.slack_counter()

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
            session=clients.slack_session,
            # Counting only: the sender's retries are its own, durable ones.
            retry_handlers=[counter],
        )

    page = LIMITED_HISTORY_PAGE if settings.oauth else HISTORY_PAGE
    return SlackClients(tokens=tokens, budgets=budgets, connect=connect, history_page=page)


def _any_address(_: Address) -> bool:
    # MEDIA_ALLOW_PRIVATE_HOSTS: for local testing only.
    return True
