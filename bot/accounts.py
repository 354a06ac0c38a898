"""Each workspace's credentials: its Slack bot token and its Tavus account.

With one workspace both come from the settings; with many (OAuth), from the database, sealed:
the bot token from the workspace's (or its org's) installation, the Tavus key from what an admin
saved on the Connect Tavus page. A job hours old is served with its own workspace's, or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from bot.jobs import Job
from bot.logs import register_secret
from bot.store import Store
from bot.tavus import TavusClient, TavusError
from bot.vault import Vault

NOT_CONNECTED = (
    "this workspace is not connected to a Tavus account yet: an admin connects it from the "
    "bot's App Home (Connect Tavus)"
)


class Gone(Exception):
    """The workspace cannot be served any more: the app was uninstalled, or its Tavus key went."""


class NotInstalled(Gone):
    """No installation serves the workspace (uninstalled, tokens revoked, or never installed)."""


class NotConnected(Gone, TavusError):
    """No Tavus account is connected for the workspace: an admin must connect one in App Home.

    A TavusError too: whoever asked Tavus for something hears that Tavus could not be asked.
    """


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


class OneWorkspace:
    """The settings' bot token and Tavus key, for every request: the single-workspace mode."""

    def __init__(self, *, bot_token: str, tavus: TavusClient) -> None:
        self._bot_token = bot_token
        self._tavus = tavus

    async def bot_token(self, workspace: Workspace) -> str:
        """SLACK_BOT_TOKEN."""
        return self._bot_token

    async def tavus(self, team_id: str) -> TavusClient:
        """The client for TAVUS_API_KEY."""
        return self._tavus

    async def serving(self, workspace: Workspace) -> TavusClient:
        """The client for TAVUS_API_KEY: the one workspace is served as long as the bot runs."""
        return self._tavus


class Workspaces:
    """Each workspace's own token and Tavus key, read from the database (every instance's)."""

    def __init__(
        self,
        *,
        store: Store,
        vault: Vault,
        http: httpx.AsyncClient,
        deadline: float | None = None,
        max_concurrency: int = 10,
    ) -> None:
        self._store = store
        self._vault = vault
        self._http = http
        self._deadline = deadline
        self._max_concurrency = max_concurrency
        # A client per account, kept while its key stays the same: it holds the account's
        # concurrency limit and any pause Tavus asked for. Its key, opened, to be kept from logs.
        self._clients: dict[str, tuple[str, str, TavusClient]] = {}

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
        connected = await self._store.tavus_accounts.find(team_id)
        if connected is None:
            self._clients.pop(team_id, None)
            raise NotConnected(NOT_CONNECTED)
        kept = self._clients.get(team_id)
        if kept is not None and kept[0] == connected.key_sealed:
            # Registered again as it is used: the redactor keeps the keys used most recently.
            register_secret(kept[1])
            return kept[2]
        key = self._vault.open(connected.key_sealed)
        register_secret(key)
        client = self.client_for(key)
        self._clients[team_id] = (connected.key_sealed, key, client)
        return client

    async def serving(self, workspace: Workspace) -> TavusClient:
        """The workspace's Tavus client, if an installation still serves it (else NotInstalled)."""
        installed = await self._store.installations.find(
            team_id=workspace.team_id, enterprise_id=workspace.enterprise_id
        )
        if installed is None:
            raise NotInstalled(f"no installation serves workspace {workspace.team_id}")
        return await self.tavus(workspace.team_id)

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
