"""Installs by OAuth, kept for Bolt in the bot's database, each bot token sealed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import text

from bot.slack.oauth_stores import STATE_LIFETIME, InstallationStore, StateStore
from bot.store import Store
from bot.workspaces.vault import SecretsKeyError, Unreadable, Vault
from tests.clocks import FakeClock

TOKEN = "xoxb-1-secret-token-of-workspace-one"
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://"))
    yield opened
    await opened.close()


def installation(team: str | None = "T1", org: str | None = None) -> Installation:
    return Installation(
        app_id="A1",
        enterprise_id=org,
        team_id=team,
        team_name="Acme",
        bot_token=TOKEN,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes=["chat:write", "commands"],
        user_id="U0ADA",
        is_enterprise_install=team is None,
    )


def test_a_sealed_secret_opens_with_its_key_and_no_other() -> None:
    sealed = Vault([OLD]).seal(TOKEN)

    assert TOKEN not in sealed
    assert Vault([OLD]).open(sealed) == TOKEN
    with pytest.raises(Unreadable):
        Vault([NEW]).open(sealed)


def test_a_new_key_first_opens_the_old_and_reseals_with_the_new() -> None:
    sealed = Vault([OLD]).seal(TOKEN)
    both = Vault([NEW, OLD])

    resealed = both.reseal(sealed)

    assert both.open(sealed) == TOKEN
    assert Vault([NEW]).open(resealed) == TOKEN  # the old key may now be retired


@pytest.mark.parametrize("keys", [[], ["not-a-key"], [OLD, "short"]])
def test_a_key_that_is_not_a_fernet_key_is_refused_without_showing_it(keys: list[str]) -> None:
    with pytest.raises(SecretsKeyError) as refused:
        Vault(keys)
    for key in keys:
        assert key not in str(refused.value)


async def test_an_install_is_kept_sealed_and_found_for_bolt(store: Store) -> None:
    installs = InstallationStore(store, Vault([NEW]))

    await installs.async_save(installation())
    found = await installs.async_find_installation(enterprise_id=None, team_id="T1")
    bot = await installs.async_find_bot(enterprise_id=None, team_id="T1")

    assert found is not None
    assert bot is not None
    assert (found.bot_token, found.user_id, found.team_name) == (TOKEN, "U0ADA", "Acme")
    assert (bot.bot_token, bot.bot_scopes) == (TOKEN, ["chat:write", "commands"])
    async with store.db.reading() as connection:
        rows = (await connection.execute(text("SELECT * FROM installations"))).all()
    assert rows
    assert all(TOKEN not in str(value) for row in rows for value in row)


async def test_an_org_install_serves_its_workspaces_and_goes_on_uninstall(store: Store) -> None:
    installs = InstallationStore(store, Vault([NEW]))
    await installs.async_save(installation(team=None, org="E1"))

    found = await installs.async_find_bot(enterprise_id="E1", team_id="T7")
    await installs.async_delete_all(enterprise_id="E1", team_id=None)

    assert found is not None
    assert found.is_enterprise_install
    assert await installs.async_find_bot(enterprise_id="E1", team_id="T7") is None


SECRET = b"install-states-signing-secret"


async def test_an_install_links_state_is_single_use(store: Store) -> None:
    states = StateStore(store, SECRET)

    state = await states.async_issue()

    assert len(state) >= 40
    assert await states.async_consume(state)
    assert not await states.async_consume(state)
    assert not await states.async_consume("forged")


async def test_handing_out_states_stores_nothing(store: Store) -> None:
    states = StateStore(store, SECRET)

    issued = {await states.async_issue() for _ in range(50)}

    assert len(issued) == 50
    async with store.db.reading() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM oauth_states"))).scalar() == 0


async def test_a_state_changed_or_signed_by_another_key_is_refused_unstored(store: Store) -> None:
    state = await StateStore(store, SECRET).async_issue()
    nonce, expiry, sig = state.split(".")
    other = await StateStore(store, b"another-bots-secret").async_issue()
    changed = [
        f"{nonce}.{int(expiry) + 3600}.{sig}",  # a longer life, the old signature
        f"{nonce[:-1]}{'A' if nonce[-1] != 'A' else 'B'}.{expiry}.{sig}",
        f"{nonce}.{expiry}.{'0' * 64}",
        other,
        "",
        f"{nonce}.{expiry}.{sig}.",
    ]

    states = StateStore(store, SECRET)
    assert [await states.async_consume(each) for each in changed] == [False] * len(changed)
    async with store.db.reading() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM oauth_states"))).scalar() == 0
    assert await states.async_consume(state)


async def test_a_state_past_its_lifetime_is_refused(database_url: str) -> None:
    clock = FakeClock(datetime(2030, 1, 1, tzinfo=UTC))
    url = database_url.replace("sqlite://", "sqlite+aiosqlite://")
    store = await Store.open(url, clock=clock)
    try:
        states = StateStore(store, SECRET)
        state = await states.async_issue()
        clock.advance(STATE_LIFETIME)
        assert not await states.async_consume(state)
    finally:
        await store.close()


async def test_past_so_many_states_used_at_once_an_install_is_refused(store: Store) -> None:
    states = StateStore(store, SECRET, most=3)
    issued = [await states.async_issue() for _ in range(4)]

    assert [await states.async_consume(state) for state in issued] == [True, True, True, False]


def test_states_cannot_be_signed_without_a_secret(store: Store) -> None:
    with pytest.raises(ValueError, match="secret"):
        StateStore(store, b"")
