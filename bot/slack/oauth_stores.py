"""Bolt's installation and OAuth state stores, kept in the bot's own database, tokens sealed.

Bolt must never fall back to its file-based stores: these are the ones it is given.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.store import Store
from bot.workspaces.installations import Installed
from bot.workspaces.vault import Vault

log = logging.getLogger(__name__)

# How long an install link's state lasts: enough to read Slack's consent screen.
STATE_LIFETIME = timedelta(minutes=10)
# States used and not yet expired are kept (to refuse them a second time) up to this many: past
# it, installs are refused until some expire. Far above the installs of a real ten minutes, and
# a bound on what anyone can make the bot write by coming back with states it handed out.
MOST_SPENT_STATES = 1000
# A state is what StateStore.async_issue makes: a 24-byte URL-safe nonce, whole seconds, HMAC.
_STATE = re.compile(r"(?P<nonce>[A-Za-z0-9_-]{32})\.(?P<expiry>[0-9]{1,12})\.(?P<sig>[0-9a-f]{64})")


class InstallationStore(AsyncInstallationStore):
    """Installs in the installations table; a bot token is sealed before it is stored."""

    def __init__(self, store: Store, vault: Vault) -> None:
        self._store = store
        self._vault = vault

    @property
    def logger(self) -> logging.Logger:
        """Where Bolt's installation messages go."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Keep an install Slack's OAuth flow has just completed (a reinstall replaces it)."""
        # Kept as who answers for the install: no right comes with it (connecting Tavus takes
        # an admin, and any member may reinstall where the workspace lets members add apps).
        installed = self._installed(installation.to_bot(), installation.user_id)
        await self._store.installations.save(installed)

    async def async_save_bot(self, bot: Bot) -> None:
        """Keep a bot's new token or scopes; its installer stays who it was."""
        found = await self._find(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        await self._store.installations.save(
            self._installed(bot, found.installer_id if found else "")
        )

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The bot serving a workspace: its own install's, else its org's."""
        found = await self._find(enterprise_id, team_id, is_enterprise_install)
        return None if found is None else Bot(**self._fields(found))

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The install serving a workspace, as Bolt's authorization asks for it (bot only)."""
        found = await self._find(enterprise_id, team_id, is_enterprise_install)
        if found is None:
            return None
        return Installation(**self._fields(found), user_id=found.installer_id)

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget a workspace's (or an org's) install: its token goes with it."""
        await self._store.installations.delete(team_id=team_id, enterprise_id=enterprise_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """The bot keeps no user tokens: forgetting an install is forgetting its bot."""
        if user_id is None:
            await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget everything about a workspace's (or an org's) install."""
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)

    async def _find(
        self, enterprise_id: str | None, team_id: str | None, org: bool | None = False
    ) -> Installed | None:
        return await self._store.installations.find(
            team_id=team_id, enterprise_id=enterprise_id, is_enterprise_install=bool(org)
        )

    def _fields(self, found: Installed) -> dict[str, Any]:
        """What a Bot and an Installation both say of an install, its token opened."""
        return {
            "app_id": found.app_id,
            "enterprise_id": found.enterprise_id,
            "enterprise_name": found.enterprise_name,
            "team_id": found.team_id,
            "team_name": found.team_name,
            "bot_token": self._vault.open(found.bot_token_sealed),
            "bot_id": found.bot_id,
            "bot_user_id": found.bot_user_id,
            "bot_scopes": found.bot_scopes,
            "is_enterprise_install": found.is_enterprise_install,
            "installed_at": found.installed_at.timestamp(),
        }

    def _installed(self, bot: Bot, installer_id: str) -> Installed:
        return Installed(
            team_id=None if bot.is_enterprise_install else bot.team_id,
            enterprise_id=bot.enterprise_id,
            is_enterprise_install=bool(bot.is_enterprise_install),
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=",".join(bot.bot_scopes),
            bot_token_sealed=self._vault.seal(bot.bot_token),
            installer_id=installer_id,
            installed_at=self._store.now(),
            team_name=bot.team_name,
            enterprise_name=bot.enterprise_name,
            app_id=bot.app_id,
        )


class StateStore(AsyncOAuthStateStore):
    """OAuth states signed by the bot, written to the database only once used: single use.

    Handing one out (`GET /slack/install`, open to anyone) writes nothing: the state is
    `nonce.expiry.HMAC`. One that comes back signed and unexpired is recorded as spent in
    oauth_states, where a second use finds it, MOST_SPENT_STATES at most at a time.
    """

    def __init__(self, store: Store, secret: bytes, *, most: int = MOST_SPENT_STATES) -> None:
        if not secret:
            # An empty HMAC key signs states anybody could forge: refuse to start instead.
            raise ValueError("StateStore needs a secret to sign its states")
        self._store = store
        self._secret = secret
        self._most = most

    @property
    def logger(self) -> logging.Logger:
        """Where Bolt's state messages go."""
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        """A new state for an install link (192 random bits, its expiry, signed); nothing stored."""
        nonce = secrets.token_urlsafe(24)
        expiry = int((self._store.now() + STATE_LIFETIME).timestamp())
        return f"{nonce}.{expiry}.{self._sign(nonce, expiry)}"

    async def async_consume(self, state: str) -> bool:
        """Whether `state` is one signed here, unexpired and unused; it is spent if so."""
        match = _STATE.fullmatch(state or "")
        if match is None:
            return False
        expiry = int(match["expiry"])
        if not hmac.compare_digest(
            self._sign(match["nonce"], expiry).encode(), match["sig"].encode()
        ):
            log.info("an install state not signed by this bot was refused")
            return False
        if expiry <= self._store.now().timestamp():
            return False
        spent = await self._store.oauth_states.spend(
            match["nonce"], expires_at=datetime.fromtimestamp(expiry, UTC), most=self._most
        )
        if not spent:
            log.info("an install state used already, or one too many at once, was refused")
        return spent

    def _sign(self, nonce: str, expiry: int) -> str:
        return hmac.new(self._secret, f"{nonce}.{expiry}".encode(), hashlib.sha256).hexdigest()
