"""`python -m bot rotate-keys`: stored secrets resealed with the newest key, on every backend."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import unused_port
from cryptography.fernet import Fernet

from bot.cli import main, rotate_keys
from bot.cli.rotate_keys import Rotation, Sealed, Tally, reseal_table
from bot.config import DatabaseSettings, VaultSettings, help_text
from bot.store import Store
from bot.workspaces.installations import Connected, Installed
from bot.workspaces.vault import SigningKeys, Unreadable, Vault
from tests.store_helpers import empty_postgres

NEW, OLD, RETIRED = (Fernet.generate_key().decode() for _ in range(3))
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SETTINGS = {name.upper() for name in VaultSettings.model_fields}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No database or key setting from the machine, and no .env but the test's own."""
    for name in list(os.environ):
        # pydantic-settings matches names case-insensitively.
        if name.upper() in SETTINGS:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def url(
    request: pytest.FixtureRequest, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> str:
    """DATABASE_URL, set for the command, naming an empty database on each backend."""
    if request.param == "sqlite":
        chosen = database_url
    else:
        chosen = request.getfixturevalue("postgres_server")
        # Tests must not see each other's rows, nor an older schema's leftovers.
        await empty_postgres(chosen)
    monkeypatch.setenv("DATABASE_URL", chosen)
    return chosen


@pytest.fixture
async def store(url: str) -> AsyncIterator[Store]:
    opened = await Store.open(DatabaseSettings(database_url=url).sqlalchemy_url)
    yield opened
    await opened.close()


def installed(team: str | None, token: str, *, key: str = OLD, org: str | None = None) -> Installed:
    return Installed(
        team_id=team,
        enterprise_id=org,
        is_enterprise_install=team is None,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes="chat:write,commands",
        bot_token_sealed=Vault([key]).seal(token),
        installer_id="U0ADA",
        installed_at=START,
    )


def connected(team: str, tavus_key: str, *, key: str = OLD) -> Connected:
    return Connected(
        team_id=team,
        key_sealed=Vault([key]).seal(tavus_key),
        last4=tavus_key[-4:],
        saved_by="U0ADMIN",
        saved_at=START,
    )


async def rotate_with(monkeypatch: pytest.MonkeyPatch, keys: str) -> int:
    """The command run with SECRETS_KEYS set, in a thread: it runs its own event loop."""
    monkeypatch.setenv("SECRETS_KEYS", keys)
    return await asyncio.to_thread(rotate_keys.run, [])


async def opened_with_new_key_alone(store: Store) -> dict[str, str]:
    """Every stored secret, opened with the newest key only (raising Unreadable if one can't)."""
    vault = Vault([NEW])
    tokens = await store.installations.sealed()
    tavus_keys = await store.tavus_accounts.sealed()
    return {
        **{key: vault.open(sealed) for key, sealed in tokens.items()},
        **{team: vault.open(sealed) for team, sealed in tavus_keys.items()},
    }


async def test_every_secret_sealed_with_an_old_key_opens_with_the_new_key_alone_after_it(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await store.installations.save(installed("T1", "xoxb-token-one"))
    await store.installations.save(installed("T2", "xoxb-token-two"))
    await store.installations.save(installed(None, "xoxb-token-org", org="E1"))
    await store.tavus_accounts.save(connected("T1", "tavus-key-1111"))
    await store.tavus_accounts.save(connected("T2", "tavus-key-2222", key=NEW))
    before = {**await store.installations.sealed(), **await store.tavus_accounts.sealed()}

    code = await rotate_with(monkeypatch, f"{NEW}, {OLD}")

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == (
        "resealed 3 bot tokens, 2 Tavus keys and 0 signing keys with the newest of "
        "SECRETS_KEYS; you can now remove the older keys\n"
    )
    assert await opened_with_new_key_alone(store) == {
        "T:T1": "xoxb-token-one",
        "T:T2": "xoxb-token-two",
        "E:E1": "xoxb-token-org",
        "T1": "tavus-key-1111",
        "T2": "tavus-key-2222",
    }
    for secret in ["xoxb-token", "tavus-key", NEW, OLD, *before.values()]:
        assert secret not in out


async def test_a_secret_no_key_opens_is_named_and_kept_while_the_others_are_resealed(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await store.installations.save(installed("T1", "xoxb-token-one"))
    await store.installations.save(installed("T9", "xoxb-token-nine", key=RETIRED))
    await store.tavus_accounts.save(connected("T1", "tavus-key-1111"))
    await store.tavus_accounts.save(connected("T7", "tavus-key-7777", key=RETIRED))
    kept = (await store.installations.sealed())["T:T9"], (await store.tavus_accounts.sealed())["T7"]

    code = await rotate_with(monkeypatch, f"{NEW},{OLD}")

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (
        "resealed 1 bot token, 1 Tavus key and 0 signing keys with the newest of SECRETS_KEYS, "
        "but no key in SECRETS_KEYS opens the bot token of install T:T9 or the Tavus key of "
        "workspace T7: keep the older keys, put back the key that sealed these (or reinstall the "
        "app or connect Tavus again in those workspaces) and run rotate-keys again\n"
    )
    tokens, tavus_keys = await store.installations.sealed(), await store.tavus_accounts.sealed()
    assert (tokens["T:T9"], tavus_keys["T7"]) == kept
    assert Vault([NEW]).open(tokens["T:T1"]) == "xoxb-token-one"
    assert Vault([NEW]).open(tavus_keys["T1"]) == "tavus-key-1111"
    for secret in ["xoxb-token", "tavus-key", NEW, OLD, RETIRED, *kept]:
        assert secret not in err


async def test_the_tavus_keys_a_workspace_replaced_are_resealed_and_counted_with_its_own(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Each key saved replaces the one before: 5555 is current, the four before it kept.
    for tavus_key, key in [("1111", OLD), ("2222", OLD), ("3333", OLD), ("4444", RETIRED)]:
        saved = connected("T1", f"tavus-key-{tavus_key}", key=key)
        await store.tavus_accounts.save(replace(saved, fingerprint=tavus_key))
    await store.tavus_accounts.save(replace(connected("T1", "tavus-key-5555"), fingerprint="5555"))

    code = await rotate_with(monkeypatch, f"{NEW},{OLD}")

    _, err = capsys.readouterr()
    assert code == 1
    assert err.startswith(
        "resealed 0 bot tokens, 4 Tavus keys and 0 signing keys with the newest of SECRETS_KEYS, "
        "but no key in "
        "SECRETS_KEYS opens the replaced Tavus key 4444 of workspace T1: "
    )
    replaced = await store.replaced_keys.sealed()
    assert {
        key: Vault([NEW]).open(sealed) for key, sealed in replaced.items() if key != "T1/4444"
    } == {
        "T1/1111": "tavus-key-1111",
        "T1/2222": "tavus-key-2222",
        "T1/3333": "tavus-key-3333",
    }
    assert await opened_with_new_key_alone(store) == {"T1": "tavus-key-5555"}


async def test_a_second_run_reseals_again_and_changes_no_secret(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await store.installations.save(installed("T1", "xoxb-token-one"))
    await store.tavus_accounts.save(connected("T1", "tavus-key-1111"))

    first = await rotate_with(monkeypatch, f"{NEW},{OLD}")
    after_first = await store.installations.sealed()
    # The old key is gone by now, as the first run's line says it may be.
    second = await rotate_with(monkeypatch, NEW)

    out, _ = capsys.readouterr()
    assert (first, second) == (0, 0)
    assert (
        out.splitlines()
        == [
            "resealed 1 bot token, 1 Tavus key and 0 signing keys with the newest of "
            "SECRETS_KEYS; you can now remove the older keys"
        ]
        * 2
    )
    assert await store.installations.sealed() != after_first
    assert await opened_with_new_key_alone(store) == {
        "T:T1": "xoxb-token-one",
        "T1": "tavus-key-1111",
    }


async def test_signing_keys_are_resealed_and_one_kept_unsealed_is_left_to_the_bot(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    media = await SigningKeys(store.keys, Vault([OLD])).get("media")
    plain = "ab" * 32  # made before SECRETS_KEYS: the bot seals it when it next starts
    await store.keys.get("connect", make=lambda: plain)

    code = await rotate_with(monkeypatch, f"{NEW},{OLD}")

    out, _ = capsys.readouterr()
    assert code == 0
    assert out.startswith("resealed 0 bot tokens, 0 Tavus keys and 1 signing key with")
    assert await SigningKeys(store.keys, Vault([NEW])).get("media") == media
    assert (await store.keys.stored())["connect"] == plain


async def test_a_signing_key_no_key_opens_is_named(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await SigningKeys(store.keys, Vault([RETIRED])).get("media")
    kept = await store.keys.stored()

    code = await rotate_with(monkeypatch, f"{NEW},{OLD}")

    _, err = capsys.readouterr()
    assert code == 1
    assert "no key in SECRETS_KEYS opens the media signing key: keep the older keys" in err
    assert await store.keys.stored() == kept


async def test_the_bot_runs_it_as_python_m_bot_rotate_keys(
    store: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await store.tavus_accounts.save(connected("T1", "tavus-key-1111"))
    monkeypatch.setenv("SECRETS_KEYS", f"{NEW},{OLD}")

    code = await asyncio.to_thread(main, ["rotate-keys"])

    assert code == 0
    assert capsys.readouterr().out.startswith(
        "resealed 0 bot tokens, 1 Tavus key and 0 signing keys with"
    )
    assert await opened_with_new_key_alone(store) == {"T1": "tavus-key-1111"}


class Racing:
    """A table whose row is changed (by the bot, say) just before each of the first reseals."""

    def __init__(self, table: Sealed, change: Callable[[], Awaitable[Any]], times: int) -> None:
        self._table = table
        self._change = change
        self.times = times

    async def sealed(self) -> dict[str, str]:
        return await self._table.sealed()

    async def reseal(self, key: str, /, *, was: str, now: str) -> bool:
        if self.times:
            self.times -= 1
            await self._change()
        return await self._table.reseal(key, was=was, now=now)


async def test_a_key_saved_anew_meanwhile_is_read_again_and_that_one_resealed(
    store: Store,
) -> None:
    await store.tavus_accounts.save(connected("T1", "tavus-key-1111"))
    # The bot, still sealing with the old key, saves the key an admin has just replaced.
    racing = Racing(
        store.tavus_accounts,
        lambda: store.tavus_accounts.save(connected("T1", "tavus-key-5555")),
        times=1,
    )

    tally = await reseal_table(racing, Vault([NEW, OLD]))

    assert tally == Tally(resealed=1)
    assert await opened_with_new_key_alone(store) == {"T1": "tavus-key-5555"}


async def test_a_token_changing_at_every_try_is_named_and_rotation_is_not_complete(
    store: Store,
) -> None:
    await store.installations.save(installed("T1", "xoxb-token-one"))
    racing = Racing(
        store.installations,
        lambda: store.installations.save(installed("T1", "xoxb-token-two")),
        times=2,
    )

    tally = await reseal_table(racing, Vault([NEW, OLD]))
    rotation = Rotation(bot_tokens=tally, tavus_keys=Tally(resealed=2))

    assert tally == Tally(changing=("T:T1",))
    assert not rotation.complete
    assert rotation.summary() == (
        "resealed 0 bot tokens, 2 Tavus keys and 0 signing keys with the newest of SECRETS_KEYS, "
        "but the bot token of install T:T1 changed again while being resealed: keep the older "
        "keys and run rotate-keys again"
    )
    with pytest.raises(Unreadable):
        await opened_with_new_key_alone(store)


async def test_a_workspace_uninstalled_meanwhile_is_skipped(store: Store) -> None:
    await store.installations.save(installed("T1", "xoxb-token-one"))
    await store.installations.save(installed("T2", "xoxb-token-two"))
    racing = Racing(
        store.installations,
        lambda: store.installations.delete(team_id="T1", enterprise_id=None),
        times=1,
    )

    tally = await reseal_table(racing, Vault([NEW, OLD]))

    assert tally == Tally(resealed=1)
    assert await opened_with_new_key_alone(store) == {"T:T2": "xoxb-token-two"}


def test_several_rows_left_are_listed_in_one_line() -> None:
    rotation = Rotation(
        bot_tokens=Tally(unopened=("E:E1", "T:T9"), changing=("T:T2",)),
        tavus_keys=Tally(resealed=1, unopened=("T7",)),
    )

    assert rotation.summary() == (
        "resealed 0 bot tokens, 1 Tavus key and 0 signing keys with the newest of SECRETS_KEYS, "
        "but no key in SECRETS_KEYS opens the bot token of install E:E1, the bot token of "
        "install T:T9 or the Tavus key of workspace T7; the bot token of install T:T2 changed "
        "again while being resealed: keep the older keys, put back the key that sealed these (or "
        "reinstall the app or connect Tavus again in those workspaces) and run rotate-keys again"
    )


@pytest.mark.parametrize("keys", [None, " , "])
def test_without_secrets_keys_it_says_where_to_get_one_and_exits_2(
    keys: str | None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if keys is not None:
        monkeypatch.setenv("SECRETS_KEYS", keys)

    code = rotate_keys.run([])

    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert f"  - SECRETS_KEYS is missing: {help_text('secrets_keys')}" in err.splitlines()
    assert "Traceback" not in err
    # Refused before reaching the database: no default database file was made.
    assert not Path("replica-bot.db").exists()


def test_a_secrets_key_that_is_not_a_fernet_key_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SECRETS_KEYS", f"{NEW},hunter2")

    code = rotate_keys.run([])

    _, err = capsys.readouterr()
    assert code == 2
    assert "  - SECRETS_KEYS is invalid" in err
    assert "key 2 is not a Fernet key" in err
    assert "hunter2" not in err
    assert NEW not in err


def test_an_unreachable_database_is_named_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A server nobody runs, not an SQLite file that cannot be made: aiosqlite's worker thread,
    # stopped after a failed connect, may answer once the command's event loop has closed.
    monkeypatch.setenv("DATABASE_URL", f"postgresql://nobody@127.0.0.1:{unused_port()}/none")
    monkeypatch.setenv("SECRETS_KEYS", NEW)

    code = rotate_keys.run([])

    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith("cannot reach the database (DATABASE_URL): ")


def test_help_prints_a_short_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["rotate-keys", "--help"])

    out = capsys.readouterr().out
    assert exited.value.code == 0
    assert out.startswith("usage: python -m bot rotate-keys")
    assert "SECRETS_KEYS" in out
