"""The Slack checks: who a bot token is, its scopes, the app token; Slack's answers told apart."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.cli.check.result import Result, failed, passed
from bot.config import Settings
from bot.delivery import retry
from bot.slack.oauth import SCOPES

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

Answer = TypeVar("Answer")


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


class SlackRefused(Exception):
    """Slack answered, and said no (the error code it gave is the message)."""


class SlackUnanswered(Exception):
    """Slack gave no usable answer in time (the message says what happened instead)."""


async def check_slack(settings: Settings, session: aiohttp.ClientSession) -> list[Result]:
    """One workspace: who SLACK_BOT_TOKEN is, its scopes, and in Socket Mode the app token."""
    client = slack_client(settings, session, settings.slack_bot_token)
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
    client = slack_client(settings, session, None)
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
    # Slack's trouble only, not retry.passing: that also takes a revoked or invalid token for
    # "not now" (a notice waits while an admin fixes it), which is what this check reports.
    try:
        async with asyncio.timeout(within):
            return await call
    except SlackApiError as exc:
        refused = retry.refusal(exc)
        if retry.slack_trouble(refused.status, refused.error):
            raise SlackUnanswered(refused.error) from exc
        raise SlackRefused(refused.error) from exc
    except TimeoutError as exc:
        raise SlackUnanswered(f"no answer in {within:g} s") from exc
    except (aiohttp.ClientError, SlackClientError, ValueError) as exc:
        raise SlackUnanswered(exc.__class__.__name__) from exc


def slack_client(
    settings: Settings, session: aiohttp.ClientSession, token: str | None
) -> AsyncWebClient:
    """A Slack client for `token` (None: one passed per call) on the check's session."""
    # No retries: the check answers within its time limit, and a dropped connection is news.
    return AsyncWebClient(
        token=token, base_url=settings.slack_api_base, session=session, retry_handlers=[]
    )


def _words(text: str) -> Iterable[str]:
    return (word.strip() for word in text.split(",") if word.strip())
