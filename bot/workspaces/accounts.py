"""Each workspace's credentials: its Slack bot token and its Tavus account.

With one workspace both come from the settings; with many (OAuth), from the database, sealed:
the bot token from the workspace's (or its org's) installation, the Tavus key from what an admin
saved on the Connect Tavus page. A job hours old is served with its own workspace's, or not at all,
and with the Tavus account that made it, even if an admin has connected another one since.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Protocol

import httpx

from bot.jobs import Job
from bot.ops.logs import register_secret
from bot.store import Store
from bot.tavus import TavusClient, TavusError
from bot.workspaces.vault import Vault

NOT_CONNECTED = (
    "this workspace is not connected to a Tavus account yet: an admin connects it from the "
    "bot's App Home (Connect Tavus)"
)
ACCOUNT_GONE = (
    "the Tavus account this replica was made with is no longer connected to this workspace"
)
# How many hex digits of the HMAC name a key: enough that two keys of a workspace never share
# one, few enough to read in the audit log.
FINGERPRINT_LENGTH = 16


class Gone(Exception):
    """The workspace cannot be served any more: the app was uninstalled, or its Tavus key went."""


class NotInstalled(Gone):
    """No installation serves the workspace (uninstalled, tokens revoked, or never installed)."""


class NotConnected(Gone, TavusError):
    """No Tavus account is connected for the workspace: an admin must connect one in App Home.

    A TavusError too: whoever asked Tavus for something hears that Tavus could not be asked.
    """


class Fingerprints:
    """Names a Tavus account by its key without revealing the key: an HMAC-SHA256, truncated.

    Keyed by a secret of the bot's own (the `keys` table), not a plain hash: fingerprints leave
    the database (the audit log, its Slack channel and CSV export, kept for good), and there an
    unkeyed hash would let anyone holding a key they found confirm whose account it opens.
    """

    def __init__(self, secret: bytes) -> None:
        if not secret:
            raise ValueError("Fingerprints needs a secret")
        self._secret = secret

    def of(self, api_key: str) -> str:
        """The fingerprint of one key: the same for the same key, whoever asks, whenever."""
        digest = hmac.new(self._secret, api_key.encode(), hashlib.sha256).hexdigest()
        return digest[:FINGERPRINT_LENGTH]


@dataclass(frozen=True, slots=True)
class Account:
    """A Tavus account: the client for its key, and that key's fingerprint."""

    tavus: TavusClient
    fingerprint: str | None


@dataclass(frozen=True, slots=True)
class Workspace:
    """A Slack workspace, and its Enterprise Grid org if it has one (whose install may serve it)."""

    team_id: str
    enterprise_id: str | None = None


def workspace_of(job: Job) -> Workspace:
    """The workspace a job was asked for in."""
    return Workspace(job.requester.team_id, job.requester.enterprise_id)


class BotTokens(Protocol):
    """Where a workspace's bot token comes from."""

    async def bot_token(self, workspace: Workspace) -> str:
        """The workspace's bot token; NotInstalled if none serves it."""
        ...


class Accounts(BotTokens, Protocol):
    """Where a workspace's credentials come from."""

    async def tavus(self, team_id: str) -> TavusClient:
        """A client for the workspace's Tavus account; NotConnected if it has none."""
        ...

    async def serving(self, workspace: Workspace) -> TavusClient:
        """The workspace's Tavus client, once sure the app is still installed there (else Gone).

        What work hours later asks first: a job of a workspace that has gone is ended, never
        carried on with another's credentials.
        """
        ...

    async def current(self, workspace: Workspace) -> Account:
        """The account a create goes to now, and its fingerprint, to be kept with the job."""
        ...

    async def tavus_for(self, job: Job) -> TavusClient:
        """The client of the account that made the job, if the app still serves its workspace.

        A job sent before fingerprints were kept uses the workspace's key of the moment. Raises
        NotInstalled, or NotConnected if the account that made it is not kept any more.
        """
        ...


class OneWorkspace:
    """The settings' bot token and Tavus key, for every request: the single-workspace mode."""

    def __init__(
        self, *, bot_token: str, tavus: TavusClient, fingerprint: str | None = None
    ) -> None:
        self._bot_token = bot_token
        self._tavus = tavus
        self._fingerprint = fingerprint

    async def bot_token(self, workspace: Workspace) -> str:
        """SLACK_BOT_TOKEN."""
        return self._bot_token

    async def tavus(self, team_id: str) -> TavusClient:
        """The client for TAVUS_API_KEY."""
        return self._tavus

    async def serving(self, workspace: Workspace) -> TavusClient:
        """The client for TAVUS_API_KEY: the one workspace is served as long as the bot runs."""
        return self._tavus

    async def current(self, workspace: Workspace) -> Account:
        """TAVUS_API_KEY's account."""
        return Account(self._tavus, self._fingerprint)

    async def tavus_for(self, job: Job) -> TavusClient:
        """The client for TAVUS_API_KEY: the operator's one key, whatever made the job."""
        return self._tavus


class Workspaces:
    """Each workspace's own token and Tavus key, read from the database (every instance's)."""

    # Keys opened are remembered by their sealed form, up to this many; then forgotten at once
    # (resealing makes new sealed forms of the same keys, and they are cheap to open again).
    MOST_OPENED = 1000

    def __init__(
        self,
        *,
        store: Store,
        vault: Vault,
        http: httpx.AsyncClient,
        fingerprints: Fingerprints,
        deadline: float | None = None,
        max_concurrency: int = 10,
    ) -> None:
        self._store = store
        self._vault = vault
        self._http = http
        self._fingerprints = fingerprints
        self._deadline = deadline
        self._max_concurrency = max_concurrency
        # A client per account (by fingerprint), kept for good: it holds the account's
        # concurrency limit and any pause Tavus asked for, whichever workspace or job asks.
        self._clients: dict[str, TavusClient] = {}
        self._opened: dict[str, Account] = {}
        # Each opened key, to be registered with the log redactor each time it is used.
        self._keys: dict[str, str] = {}

    async def bot_token(self, workspace: Workspace) -> str:
        """The bot token of the install serving the workspace: its own, else its org's."""
        installed = await self._store.installations.find(
            team_id=workspace.team_id, enterprise_id=workspace.enterprise_id
        )
        if installed is None:
            raise NotInstalled(f"no installation serves workspace {workspace.team_id}")
        return self._vault.open(installed.bot_token_sealed)

    async def tavus(self, team_id: str) -> TavusClient:
        """A client for the Tavus account an admin connected, read afresh each time."""
        return (await self._connected(team_id)).tavus

    async def serving(self, workspace: Workspace) -> TavusClient:
        """The workspace's Tavus client, if an installation still serves it (else NotInstalled)."""
        return (await self.current(workspace)).tavus

    async def current(self, workspace: Workspace) -> Account:
        """The workspace's connected account, if an installation still serves it."""
        await self._installed(workspace)
        return await self._connected(workspace.team_id)

    async def tavus_for(self, job: Job) -> TavusClient:
        """The account that made the job: the connected one, or a key it replaced, kept."""
        workspace = workspace_of(job)
        await self._installed(workspace)
        if job.tavus_account is None:
            return (await self._connected(workspace.team_id)).tavus
        connected = await self._store.tavus_accounts.find(workspace.team_id)
        if connected is not None:
            account = self._open(connected.key_sealed)
            if account.fingerprint == job.tavus_account:
                return account.tavus
        replaced = await self._store.tavus_accounts.replaced(workspace.team_id, job.tavus_account)
        if replaced is not None:
            return self._open(replaced.key_sealed).tavus
        # An admin may have connected this very key again meanwhile, which moves it from the
        # kept keys back to the current one: look once more before calling the account gone.
        connected = await self._store.tavus_accounts.find(workspace.team_id)
        if connected is not None:
            account = self._open(connected.key_sealed)
            if account.fingerprint == job.tavus_account:
                return account.tavus
        raise NotConnected(ACCOUNT_GONE)

    def client_for(self, api_key: str) -> TavusClient:
        """A client for any key (the Connect Tavus page checks one with it before saving it).

        The key is not registered with the log redactor here: one merely typed on the page may
        be anything, and is kept from the logs only once Tavus has accepted it.
        """
        return TavusClient(
            self._http,
            api_key=api_key,
            deadline=self._deadline,
            max_concurrency=self._max_concurrency,
        )

    def fingerprint(self, api_key: str) -> str:
        """The fingerprint of a key (what jobs, replaced keys and the audit log name it by)."""
        return self._fingerprints.of(api_key)

    async def _installed(self, workspace: Workspace) -> None:
        installed = await self._store.installations.find(
            team_id=workspace.team_id, enterprise_id=workspace.enterprise_id
        )
        if installed is None:
            raise NotInstalled(f"no installation serves workspace {workspace.team_id}")

    async def _connected(self, team_id: str) -> Account:
        connected = await self._store.tavus_accounts.find(team_id)
        if connected is None:
            raise NotConnected(NOT_CONNECTED)
        return self._open(connected.key_sealed)

    def _open(self, sealed: str) -> Account:
        """The account a sealed key opens: its client, the same for every sealing of one key."""
        opened = self._opened.get(sealed)
        if opened is not None:
            # Registered again as it is used: the redactor keeps the keys used most recently.
            register_secret(self._keys[sealed])
            return opened
        api_key = self._vault.open(sealed)
        register_secret(api_key)
        fingerprint = self._fingerprints.of(api_key)
        client = self._clients.get(fingerprint)
        if client is None:
            client = self._clients[fingerprint] = self.client_for(api_key)
        if len(self._opened) >= self.MOST_OPENED:
            self._opened.clear()
            self._keys.clear()
        opened = self._opened[sealed] = Account(client, fingerprint)
        self._keys[sealed] = api_key
        return opened
