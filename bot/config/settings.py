"""The one Settings object: the clients', then consent, governance, media and operations."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import NoDecode

from bot.config.clients import ClientSettings
from bot.config.modes import MIXED, oauth_mode
from bot.governance.model import EVERYONE, Approvers, Creators, FaceMatch, Policy


class Settings(ClientSettings):
    """Everything the bot is configured with; nothing else reads the environment.

    Two modes: one workspace (a bot token and a Tavus key here), or many, installed by OAuth
    (SLACK_CLIENT_ID), each workspace's token and Tavus key in the database, sealed. The
    classes it builds on declare their fields first, in the order a failed start names its
    problems and the README lists them: the database's, the mode's, the clients'.
    """

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
            "copied from Slack, or media still being checked, counts), 1 or more; one more is "
            "refused on the form, in plain words: nothing is saved, nobody is asked"
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
    replica_face_match: FaceMatch = Field(
        default=FaceMatch.WARN,
        description=(
            "what a job does when the face in its training media cannot be compared with the "
            "Slack profile photo of the person who consents (no face in the photo, a default "
            "avatar, no usable frame): require, it is held before Tavus as a mismatch is, until "
            "an admin releases it; warn, it goes on, marked unverified on the receipt and the "
            "card; off, faces are not compared at all. A clear mismatch is held whatever it "
            "says but off. Every workspace's default: its admins may choose another in App "
            "Home; see [The workspace's policy](#the-workspaces-policy)"
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
    media_check: bool = Field(
        default=True,
        description=(
            "true or false: look into each file a job trains from (and its consent video) once "
            "it is saved, before anyone is asked to consent, and end it there when Tavus would "
            "refuse the file (see [The media check](#the-media-check)); false: jobs go on "
            "unchecked"
        ),
    )
    media_check_concurrency: int = Field(
        default=2,
        ge=1,
        description=(
            "files each instance looks into at once for the media check, 1 or more, in workers "
            "beside the bot's event loop (each keeps a CPU busy while it runs); others wait "
            "their turn"
        ),
    )
    media_allow_private_hosts: bool = Field(
        default=False,
        description=(
            "true or false: let link checks and the media check reach private and loopback "
            "addresses; for local testing only: Tavus cannot reach them, and it opens the bot's "
            "own network to whoever fills in the form"
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

    @field_validator("replica_creators", mode="before")
    @classmethod
    def _creators(cls, value: Any, info: ValidationInfo) -> Any:
        words = tuple(value.split(",")) if isinstance(value, str) else tuple(value)
        creators = Creators.parse(words)  # raises ValueError saying what is wrong
        if oauth_mode(info) and (creators.users or creators.groups):
            # People's ids belong to one workspace: each sets its own in App Home.
            raise PydanticCustomError(MIXED, "ids of one workspace's people")
        return tuple(word.strip() for word in words if word.strip()) or (EVERYONE,)

    @field_validator("replica_approvers", mode="before")
    @classmethod
    def _approvers(cls, value: Any, info: ValidationInfo) -> Any:
        words = tuple(value.split(",")) if isinstance(value, str) else tuple(value)
        Approvers.parse(words)  # raises ValueError saying what is wrong
        chosen = tuple(word.strip() for word in words if word.strip())
        if oauth_mode(info) and chosen:
            raise PydanticCustomError(MIXED, "ids of one workspace's people")
        return chosen

    @field_validator("replica_face_match", mode="before")
    @classmethod
    def _face_match(cls, value: Any) -> Any:
        # The enum's own refusal lists its values but not as the README writes them.
        return FaceMatch.parse(value) if isinstance(value, str) else value

    @property
    def policy(self) -> Policy:
        """Every workspace's rules until its admins change them (REPLICA_CREATORS and so on)."""
        return Policy(
            creators=Creators.parse(self.replica_creators),
            approvers=Approvers.parse(self.replica_approvers),
            approval_channel=self.approval_channel,
            face_match=self.replica_face_match,
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
