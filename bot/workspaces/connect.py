"""The Connect Tavus page: a workspace admin opens a signed, single-use link and saves its key.

Slack asks apps not to take secrets in modals, so App Home sends the admin a link instead. The
link (`nonce.expiry.signature`) is checked before the database is asked anything; opening it
starts a session held by a cookie (only the cookie's digest is stored) whose form carries a
CSRF token. A key is saved (by tavus_keys) only while Slack still says its user is an admin,
and once Tavus takes it; the page shows no more of it than its last four characters. A session
has MOST_KEY_CHECKS keys checked at most, and only a key Tavus took is kept from the logs by
value (what was merely typed is not).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from urllib.parse import urlsplit

from aiohttp import web

from bot import signing
from bot.ops.logs import register_secret
from bot.store import Store, StoreUnavailable
from bot.tavus import TavusClient, TavusError, TavusRejected
from bot.workspaces import connect_text as say
from bot.workspaces import pages
from bot.workspaces.accounts import Workspace
from bot.workspaces.installations import Connected, Visit
from bot.workspaces.tavus_keys import TavusKeys
from bot.workspaces.vault import Vault

log = logging.getLogger(__name__)

PATH = "/tavus/connect"
COOKIE = "replica_bot_connect"
LIFETIME = timedelta(minutes=15)
# A token is what link() makes: a 24-byte URL-safe nonce, whole seconds, a hex HMAC-SHA256.
_TOKEN = re.compile(r"(?P<nonce>[A-Za-z0-9_-]{32})\.(?P<expiry>[0-9]{1,12})\.(?P<sig>[0-9a-f]{64})")
# Tavus keys are 32 hex digits. Anything with spaces, control or non-ASCII characters cannot go
# in an HTTP header (httpx would fail as if Tavus were down); one this short would show whole
# as its last four characters.
_KEY = re.compile(r"[!-~]{12,200}")
# Keys a session may have checked with Tavus, then it closes: enough for a typo or two, while
# each check is a Tavus request with whatever was typed. A new link (one more click in Slack
# by an admin) gives as many again.
MOST_KEY_CHECKS = 5
# Key checks open at Tavus at once, whatever the number of pages: many sessions pasting keys
# together cannot send Tavus more than this from the bot's address.
KEY_CHECKS_AT_ONCE = 4
# Whether a user is an admin or owner of a workspace now, asked of Slack with that workspace's
# own token; None when Slack cannot say.
AdminCheck = Callable[[Workspace, str], Awaitable[bool | None]]


class ConnectTavus:
    """Issues Connect Tavus links and serves their page, where an admin saves a Tavus key."""

    def __init__(
        self,
        *,
        store: Store,
        vault: Vault,
        secret: bytes,
        base_url: str,
        tavus_for_key: Callable[[str], TavusClient],
        fingerprint: Callable[[str], str],
        is_admin: AdminCheck,
        lifetime: timedelta = LIFETIME,
    ) -> None:
        if not secret:
            # An empty HMAC key signs links anybody could forge: refuse to start instead.
            raise ValueError("ConnectTavus needs a secret to sign its links")
        if lifetime <= timedelta():
            raise ValueError("a Connect Tavus link must last some time")
        self._store = store
        self._keys = TavusKeys(store=store, vault=vault, fingerprint=fingerprint)
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._secure = urlsplit(base_url).scheme == "https"
        self._tavus_for_key = tavus_for_key
        self._is_admin = is_admin
        self._lifetime = lifetime
        self._checks = asyncio.Semaphore(KEY_CHECKS_AT_ONCE)

    async def link(self, *, team_id: str, user_id: str, enterprise_id: str | None = None) -> str:
        """A new link to the page for one admin of one workspace, working once, until it expires."""
        nonce = secrets.token_urlsafe(24)
        expires = self._store.now() + self._lifetime
        await self._store.connect_links.issue(
            nonce, team_id=team_id, user_id=user_id, expires_at=expires, enterprise_id=enterprise_id
        )
        expiry = int(expires.timestamp())
        sig = signing.signature(self._secret, nonce, expiry, separator=".")
        return f"{self._base_url}{PATH}?t={nonce}.{expiry}.{sig}"

    async def current(self, team_id: str) -> Connected | None:
        """The workspace's Tavus account as saved, if any (what App Home shows of it)."""
        return await self._store.tavus_accounts.find(team_id)

    @property
    def minutes(self) -> int:
        """How long a link lasts, in whole minutes (as the admin is told)."""
        return max(1, int(self._lifetime.total_seconds() // 60))

    def add_routes(self, app: web.Application) -> None:
        """Serve the page: GET opens a link or shows the form, POST saves a key."""
        # No HEAD: a link checker's HEAD request must not use up a single-use link.
        app.router.add_get(PATH, self._get, allow_head=False)
        app.router.add_post(PATH, self._post)

    async def _get(self, request: web.Request) -> web.Response:
        try:
            if "t" in request.query:
                return await self._open(request, request.query["t"])
            digest = _session_digest(request)
            visit = await self._store.connect_links.visit(digest) if digest else None
            if visit is None:
                return _refused(say.NO_SESSION)
            if visit.attempts >= MOST_KEY_CHECKS:
                return _refused(say.TOO_MANY_KEYS)
            return await self._form(visit)
        except StoreUnavailable:
            log.warning("Connect Tavus: the database is unavailable")
            return _page(503, say.HEADING_REFUSED, [say.DATABASE_DOWN])

    async def _post(self, request: web.Request) -> web.Response:
        try:
            return await self._save(request)
        except StoreUnavailable:
            log.warning("Connect Tavus: the database is unavailable")
            return _page(503, say.HEADING_NOT_SAVED, [say.DATABASE_DOWN_SAVING])

    async def _open(self, request: web.Request, token: str) -> web.Response:
        if "Slackbot" in request.headers.get("User-Agent", ""):
            # Slack fetching the link for a preview is not the admin opening it.
            return _page(200, say.HEADING_PREVIEW, [say.PREVIEW])
        match = _TOKEN.fullmatch(token)
        # Not shaped as a token: checked as one with no expiry, which no signature holds for.
        nonce, expiry, sig = match.group("nonce", "expiry", "sig") if match else ("", "", "")
        now = self._store.now()
        verdict = signing.check(self._secret, nonce, expiry, sig, now=now, separator=".")
        if verdict is signing.Checked.FORGED:
            log.info("Connect Tavus: a link not signed by this bot was refused")
            return _refused(say.LINK_INVALID)
        if verdict is signing.Checked.EXPIRED:
            return _refused(say.LINK_EXPIRED)
        session = secrets.token_urlsafe(32)
        visit = await self._store.connect_links.open(
            nonce, session_digest=signing.digest(session), csrf=secrets.token_urlsafe(32)
        )
        if visit is None:
            log.info("Connect Tavus: a link opened again was refused")
            return _refused(say.LINK_USED)
        response = _page(303, say.HEADING_FORM, [], onward=PATH)
        # The token leaves the address bar (and the history) for a plain address.
        response.headers["Location"] = PATH
        response.set_cookie(
            COOKIE,
            session,
            max_age=max(1, int((visit.expires_at - now).total_seconds())),
            path=PATH,
            secure=self._secure,
            httponly=True,
            # Lax, not Strict: the admin arrives from Slack, and Strict would drop the cookie
            # on that cross-site redirect.
            samesite="Lax",
        )
        return response

    async def _save(self, request: web.Request) -> web.Response:
        digest = _session_digest(request)
        visit = await self._store.connect_links.visit(digest) if digest else None
        if digest is None or visit is None:
            return _refused(say.NO_SESSION)
        if visit.attempts >= MOST_KEY_CHECKS:
            return _refused(say.TOO_MANY_KEYS)
        form = await request.post()
        csrf = form.get("csrf")
        if not isinstance(csrf, str) or not hmac.compare_digest(csrf.encode(), visit.csrf.encode()):
            log.info("Connect Tavus: a form without its CSRF token was refused")
            return _page(403, say.HEADING_NOT_SAVED, [say.CSRF_REFUSED])
        given = form.get("api_key")
        key = given.strip() if isinstance(given, str) else ""
        if not key:
            return await self._form(visit, status=400, error=say.KEY_MISSING)
        if not _KEY.fullmatch(key):
            return await self._form(visit, status=400, error=say.KEY_MALFORMED)
        made = await self._store.connect_links.attempt(digest, most=MOST_KEY_CHECKS)
        if made is None:  # the last checks were sent together, and this one came after
            return _refused(say.TOO_MANY_KEYS)
        # The link went to an admin minutes ago; they may have been demoted since.
        admin = await self._is_admin(Workspace(visit.team_id, visit.enterprise_id), visit.user_id)
        if admin is None:
            return await self._form(visit, status=503, error=say.ADMIN_UNKNOWN)
        if not admin:
            log.info("Connect Tavus: %s is no admin of %s any more", visit.user_id, visit.team_id)
            await self._store.connect_links.end(digest)
            return _page(403, say.HEADING_NOT_SAVED, [say.NOT_ADMIN])
        try:
            async with self._checks:
                await self._tavus_for_key(key).check_key()
        except TavusRejected as exc:
            log.info("Connect Tavus: Tavus refused %s's key (HTTP %s)", visit.team_id, exc.status)
            return await self._not_checked(visit, made, 400, say.KEY_REJECTED)
        except TavusError as exc:
            # The class name only: the chained error could quote the request it was part of.
            log.warning("Connect Tavus: Tavus unavailable (%s)", type(exc).__name__)
            return await self._not_checked(visit, made, 503, say.TAVUS_DOWN)
        # Now known to be a key: never to be logged (what was typed before may be anything).
        register_secret(key)
        connected = await self._keys.save(key, visit=visit, session_digest=digest)
        log.info("Connect Tavus: %s connected %s's Tavus account", visit.user_id, visit.team_id)
        response = _page(200, say.HEADING_SAVED, [say.SAVED.format(last4=connected.last4)])
        response.del_cookie(COOKIE, path=PATH, secure=self._secure, httponly=True, samesite="Lax")
        return response

    async def _not_checked(self, visit: Visit, made: int, status: int, reason: str) -> web.Response:
        """The form again, saying how many keys it still checks; none left, the page closed."""
        left = MOST_KEY_CHECKS - made
        if left <= 0:
            log.info("Connect Tavus: a page of %s closed after %d keys", visit.team_id, made)
            return _page(403, say.HEADING_NOT_SAVED, [reason, say.TOO_MANY_KEYS, say.NEW_LINK])
        keys = "key" if left == 1 else "keys"
        error = f"{reason} {say.TRIES_LEFT.format(left=left, keys=keys)}"
        return await self._form(visit, status=status, error=error)

    async def _form(
        self, visit: Visit, *, status: int = 200, error: str | None = None
    ) -> web.Response:
        connected = await self._store.tavus_accounts.find(visit.team_id)
        installed = await self._store.installations.find(
            team_id=visit.team_id, enterprise_id=visit.enterprise_id
        )
        form = pages.KeyForm(action=PATH, csrf=visit.csrf)
        page = pages.connect_form(
            form, team_id=visit.team_id, installed=installed, connected=connected, error=error
        )
        return pages.response(status, page)


def _session_digest(request: web.Request) -> str | None:
    session = request.cookies.get(COOKIE)
    return signing.digest(session) if session else None


def _refused(reason: str) -> web.Response:
    return _page(403, say.HEADING_REFUSED, [reason, say.NEW_LINK])


def _page(
    status: int, heading: str, lines: Sequence[str], *, onward: str | None = None
) -> web.Response:
    page = pages.document(say.TITLE, heading, lines, onward=onward)
    return pages.response(status, page)
