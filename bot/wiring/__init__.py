"""build(settings) -> Services: every object the bot runs on, made once, with no server needed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import slack
from bot.aio import Inflow
from bot.config import Settings
from bot.delivery.sender import Sender
from bot.governance.approvals import Approvals
from bot.governance.consent import Consent, MostWaiting
from bot.governance.policy import Governance
from bot.jobs import media_checks
from bot.jobs.callbacks import Callbacks
from bot.jobs.face_matches import FaceMatches
from bot.jobs.intake import Intake
from bot.jobs.lifecycle import Lifecycle
from bot.jobs.media_checks import MediaChecks
from bot.jobs.reconciler import Reconciler
from bot.jobs.replicas import Replicas
from bot.jobs.retention import Retention
from bot.jobs.talks import Talks
from bot.jobs.voices import Voices
from bot.media.fetch import Fetcher
from bot.media.local import LocalMedia, MediaStore
from bot.media.s3 import S3Media
from bot.media.sweeper import Sweeper
from bot.ops.metrics import Metrics
from bot.slack.deps import Deps, follow_ups
from bot.slack.oauth import authorize, oauth_settings
from bot.slack.people import People, SlackAdmins
from bot.tavus import TavusClient
from bot.wiring.clients import Clients, delivery_clients, listeners_client, open_clients
from bot.wiring.matching import face_matches_for
from bot.workspaces.accounts import Accounts, Fingerprints, OneWorkspace, Workspaces
from bot.workspaces.connect import ConnectTavus
from bot.workspaces.departures import Departures
from bot.workspaces.vault import SigningKeys, Vault

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    """Every object the bot runs on, each made once by build(); the listeners' share is `deps`.

    Nothing here has started: the loops are run, and the clients closed, by whoever serves
    (bot.app, one cleanup context each).
    """

    settings: Settings
    # The store and the HTTP clients, opened first.
    clients: Clients
    metrics: Metrics
    accounts: Accounts
    lifecycle: Lifecycle
    sender: Sender
    intake: Intake
    media_checks: MediaChecks
    face_matches: FaceMatches | None  # None without a media check, whose workers it shares
    reconciler: Reconciler
    retention: Retention
    voices: Voices
    # Kept files: in S3, or in the local folder served from PUBLIC_URL (`local`); or neither.
    media: MediaStore | None
    local: LocalMedia | None
    sweeper: Sweeper | None
    fetcher: Fetcher | None
    # Tavus's callbacks reach the bot at PUBLIC_URL only.
    callbacks: Callbacks | None
    # The Connect Tavus page, with many workspaces.
    connect: ConnectTavus | None
    bolt: AsyncApp
    deps: Deps
    inflow: Inflow


async def build(settings: Settings) -> Services:
    """Open the store and the API clients, and make every object over them, wired into Bolt."""
    meters = Metrics()
    clients = await open_clients(settings, meters)
    store, tavus_http = clients.store, clients.tavus_http
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
            return AsyncWebClient(
                token=token, base_url=settings.slack_api_base, session=clients.slack_session
            )

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
    bolt_client = listeners_client(settings, clients, meters)
    # Slack requests being answered: the sender lets a burst of them be answered first.
    inflow = Inflow()
    sender = Sender(
        store=store,
        inflow=inflow,
        clients=delivery_clients(settings, clients, accounts, meters),
        request_timeout=settings.slack_timeout,
        audit_channel=settings.audit_channel,
    )
    poll_interval = timedelta(seconds=settings.tavus_poll_interval)
    media: MediaStore | None = None
    local: LocalMedia | None = None
    sweeper, fetcher = None, None
    if settings.media_s3_bucket is not None and clients.s3 is not None:
        media = S3Media(clients.s3, bucket=settings.media_s3_bucket, clock=store.now)
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
    # With MEDIA_CHECK, a job saved (or its Slack file kept) is held this long by its check.
    check = media_checks.hold() if clients.inspector is not None else None
    if media is not None:
        fetcher = Fetcher(
            store=store,
            lifecycle=lifecycle,
            media=media,
            files=clients.files,
            accounts=accounts,
            ttl=timedelta(seconds=settings.media_ttl),
            consent_timeout=timedelta(seconds=settings.consent_timeout),
            quota=settings.media_quota_bytes,
            at_once=settings.media_copies_at_once,
            media_check=check,
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
        media_check=check,
    )
    checks = MediaChecks(
        store=store,
        lifecycle=lifecycle,
        inspector=clients.inspector,
        consent_timeout=timedelta(seconds=settings.consent_timeout),
        concurrency=settings.media_check_concurrency,
        send=partial(intake.start, tell_by_dm=True),
    )
    lifecycle.on_checking(checks.start)
    governance = Governance(store=store, defaults=settings.policy)
    matches = face_matches_for(
        clients.inspector,
        store=store,
        lifecycle=lifecycle,
        governance=governance,
        send=partial(intake.start, tell_by_dm=True),
    )
    reconciler = Reconciler(
        store=store,
        accounts=accounts,
        intake=intake,
        lifecycle=lifecycle,
        poll_interval=poll_interval,
        tick=min(settings.tavus_poll_interval, 30.0),
        metrics=meters,
        media_checks=checks,
        face_matches=matches,
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
    deps = Deps(
        intake=intake,
        replicas=Replicas(store=store, accounts=accounts, lifecycle=lifecycle),
        governance=governance,
        consent=Consent(
            store=store,
            lifecycle=lifecycle,
            accounts=accounts,
            metrics=meters,
            match_hold=matches.hold if matches is not None else None,
            most_waiting=MostWaiting(
                per_requester=settings.consent_waiting_per_requester,
                per_subject=settings.consent_waiting_per_subject,
            ),
        ),
        approvals=Approvals(store=store, lifecycle=lifecycle),
        people=People(bolt_client),
        prober=clients.prober,
        files=clients.files if fetcher is not None else None,
        fetcher=fetcher,
        models=settings.tavus_models,
        voices=voices,
        follow_ups=follow_ups(),
        accounts=accounts,
        departures=Departures(store=store, lifecycle=lifecycle),
        talks=Talks(store=store, accounts=accounts),
        connect=connect,
        face_matches=matches,
    )
    slack.register(bolt, deps)
    callbacks = None
    if settings.public_url is not None:
        callbacks = Callbacks(store=store, accounts=accounts, lifecycle=lifecycle)
    return Services(
        settings=settings,
        clients=clients,
        metrics=meters,
        accounts=accounts,
        lifecycle=lifecycle,
        sender=sender,
        intake=intake,
        media_checks=checks,
        face_matches=matches,
        reconciler=reconciler,
        retention=Retention(store=store, days=settings.retention_days),
        voices=voices,
        media=media,
        local=local,
        sweeper=sweeper,
        fetcher=fetcher,
        callbacks=callbacks,
        connect=connect,
        bolt=bolt,
        deps=deps,
        inflow=inflow,
    )
