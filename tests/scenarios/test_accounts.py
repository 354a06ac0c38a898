"""Each job's Tavus account: the one that made it serves it, whatever key its workspace has now."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.jobs import CallbackSecret, Job, JobStatus, ReplicaRequest, Requester
from bot.jobs.callbacks import Callbacks, Verdict
from bot.jobs.lifecycle import Lifecycle
from bot.store import Store
from bot.store.schema import keys
from bot.tavus import TavusClient, TavusError
from bot.workspaces.accounts import (
    ACCOUNT_GONE,
    Fingerprints,
    NotConnected,
    NotInstalled,
    OneWorkspace,
    Workspace,
    Workspaces,
)
from bot.workspaces.installations import Connected, Installed
from bot.workspaces.vault import Vault
from tests.clocks import FakeClock
from tests.conftest import Bot
from tests.domain import POLL
from tests.flows import start_training
from tests.standins.tavus import API_KEY, TavusStandIn
from tests.store_helpers import transition

TEAM = "T0ACME"
ACME = Workspace(TEAM)
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
FIRST, SECOND = "first000tavus0000key00000000a1b2", "second00tavus0000key00000000c3d4"
FINGERPRINTS = Fingerprints(b"fingerprints-secret")


@dataclass
class Setup:
    store: Store
    secrets_key: str  # what SECRETS_KEYS holds
    vault: Vault
    http: httpx.AsyncClient
    tavus: TavusStandIn
    workspaces: Workspaces

    async def connect(self, api_key: str) -> None:
        """An admin saves `api_key` in place of the workspace's key, as the Connect page does."""
        before = await self.store.tavus_accounts.find(TEAM)
        saved = await self.store.tavus_accounts.save(
            Connected(
                team_id=TEAM,
                key_sealed=self.vault.seal(api_key),
                last4=api_key[-4:],
                saved_by="U0ADMIN",
                saved_at=START,
                fingerprint=FINGERPRINTS.of(api_key),
            ),
            was=before.key_sealed if before else None,
        )
        assert saved

    async def job(self, api_key: str | None) -> Job:
        """A training job, its create sent with `api_key` (None: before jobs named theirs)."""
        request = ReplicaRequest(replica_name="Dana", model_name="phoenix-4")
        requester = Requester(team_id=TEAM, user_id="U1", channel_id="C1")
        job = await self.store.jobs.add(job_id=f"j{api_key}", requester=requester, request=request)
        return replace(
            job,
            status=JobStatus.TRAINING,
            tavus_account=FINGERPRINTS.of(api_key) if api_key else None,
        )

    async def key_of(self, client: TavusClient) -> str | None:
        """The key a client sends, as Tavus sees it."""
        await client.check_key()
        return self.tavus.keys_used[-1][2]


@pytest.fixture
async def setup(database_url: str, tavus: TavusStandIn) -> AsyncIterator[Setup]:
    tavus.keys |= {FIRST, SECOND}
    url = database_url.replace("sqlite://", "sqlite+aiosqlite://")
    store = await Store.open(url, clock=FakeClock(START))
    secrets_key = Fernet.generate_key().decode()
    vault = Vault([secrets_key])
    http = TavusClient.build_http(base_url=tavus.url, timeout=2)
    await store.installations.save(
        Installed(
            team_id=TEAM,
            enterprise_id=None,
            is_enterprise_install=False,
            bot_id="B1",
            bot_user_id="U0BOT",
            bot_scopes="commands,chat:write",
            bot_token_sealed=vault.seal("xoxb-acme"),
            installer_id="U0INSTALLER",
            installed_at=START,
        )
    )
    workspaces = Workspaces(store=store, vault=vault, http=http, fingerprints=FINGERPRINTS)
    yield Setup(store, secrets_key, vault, http, tavus, workspaces)
    await http.aclose()
    await store.close()


def test_a_fingerprint_is_the_same_for_a_key_and_unlike_its_plain_hash() -> None:
    fingerprint = FINGERPRINTS.of(FIRST)

    assert fingerprint == FINGERPRINTS.of(FIRST)
    assert fingerprint != FINGERPRINTS.of(SECOND)
    assert len(fingerprint) == 16
    int(fingerprint, 16)  # hex
    # Keyed: without the bot's secret, a key someone holds cannot be matched to it.
    assert fingerprint != Fingerprints(b"another-secret").of(FIRST)
    assert fingerprint not in hashlib.sha256(FIRST.encode()).hexdigest()
    with pytest.raises(ValueError, match="secret"):
        Fingerprints(b"")


async def test_a_job_is_served_by_the_account_that_made_it_after_the_key_changes(
    setup: Setup,
) -> None:
    await setup.connect(FIRST)
    made_first = await setup.job(FIRST)
    await setup.connect(SECOND)
    made_second = await setup.job(SECOND)

    current = await setup.workspaces.current(ACME)

    assert await setup.key_of(await setup.workspaces.tavus_for(made_first)) == FIRST
    assert await setup.key_of(await setup.workspaces.tavus_for(made_second)) == SECOND
    assert current.fingerprint == FINGERPRINTS.of(SECOND)
    assert await setup.key_of(current.tavus) == SECOND


async def test_a_job_sent_before_jobs_named_their_account_is_served_by_the_current_one(
    setup: Setup,
) -> None:
    await setup.connect(FIRST)

    unnamed = await setup.job(None)

    assert await setup.key_of(await setup.workspaces.tavus_for(unnamed)) == FIRST


async def test_a_key_connected_again_while_a_job_looks_for_it_still_serves_the_job(
    setup: Setup,
) -> None:
    await setup.connect(FIRST)
    made_first = await setup.job(FIRST)
    await setup.connect(SECOND)  # FIRST is now kept among the replaced keys
    find = setup.store.tavus_accounts.find
    again: list[bool] = []

    async def find_then_an_admin_connects_first_again(team_id: str) -> Connected | None:
        # Between the job's look at the current key and at the kept ones, FIRST becomes current
        # once more (and so leaves the kept keys).
        found = await find(team_id)
        if not again:
            again.append(True)
            await setup.connect(FIRST)
        return found

    setup.store.tavus_accounts.find = find_then_an_admin_connects_first_again  # type: ignore[method-assign]

    assert await setup.key_of(await setup.workspaces.tavus_for(made_first)) == FIRST


async def test_a_job_whose_account_is_not_kept_is_served_by_no_other(setup: Setup) -> None:
    await setup.connect(FIRST)
    stranger = replace(await setup.job(FIRST), tavus_account="0123456789abcdef")

    with pytest.raises(NotConnected, match=ACCOUNT_GONE) as refused:
        await setup.workspaces.tavus_for(stranger)
    assert isinstance(refused.value, TavusError)  # said to whoever asked, as Tavus trouble
    assert setup.tavus.keys_used == []


async def test_a_job_of_a_workspace_the_app_left_is_not_served(setup: Setup) -> None:
    await setup.connect(FIRST)
    job = await setup.job(FIRST)
    await setup.store.installations.delete(team_id=TEAM, enterprise_id=None)

    with pytest.raises(NotInstalled):
        await setup.workspaces.tavus_for(job)


async def test_an_account_keeps_one_client_however_its_key_is_sealed(setup: Setup) -> None:
    await setup.connect(FIRST)
    job = await setup.job(FIRST)
    # SECRETS_KEYS with a new key first: rotate-keys reseals while the bot runs.
    rotated = Vault([Fernet.generate_key().decode(), setup.secrets_key])
    workspaces = Workspaces(
        store=setup.store, vault=rotated, http=setup.http, fingerprints=FINGERPRINTS
    )
    before = await workspaces.tavus_for(job)
    [sealed] = (await setup.store.tavus_accounts.sealed()).values()

    assert await setup.store.tavus_accounts.reseal(TEAM, was=sealed, now=rotated.reseal(sealed))

    # Its concurrency limit and any pause Tavus asked for are the account's, not the sealing's.
    assert await workspaces.tavus(TEAM) is before
    assert await workspaces.tavus_for(job) is before


async def test_one_workspace_serves_every_job_with_tavus_api_key(setup: Setup) -> None:
    client = TavusClient(setup.http, api_key=FIRST)
    one = OneWorkspace(bot_token="xoxb", tavus=client, fingerprint=FINGERPRINTS.of(FIRST))

    account = await one.current(ACME)

    assert (account.tavus, account.fingerprint) == (client, FINGERPRINTS.of(FIRST))
    for made in (await setup.job(SECOND), await setup.job(None)):
        assert await one.tavus_for(made) is client


async def test_one_workspace_jobs_name_tavus_api_keys_account(bot: Bot) -> None:
    await start_training(bot)

    [job] = await bot.jobs()
    [kept] = [row for row in await bot.rows(keys) if row["name"] == "fingerprints"]
    assert job["tavus_account"] == Fingerprints(bytes.fromhex(kept["value"])).of(API_KEY)
    assert {key for _, _, key in bot.tavus.keys_used} == {API_KEY}


@pytest.mark.parametrize("gone", ["uninstalled", "account not kept"])
async def test_a_callback_for_a_job_its_workspace_can_no_longer_serve_is_taken_and_changes_nothing(
    setup: Setup, gone: str
) -> None:
    await setup.connect(FIRST)
    secret = CallbackSecret.generate()
    job = await transition(
        setup.store,
        (await setup.job(FIRST)).id,
        from_=(JobStatus.QUEUED,),
        to=JobStatus.TRAINING,
        callback_digest=secret.digest,
        replica_id="r-dana",
        tavus_account=FINGERPRINTS.of(FIRST) if gone == "uninstalled" else "0123456789abcdef",
    )
    assert job is not None
    if gone == "uninstalled":
        await setup.store.installations.delete(team_id=TEAM, enterprise_id=None)
    lifecycle = Lifecycle(store=setup.store, wake_delivery=lambda: None, poll_interval=POLL)
    callbacks = Callbacks(store=setup.store, accounts=setup.workspaces, lifecycle=lifecycle)

    verdict = await callbacks.take(job.id, secret.value, {"replica_id": "r-dana"})

    assert verdict is Verdict.NOTED  # taken: Tavus need not send it again
    assert await setup.store.jobs.get(job.id) == job
    assert setup.tavus.arrivals == []  # nobody asked Tavus, with any key
