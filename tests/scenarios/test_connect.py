"""The Connect Tavus page over real HTTP, as a browser uses it, on a real store and stand-in."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import unused_port
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from bot.governance.audit import Action
from bot.jobs import JobStatus, ReplicaRequest, Requester
from bot.store import Store
from bot.store.schema import tavus_accounts, tavus_keys
from bot.tavus import TavusClient
from bot.workspaces import connect, connect_text, pages
from bot.workspaces.accounts import Fingerprints, Workspace
from bot.workspaces.connect import COOKIE, PATH, ConnectTavus
from bot.workspaces.installations import Connected, Installed
from bot.workspaces.vault import Vault
from tests.clocks import FakeClock
from tests.standins.server import Fault
from tests.standins.tavus import TavusStandIn
from tests.store_helpers import (
    Flaky,
    FolderAway,
    alone_in_a_folder,
    transition,
    unavailable_from_the_driver,
)

SECRET = b"connect-links-signing-secret"
TEAM = "T0ACME"
ADMIN = "U0ADA"
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
LIFETIME = timedelta(minutes=15)
# A key of the workspace's own Tavus account: not the stand-in's default one.
GOOD = "5f0c3e9a7d2b4c18a6e0f9d3b7c2ab12"
WRONG = "0000aaaa1111bbbb2222cccc3333dddd"
CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"
FINGERPRINTS = Fingerprints(b"fingerprints-secret")


class Admins:
    """What Slack says, as the page saves a key, of who administers which workspace."""

    def __init__(self) -> None:
        self.admins = {(TEAM, ADMIN)}
        self.unsure = False  # Slack does not answer
        self.asked: list[tuple[Workspace, str]] = []

    async def __call__(self, workspace: Workspace, user_id: str) -> bool | None:
        self.asked.append((workspace, user_id))
        return None if self.unsure else (workspace.team_id, user_id) in self.admins


@dataclass
class Site:
    """The page served on a loopback port, what it stands on, and a browser to open it with."""

    url: str  # where the test reaches the page (the links may say https)
    page: ConnectTavus
    store: Store
    clock: FakeClock
    vault: Vault
    tavus: TavusStandIn
    browser: aiohttp.ClientSession
    db_file: Path
    admins: Admins

    @property
    def database_url(self) -> str:
        """The store's database, as a URL."""
        return self.store.db.engine.url.render_as_string(False)

    async def link(self, team_id: str = TEAM, user_id: str = ADMIN) -> str:
        """A link as App Home would send it, pointed at where the page is served."""
        sent = urlsplit(await self.page.link(team_id=team_id, user_id=user_id))
        return f"{self.url}{sent.path}?{sent.query}"

    async def open_form(self) -> str:
        """Open a new link as the admin does, and the form's CSRF token."""
        async with self.browser.get(await self.link()) as response:
            assert response.status == 200
            return form_of(await response.text())["csrf"]

    async def submit(self, **fields: str) -> aiohttp.ClientResponse:
        """Send the form, as the browser would, with these fields; the answer read."""
        async with self.browser.post(f"{self.url}{PATH}", data=fields) as response:
            await response.read()
            return response

    async def saved(self) -> list[dict[str, Any]]:
        """Every stored Tavus account row."""
        async with self.store.db.reading() as connection:
            return [dict(row._mapping) for row in await connection.execute(select(tavus_accounts))]

    async def replaced(self) -> list[dict[str, Any]]:
        """Every replaced Tavus key kept."""
        async with self.store.db.reading() as connection:
            return [dict(row._mapping) for row in await connection.execute(select(tavus_keys))]


@asynccontextmanager
async def serving(
    database_url: str, tavus: TavusStandIn, *, scheme: str = "http"
) -> AsyncIterator[Site]:
    """Everything the page needs, started, and closed again however the test ends."""
    clock = FakeClock(START)
    store = await Store.open(database_url.replace("sqlite://", "sqlite+aiosqlite://"), clock=clock)
    http = TavusClient.build_http(base_url=tavus.url, timeout=2)
    vault = Vault([Fernet.generate_key().decode()])
    port = unused_port()
    admins = Admins()
    page = ConnectTavus(
        store=store,
        vault=vault,
        secret=SECRET,
        base_url=f"{scheme}://127.0.0.1:{port}/",
        tavus_for_key=lambda key: TavusClient(http, api_key=key),
        fingerprint=FINGERPRINTS.of,
        is_admin=admins,
        lifetime=LIFETIME,
    )
    app = web.Application()
    page.add_routes(app)
    runner = web.AppRunner(app, shutdown_timeout=1)
    browser = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    try:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        db_file = Path(database_url.removeprefix("sqlite:///"))
        url = f"http://127.0.0.1:{port}"
        yield Site(url, page, store, clock, vault, tavus, browser, db_file, admins)
    finally:
        await browser.close()
        await runner.cleanup()
        await http.aclose()
        await store.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The database alone in its folder, which an outage can move away."""
    return alone_in_a_folder(tmp_path / "data")


@pytest.fixture
async def site(database_url: str, tavus: TavusStandIn) -> AsyncIterator[Site]:
    tavus.keys.add(GOOD)
    async with serving(database_url, tavus) as served:
        yield served


class Forms(HTMLParser):
    """The forms of a page, and the fields each sends."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []
        self.fields: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.forms.append(dict(attrs))
        elif tag == "input":
            self.fields.append(dict(attrs))


def form_of(page: str) -> dict[str, str]:
    """The one form's hidden fields by name, after checking it is the key form."""
    parser = Forms()
    parser.feed(page)
    assert parser.forms == [{"method": "post", "action": PATH}]
    key = next(field for field in parser.fields if field.get("name") == "api_key")
    assert key["type"] == "password"
    assert key["autocomplete"] == "off"
    return {
        str(field["name"]): str(field.get("value") or "")
        for field in parser.fields
        if field.get("type") == "hidden"
    }


def has_form(page: str) -> bool:
    parser = Forms()
    parser.feed(page)
    return bool(parser.forms)


def words(page: str) -> str:
    """A page's text as the admin reads it."""
    parser = HTMLParser()
    chunks: list[str] = []
    parser.handle_data = chunks.append
    parser.feed(page)
    return unescape(" ".join(chunks))


def token_of(link: str) -> tuple[str, str, str]:
    nonce, expiry, sig = parse_qs(urlsplit(link).query)["t"][0].split(".")
    return nonce, expiry, sig


def with_token(link: str, token: str) -> str:
    return f"{link.split('?', 1)[0]}?t={token}"


def assert_guarded(response: aiohttp.ClientResponse) -> None:
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == CSP


async def test_a_link_is_signed_and_expires_with_its_lifetime(site: Site) -> None:
    link = await site.page.link(team_id=TEAM, user_id=ADMIN)

    nonce, expiry, sig = token_of(link)
    assert link.startswith(f"http://127.0.0.1:{urlsplit(site.url).port}/tavus/connect?t=")
    assert int(expiry) == int((START + LIFETIME).timestamp())
    assert sig == hmac.new(SECRET, f"{nonce}.{expiry}".encode(), hashlib.sha256).hexdigest()


async def test_a_link_opens_the_form_once_and_the_token_leaves_the_address(site: Site) -> None:
    link = await site.link()

    async with site.browser.get(link) as first:
        page = await first.text()
        assert first.status == 200
        assert [hop.status for hop in first.history] == [303]
        assert first.history[0].headers["Location"] == PATH
        assert str(first.url) == f"{site.url}{PATH}"
        assert "No Tavus account is connected yet" in words(page)
        assert form_of(page)["csrf"]
    async with site.browser.get(link) as second:
        assert second.status == 403
        assert connect_text.LINK_USED in words(await second.text())
        assert connect_text.NEW_LINK in words(await second.text())


async def test_the_session_cookie_is_http_only_lax_and_lasts_as_long_as_the_link(
    site: Site,
) -> None:
    site.clock.advance(minutes=5)  # issued at START, opened five minutes later
    link = await site.page.link(team_id=TEAM, user_id=ADMIN)
    site.clock.advance(minutes=5)

    async with site.browser.get(link, allow_redirects=False) as response:
        cookie = response.cookies[COOKIE]
    assert response.status == 303
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == PATH
    assert cookie["max-age"] == str(10 * 60)
    assert not cookie["secure"]
    stored = await site.store.connect_links.visit(hashlib.sha256(cookie.value.encode()).hexdigest())
    assert stored is not None
    assert stored.user_id == ADMIN


async def test_the_cookie_is_secure_when_the_page_is_served_over_https(
    database_url: str, tavus: TavusStandIn
) -> None:
    async with serving(database_url, tavus, scheme="https") as site:
        link = await site.link()
        async with site.browser.get(link, allow_redirects=False) as response:
            assert response.status == 303
            assert response.cookies[COOKIE]["secure"] is True


async def test_a_forged_signature_is_refused_before_the_database_is_asked(site: Site) -> None:
    link = await site.link()
    nonce, expiry, sig = token_of(link)
    later = str(int(expiry) + 3600)

    forged = [
        f"{nonce}.{expiry}.{'0' * 64}",  # a signature made up
        f"{nonce}.{later}.{sig}",  # a longer life, the old signature
        f"{nonce}.{expiry}.{sig[:-1]}{'0' if sig[-1] != '0' else '1'}",
    ]
    for token in forged:
        async with site.browser.get(with_token(link, token)) as response:
            assert response.status == 403
            assert connect_text.LINK_INVALID in words(await response.text())
            assert_guarded(response)

    # Had any of them reached the database, the real link would be used up by now.
    async with site.browser.get(link) as response:
        assert response.status == 200


@pytest.mark.parametrize(
    "token",
    ["", "nonsense", "a.b.c", "..", "a.1.2.3", f"{'n' * 32}.１２.{'0' * 64}", "é" * 40],
)
async def test_a_malformed_token_is_refused(site: Site, token: str) -> None:
    async with site.browser.get(f"{site.url}{PATH}", params={"t": token}) as response:
        assert response.status == 403
        assert connect_text.LINK_INVALID in words(await response.text())


async def test_an_expired_link_is_refused_and_says_to_ask_for_a_new_one(site: Site) -> None:
    link = await site.link()
    site.clock.advance(LIFETIME, seconds=1)

    async with site.browser.get(link) as response:
        text = words(await response.text())
    assert response.status == 403
    assert connect_text.LINK_EXPIRED in text
    assert "App Home" in text
    assert "Connect Tavus" in text
    assert not response.cookies


async def test_a_link_preview_by_slack_does_not_use_the_link_up(site: Site) -> None:
    link = await site.link()

    unfurler = {"User-Agent": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)"}
    async with site.browser.get(link, headers=unfurler, allow_redirects=False) as preview:
        assert preview.status == 200
        assert not preview.cookies
    async with site.browser.head(link) as checked:
        assert checked.status == 405

    async with site.browser.get(link) as response:
        assert response.status == 200


async def test_the_page_without_a_session_says_to_open_a_new_link(site: Site) -> None:
    async with site.browser.get(f"{site.url}{PATH}") as response:
        text = words(await response.text())
    assert response.status == 403
    assert connect_text.NO_SESSION in text
    assert connect_text.NEW_LINK in text


async def test_a_session_ends_when_its_link_expires(site: Site) -> None:
    csrf = await site.open_form()
    site.clock.advance(LIFETIME, seconds=1)

    async with site.browser.get(f"{site.url}{PATH}") as page:
        assert page.status == 403
    response = await site.submit(csrf=csrf, api_key=GOOD)

    assert response.status == 403
    assert await site.saved() == []
    assert site.tavus.keys_used == []


async def test_a_post_without_the_cookie_is_refused_and_saves_nothing(site: Site) -> None:
    csrf = await site.open_form()
    site.browser.cookie_jar.clear()

    response = await site.submit(csrf=csrf, api_key=GOOD)

    assert response.status == 403
    assert await site.saved() == []
    assert site.tavus.keys_used == []


@pytest.mark.parametrize("csrf", [None, "", "not-the-token", "é"])
async def test_a_post_without_the_pages_csrf_token_is_refused(site: Site, csrf: str | None) -> None:
    await site.open_form()

    fields = {"api_key": GOOD} if csrf is None else {"csrf": csrf, "api_key": GOOD}
    async with site.browser.post(f"{site.url}{PATH}", data=fields) as response:
        text = words(await response.text())

    assert response.status == 403
    assert connect_text.CSRF_REFUSED in text
    assert await site.saved() == []
    assert site.tavus.keys_used == []
    assert await site.store.audit.since() == []


async def test_an_empty_key_shows_the_form_again(site: Site) -> None:
    csrf = await site.open_form()

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": "  "}) as r:
        page = await r.text()

    assert r.status == 400
    assert connect_text.KEY_MISSING in words(page)
    assert form_of(page)["csrf"] == csrf
    assert site.tavus.keys_used == []


@pytest.mark.parametrize("key", ["tooshort", "two words but long enough", "clé-non-ascii-0123456"])
async def test_what_cannot_be_a_key_is_refused_without_asking_tavus(site: Site, key: str) -> None:
    csrf = await site.open_form()

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": key}) as r:
        page = await r.text()

    assert r.status == 400
    assert connect_text.KEY_MALFORMED in words(page)
    assert has_form(page)
    assert key not in page
    assert site.tavus.keys_used == []
    assert site.admins.asked == []  # nor Slack
    assert await site.saved() == []


async def test_a_key_tavus_refuses_is_not_saved(site: Site) -> None:
    csrf = await site.open_form()

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": WRONG}) as r:
        page = await r.text()

    assert r.status == 400
    assert connect_text.KEY_REJECTED in words(page)
    assert form_of(page)["csrf"] == csrf
    assert WRONG not in page
    assert site.tavus.keys_used == [("GET", "/v2/replicas", WRONG)]
    assert await site.saved() == []
    assert await site.store.audit.since() == []


async def test_tavus_down_gives_503_saves_nothing_and_the_form_stays(site: Site) -> None:
    csrf = await site.open_form()
    site.tavus.fail_next("get", Fault(status=503, body={"message": "maintenance"}))

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": GOOD}) as r:
        page = await r.text()
    assert r.status == 503
    assert connect_text.TAVUS_DOWN in words(page)
    assert GOOD not in page
    assert await site.saved() == []

    # The session is still open: the same form, sent again, goes through.
    response = await site.submit(csrf=csrf, api_key=GOOD)
    assert response.status == 200


def wrong_key(number: int) -> str:
    """A key Tavus refuses, different each time (as someone guessing would send)."""
    return f"{number:032x}"


async def test_a_session_checks_five_keys_and_the_sixth_is_refused_without_asking_tavus(
    site: Site,
) -> None:
    csrf = await site.open_form()

    pages = []
    for number in range(connect.MOST_KEY_CHECKS):
        fields = {"csrf": csrf, "api_key": wrong_key(number)}
        async with site.browser.post(f"{site.url}{PATH}", data=fields) as r:
            pages.append((r.status, words(await r.text())))
    sixth = await site.submit(csrf=csrf, api_key=GOOD)  # even a good key: the page is closed

    *refused, last = pages
    assert [status for status, _ in refused] == [400, 400, 400, 400]
    assert "This page checks 4 more keys at most." in refused[0][1]
    assert "This page checks 1 more key at most." in refused[3][1]
    assert last[0] == 403
    assert connect_text.KEY_REJECTED in last[1]
    assert connect_text.TOO_MANY_KEYS in last[1]
    assert connect_text.NEW_LINK in last[1]
    assert sixth.status == 403
    assert len(site.tavus.keys_used) == connect.MOST_KEY_CHECKS
    assert GOOD not in [key for _, _, key in site.tavus.keys_used]
    assert await site.saved() == []
    async with site.browser.get(f"{site.url}{PATH}") as page:
        assert page.status == 403
        assert connect_text.TOO_MANY_KEYS in words(await page.text())


async def test_keys_sent_together_are_checked_no_more_than_a_session_allows(site: Site) -> None:
    csrf = await site.open_form()

    answers = await asyncio.gather(
        *(site.submit(csrf=csrf, api_key=wrong_key(number)) for number in range(20))
    )

    assert len(site.tavus.keys_used) == connect.MOST_KEY_CHECKS
    assert sorted(answer.status for answer in answers).count(403) == 20 - 4


async def test_what_cannot_be_a_key_costs_no_check(site: Site) -> None:
    csrf = await site.open_form()
    for _ in range(connect.MOST_KEY_CHECKS + 1):
        assert (await site.submit(csrf=csrf, api_key="tooshort")).status == 400

    assert (await site.submit(csrf=csrf, api_key=GOOD)).status == 200


async def test_a_new_link_checks_as_many_keys_again(site: Site) -> None:
    csrf = await site.open_form()
    for number in range(connect.MOST_KEY_CHECKS):
        await site.submit(csrf=csrf, api_key=wrong_key(number))

    response = await site.submit(csrf=await site.open_form(), api_key=GOOD)

    assert response.status == 200
    assert [row["last4"] for row in await site.saved()] == ["ab12"]


async def test_a_good_key_is_saved_sealed_and_recorded(site: Site) -> None:
    csrf = await site.open_form()

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": GOOD}) as r:
        page = await r.text()

    assert r.status == 200
    assert "Connected: key ending in ab12" in words(page)
    assert "/replica works now" in words(page)
    assert GOOD not in page
    [row] = await site.saved()
    assert row["team_id"] == TEAM
    assert row["last4"] == "ab12"
    assert row["saved_by"] == ADMIN
    assert row["key_sealed"] != GOOD
    assert site.vault.open(row["key_sealed"]) == GOOD
    found = await site.store.tavus_accounts.find(TEAM)
    assert found is not None
    assert found.saved_at == START
    stored = b"".join(path.read_bytes() for path in site.db_file.parent.glob("bot.db*"))
    assert GOOD.encode() not in stored
    [record] = await site.store.audit.since()
    assert record.action is Action.TAVUS_CONNECTED
    assert record.actor == ADMIN
    assert record.team_id == TEAM
    assert record.details == {"last4": "ab12", "fingerprint": FINGERPRINTS.of(GOOD)}
    assert site.tavus.keys_used == [("GET", "/v2/replicas", GOOD)]
    assert site.admins.asked == [(Workspace(TEAM), ADMIN)]


async def test_the_session_is_over_once_the_key_is_saved(site: Site) -> None:
    csrf = await site.open_form()
    [session] = [c.value for c in site.browser.cookie_jar if c.key == COOKIE]

    response = await site.submit(csrf=csrf, api_key=GOOD)

    assert response.status == 200
    assert response.cookies[COOKIE].value == ""  # the browser is told to forget it
    assert [c for c in site.browser.cookie_jar if c.key == COOKIE] == []
    async with aiohttp.ClientSession() as replay:  # the old cookie, kept and sent back
        headers = {"Cookie": f"{COOKIE}={session}"}
        async with replay.get(f"{site.url}{PATH}", headers=headers) as page:
            assert page.status == 403
        fields = {"csrf": csrf, "api_key": WRONG}
        async with replay.post(f"{site.url}{PATH}", data=fields, headers=headers) as post:
            assert post.status == 403
    assert [row["last4"] for row in await site.saved()] == ["ab12"]


async def test_the_page_afterwards_shows_the_connection_by_its_last_four_only(site: Site) -> None:
    await site.submit(csrf=await site.open_form(), api_key=GOOD)
    site.clock.advance(hours=2)

    async with site.browser.get(await site.link()) as response:
        page = await response.text()

    assert response.status == 200
    assert (
        f"Connected: key ending in ab12, saved by Slack user {ADMIN} on 2030-01-01 12:00 UTC"
        in words(page)
    )
    assert GOOD not in page
    assert GOOD[:-4] not in page


async def test_saving_again_replaces_the_key_and_keeps_the_old_one_sealed(site: Site) -> None:
    other = "9a8b7c6d5e4f3a2b1c0d9e8f7a6bcd34"
    site.tavus.keys.add(other)
    await site.submit(csrf=await site.open_form(), api_key=GOOD)
    site.clock.advance(hours=1)

    response = await site.submit(csrf=await site.open_form(), api_key=f"  {other}\n")

    assert response.status == 200
    [row] = await site.saved()
    assert site.vault.open(row["key_sealed"]) == other
    assert row["fingerprint"] == FINGERPRINTS.of(other)
    # The replaced key stays, sealed, for the replicas made with it.
    [kept] = await site.replaced()
    assert kept["fingerprint"] == FINGERPRINTS.of(GOOD)
    assert site.vault.open(kept["key_sealed"]) == GOOD
    assert (kept["last4"], kept["saved_by"]) == ("ab12", ADMIN)
    # The log names the change by fingerprints, the old and the new, never by the keys.
    records = await site.store.audit.since()
    assert [r.details for r in records] == [
        {"last4": "ab12", "fingerprint": FINGERPRINTS.of(GOOD)},
        {"last4": "cd34", "fingerprint": FINGERPRINTS.of(other), "replaced": FINGERPRINTS.of(GOOD)},
    ]
    assert GOOD not in str(records)
    assert other not in str(records)


async def test_connecting_a_replaced_key_again_makes_it_current_and_kept_once(site: Site) -> None:
    other = "9a8b7c6d5e4f3a2b1c0d9e8f7a6bcd34"
    site.tavus.keys.add(other)
    for key in (GOOD, other, GOOD):
        assert (await site.submit(csrf=await site.open_form(), api_key=key)).status == 200

    [row] = await site.saved()
    assert row["fingerprint"] == FINGERPRINTS.of(GOOD)
    assert [kept["fingerprint"] for kept in await site.replaced()] == [FINGERPRINTS.of(other)]


async def test_a_key_saved_before_fingerprints_is_kept_under_its_own_when_replaced(
    site: Site,
) -> None:
    # Saved before fingerprints were kept, and so were the jobs made with it.
    await site.store.tavus_accounts.save(
        Connected(
            team_id=TEAM,
            key_sealed=site.vault.seal(GOOD),
            last4="ab12",
            saved_by=ADMIN,
            saved_at=START,
        )
    )
    requester = Requester(team_id=TEAM, user_id="U1", channel_id="C1")
    request = ReplicaRequest(replica_name="Dana", model_name="phoenix-4")
    for job_id in ("j-sent", "j-queued"):
        await site.store.jobs.add(job_id=job_id, requester=requester, request=request)
    await transition(
        site.store, "j-sent", from_={JobStatus.QUEUED}, to=JobStatus.TRAINING, replica_id="r1"
    )
    other = "9a8b7c6d5e4f3a2b1c0d9e8f7a6bcd34"
    site.tavus.keys.add(other)

    assert (await site.submit(csrf=await site.open_form(), api_key=other)).status == 200

    [kept] = await site.replaced()
    assert kept["fingerprint"] == FINGERPRINTS.of(GOOD)
    # The job sent with it stays with it; the one not sent yet goes with the new key.
    sent, queued = [await site.store.jobs.get(job_id) for job_id in ("j-sent", "j-queued")]
    assert sent is not None
    assert sent.tavus_account == FINGERPRINTS.of(GOOD)
    assert queued is not None
    assert queued.tavus_account is None
    [record] = [r.details for r in await site.store.audit.since() if r.actor == ADMIN]
    assert record["replaced"] == FINGERPRINTS.of(GOOD)


async def test_a_user_no_longer_admin_saves_nothing_and_the_session_ends(site: Site) -> None:
    csrf = await site.open_form()
    site.admins.admins.clear()  # demoted after the link was sent

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": GOOD}) as r:
        text = words(await r.text())

    assert r.status == 403
    assert connect_text.NOT_ADMIN in text
    assert await site.saved() == []
    assert site.tavus.keys_used == []  # not even checked with Tavus
    site.admins.admins.add((TEAM, ADMIN))
    assert (await site.submit(csrf=csrf, api_key=GOOD)).status == 403  # the session is over


async def test_slack_unsure_of_the_admin_saves_nothing_and_the_form_stays(site: Site) -> None:
    csrf = await site.open_form()
    site.admins.unsure = True

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": GOOD}) as r:
        page = await r.text()
    assert r.status == 503
    assert connect_text.ADMIN_UNKNOWN in words(page)
    assert form_of(page)["csrf"] == csrf
    assert await site.saved() == []

    site.admins.unsure = False
    assert (await site.submit(csrf=csrf, api_key=GOOD)).status == 200


async def test_the_database_unavailable_while_saving_gives_503(site: Site) -> None:
    csrf = await site.open_form()
    # The key is checked with Tavus; then the database goes, just as the key is saved.
    save = Flaky(site.store.tavus_accounts.save, FolderAway(site.database_url, site.store))
    site.store.tavus_accounts.save = save  # type: ignore[method-assign]

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": GOOD}) as r:
        page = await r.text()
    assert r.status == 503
    assert connect_text.DATABASE_DOWN_SAVING in words(page)
    assert GOOD not in page
    [failed] = save.raised
    assert unavailable_from_the_driver(failed)

    assert (await site.submit(csrf=csrf, api_key=GOOD)).status == 200
    assert len(await site.saved()) == 1


async def test_a_save_whose_record_cannot_be_written_saves_nothing_and_the_form_stays(
    site: Site,
) -> None:
    await site.store.tavus_accounts.save(
        Connected(
            team_id=TEAM,
            key_sealed=site.vault.seal(WRONG),
            last4="dddd",
            saved_by=ADMIN,
            saved_at=START,
            fingerprint=FINGERPRINTS.of(WRONG),
        )
    )
    csrf = await site.open_form()
    # A fault inside the save's transaction, after the key's own rows: the log is not there.
    async with site.store.db.writing() as connection:
        await connection.execute(text("ALTER TABLE audit RENAME TO audit_away"))

    async with site.browser.post(f"{site.url}{PATH}", data={"csrf": csrf, "api_key": GOOD}) as r:
        page = await r.text()
    assert r.status == 503
    assert connect_text.DATABASE_DOWN_SAVING in words(page)
    [row] = await site.saved()
    assert row["last4"] == "dddd"  # the key before, still current
    assert await site.replaced() == []

    async with site.store.db.writing() as connection:
        await connection.execute(text("ALTER TABLE audit_away RENAME TO audit"))
    # The session did not end with the save: the same form, sent again, saves key and record.
    assert (await site.submit(csrf=csrf, api_key=GOOD)).status == 200
    assert [row["last4"] for row in await site.saved()] == ["ab12"]
    [record] = await site.store.audit.since()
    assert record.details["replaced"] == FINGERPRINTS.of(WRONG)


async def test_what_the_page_shows_from_the_store_is_escaped(site: Site) -> None:
    await site.store.tavus_accounts.save(
        Connected(
            team_id=TEAM,
            key_sealed=site.vault.seal(GOOD),
            last4="<b>",
            saved_by='"><script>x</script>',
            saved_at=START,
        )
    )

    async with site.browser.get(await site.link()) as response:
        page = await response.text()

    assert "<script>" not in page
    assert "<b>" not in page
    assert '"><script>x</script>' in words(page)


def test_the_form_escapes_every_value_it_is_built_from() -> None:
    hostile = '"><script>alert(1)</script>'
    installed = Installed(
        team_id=TEAM,
        enterprise_id=None,
        is_enterprise_install=False,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes="commands",
        bot_token_sealed="sealed",
        installer_id=ADMIN,
        installed_at=START,
        team_name=hostile,
    )
    account = Connected(
        team_id=TEAM, key_sealed="sealed", last4="<b>", saved_by=hostile, saved_at=START
    )

    page = pages.connect_form(
        pages.KeyForm(action=PATH, csrf=hostile),
        team_id=TEAM,
        installed=installed,
        connected=account,
        error=hostile,
    )

    assert "<script>" not in page
    assert "<b>" not in page
    assert form_of(page)["csrf"] == hostile  # sent back by the browser exactly as given
    assert words(page).count(hostile) == 3  # the error, the workspace's name, who saved the key


async def test_every_page_carries_the_security_headers(site: Site) -> None:
    async with site.browser.get(f"{site.url}{PATH}?t=forged") as refused:
        assert_guarded(refused)
    async with site.browser.get(await site.link()) as opened:
        assert_guarded(opened.history[0])  # the redirect
        assert_guarded(opened)  # the form
        csrf = form_of(await opened.text())["csrf"]
    assert_guarded(await site.submit(csrf="wrong", api_key=GOOD))
    assert_guarded(await site.submit(csrf=csrf, api_key=""))
    assert_guarded(await site.submit(csrf=csrf, api_key=WRONG))
    assert_guarded(await site.submit(csrf=csrf, api_key=GOOD))
    assert_guarded(await site.submit(csrf=csrf, api_key=GOOD))  # the session is over


async def test_the_database_unavailable_while_opening_a_link_gives_503(site: Site) -> None:
    link = await site.link()
    outage = FolderAway(site.database_url, site.store)
    await outage.cut()

    async with site.browser.get(link) as response:
        text = words(await response.text())
    assert response.status == 503
    assert connect_text.DATABASE_DOWN in text

    outage.restore()
    async with site.browser.get(link) as response:  # nothing was opened: it still works
        assert response.status == 200


async def test_the_database_unavailable_while_showing_the_form_gives_503(site: Site) -> None:
    await site.open_form()
    outage = FolderAway(site.database_url, site.store)
    await outage.cut()

    async with site.browser.get(f"{site.url}{PATH}") as response:
        text = words(await response.text())
    assert response.status == 503
    assert connect_text.DATABASE_DOWN in text

    outage.restore()
    async with site.browser.get(f"{site.url}{PATH}") as response:  # the session is still there
        assert response.status == 200
        assert has_form(await response.text())


@pytest.mark.parametrize(
    ("secret", "lifetime", "says"),
    [(b"", LIFETIME, "secret"), (SECRET, timedelta(), "last"), (SECRET, -LIFETIME, "last")],
)
async def test_a_page_without_a_secret_or_a_lifetime_does_not_start(
    site: Site, secret: bytes, lifetime: timedelta, says: str
) -> None:
    with pytest.raises(ValueError, match=says):
        ConnectTavus(
            store=site.store,
            vault=site.vault,
            secret=secret,
            base_url="https://bot.example.com",
            tavus_for_key=lambda key: pytest.fail("no key is checked"),
            fingerprint=FINGERPRINTS.of,
            is_admin=site.admins,
            lifetime=lifetime,
        )
