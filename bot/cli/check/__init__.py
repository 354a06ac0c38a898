"""`python -m bot check`: the set-up checked one line at a time, without starting the bot."""

from __future__ import annotations

import argparse
import asyncio
import enum
import sys
import tempfile
from collections.abc import AsyncIterator, Awaitable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

import aiohttp
import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from botocore.exceptions import BotoCoreError, ClientError
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import ArgumentError

from bot.config import SLACK_EVENTS_PATH, ConfigError, Settings, load_settings
from bot.installations import Connected, Installed, org_key, team_key
from bot.media.s3 import s3_client
from bot.slack.oauth import INSTALL_PATH, REDIRECT_PATH, SCOPES
from bot.store import Store, StoreUnavailable
from bot.store.engine import Database, alembic_config, create_engine
from bot.tavus import TavusClient, TavusError, TavusRejected
from bot.vault import Unreadable, Vault

# A database that has not answered in this long is as good as down for a person waiting.
DATABASE_WAIT = 5.0
# head_bucket is one small request; botocore's own retries must not hold the command longer.
STORAGE_WAIT = 10.0
# Workspaces checked at once (OAuth mode): enough to be quick, too few to look like a burst.
AT_ONCE = 8

SLACK_BOT_FIX = (
    "copy the Bot User OAuth Token (xoxb-…) from the Slack app's OAuth & Permissions page into "
    "SLACK_BOT_TOKEN (install the app to the workspace first if it shows none)"
)
SLACK_UNANSWERED_FIX = "check this machine's network and SLACK_API_URL, then run check again"
SCOPES_FIX = (
    "the app must be reinstalled: OAuth & Permissions → Reinstall to Workspace (add the scopes "
    "under Bot Token Scopes first if the app was not made from manifest.yml)"
)
SOCKET_MODE_FIX = (
    "make an App-Level Token with connections:write (Basic Information → App-Level Tokens) for "
    "SLACK_APP_TOKEN, and turn Socket Mode on in the app's settings"
)
REINSTALL_FIX = "the app must be reinstalled in that workspace, from {install}"
REINSTALL_INSTEAD = "reinstall the app in that workspace, from {install}"
UNOPENED_FIX = (
    "SECRETS_KEYS lacks the key that sealed it: put that key back (after the newest), or {instead}"
)
TAVUS_KEY_FIX = "put an API key from platform.tavus.io → API Keys in TAVUS_API_KEY"
TAVUS_ACCOUNT_FIX = "check the account at platform.tavus.io: its plan, and the key"
TAVUS_UNANSWERED_FIX = "check TAVUS_API_URL and this machine's network, then run check again"
CONNECT_FIX = "an admin must Connect Tavus in App Home"
RECONNECT_FIX = "an admin must Connect Tavus again in App Home, with a key that works"
RECONNECT_INSTEAD = "have an admin Connect Tavus again in App Home"
MODELS_UNCHECKED = "not checked (Tavus has no model list)"
NOT_MIGRATED_FIX = "start the bot once (it migrates the database), then run check again"
DATABASE_FIX = (
    "check DATABASE_URL, and that the database is running and reachable from this machine"
)
UNKNOWN_REVISION_FIX = (
    "run the bot version that migrated this database, or point DATABASE_URL at this bot's own"
)
FOLDER_FIX = "create the folder, or point DATABASE_URL at a file in a folder the bot may write"
BARE_URL_FIX = "set PUBLIC_URL to the bare address, e.g. https://bot.example.com"
MEDIA_DIR_FIX = (
    "make MEDIA_DIR a folder the bot's user may write, or keep files in S3 (MEDIA_S3_BUCKET)"
)
BUCKET_FIX = (
    "check MEDIA_S3_BUCKET, MEDIA_S3_REGION and MEDIA_S3_ENDPOINT_URL, and that the AWS "
    "credentials may read and write the bucket"
)


@dataclass(frozen=True, slots=True)
class Result:
    """One check's verdict: what was checked, whether it is fine, what was found, how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    @property
    def line(self) -> str:
        """The line printed for it: `ok  …`, or `problem  … — fix: …`."""
        if self.ok:
            return f"ok  {self.name}: {self.detail}"
        return f"problem  {self.name}: {self.detail} — fix: {self.fix}"


def passed(name: str, detail: str) -> Result:
    """A check that found nothing wrong."""
    return Result(name, True, detail)


def failed(name: str, detail: str, fix: str) -> Result:
    """A check that found a problem, and how to fix it."""
    return Result(name, False, detail, fix)


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a bot token is, as auth.test says, and the scopes its install granted (if Slack said)."""

    team: str
    team_id: str
    user: str
    user_id: str
    scopes: frozenset[str] | None

    @property
    def bot(self) -> str:
        """The bot as people see it in Slack."""
        return f"bot @{self.user} ({self.user_id})"

    def missing(self) -> list[str]:
        """The scopes manifest.yml asks for that the install lacks, in its order."""
        granted = self.scopes or frozenset()
        return [scope for scope in SCOPES if scope not in granted]


class Schema(enum.Enum):
    """What the database holds, against this bot's migrations."""

    CURRENT = enum.auto()
    EMPTY = enum.auto()  # no tables yet (or no file yet): the bot creates them at start
    OLDER = enum.auto()  # the bot migrates it at start
    UNREADABLE = enum.auto()  # down, malformed, or migrated by a version this bot does not know


Answer = TypeVar("Answer")


class SlackRefused(Exception):
    """Slack answered, and said no (the error code it gave is the message)."""


class SlackUnanswered(Exception):
    """Slack gave no usable answer in time (the message says what happened instead)."""


def parser() -> argparse.ArgumentParser:
    """The command line of `python -m bot check`."""
    return argparse.ArgumentParser(
        prog="python -m bot check",
        description=(
            "Check the settings, the database, Slack, Tavus, PUBLIC_URL and media storage "
            "without starting the bot: one line each, and the fix for each problem."
        ),
    )


def run(argv: list[str], out: TextIO | None = None) -> int:
    """Print one line per check; 2 for bad arguments or settings, 1 if any check found a problem."""
    parser().parse_args(argv)  # exits 2 with a usage message on bad arguments, 0 for --help
    try:
        settings = load_settings()
    except ConfigError as exc:
        # Nothing else can be checked without settings.
        print(exc, file=sys.stderr)
        return 2
    healthy = asyncio.run(_report(settings, out or sys.stdout))
    return 0 if healthy else 1


async def _report(settings: Settings, out: TextIO) -> bool:
    healthy = True
    async for result in checks(settings):
        # Printed as each comes: a slow check shows where it is.
        print(result.line, file=out, flush=True)
        healthy = healthy and result.ok
    return healthy


async def checks(settings: Settings) -> AsyncIterator[Result]:
    """Every check in turn: settings, database, Slack, Tavus, PUBLIC_URL, media storage."""
    yield check_settings(settings)
    result, schema, store = await check_store(settings)
    session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=settings.slack_timeout))
    # With one workspace, its key is the HTTP client's; with many, each account brings its own.
    tavus_http = TavusClient.build_http(
        base_url=str(settings.tavus_api_url),
        api_key=settings.tavus_api_key,
        timeout=settings.tavus_timeout,
    )
    try:
        yield result
        if settings.oauth:
            for result in await check_workspaces(settings, store, schema, session, tavus_http):
                yield result
        else:
            for result in await check_slack(settings, session):
                yield result
            yield await check_tavus(TavusClient(tavus_http, deadline=settings.tavus_timeout))
        yield check_models(settings)
        yield check_public_url(settings)
        yield await check_media(settings)
    finally:
        await tavus_http.aclose()
        await session.close()
        if store is not None:
            await store.close()


def check_settings(settings: Settings) -> Result:
    """Which mode the settings choose (load_settings has refused any that are wrong)."""
    if settings.oauth:
        mode = "many workspaces, installed by OAuth (SLACK_CLIENT_ID)"
    elif settings.slack_app_token is not None:
        mode = "one workspace, Slack over Socket Mode (SLACK_APP_TOKEN)"
    else:
        mode = "one workspace, Slack over HTTP (SLACK_SIGNING_SECRET)"
    return passed("settings", mode)


async def check_store(settings: Settings) -> tuple[Result, Schema, Store | None]:
    """The database's check, what it holds, and the store on it to read installs from."""
    shown = _shown(settings.database_url)
    name = f"database {shown}" if shown else "database"
    # The parser's words could quote the password: they are not repeated.
    malformed = failed(name, "DATABASE_URL is malformed", DATABASE_FIX)
    try:
        url = make_url(settings.sqlalchemy_url)
    except (ArgumentError, ValueError):
        return malformed, Schema.UNREADABLE, None
    if (absent := _absent_sqlite(name, url)) is not None:
        return absent, Schema.EMPTY, None
    try:
        db = Database(create_engine(settings.sqlalchemy_url, settings.pool))
    except (ArgumentError, ValueError):
        return malformed, Schema.UNREADABLE, None
    result, schema = await check_database(db, name)
    return result, schema, Store(db)


def _absent_sqlite(name: str, url: URL) -> Result | None:
    """For a SQLite file not made yet, what starting would do; None for any other database.

    Connecting would create the file: the check must leave things as it found them.
    """
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    if path.exists():
        return None
    if not path.parent.is_dir():
        return failed(name, f"its folder {path.parent} does not exist", FOLDER_FIX)
    return passed(name, "no file yet: the bot creates it, with its tables, when it starts")


async def check_database(db: Database, name: str) -> tuple[Result, Schema]:
    """Whether the database answers, and its schema is this bot's or would be migrated."""
    script = ScriptDirectory.from_config(alembic_config())
    heads = tuple(script.get_heads())
    try:
        async with asyncio.timeout(DATABASE_WAIT), db.reading() as connection:
            revisions = await connection.run_sync(_current_revisions)
    except TimeoutError:
        return failed(name, f"no answer in {DATABASE_WAIT:.0f} s", DATABASE_FIX), Schema.UNREADABLE
    except StoreUnavailable as exc:
        return failed(name, f"does not answer ({exc})", DATABASE_FIX), Schema.UNREADABLE
    head = ", ".join(heads)
    if set(revisions) == set(heads):
        return passed(name, f"answers; its schema is current (revision {head})"), Schema.CURRENT
    if not revisions:
        detail = "answers; empty: the bot creates its tables when it starts"
        return passed(name, detail), Schema.EMPTY
    known = {revision.revision for revision in script.walk_revisions()}
    at = ", ".join(revisions)
    if not set(revisions) <= known:
        detail = f"answers, but is at revision {at}, which this bot does not know"
        return failed(name, detail, UNKNOWN_REVISION_FIX), Schema.UNREADABLE
    pending = sum(1 for _ in script.iterate_revisions(heads, revisions))
    detail = (
        f"answers; at revision {at}, it would be migrated to {head} ({_count(pending, 'step')}) "
        "when the bot starts"
    )
    return passed(name, detail), Schema.OLDER


def _current_revisions(connection: Connection) -> tuple[str, ...]:
    # Only reads alembic_version (none there: no tables yet); nothing is migrated.
    return tuple(MigrationContext.configure(connection).get_current_heads())


async def check_slack(settings: Settings, session: aiohttp.ClientSession) -> list[Result]:
    """One workspace: who SLACK_BOT_TOKEN is, its scopes, and in Socket Mode the app token."""
    client = _slack(settings, session, settings.slack_bot_token)
    try:
        identity = await identify(client, settings.slack_timeout)
    except SlackRefused as exc:
        results = [failed("Slack bot token", f"Slack refused it ({exc})", SLACK_BOT_FIX)]
    except SlackUnanswered as exc:
        detail = f"Slack did not answer properly at {settings.slack_api_base} ({exc})"
        results = [failed("Slack bot token", detail, SLACK_UNANSWERED_FIX)]
    else:
        detail = f"{identity.bot} in workspace {identity.team} ({identity.team_id})"
        results = [passed("Slack bot token", detail), check_scopes("Slack scopes", identity)]
    if settings.slack_app_token is not None:
        results.append(await check_socket_mode(settings, session))
    return results


def check_scopes(name: str, identity: Identity, fix: str = SCOPES_FIX) -> Result:
    """The scopes granted against those manifest.yml asks for, naming any missing."""
    if identity.scopes is None:
        return passed(name, "not checked (Slack sent no x-oauth-scopes header)")
    missing = identity.missing()
    if missing:
        return failed(name, f"{identity.bot} lacks {', '.join(missing)}", fix)
    return passed(name, f"all {len(SCOPES)} that manifest.yml asks for are granted")


async def check_socket_mode(settings: Settings, session: aiohttp.ClientSession) -> Result:
    """Socket Mode: whether Slack opens a connection for SLACK_APP_TOKEN."""
    client = _slack(settings, session, None)
    name = "Slack Socket Mode"
    try:
        await _answer(
            client.apps_connections_open(app_token=settings.slack_app_token or ""),
            settings.slack_timeout,
        )
    except SlackRefused as exc:
        return failed(name, f"Slack refused SLACK_APP_TOKEN ({exc})", SOCKET_MODE_FIX)
    except SlackUnanswered as exc:
        detail = f"Slack did not answer properly at {settings.slack_api_base} ({exc})"
        return failed(name, detail, SLACK_UNANSWERED_FIX)
    return passed(name, "Slack opens a connection for SLACK_APP_TOKEN")


async def identify(client: AsyncWebClient, within: float) -> Identity:
    """auth.test with the client's token: who it is, and the scopes granted."""
    answer = await _answer(client.auth_test(), within)
    headers = {name.lower(): value for name, value in answer.headers.items()}
    granted = headers.get("x-oauth-scopes")
    return Identity(
        team=str(answer.get("team") or "?"),
        team_id=str(answer.get("team_id") or "?"),
        user=str(answer.get("user") or "?"),
        user_id=str(answer.get("user_id") or "?"),
        scopes=None if granted is None else frozenset(_words(granted)),
    )


async def _answer(call: Awaitable[Answer], within: float) -> Answer:
    try:
        async with asyncio.timeout(within):
            return await call
    except SlackApiError as exc:
        error = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
        if exc.response.status_code >= 500 or error == "ratelimited":
            raise SlackUnanswered(error) from exc
        raise SlackRefused(error) from exc
    except TimeoutError as exc:
        raise SlackUnanswered(f"no answer in {within:g} s") from exc
    except (aiohttp.ClientError, SlackClientError, ValueError) as exc:
        raise SlackUnanswered(exc.__class__.__name__) from exc


def _slack(settings: Settings, session: aiohttp.ClientSession, token: str | None) -> AsyncWebClient:
    # No retries: the check answers within its time limit, and a dropped connection is news.
    return AsyncWebClient(
        token=token, base_url=settings.slack_api_base, session=session, retry_handlers=[]
    )


async def check_tavus(tavus: TavusClient, name: str = "Tavus key") -> Result:
    """One workspace: whether Tavus takes TAVUS_API_KEY (one replica asked for)."""
    return await _tavus_key(tavus, name, key_fix=TAVUS_KEY_FIX, subject="TAVUS_API_KEY")


async def _tavus_key(tavus: TavusClient, name: str, *, key_fix: str, subject: str) -> Result:
    try:
        await tavus.check_key()
    except TavusRejected as exc:
        fix = key_fix if exc.status in (401, 403) else TAVUS_ACCOUNT_FIX
        return failed(name, f"Tavus refused {subject} ({exc.status}: {exc.message})", fix)
    except TavusError as exc:
        return failed(name, f"Tavus did not answer properly ({exc})", TAVUS_UNANSWERED_FIX)
    return passed(name, f"Tavus takes {subject}")


def check_models(settings: Settings) -> Result:
    """TAVUS_MODELS: Tavus lists no models anywhere, so they are named, not checked."""
    return passed("Tavus models", f"{', '.join(settings.tavus_models)} {MODELS_UNCHECKED}")


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
        identity = await identify(_slack(settings, session, token), settings.slack_timeout)
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
    return await _tavus_key(tavus, name, key_fix=RECONNECT_FIX, subject="its key")


def _named(found: Installed) -> str:
    if found.is_enterprise_install:
        return _label("org", found.enterprise_name, found.enterprise_id or "?")
    return _label("workspace", found.team_name, found.team_id or "?")


def _label(kind: str, name: str | None, ident: str) -> str:
    return f"{kind} {name} ({ident})" if name else f"{kind} {ident}"


def check_public_url(settings: Settings) -> Result:
    """PUBLIC_URL: unset (polling), or an https address, with the URLs Slack's settings need."""
    url = settings.public_url
    name = "PUBLIC_URL"
    socket_mode = settings.slack_app_token is not None
    if url is None:
        detail = "unset: Tavus's results are found by polling alone (TAVUS_POLL_INTERVAL)"
        if not socket_mode:
            detail += f"; Slack's request URL is this bot's own https address + {SLACK_EVENTS_PATH}"
        return passed(name, detail)
    if url.username or url.password:
        # Said without the address: it would print the password it carries.
        return failed(name, "it carries a user name or password", BARE_URL_FIX)
    base = str(url).rstrip("/")
    if url.query or url.fragment:
        return failed(name, f"{base} carries a query or fragment", BARE_URL_FIX)
    paste = _paste(settings, base, socket_mode)
    return passed(name, f"{base}; {paste}")


def _paste(settings: Settings, base: str, socket_mode: bool) -> str:
    """What to paste where in the Slack app's settings."""
    if socket_mode:
        return "Socket Mode: Slack needs no request URL; Tavus calls back here"
    parts = [
        f"Request URL for Slash Commands, Interactivity & Shortcuts and Event Subscriptions: "
        f"{base}{SLACK_EVENTS_PATH}"
    ]
    if settings.oauth:
        parts.append(f"Redirect URL (OAuth & Permissions): {base}{REDIRECT_PATH}")
    return "; ".join(parts)


async def check_media(settings: Settings) -> Result:
    """Where files taken from Slack go: the bucket answers, or MEDIA_DIR is writable."""
    if settings.media_s3_bucket is not None:
        return await check_bucket(settings, settings.media_s3_bucket)
    if settings.public_url is None:
        detail = "none: without PUBLIC_URL or MEDIA_S3_BUCKET, files posted in Slack are not used"
        return passed("media storage", detail)
    return await asyncio.to_thread(check_media_dir, settings.media_dir)


async def check_bucket(settings: Settings, bucket: str) -> Result:
    """MEDIA_S3_BUCKET: whether S3 answers head_bucket for it."""
    name = f"media storage, bucket {bucket}"
    try:
        async with asyncio.timeout(STORAGE_WAIT), s3_client(settings) as s3:
            await s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = error.get("Code") or "?"
        return failed(name, f"S3 refused head_bucket ({code})", BUCKET_FIX)
    except BotoCoreError as exc:
        return failed(name, f"S3 could not be asked ({exc.__class__.__name__})", BUCKET_FIX)
    except TimeoutError:
        return failed(name, f"no answer in {STORAGE_WAIT:.0f} s", BUCKET_FIX)
    return passed(name, "S3 answers for it")


def check_media_dir(folder: Path) -> Result:
    """MEDIA_DIR: a file can be made in it, and deleted (the folder is made if missing)."""
    name = f"media storage, MEDIA_DIR {folder}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".check-"):
            pass
    except OSError as exc:
        return failed(
            name, f"not writable ({exc.strerror or exc.__class__.__name__})", MEDIA_DIR_FIX
        )
    return passed(name, "writable")


def _shown(url: str) -> str:
    """DATABASE_URL fit to print, its password masked; empty if it cannot be read."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return ""


def _words(text: str) -> Iterable[str]:
    return (word.strip() for word in text.split(",") if word.strip())


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"
