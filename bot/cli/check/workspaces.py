"""The workspaces check (many, by OAuth): each install's bot token and scopes, each Tavus key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

import aiohttp
import httpx

from bot.cli.check.database import DATABASE_FIX, DATABASE_WAIT, Schema
from bot.cli.check.result import Result, failed, passed
from bot.cli.check.slack import (
    SLACK_UNANSWERED_FIX,
    SlackRefused,
    SlackUnanswered,
    check_scopes,
    identify,
    slack_client,
)
from bot.cli.check.tavus import check_key
from bot.config import Settings
from bot.slack.oauth import INSTALL_PATH
from bot.store import Store, StoreUnavailable
from bot.tavus import TavusClient
from bot.workspaces.installations import Connected, Installed, org_key, team_key
from bot.workspaces.vault import Unreadable, Vault

# Workspaces checked at once (OAuth mode): enough to be quick, too few to look like a burst.
AT_ONCE = 8

REINSTALL_FIX = "the app must be reinstalled in that workspace, from {install}"
REINSTALL_INSTEAD = "reinstall the app in that workspace, from {install}"
UNOPENED_FIX = (
    "SECRETS_KEYS lacks the key that sealed it: put that key back (after the newest), or {instead}"
)
CONNECT_FIX = "an admin must Connect Tavus in App Home"
RECONNECT_FIX = "an admin must Connect Tavus again in App Home, with a key that works"
RECONNECT_INSTEAD = "have an admin Connect Tavus again in App Home"
NOT_MIGRATED_FIX = "start the bot once (it migrates the database), then run check again"


async def check_workspaces(
    settings: Settings,
    store: Store | None,
    schema: Schema,
    session: aiohttp.ClientSession,
    tavus_http: httpx.AsyncClient,
) -> list[Result]:
    """Many workspaces: each install's bot token and scopes, each connected Tavus account."""
    name = "Slack and Tavus workspaces"
    if schema is Schema.UNREADABLE:
        return [failed(name, "not checked: the database cannot be read", DATABASE_FIX)]
    if schema is Schema.OLDER:
        # An older schema may lack the tables or columns the installs are read from.
        detail = "not checked: the database's schema is older than this bot's"
        return [failed(name, detail, NOT_MIGRATED_FIX)]
    installs: list[Installed] = []
    accounts: list[Connected] = []
    if schema is Schema.CURRENT and store is not None:
        try:
            async with asyncio.timeout(DATABASE_WAIT):
                installs = await _installs(store)
                accounts = await _accounts(store)
        except (TimeoutError, StoreUnavailable) as exc:
            detail = f"not checked: the database did not answer ({str(exc) or 'in time'})"
            return [failed(name, detail, DATABASE_FIX)]
    install = f"{str(settings.public_url).rstrip('/')}{INSTALL_PATH}"
    if not installs:
        return [passed("Slack workspaces", f"none has installed the app yet; install: {install}")]
    vault = Vault(settings.secrets_keys)
    slots = asyncio.Semaphore(AT_ONCE)

    async def bounded(check: Awaitable[Result]) -> Result:
        async with slots:
            return await check

    slack = [_check_install(settings, session, vault, found, install) for found in installs]
    tavus = _tavus_checks(installs, accounts, tavus_http, settings, vault)
    return list(await asyncio.gather(*(bounded(check) for check in [*slack, *tavus])))


def _tavus_checks(
    installs: list[Installed],
    accounts: list[Connected],
    http: httpx.AsyncClient,
    settings: Settings,
    vault: Vault,
) -> list[Awaitable[Result]]:
    """Each connected account's key checked, and each install without one named, in order."""
    by_team = {account.team_id: account for account in accounts}
    checks: list[Awaitable[Result]] = []
    for found in installs:
        name = f"Tavus, {_named(found)}"
        if found.is_enterprise_install:
            # An org-wide install serves every workspace of the org; each connects its own.
            if not any(account.enterprise_id == found.enterprise_id for account in accounts):
                detail = "no workspace of it has connected a Tavus account yet"
                checks.append(_ready(failed(name, detail, CONNECT_FIX)))
        elif (account := by_team.pop(found.team_id or "", None)) is not None:
            checks.append(_check_account(http, settings, vault, name, account.key_sealed))
        else:
            checks.append(_ready(failed(name, "no Tavus account connected yet", CONNECT_FIX)))
    # What is left belongs to workspaces an org-wide install serves.
    for account in by_team.values():
        name = f"Tavus, workspace {account.team_id}"
        if account.enterprise_id:
            name += f" of org {account.enterprise_id}"
        checks.append(_check_account(http, settings, vault, name, account.key_sealed))
    return checks


async def _ready(result: Result) -> Result:
    return result


async def _accounts(store: Store) -> list[Connected]:
    found = []
    for team_id in sorted(await store.tavus_accounts.sealed()):
        account = await store.tavus_accounts.find(team_id)
        if account is not None:  # deleted meanwhile
            found.append(account)
    return found


async def _installs(store: Store) -> list[Installed]:
    found = []
    # The store lists installs by key alone: each is found again by what its key names.
    for key in sorted(await store.installations.sealed()):
        org = key.startswith(org_key(""))
        ident = key.removeprefix(org_key("") if org else team_key(""))
        install = await store.installations.find(
            team_id=None if org else ident,
            enterprise_id=ident if org else None,
            is_enterprise_install=org,
        )
        if install is not None:  # uninstalled meanwhile
            found.append(install)
    return found


async def _check_install(
    settings: Settings,
    session: aiohttp.ClientSession,
    vault: Vault,
    found: Installed,
    install: str,
) -> Result:
    name = f"Slack, {_named(found)}"
    reinstall = REINSTALL_FIX.format(install=install)
    try:
        token = vault.open(found.bot_token_sealed)
    except Unreadable:
        detail = "no key in SECRETS_KEYS opens its bot token"
        instead = REINSTALL_INSTEAD.format(install=install)
        return failed(name, detail, UNOPENED_FIX.format(instead=instead))
    try:
        identity = await identify(slack_client(settings, session, token), settings.slack_timeout)
    except SlackRefused as exc:
        return failed(name, f"Slack refused its bot token ({exc})", reinstall)
    except SlackUnanswered as exc:
        detail = f"Slack did not answer properly at {settings.slack_api_base} ({exc})"
        return failed(name, detail, SLACK_UNANSWERED_FIX)
    scopes = check_scopes(name, identity, fix=reinstall)
    if not scopes.ok:
        return scopes
    return passed(name, f"{identity.bot} answers; scopes: {scopes.detail}")


async def _check_account(
    http: httpx.AsyncClient, settings: Settings, vault: Vault, name: str, sealed: str
) -> Result:
    try:
        key = vault.open(sealed)
    except Unreadable:
        detail = "no key in SECRETS_KEYS opens its Tavus key"
        return failed(name, detail, UNOPENED_FIX.format(instead=RECONNECT_INSTEAD))
    tavus = TavusClient(http, api_key=key, deadline=settings.tavus_timeout)
    return await check_key(tavus, name, key_fix=RECONNECT_FIX, subject="its key")


def _named(found: Installed) -> str:
    if found.is_enterprise_install:
        return _label("org", found.enterprise_name, found.enterprise_id or "?")
    return _label("workspace", found.team_name, found.team_id or "?")


def _label(kind: str, name: str | None, ident: str) -> str:
    return f"{kind} {name} ({ident})" if name else f"{kind} {ident}"
