"""Installing by OAuth: Bolt's flow on the bot's own stores, its pages, each request's token.

`GET /slack/install` sends the installer to Slack with a single-use state; Slack sends them back
to `GET /slack/oauth_redirect`, where the code is exchanged at `oauth.v2.access` (SLACK_API_URL)
and the install stored, sealed. Every later request is served with its workspace's own token,
read from the database without asking Slack (Bolt's default calls auth.test on each request).
"""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncBoltContext
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.slack.oauth_stores import STATE_LIFETIME, InstallationStore, StateStore
from bot.store import Store
from bot.workspaces import pages
from bot.workspaces.vault import Vault

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
FLOW = web.AppKey("oauth_flow", AsyncOAuthFlow)
# What the bot asks each workspace for: manifest.yml's bot scopes (a test keeps them equal).
SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "channels:join",
    "users:read",
    "usergroups:read",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
    "im:write",
    "files:write",
    "files:read",
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
)

TITLE = "Install replica-bot"
INSTALLED_TITLE = "replica-bot is installed"
INSTALLED = (
    "replica-bot is now in {workspace}. One more step before anyone can create a replica: a "
    "workspace admin opens the bot's App Home in Slack (its Home tab) and clicks Connect Tavus, "
    "which sends them a link to save the workspace's Tavus API key."
)
INSTALLED_NEXT = "Then type /replica in any channel. You can close this page."
CANCELLED_TITLE = "Installation cancelled"
CANCELLED = "Slack did not install replica-bot ({error}); nothing was saved."
STALE_TITLE = "This install link has expired"
STALE = (
    "It was used already, has expired, or was not started in this browser; nothing was "
    "installed. Install links last {minutes} minutes and work once."
)
UNCONFIRMED_TITLE = "Slack did not confirm the install"
UNCONFIRMED = "Slack did not accept this install's code (unknown or used); nothing was installed."
NOT_SAVED_TITLE = "The install could not be saved"
NOT_SAVED = "replica-bot could not save the install just now; nothing was kept."
START_AGAIN = "Start again: {url}"


class Authorize(AsyncAuthorize):
    """A request's bot token from its workspace's install (its own, else its org's)."""

    def __init__(self, installations: InstallationStore) -> None:
        self._installations = installations

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        actor_enterprise_id: str | None = None,
        actor_team_id: str | None = None,
        actor_user_id: str | None = None,
    ) -> AuthorizeResult | None:
        """The install serving the request's workspace; None (Bolt says so) if there is none."""
        bot = await self._installations.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=bool(context.is_enterprise_install),
        )
        if bot is None:
            log.info("no installation serves %s/%s", enterprise_id, team_id)
            return None
        return AuthorizeResult(
            enterprise_id=bot.enterprise_id,
            team_id=team_id or bot.team_id,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_token=bot.bot_token,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    public_url: str,
    store: Store,
    vault: Vault,
    state_secret: bytes,
) -> AsyncOAuthSettings:
    """Bolt's OAuth flow on the bot's own stores: never its file-based defaults.

    Its states are signed with `state_secret`, and stored only once used.
    """
    base = public_url.rstrip("/")
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(SCOPES),
        redirect_uri=f"{base}{REDIRECT_PATH}",
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        # Straight to Slack's consent screen: a page with one button before it says nothing.
        install_page_rendering_enabled=False,
        installation_store=InstallationStore(store, vault),
        state_store=StateStore(store, state_secret),
        state_expiration_seconds=int(STATE_LIFETIME.total_seconds()),
        callback_options=AsyncCallbackOptions(success=_installed, failure=_failed),
    )


def authorize(store: Store, vault: Vault) -> Authorize:
    """Each request's token, from the installations table."""
    return Authorize(InstallationStore(store, vault))


async def _installed(args: AsyncSuccessArgs) -> BoltResponse:
    installation = args.installation
    workspace = installation.team_name or installation.enterprise_name or "your workspace"
    log.info("installed in %s (%s)", installation.team_id or installation.enterprise_id, workspace)
    lines = [INSTALLED.format(workspace=workspace), INSTALLED_NEXT]
    return _page(200, INSTALLED_TITLE, lines)


async def _failed(args: AsyncFailureArgs) -> BoltResponse:
    log.info("an install did not complete: %s", args.reason)
    again = START_AGAIN.format(url=_install_url(args))
    if args.reason in {"invalid_state", "invalid_browser"}:
        minutes = int(STATE_LIFETIME.total_seconds() // 60)
        title, words = STALE_TITLE, STALE.format(minutes=minutes)
    elif args.reason in {"missing_code", "invalid_code"}:
        title, words = UNCONFIRMED_TITLE, UNCONFIRMED
    elif args.reason == "storage_error":
        title, words = NOT_SAVED_TITLE, NOT_SAVED
    else:  # Slack sent the installer back with an error: they cancelled (access_denied)
        title, words = CANCELLED_TITLE, CANCELLED.format(error=args.reason)
    status = args.suggested_status_code if args.suggested_status_code >= 400 else 400
    return _page(status, title, [words, again])


def _page(status: int, heading: str, lines: list[str]) -> BoltResponse:
    body = pages.document(TITLE, heading, lines)
    return BoltResponse(
        status=status, body=body, headers={"Content-Type": pages.CONTENT_TYPE, **pages.HEADERS}
    )


def _install_url(args: AsyncFailureArgs) -> str:
    redirect = args.settings.redirect_uri or REDIRECT_PATH
    return redirect.removesuffix(REDIRECT_PATH) + INSTALL_PATH


async def install(request: web.Request) -> web.Response:
    """Start an install: a fresh signed state, in a cookie and Slack's link; nothing stored."""
    flow = request.app[FLOW]
    return await to_aiohttp_response(await flow.handle_installation(_bolt_request(request)))


async def oauth_redirect(request: web.Request) -> web.Response:
    """Finish an install: the state checked and spent, the code exchanged, the install kept."""
    flow = request.app[FLOW]
    return await to_aiohttp_response(await flow.handle_callback(_bolt_request(request)))


def _bolt_request(request: web.Request) -> AsyncBoltRequest:
    return AsyncBoltRequest(
        body="",
        query=request.query_string,
        headers={name: [value] for name, value in request.headers.items()},
    )


def add_routes(app: web.Application, flow: AsyncOAuthFlow) -> None:
    """Serve the install link and Slack's redirect back."""
    app[FLOW] = flow
    # No HEAD: a link checker must neither spend a state nor finish an install.
    app.router.add_get(INSTALL_PATH, install, allow_head=False)
    app.router.add_get(REDIRECT_PATH, oauth_redirect, allow_head=False)
