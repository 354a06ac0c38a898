"""The domain on a real store and the Tavus stand-in, with a clock the tests move."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bot.jobs import Job, ReplicaRequest, Requester
from bot.jobs.callbacks import Callbacks
from bot.jobs.intake import Intake, Started
from bot.jobs.lifecycle import Lifecycle
from bot.jobs.reconciler import Reconciler
from bot.store import Store
from bot.tavus import TavusClient
from bot.workspaces.accounts import OneWorkspace
from tests.clocks import FakeClock
from tests.standins.slack import BOT_TOKEN
from tests.standins.tavus import API_KEY, TavusStandIn
from tests.store_helpers import notices_of

POLL = timedelta(minutes=10)
REQUESTER = Requester(team_id="T1", user_id="U1", channel_id="C1")
REQUEST = ReplicaRequest(
    replica_name="Dana", model_name="phoenix-4", train_video_url="https://cdn.example.com/d.mp4"
)


@dataclass
class World:
    clock: FakeClock
    store: Store
    tavus: TavusStandIn
    client: TavusClient
    accounts: OneWorkspace
    lifecycle: Lifecycle
    intake: Intake
    callbacks: Callbacks
    reconciler: Reconciler
    secrets: dict[str, str]
    woken: list[int]

    def reconciler_on(self, store: Store) -> Reconciler:
        """Another reconciler, as a second instance (or one on a store that fails) runs."""
        return Reconciler(
            store=store,
            accounts=self.accounts,
            intake=self.intake,
            lifecycle=self.lifecycle,
            poll_interval=POLL,
            tick=0.01,
        )

    async def job(self, job_id: str) -> Job:
        job = await self.store.jobs.get(job_id)
        assert job is not None
        return job

    async def owed(self, job_id: str) -> list[str]:
        # Notices owed in one transaction share a timestamp: compare them as a sorted list.
        return sorted(n["kind"] for n in await notices_of(self.store, job_id))

    async def create_by_hand(self, replica_name: str) -> dict[str, Any]:
        """A replica made at Tavus, not through the bot: Tavus's answer to the create."""
        body = {
            "replica_name": replica_name,
            "train_video_url": "https://cdn.example.com/d.mp4",
            "model_name": "phoenix-4",
        }
        async with httpx.AsyncClient(base_url=self.tavus.url, headers={"x-api-key": API_KEY}) as c:
            answer: dict[str, Any] = (await c.post("/v2/replicas", json=body)).json()
        return answer

    async def training(self) -> Job:
        """A job Tavus has taken and is training."""
        outcome = await self.intake.start(await self.intake.accept(REQUESTER, REQUEST))
        assert isinstance(outcome, Started)
        return outcome.job


@asynccontextmanager
async def world_on(database_url: str, tavus: TavusStandIn) -> AsyncIterator[World]:
    """A World on a new SQLite database (the body of the `world` fixture)."""
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    store = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://"), clock=clock)
    http = httpx.AsyncClient(base_url=tavus.url, headers={"x-api-key": API_KEY}, timeout=2)
    secrets: dict[str, str] = {}
    woken: list[int] = []

    def callback_url(job_id: str, secret: str) -> str:
        secrets[job_id] = secret
        return f"https://bot.example.com/tavus/callback/{job_id}/{secret}"

    client = TavusClient(http)
    accounts = OneWorkspace(bot_token=BOT_TOKEN, tavus=client)
    lifecycle = Lifecycle(store=store, wake_delivery=lambda: woken.append(1), poll_interval=POLL)
    intake = Intake(
        store=store,
        accounts=accounts,
        lifecycle=lifecycle,
        callback_url=callback_url,
        create_timeout=timedelta(seconds=30),
        poll_interval=POLL,
    )
    callbacks = Callbacks(store=store, accounts=accounts, lifecycle=lifecycle)
    reconciler = Reconciler(
        store=store,
        accounts=accounts,
        intake=intake,
        lifecycle=lifecycle,
        poll_interval=POLL,
        tick=0.01,
    )
    yield World(
        clock,
        store,
        tavus,
        client,
        accounts,
        lifecycle,
        intake,
        callbacks,
        reconciler,
        secrets,
        woken,
    )
    await http.aclose()
    await store.close()
