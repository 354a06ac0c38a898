"""One Settings object, read from the environment (or .env) and validated once at start-up."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BeforeValidator,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError, PydanticUndefined
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.governance import EVERYONE, Approvers, Creators, Policy
from bot.store import Pool
from bot.vault import Vault

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


class ConfigError(Exception):
    """The settings are missing or malformed; the message names every problem."""


class DatabaseSettings(BaseSettings):
    """The settings that reach the database: all that `python -m bot audit` needs."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    database_url: str = Field(
        default="sqlite:///replica-bot.db",
        description=(
            "sqlite:///path/to/file.db (relative to the working directory), or "
            "postgresql://user:password@host/dbname (postgres:// as Heroku gives it works too); "
            "PostgreSQL when running several instances"
        ),
    )
    database_pool_size: int = Field(
        default=5, ge=1, description="PostgreSQL connections each instance keeps open, 1 or more"
    )
    database_pool_overflow: int = Field(
        default=5,
        ge=0,
        description="extra PostgreSQL connections an instance may open at busy moments",
    )
    database_timeout: float = Field(
        default=10.0,
        gt=0,
        description=(
            "seconds to wait for a database connection before a request is refused with "
            "'try again', above 0"
        ),
    )

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


def _split_keys(value: Any) -> Any:
    if isinstance(value, str):
        value = tuple(part.strip() for part in value.split(",") if part.strip())
    return value


def _fernet_keys(value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
    # Needed unless the settings choose one workspace; rotate-keys' settings (no
    # SLACK_CLIENT_ID) choose none, and exist to reseal with them.
    if not value and _oauth(info):
        raise PydanticCustomError("missing", "the stored secrets are sealed with them")
    if value:
        Vault(value)  # raises SecretsKeyError (a ValueError) naming the key by place only
    return value


# SECRETS_KEYS, read and checked alike by the bot and by rotate-keys.
SecretsKeys = Annotated[
    tuple[str, ...], NoDecode, BeforeValidator(_split_keys), AfterValidator(_fernet_keys)
]


class Settings(DatabaseSettings):
    """Everything the bot is configured with; nothing else reads the environment.

    Two modes: one workspace (a bot token and a Tavus key here), or many, installed by OAuth
    (SLACK_CLIENT_ID), each workspace's token and Tavus key in the database, sealed.
    """

    # Declared first: the fields after them are checked against the mode they choose. The
    # order is also the one a failed start names its problems in, and the README's table.
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
    slack_api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://slack.com/api/"), description="the Slack Web API base URL"
    )
    tavus_api_url: AnyHttpUrl = Field(
        default=AnyHttpUrl("https://tavusapi.com"), description="the Tavus API base URL"
    )
    tavus_timeout: float = Field(
        default=30.0, gt=0, description="seconds to wait for a Tavus answer, a number above 0"
    )
    tavus_max_concurrency: int = Field(
        default=10,
        ge=1,
        description=(
            "requests open at Tavus at once at most, 1 or more; a burst of creates waits its "
            "turn, in order; a 429 from Tavus holds every request back for its Retry-After, a "
            "minute at most"
        ),
    )
    tavus_poll_interval: float = Field(
        default=600.0,
        gt=0,
        description=(
            "seconds between polls of an unfinished training, above 0; trainings older than 6 "
            "hours are polled half as often"
        ),
    )
    tavus_models: Annotated[tuple[str, ...], NoDecode] = Field(
        default=("phoenix-4", "phoenix-3"),
        description=(
            "comma-separated Tavus model names offered in the form; the first is preselected"
        ),
    )
    slack_timeout: int = Field(
        default=10, ge=1, description="whole seconds to wait for a Slack Web API answer, 1 or more"
    )
    slack_channel_rate: float = Field(
        default=1.0,
        gt=0,
        description=(
            "messages a second the bot sends to one channel (Slack allows about one), above 0, "
            "shared by every instance on PostgreSQL; a starting point: after a 429 the channel's "
            "pace falls back, then recovers"
        ),
    )
    slack_channel_burst: int = Field(
        default=3,
        ge=1,
        description=(
            "messages the bot may send to one channel at once before that rate applies, 1 or "
            "more; after a 429 it starts again from one"
        ),
    )
    slack_update_rate: float = Field(
        default=50 / 60,
        gt=0,
        description=(
            "card redraws (chat.update) a second per workspace, above 0: Slack's Tier 3 allows "
            "about 50 a minute; redraws wait in a lane of their own, so no result waits behind "
            "one, and a 429 on chat.update pauses only them"
        ),
    )
    slack_update_burst: int = Field(
        default=10, ge=1, description="card redraws per workspace in a burst, 1 or more"
    )
    consent_timeout: float = Field(
        default=259200.0,
        gt=0,
        description=(
            "seconds the person shown has to answer the consent request before it expires, "
            "above 0; 86400 is a day"
        ),
    )
    # Enough for a batch of colleagues; past it, a colleague's DMs cannot be flooded with asks.
    consent_waiting_per_requester: int = Field(
        default=10,
        ge=1,
        description=(
            "requests one person may have waiting for consent at once (a file still being "
            "copied from Slack counts), 1 or more; one more is refused on the form, in plain "
            "words: nothing is saved, nobody is asked"
        ),
    )
    consent_waiting_per_subject: int = Field(
        default=3,
        ge=1,
        description=(
            "requests that may wait for one person's consent at once, from anyone, 1 or more; "
            "one more is refused under 'Whose likeness is it?', and the person gets no DM"
        ),
    )
    replica_creators: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(EVERYONE,),
        description=(
            "who may create replicas: everyone, admins (workspace admins and owners), or "
            "comma-separated user ids (U…) and user-group ids (S…); guests, bots and deactivated "
            "accounts never may; see [Who may create replicas](#who-may-create-replicas)"
        ),
    )
    replica_approvers: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "who approves requests once the person shown consented: comma-separated user ids "
            "(U…) and user-group ids (S…), one approval being enough; unset: no approval; see "
            "[Who approves](#who-approves)"
        ),
    )
    approval_channel: str | None = Field(
        default=None,
        pattern=r"^[CG][A-Z0-9]{2,}$",
        validate_default=True,
        description=(
            "a channel id (C…) where approval requests go, the bot invited; unset: each "
            "approver's DM; one workspace only: with many, each workspace's admins choose "
            "theirs in App Home"
        ),
    )
    audit_channel: str | None = Field(
        default=None,
        pattern=r"^[CG][A-Z0-9]{2,}$",
        validate_default=True,
        description=(
            "a channel id (C…) where every audit record is also posted from the moment it is "
            "set, the bot invited; unset: none; one workspace only (a channel id belongs to one "
            "workspace); see [The audit log](#the-audit-log)"
        ),
    )
    media_check_links: bool = Field(
        default=True,
        description=(
            "true or false: check each link in the form before saving it (see [Links checked "
            "first](#links-checked-first)); false where the bot cannot reach the hosts Tavus "
            "downloads from"
        ),
    )
    media_allow_private_hosts: bool = Field(
        default=False,
        description=(
            "true or false: let link checks reach private and loopback addresses; for local "
            "testing only: Tavus cannot reach them, and it opens the bot's own network to "
            "whoever fills in the form"
        ),
    )
    media_dir: Path = Field(
        default=Path("media"),
        description=(
            "the folder where files taken from Slack are kept for Tavus, served at "
            "PUBLIC_URL/media/… behind signed, expiring links"
        ),
    )
    media_ttl: float = Field(
        default=259200.0,
        ge=86400,
        le=604800,
        description=(
            "seconds a kept file (and its link) lasts at most, 86400 (Tavus needs a link for 24 "
            "hours after the create) to 604800 (S3's limit for presigned links); it goes sooner, "
            "within a minute, once training has ended"
        ),
    )
    # Copies wait for consent up to CONSENT_TIMEOUT: bounded per workspace, so no one fills
    # the disk (or the bucket) that every workspace, and often the database, share.
    media_quota_bytes: int = Field(
        default=20_000_000_000,
        ge=1,
        description=(
            "bytes of files copied from Slack one workspace may keep at once, copies being made "
            "included, counted until each is deleted, 1 or more (a GB is 1000000000; Tavus "
            "takes files of 750 MB at most); a request that would go past it is refused on the "
            "form, nothing else changes"
        ),
    )
    media_copies_at_once: int = Field(
        default=4,
        ge=1,
        description=(
            "files each instance copies from Slack at once, 1 or more; others wait their turn; "
            "each may take up to 750 MB of local disk while it is copied (S3 uploads are "
            "spooled there too)"
        ),
    )
    media_s3_bucket: str | None = Field(
        default=None,
        min_length=3,
        description=(
            "an S3 bucket for files taken from Slack, instead of MEDIA_DIR (several instances, "
            "or a disk wiped on restart); credentials from the usual AWS variables"
        ),
    )
    media_s3_endpoint_url: AnyHttpUrl | None = Field(
        default=None,
        description=(
            "an S3-compatible endpoint (MinIO, R2, …), e.g. https://s3.eu-west-1.amazonaws.com; "
            "unset: AWS's own"
        ),
    )
    media_s3_region: str | None = Field(
        default=None,
        description="the bucket's region, e.g. eu-west-1 (else AWS_REGION / AWS_DEFAULT_REGION)",
    )
    retention_days: int = Field(
        default=365,
        ge=1,
        description=(
            "days a finished job keeps its media links, file names and error texts, 1 or more; "
            "then a daily sweep clears them (and says so in the audit log); its outcome, consent "
            "receipt and the audit log stay; see [Data](#data)"
        ),
    )
    shutdown_grace: float = Field(
        default=8.0,
        ge=0,
        description=(
            "seconds work in flight (creates and posts) may take to finish at SIGTERM before it "
            "is handed back, 0 or more"
        ),
    )
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        description=(
            "a token of 16 characters or more (e.g. from `openssl rand -hex 32`) that Prometheus "
            "must send as `Authorization: Bearer <token>` to read /metrics; unset, /metrics is "
            "open to anyone who can reach the port with one workspace, and to this machine only "
            "(a loopback client relaying nobody) with many (SLACK_CLIENT_ID)"
        ),
    )
    log_level: str = Field(
        default="INFO",
        pattern=r"^(DEBUG|INFO|WARNING|ERROR)$",
        description="one of DEBUG, INFO, WARNING, ERROR",
    )
    log_format: str = Field(
        default="text",
        pattern=r"^(text|json)$",
        description=(
            "text (one line a record) or json (one JSON object a line: time, level, logger, "
            "message, and job_id, team_id, channel, replica_id where known); see [Metrics and "
            "logs](#metrics-and-logs)"
        ),
    )

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

    secrets_keys: SecretsKeys


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
        problems.append((field, f"  - {field.upper()} {problem}: {help_text(field)}"))
    order = list(Settings.model_fields)
    problems.sort(key=lambda item: order.index(item[0]) if item[0] in order else len(order))
    lines = [line.rstrip(": ") for _, line in problems]
    return "\n".join([HEADLINE, *lines])


def help_text(name: str) -> str:
    """How to set one setting, as a failed start says it: its description, then its default."""
    field = Settings.model_fields.get(name)
    if field is None:
        return ""
    # The README's links to its own sections, said in words where no link can be followed.
    text = re.sub(r"\[([^\]]+)\]\(#[^)]+\)", r"the README's '\1'", field.description or "")
    default = shown_default(name)
    return text if default is None else f"{text} (default {default})"


def shown_default(name: str) -> str | None:
    """A setting's default as one would write it in the environment; None if it has none."""
    value = Settings.model_fields[name].default
    if value is None or value is PydanticUndefined or value == ():
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float):
        # Two places at most: SLACK_UPDATE_RATE's 50 a minute is 0.83 a second.
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, Path) and not value.is_absolute():
        return f"./{value}"
    return str(value)


def table() -> str:
    """The README's table of settings: each one's variable, default and description."""
    rows = ["| Setting | Default | What it is |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        default = shown_default(name)
        shown = "unset" if default is None else f"`{default}`"
        # A bar inside a cell would end it.
        description = (field.description or "").replace("|", "\\|")
        rows.append(f"| `{name.upper()}` | {shown} | {description} |")
    return "\n".join(rows)
