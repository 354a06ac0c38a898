"""One workspace or many: the settings choosing the mode, and where Slack and Tavus reach it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BeforeValidator,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import NoDecode

from bot.config.database import DatabaseSettings
from bot.workspaces.vault import Vault

# Error types a failed start words itself: mixed modes in one line, a missing way in as
# SLACK_SIGNING_SECRET.
NO_WAY_IN = "no_way_in"
MIXED = "mixed"
# Where the bot listens unless HOST says: every interface, or this machine alone.
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 (hosting platforms reach the process from outside)
LOOPBACK = "127.0.0.1"
# Where Slack's requests arrive over HTTP (Tavus's arrive at Settings.callback_url): the route,
# its timer and the request URL `check` tells admins to paste all read it here.
SLACK_EVENTS_PATH = "/slack/events"


def oauth_mode(info: ValidationInfo) -> bool:
    """Whether the settings validated so far choose many workspaces (SLACK_CLIENT_ID)."""
    # Bolt checks presence, not content: even an empty SLACK_CLIENT_ID would turn OAuth on.
    # An invalid one (absent from info.data) was meant to turn it on too.
    return info.data.get("slack_client_id", "") is not None


def secure_url(url: AnyHttpUrl) -> bool:
    """Whether an address may carry cookies and secrets: https, or http on this machine only."""
    return url.scheme == "https" or _loopback(url)


def _loopback(url: AnyHttpUrl) -> bool:
    return url.host in {"127.0.0.1", "localhost", "::1", "[::1]"}


def _split_keys(value: Any) -> Any:
    if isinstance(value, str):
        value = tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _fernet_keys(value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
    # Needed unless the settings choose one workspace; rotate-keys' settings (no
    # SLACK_CLIENT_ID) choose none, and exist to reseal with them.
    if not value and oauth_mode(info):
        raise PydanticCustomError("missing", "the stored secrets are sealed with them")
    if value:
        Vault(value)  # raises SecretsKeyError (a ValueError) naming the key by place only
    return value


# SECRETS_KEYS, read and checked alike by the bot and by rotate-keys.
SecretsKeys = Annotated[
    tuple[str, ...], NoDecode, BeforeValidator(_split_keys), AfterValidator(_fernet_keys)
]


class VaultSettings(DatabaseSettings):
    """The database's settings and SECRETS_KEYS: all that `python -m bot rotate-keys` needs."""

    secrets_keys: SecretsKeys


class ModeSettings(DatabaseSettings):
    """The mode (one workspace, or many by OAuth), its credentials, and where the bot is reached."""

    # Declared first (after the database's): the fields after them are checked against the
    # mode they choose.
    slack_client_id: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "the Client ID from your Slack app's 'Basic Information' page; set (even empty, as "
            "for Bolt), the bot serves many workspaces installed by OAuth (see [Distributing the "
            "app](#distributing-the-app)), and then needs SLACK_CLIENT_SECRET, "
            "SLACK_SIGNING_SECRET, PUBLIC_URL and SECRETS_KEYS, and refuses SLACK_BOT_TOKEN, "
            "TAVUS_API_KEY, SLACK_APP_TOKEN, AUDIT_CHANNEL and APPROVAL_CHANNEL, naming them in "
            "one line"
        ),
    )
    slack_client_secret: str | None = Field(
        default=None,
        min_length=1,
        validate_default=True,
        description=(
            "the Client Secret from your Slack app's 'Basic Information' page (many "
            "workspaces); only with SLACK_CLIENT_ID"
        ),
    )
    secrets_keys: SecretsKeys = Field(
        default=(),
        validate_default=True,
        description=(
            "comma-separated Fernet keys, newest first, that seal each workspace's bot token and "
            "Tavus key in the database (many workspaces) and, when set, the bot's signing keys "
            "(one workspace too); the first seals, any opens (cryptography's MultiFernet); a "
            "malformed key is refused by its place in the list, never shown; make one with: "
            '`python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"`'
        ),
    )
    slack_bot_token: str | None = Field(
        default=None,
        pattern=r"^xoxb-",
        validate_default=True,
        description=(
            "the Bot User OAuth Token (xoxb-…) from your Slack app's 'OAuth & Permissions' page; "
            "needed with one workspace, refused with SLACK_CLIENT_ID"
        ),
    )
    slack_signing_secret: str | None = Field(
        default=None,
        min_length=1,
        description=(
            "the Signing Secret from your Slack app's 'Basic Information' page: every request to "
            "/slack/events is checked against it; not needed in Socket Mode (with "
            "SLACK_APP_TOKEN), where without it /slack/events is not served at all"
        ),
    )
    slack_app_token: str | None = Field(
        default=None,
        pattern=r"^xapp-",
        validate_default=True,
        description=(
            "an App-Level Token (xapp-…) with connections:write, from 'Basic Information': talk "
            "to Slack over Socket Mode instead of receiving HTTP requests"
        ),
    )
    tavus_api_key: str | None = Field(
        default=None,
        min_length=1,
        validate_default=True,
        description=(
            "your API key from the Tavus developer portal (platform.tavus.io → API Keys); needed "
            "with one workspace, refused with SLACK_CLIENT_ID: each workspace connects its own"
        ),
    )
    public_url: AnyHttpUrl | None = Field(
        default=None,
        validate_default=True,
        description=(
            "the public https address where Tavus can reach this bot, e.g. "
            "https://bot.example.com (plain http only on loopback: callbacks carry each job's "
            "secret, media links their signatures); Tavus then calls back to "
            "PUBLIC_URL/tavus/callback/… and results arrive within seconds; needed with "
            "SLACK_CLIENT_ID, else leave unset to rely on polling alone"
        ),
    )
    port: int = Field(
        default=3000,
        ge=1,
        le=65535,
        description="the TCP port to listen on, a number between 1 and 65535",
    )
    host: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9.:-]+$",
        description=(
            f"the address the bot listens on: {EVERY_INTERFACE}, every interface (the default "
            f"over HTTP, as hosting platforms need), or {LOOPBACK}, this machine only (the "
            "default in Socket Mode without an outside PUBLIC_URL, where nothing outside needs "
            "to reach it; also right behind a proxy or tunnel on the same machine); :: for "
            "every IPv6 and IPv4 interface"
        ),
    )

    @field_validator("slack_client_secret")
    @classmethod
    def _pair(cls, value: str | None, info: ValidationInfo) -> str | None:
        # A client id absent from info.data was invalid, and is named already.
        client_id = info.data.get("slack_client_id", "")
        if client_id is not None and value is None:
            raise PydanticCustomError("missing", "the client id needs its secret")
        if client_id is None and value is not None:
            raise ValueError("set SLACK_CLIENT_ID with it: OAuth needs both")
        return value

    # One check for everything of one workspace's; the channels are declared in Settings.
    @field_validator(
        "slack_bot_token", "tavus_api_key", "audit_channel", "approval_channel", check_fields=False
    )
    @classmethod
    def _of_one_workspace(cls, value: str | None, info: ValidationInfo) -> str | None:
        # In OAuth mode each workspace has its own: one in the environment would be anybody's.
        if oauth_mode(info) and value is not None:
            raise PydanticCustomError(MIXED, "set with SLACK_CLIENT_ID")
        required = info.field_name in {"slack_bot_token", "tavus_api_key"}
        if required and not oauth_mode(info) and value is None:
            raise PydanticCustomError("missing", "needed with one workspace")
        return value

    @field_validator("public_url")
    @classmethod
    def _reachable(cls, value: AnyHttpUrl | None, info: ValidationInfo) -> AnyHttpUrl | None:
        if oauth_mode(info) and value is None:
            # Slack sends installers back to it, and the Connect Tavus page lives there.
            raise PydanticCustomError("missing", "OAuth mode is served at it")
        if value is not None and not secure_url(value):
            # Tavus's callbacks carry each job's secret, media links their signatures, and with
            # SLACK_CLIENT_ID install states and Connect Tavus sessions ride in cookies: over
            # plain http anyone on the way reads them. Loopback never leaves the machine.
            raise ValueError(
                "it must be https: callbacks and media links carry secrets (http only on "
                "loopback, e.g. http://127.0.0.1:3000)"
            )
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _a_way_in(cls, value: str | None, info: ValidationInfo) -> str | None:
        if oauth_mode(info) and value is not None:
            raise PydanticCustomError(MIXED, "Socket Mode with OAuth")
        # Declared after the signing secret, so info.data holds it if it was valid.
        if value is None and info.data.get("slack_signing_secret", "") is None:
            raise PydanticCustomError(NO_WAY_IN, "neither a signing secret nor an app token")
        return value

    @property
    def oauth(self) -> bool:
        """Whether the bot serves many workspaces, installed by OAuth (SLACK_CLIENT_ID)."""
        return self.slack_client_id is not None

    @property
    def listen_host(self) -> str:
        """HOST; else loopback in Socket Mode when nothing outside calls in, else every interface.

        Slack's requests arrive over HTTP unless in Socket Mode; Tavus's callbacks and media
        downloads arrive wherever PUBLIC_URL points, unless that is this machine itself.
        """
        if self.host is not None:
            return self.host
        inward = self.public_url is not None and not _loopback(self.public_url)
        if self.slack_app_token is not None and not inward:
            return LOOPBACK
        return EVERY_INTERFACE

    def callback_url(self, job_id: str, secret: str) -> str | None:
        """The address Tavus calls back for one job, carrying its secret; None without one."""
        if self.public_url is None:
            return None
        return f"{str(self.public_url).rstrip('/')}/tavus/callback/{job_id}/{secret}"
