"""Installs by OAuth, kept for Bolt in the bot's database, each bot token sealed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.fernet import Fernet
from slack_sdk.oauth.installation_store.models.installation import Installation
from sqlalchemy import text

from bot.slack.installations import InstallationStore, StateStore
from bot.store import Store
from bot.vault import SecretsKeyError, Unreadable, Vault

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


async def test_an_install_links_state_is_single_use(store: Store) -> None:
    states = StateStore(store)

    state = await states.async_issue()

    assert len(state) >= 40
    assert await states.async_consume(state)
    assert not await states.async_consume(state)
    assert not await states.async_consume("forged")
