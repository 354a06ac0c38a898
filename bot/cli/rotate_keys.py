"""`python -m bot rotate-keys`: every stored secret resealed with the newest of SECRETS_KEYS."""

from __future__ import annotations

import argparse
import asyncio
import enum
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.config import ConfigError, VaultSettings, load_vault_settings
from bot.store import Store, StoreUnavailable
from bot.workspaces.vault import SigningKeys, Unreadable, Vault

RESEALED = "resealed {bot_tokens}, {tavus_keys} and {signing_keys} with the newest of SECRETS_KEYS"
COMPLETE = "; you can now remove the older keys"
UNOPENED = "no key in SECRETS_KEYS opens {rows}"
CHANGING = "{rows} changed again while being resealed"
KEEP_FOR_UNOPENED = (
    "keep the older keys, put back the key that sealed these (or reinstall the app or connect "
    "Tavus again in those workspaces) and run rotate-keys again"
)
KEEP_FOR_CHANGING = "keep the older keys and run rotate-keys again"


class Sealed(Protocol):
    """A table of sealed secrets by row key, each replaced by compare-and-set."""

    async def sealed(self) -> dict[str, str]: ...

    async def reseal(self, key: str, /, *, was: str, now: str) -> bool: ...


class _Outcome(enum.Enum):
    RESEALED = enum.auto()
    GONE = enum.auto()  # deleted meanwhile (an uninstall): nothing is left to reseal
    UNOPENED = enum.auto()
    CHANGING = enum.auto()


@dataclass(frozen=True, slots=True)
class Tally:
    """What resealing one table came to: how many rows, and the keys of those left as they were."""

    resealed: int = 0
    unopened: tuple[str, ...] = ()
    changing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Rotation:
    """What resealing every stored secret came to, table by table."""

    bot_tokens: Tally
    tavus_keys: Tally
    signing_keys: Tally = Tally()

    @property
    def complete(self) -> bool:
        """Whether every stored secret is now sealed with the newest key alone."""
        tallies = (self.bot_tokens, self.tavus_keys, self.signing_keys)
        return not any(tally.unopened or tally.changing for tally in tallies)

    def summary(self) -> str:
        """One line for the operator: the counts, and which rows (by key, never value) remain."""
        done = RESEALED.format(
            bot_tokens=_count(self.bot_tokens.resealed, "bot token"),
            tavus_keys=_count(self.tavus_keys.resealed, "Tavus key"),
            signing_keys=_count(self.signing_keys.resealed, "signing key"),
        )
        if self.complete:
            return done + COMPLETE
        unopened = _rows(
            self.bot_tokens.unopened,
            self.tavus_keys.unopened,
            self.signing_keys.unopened,
            joint="or",
        )
        changing = _rows(
            self.bot_tokens.changing,
            self.tavus_keys.changing,
            self.signing_keys.changing,
            joint="and",
        )
        problems = [UNOPENED.format(rows=unopened)] if unopened else []
        problems += [CHANGING.format(rows=changing)] if changing else []
        advice = KEEP_FOR_UNOPENED if unopened else KEEP_FOR_CHANGING
        return f"{done}, but {'; '.join(problems)}: {advice}"


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m bot rotate-keys`."""
    return argparse.ArgumentParser(
        prog="python -m bot rotate-keys",
        description=(
            "Reseal every bot token, Tavus key and signing key stored in the database in "
            "DATABASE_URL with the first of SECRETS_KEYS, so that the older keys can then be "
            "removed from it. Safe to run again, and while the bot runs."
        ),
    )


def run(argv: list[str]) -> int:
    """Reseal every stored secret; 2 for bad arguments or settings, 1 if any is left unsealed."""
    # Exits 2 with a usage message on bad arguments, 0 for --help.
    return execute(parser().parse_args(argv))


def execute(_: argparse.Namespace) -> int:
    """Reseal every stored secret; 2 for bad settings, 1 if any is left unsealed."""
    try:
        settings = load_vault_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        rotation = asyncio.run(_rotate(settings))
    except StoreUnavailable as exc:
        print(f"cannot reach the database (DATABASE_URL): {exc}", file=sys.stderr)
        return 1
    if not rotation.complete:
        print(rotation.summary(), file=sys.stderr)
        return 1
    print(rotation.summary())
    return 0


async def rotate(store: Store, vault: Vault) -> Rotation:
    """Reseal every bot token, Tavus key and sealed signing key in `store` with the newest key.

    The Tavus keys a workspace replaced, kept for the replicas made with them, count among its
    Tavus keys (named "team_id/fingerprint").
    """
    current = await reseal_table(store.tavus_accounts, vault)
    replaced = await reseal_table(store.replaced_keys, vault)
    return Rotation(
        bot_tokens=await reseal_table(store.installations, vault),
        tavus_keys=Tally(
            resealed=current.resealed + replaced.resealed,
            unopened=current.unopened + replaced.unopened,
            changing=current.changing + replaced.changing,
        ),
        # A signing key kept unsealed is left so: it is sealed by the bot that reads it with
        # SECRETS_KEYS, which can then open it (sealed here, a bot without them could not).
        signing_keys=await reseal_table(SigningKeys(store.keys, None), vault),
    )


async def reseal_table(table: Sealed, vault: Vault) -> Tally:
    """Reseal every row of one table; a row no key opens is left as it is, and named."""
    outcomes = {
        key: await _reseal_row(table, vault, key, sealed)
        for key, sealed in sorted((await table.sealed()).items())
    }
    return Tally(
        resealed=sum(outcome is _Outcome.RESEALED for outcome in outcomes.values()),
        unopened=tuple(key for key, outcome in outcomes.items() if outcome is _Outcome.UNOPENED),
        changing=tuple(key for key, outcome in outcomes.items() if outcome is _Outcome.CHANGING),
    )


async def _rotate(settings: VaultSettings) -> Rotation:
    vault = Vault(settings.secrets_keys)
    store = await Store.open(settings.sqlalchemy_url, pool=settings.pool)
    try:
        return await rotate(store, vault)
    finally:
        await store.close()


async def _reseal_row(table: Sealed, vault: Vault, key: str, sealed: str | None) -> _Outcome:
    for _ in range(2):
        if sealed is None:
            return _Outcome.GONE
        try:
            now = vault.reseal(sealed)
        except Unreadable:
            return _Outcome.UNOPENED
        if await table.reseal(key, was=sealed, now=now):
            return _Outcome.RESEALED
        # Saved anew meanwhile (a reinstall, another Tavus key): what was read before is stale,
        # and writing it back would undo that save, so the row is read again.
        sealed = (await table.sealed()).get(key)
    return _Outcome.CHANGING


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _rows(
    install_keys: Sequence[str], tavus_keys: Sequence[str], names: Sequence[str], *, joint: str
) -> str:
    rows = [f"the bot token of install {key}" for key in install_keys]
    rows += [_tavus_row(key) for key in tavus_keys]
    rows += [f"the {name} signing key" for name in names]
    return ", ".join(rows[:-1]) + f" {joint} {rows[-1]}" if len(rows) > 1 else "".join(rows)


def _tavus_row(key: str) -> str:
    team_id, _, fingerprint = key.partition("/")
    if fingerprint:
        return f"the replaced Tavus key {fingerprint} of workspace {team_id}"
    return f"the Tavus key of workspace {team_id}"
