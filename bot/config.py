"""One Settings object, read from the environment (or .env) and validated once at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.governance.model import EVERYONE, Approvers, Creators, Policy
from bot.store import Pool
from bot.workspaces.vault import Vault

# Where to find each value: shown next to every problem so a failed start explains itself.
HELP: dict[str, str] = {
    "slack_client_id": (
        "the Client ID from your Slack app's 'Basic Information' page (many workspaces, by OAuth)"
    ),
    "slack_client_secret": (
        "the Client Secret from your Slack app's 'Basic Information' page (many workspaces)"
    ),
    "secrets_keys": (
        "comma-separated Fernet keys, newest first, that seal bot tokens and Tavus keys at rest "
        '(many workspaces); make one with: python -c "from cryptography.fernet import Fernet; '
        'print(Fernet.generate_key().decode())"'
    ),
    "slack_bot_token": (
        "the Bot User OAuth Token (xoxb-…) from your Slack app's 'OAuth & Permissions' page"
    ),
    "slack_signing_secret": (
        "the Signing Secret from your Slack app's 'Basic Information' page "
        "(not needed in Socket Mode, with SLACK_APP_TOKEN)"
    ),
    "slack_app_token": (
        "an App-Level Token (xapp-…) with connections:write, from 'Basic Information' (Socket Mode)"
    ),
    "tavus_api_key": "your API key from the Tavus developer portal (platform.tavus.io → API Keys)",
    "public_url": (
        "the public https address where Tavus can reach this bot, e.g. https://bot.example.com "
        "(needed with SLACK_CLIENT_ID; else leave unset to rely on polling alone)"
    ),
    "database_url": (
        "sqlite:///path/to/file.db, or postgresql://user:password@host/dbname "
        "(postgres:// as Heroku gives it works too)"
    ),
    "database_pool_size": "PostgreSQL connections each instance keeps open, 1 or more (default 5)",
    "database_pool_overflow": "extra PostgreSQL connections allowed at busy moments (default 5)",
    "database_timeout": "seconds to wait for a database connection, above 0 (default 10)",
    "port": "a TCP port number between 1 and 65535 (default 3000)",
    "host": (
        "the address the bot listens on: 0.0.0.0, every interface (the default over HTTP, as "
        "hosting platforms need), or 127.0.0.1, this machine only (the default in Socket Mode "
        "without PUBLIC_URL, where nothing outside needs to reach it; also right behind a proxy "
        "or tunnel on the same machine); :: for every IPv6 and IPv4 interface"
    ),
    "slack_api_url": "the Slack Web API base URL, default https://slack.com/api/",
    "tavus_api_url": "the Tavus API base URL, default https://tavusapi.com",
    "tavus_timeout": "seconds to wait for a Tavus answer, a number above 0 (default 30)",
    "tavus_max_concurrency": "requests open at Tavus at once at most, 1 or more (default 10)",
    "tavus_poll_interval": "seconds between polls of unfinished trainings, above 0 (default 600)",
    "tavus_models": "comma-separated Tavus model names offered in the form, first is the default",
    "slack_timeout": "whole seconds to wait for a Slack Web API answer, 1 or more (default 10)",
    "slack_channel_rate": "messages a second the bot sends to one channel, above 0 (default 1)",
    "slack_channel_burst": "messages sent to one channel in a burst, 1 or more (default 3)",
    "slack_update_rate": (
        "card redraws (chat.update) a second per workspace, above 0 (default 0.83: Slack's Tier 3, "
        "about 50 a minute)"
    ),
    "slack_update_burst": "card redraws per workspace in a burst, 1 or more (default 10)",
    "consent_timeout": (
        "seconds the person shown has to consent before the request expires, above 0 "
        "(default 259200, 72 hours)"
    ),
    "consent_waiting_per_requester": (
        "requests one person may have waiting for consent at once, 1 or more (default 10)"
    ),
    "consent_waiting_per_subject": (
        "requests that may wait for one person's consent at once, from anyone, 1 or more "
        "(default 3)"
    ),
    "replica_creators": (
        "who may create replicas: everyone (default), admins, or comma-separated user ids "
        "(U…) and user-group ids (S…); guests never may"
    ),
    "replica_approvers": (
        "who approves requests once the person shown consented: comma-separated user ids (U…) "
        "and user-group ids (S…); unset: no approval"
    ),
    "approval_channel": (
        "a channel id (C…) where approval requests go, the bot invited; unset: each approver's DM"
    ),
    "audit_channel": (
        "a channel id (C…) where every audit record is also posted, the bot invited; unset: none"
    ),
    "media_check_links": (
        "true (default) or false: check each link in the form before saving it (false where the "
        "bot cannot reach the hosts Tavus downloads from)"
    ),
    "media_allow_private_hosts": (
        "true or false (default): let link checks reach private and loopback addresses; for local "
        "testing only, Tavus cannot reach them"
    ),
    "media_dir": "the folder where files taken from Slack are kept for Tavus (default ./media)",
    "media_ttl": (
        "seconds a kept file (and its link) lasts at most, 86400 to 604800 (default 259200, 72 "
        "hours); it goes sooner once training has ended"
    ),
    "media_quota_bytes": (
        "bytes of files copied from Slack one workspace may keep at once, 1 or more (default "
        "20000000000, 20 GB: about 26 videos of Tavus's largest, 750 MB)"
    ),
    "media_copies_at_once": (
        "files each instance copies from Slack at once, 1 or more (default 4); others wait their "
        "turn"
    ),
    "media_s3_bucket": (
        "an S3 bucket for files taken from Slack (several instances, or a disk wiped on restart); "
        "credentials from the usual AWS variables"
    ),
    "media_s3_endpoint_url": "an S3-compatible endpoint, e.g. https://s3.eu-west-1.amazonaws.com",
    "media_s3_region": "the bucket's region, e.g. eu-west-1 (else AWS_REGION / AWS_DEFAULT_REGION)",
    "retention_days": (
        "days a finished job keeps its media links, file names and error texts, 1 or more "
        "(default 365); its outcome, consent receipt and the audit log stay"
    ),
    "shutdown_grace": "seconds work in flight may take to finish at SIGTERM, 0 or more (default 8)",
    "metrics_token": (
        "a token of 16 characters or more (e.g. from `openssl rand -hex 32`) that Prometheus "
        "must send as `Authorization: Bearer <token>` to read /metrics; unset, /metrics is open "
        "to anyone who can reach the port with one workspace, and to this machine only (loopback, "
        "no proxy) with many (SLACK_CLIENT_ID)"
    ),
    "log_level": "one of DEBUG, INFO, WARNING, ERROR",
    "log_format": (
        "text (default: one line a record) or json (one JSON object a line: time, level, "
        "logger, message, and job_id, team_id, channel, replica_id where known)"
    ),
}


NO_WAY_IN = "no_way_in"
MIXED = "mixed"
ONE_MODE = (
    "choose one mode: one workspace (SLACK_BOT_TOKEN and TAVUS_API_KEY, with "
    "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN), or many by OAuth (SLACK_CLIENT_ID, "
    "SLACK_CLIENT_SECRET, SLACK_SIGNING_SECRET, PUBLIC_URL and SECRETS_KEYS; each workspace's "
    "admins connect Tavus and set their approvers and channels in App Home). Socket Mode cannot "
    "serve OAuth installs"
)
HEADLINE = "replica-bot cannot start; fix these settings (environment or .env):"
# Where the bot listens unless HOST says: every interface, or this machine alone.
EVERY_INTERFACE = "0.0.0.0"  # noqa: S104 (hosting platforms reach the process from outside)
LOOPBACK = "127.0.0.1"
# Where Slack's requests arrive over HTTP (Tavus's arrive at Settings.callback_url): the route,
# its timer and the request URL `check` tells admins to paste all read it here.
SLACK_EVENTS_PATH = "/slack/events"


class ConfigError(Exception):
    """The settings are missing or malformed; the message names every problem."""


class DatabaseSettings(BaseSettings):
    """The settings that reach the database: all that `python -m bot audit` needs."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = "sqlite:///replica-bot.db"
    database_pool_size: int = Field(default=5, ge=1)
    database_pool_overflow: int = Field(default=5, ge=0)
    database_timeout: float = Field(default=10.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = value.split("://", 1)[0].split("+", 1)[0] if "://" in value else ""
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError("only sqlite:// and postgresql:// databases are supported")
        return value

    @property
    def sqlalchemy_url(self) -> str:
        """DATABASE_URL with the async driver SQLAlchemy needs."""
        scheme, rest = self.database_url.split("://", 1)
        if scheme.split("+", 1)[0] == "sqlite":
            return f"sqlite+aiosqlite://{rest}"
        # libpq's sslmode (as hosting providers write it) is asyncpg's ssl.
        return f"postgresql+asyncpg://{rest.replace('sslmode=', 'ssl=')}"

    @property
    def pool(self) -> Pool:
        """The database connection pool's limits."""
        return Pool(
            size=self.database_pool_size,
            overflow=self.database_pool_overflow,
            timeout=self.database_timeout,
        )


class Settings(DatabaseSettings):
    """Everything the bot is configured with; nothing else reads the environment.

    Two modes: one workspace (a bot token and a Tavus key here), or many, installed by OAuth
    (SLACK_CLIENT_ID), each workspace's token and Tavus key in the database, sealed.
    """

    # Declared first: the fields after them are checked against the mode they choose.
    slack_client_id: str | None = Field(default=None, min_length=1)
    slack_client_secret: str | None = Field(default=None, min_length=1, validate_default=True)
    slack_bot_token: str | None = Field(default=None, pattern=r"^xoxb-", validate_default=True)
    # Needed to check requests Slack sends over HTTP; Socket Mode (an app token) needs none.
    slack_signing_secret: str | None = Field(default=None, min_length=1)
    tavus_api_key: str | None = Field(default=None, min_length=1, validate_default=True)
    secrets_keys: Annotated[tuple[str, ...], NoDecode] = Field(default=(), validate_default=True)
    public_url: AnyHttpUrl | None = Field(default=None, validate_default=True)
    port: int = Field(default=3000, ge=1, le=65535)
    host: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.:-]+$")
    slack_api_url: AnyHttpUrl = AnyHttpUrl("https://slack.com/api/")
    tavus_api_url: AnyHttpUrl = AnyHttpUrl("https://tavusapi.com")
    tavus_timeout: float = Field(default=30.0, gt=0)
    tavus_poll_interval: float = Field(default=600.0, gt=0)
    tavus_max_concurrency: int = Field(default=10, ge=1)
    tavus_models: Annotated[tuple[str, ...], NoDecode] = ("phoenix-4", "phoenix-3")
    slack_timeout: int = Field(default=10, ge=1)
    # Slack allows about one message a second per channel, with short bursts.
    slack_channel_rate: float = Field(default=1.0, gt=0)
    slack_channel_burst: int = Field(default=3, ge=1)
    # chat.update is Tier 3: about 50 a minute per workspace, with short bursts.
    slack_update_rate: float = Field(default=50 / 60, gt=0)
    slack_update_burst: int = Field(default=10, ge=1)
    slack_app_token: str | None = Field(default=None, pattern=r"^xapp-", validate_default=True)
    consent_timeout: float = Field(default=259200.0, gt=0)
    # Enough for a batch of colleagues; past it, a colleague's DMs cannot be flooded with asks.
    consent_waiting_per_requester: int = Field(default=10, ge=1)
    consent_waiting_per_subject: int = Field(default=3, ge=1)
    replica_creators: Annotated[tuple[str, ...], NoDecode] = (EVERYONE,)
    replica_approvers: Annotated[tuple[str, ...], NoDecode] = ()
    approval_channel: str | None = Field(
        default=None, pattern=r"^[CG][A-Z0-9]{2,}$", validate_default=True
    )
    audit_channel: str | None = Field(
        default=None, pattern=r"^[CG][A-Z0-9]{2,}$", validate_default=True
    )
    media_check_links: bool = True
    media_allow_private_hosts: bool = False
    media_dir: Path = Path("media")
    # Tavus needs a link to keep working for 24 hours after the create.
    media_ttl: float = Field(default=259200.0, ge=86400, le=604800)
    # Copies wait for consent up to CONSENT_TIMEOUT: bounded per workspace, so no one fills
    # the disk (or the bucket) that every workspace, and often the database, share.
    media_quota_bytes: int = Field(default=20_000_000_000, ge=1)
    # Each copy may hold 750 MB on local disk as it goes (S3 uploads are spooled there too).
    media_copies_at_once: int = Field(default=4, ge=1)
    media_s3_bucket: str | None = Field(default=None, min_length=3)
    media_s3_endpoint_url: AnyHttpUrl | None = None
    media_s3_region: str | None = None
    retention_days: int = Field(default=365, ge=1)
    shutdown_grace: float = Field(default=8.0, ge=0)
    metrics_token: str | None = Field(default=None, min_length=16)
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    log_format: str = Field(default="text", pattern=r"^(text|json)$")

    @field_validator("tavus_models", mode="before")
    @classmethod
    def _split_models(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        if not value:
            raise ValueError("at least one model is needed")
        return value

    @field_validator("replica_creators", mode="before")
    @classmethod
    def _creators(cls, value: Any, info: ValidationInfo) -> Any:
        words = tuple(value.split(",")) if isinstance(value, str) else tuple(value)
        creators = Creators.parse(words)  # raises ValueError saying what is wrong
        if _oauth(info) and (creators.users or creators.groups):
            # People's ids belong to one workspace: each sets its own in App Home.
            raise PydanticCustomError(MIXED, "ids of one workspace's people")
        return tuple(word.strip() for word in words if word.strip()) or (EVERYONE,)

    @field_validator("replica_approvers", mode="before")
    @classmethod
    def _approvers(cls, value: Any, info: ValidationInfo) -> Any:
        words = tuple(value.split(",")) if isinstance(value, str) else tuple(value)
        Approvers.parse(words)  # raises ValueError saying what is wrong
        chosen = tuple(word.strip() for word in words if word.strip())
        if _oauth(info) and chosen:
            raise PydanticCustomError(MIXED, "ids of one workspace's people")
        return chosen

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

    @field_validator("slack_bot_token", "tavus_api_key", "audit_channel", "approval_channel")
    @classmethod
    def _of_one_workspace(cls, value: str | None, info: ValidationInfo) -> str | None:
        # In OAuth mode each workspace has its own: one in the environment would be anybody's.
        if _oauth(info) and value is not None:
            raise PydanticCustomError(MIXED, "set with SLACK_CLIENT_ID")
        required = info.field_name in {"slack_bot_token", "tavus_api_key"}
        if required and not _oauth(info) and value is None:
            raise PydanticCustomError("missing", "needed with one workspace")
        return value

    @field_validator("secrets_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        return _split_keys(value)

    @field_validator("secrets_keys")
    @classmethod
    def _fernet_keys(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        return _fernet_keys(
            value, needed="OAuth mode seals secrets with them" if _oauth(info) else None
        )

    @field_validator("public_url")
    @classmethod
    def _reachable(cls, value: AnyHttpUrl | None, info: ValidationInfo) -> AnyHttpUrl | None:
        if _oauth(info) and value is None:
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
        if _oauth(info) and value is not None:
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

    @property
    def slack_api_base(self) -> str:
        """The Slack Web API base URL with the trailing slash slack_sdk expects."""
        url = str(self.slack_api_url)
        return url if url.endswith("/") else url + "/"

    @property
    def policy(self) -> Policy:
        """Every workspace's rules until its admins change them (REPLICA_CREATORS and so on)."""
        return Policy(
            creators=Creators.parse(self.replica_creators),
            approvers=Approvers.parse(self.replica_approvers),
            approval_channel=self.approval_channel,
        )

    @property
    def secret_values(self) -> tuple[str, ...]:
        """Every secret the settings hold, to be kept out of the logs."""
        values = (
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_client_secret,
            self.slack_app_token,
            self.tavus_api_key,
            self.metrics_token,
            urlsplit(self.database_url).password,
            *self.secrets_keys,
        )
        return tuple(value for value in values if value)

    def callback_url(self, job_id: str, secret: str) -> str | None:
        """The address Tavus calls back for one job, carrying its secret; None without one."""
        if self.public_url is None:
            return None
        return f"{str(self.public_url).rstrip('/')}/tavus/callback/{job_id}/{secret}"


class VaultSettings(DatabaseSettings):
    """The database's settings and SECRETS_KEYS: all that `python -m bot rotate-keys` needs."""

    secrets_keys: Annotated[tuple[str, ...], NoDecode]

    @field_validator("secrets_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: Any) -> Any:
        return _split_keys(value)

    @field_validator("secrets_keys")
    @classmethod
    def _fernet_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _fernet_keys(value, needed="the stored secrets are resealed with them")


def _split_keys(value: Any) -> Any:
    if isinstance(value, str):
        value = tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _fernet_keys(value: tuple[str, ...], *, needed: str | None) -> tuple[str, ...]:
    # `needed` says why the keys are required here; None where they are optional.
    if needed is not None and not value:
        raise PydanticCustomError("missing", needed)
    if value:
        Vault(value)  # raises SecretsKeyError (a ValueError) naming the key by place only
    return value


def secure_url(url: AnyHttpUrl) -> bool:
    """Whether an address may carry cookies and secrets: https, or http on this machine only."""
    return url.scheme == "https" or _loopback(url)


def _loopback(url: AnyHttpUrl) -> bool:
    return url.host in {"127.0.0.1", "localhost", "::1", "[::1]"}


def _oauth(info: ValidationInfo) -> bool:
    # Bolt checks presence, not content: even an empty SLACK_CLIENT_ID would turn OAuth on.
    # An invalid one (absent from info.data) was meant to turn it on too.
    return info.data.get("slack_client_id", "") is not None


Chosen = TypeVar("Chosen", bound="DatabaseSettings")


def load_settings(**overrides: Any) -> Settings:
    """Build the Settings, or raise ConfigError naming every problem and where to fix it."""
    return _load(Settings, overrides)


def load_database_settings(**overrides: Any) -> DatabaseSettings:
    """Only the database's settings (for tools that need nothing else), or ConfigError."""
    return _load(DatabaseSettings, overrides)


def load_vault_settings(**overrides: Any) -> VaultSettings:
    """The database's settings and SECRETS_KEYS (to reseal stored secrets), or ConfigError."""
    return _load(VaultSettings, overrides)


def _load(kind: type[Chosen], overrides: dict[str, Any]) -> Chosen:
    try:
        return kind(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    problems: list[tuple[str, str]] = []
    mixed = [str(error["loc"][0]).upper() for error in exc.errors() if error["type"] == MIXED]
    if mixed:
        line = f"  - SLACK_CLIENT_ID cannot be set with {', '.join(mixed)}: {ONE_MODE}"
        problems.append(("slack_client_id", line))
    for error in exc.errors():
        if error["type"] == MIXED:
            continue
        field = str(error["loc"][0]) if error["loc"] else "?"
        problem = "is missing" if error["type"] == "missing" else f"is invalid ({error['msg']})"
        if error["type"] == NO_WAY_IN:
            field, problem = "slack_signing_secret", "is missing"
        problems.append((field, f"  - {field.upper()} {problem}: {HELP.get(field, '')}"))
    order = list(HELP)
    problems.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    lines = [line.rstrip(": ") for _, line in problems]
    return "\n".join([HEADLINE, *lines])
