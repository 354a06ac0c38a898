"""The web check: PUBLIC_URL and what to paste where, and where media is kept (bucket or folder)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from bot.cli.check.result import Result, failed, passed
from bot.config import SLACK_EVENTS_PATH, Settings
from bot.media.s3 import s3_client
from bot.slack.oauth import REDIRECT_PATH

# head_bucket is one small request; botocore's own retries must not hold the command longer.
STORAGE_WAIT = 10.0

BARE_URL_FIX = "set PUBLIC_URL to the bare address, e.g. https://bot.example.com"
MEDIA_DIR_FIX = (
    "make MEDIA_DIR a folder the bot's user may write, or keep files in S3 (MEDIA_S3_BUCKET)"
)
BUCKET_FIX = (
    "check MEDIA_S3_BUCKET, MEDIA_S3_REGION and MEDIA_S3_ENDPOINT_URL, and that the AWS "
    "credentials may read and write the bucket"
)


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
