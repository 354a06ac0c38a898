"""Many workspaces, end to end: installed by OAuth, each served with its own token and Tavus key.

The real bot in OAuth mode over HTTP, against the Slack stand-in (which knows each workspace's
token and plays oauth.v2.access) and the Tavus stand-in (which gives each key its own account).
The installer's browser is an aiohttp session; the state cookie Slack's flow sets is Secure, so
it is sent by hand, as a browser on the https address would.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import create_async_engine

from bot import messages
from bot.cli import rotate_keys
from bot.config import Settings, load_settings
from bot.media.local import LocalMedia, new_key
from bot.ops.logs import QUIET, REDACTOR, configure
from bot.slack.blocks import form
from bot.slack.blocks.kit import CONNECT_TAVUS_ACTION, TALK_ACTION, WITHDRAW_ACTION
from bot.store.schema import installations, jobs, keys, oauth_states, tavus_accounts
from bot.workspaces import connect
from bot.workspaces.vault import Vault
from tests.conftest import Bot, Launch
from tests.flows import (
    USE,
    VIDEO,
    as_workspace,
    ask,
    click,
    consent,
    consent_request_of,
    delivered,
)
from tests.scenarios.test_connect import form_of, words
from tests.scenarios.test_media import chunks
from tests.slack_client import USER_ID, event_body, filled
from tests.standins.slack import CLIENT_ID, CLIENT_SECRET, INSTALLER_ID, SlackStandIn

OLD_KEY = Fernet.generate_key().decode()
STATE_COOKIE = "slack-app-oauth-state"
ACME, GLOBEX = "T0ACME", "T0GLOBEX"
TAVUS_KEYS = {ACME: "acme0000tavus0000key00000000a1b2", GLOBEX: "globex00tavus0000key00000000c3d4"}


@pytest.fixture
def settings(
    base_settings: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """OAuth mode: no bot token, no Tavus key; the app's credentials and SECRETS_KEYS."""
    monkeypatch.chdir(tmp_path)
    chosen = {
        k: v for k, v in base_settings.items() if k not in {"slack_bot_token", "tavus_api_key"}
    }
    return load_settings(
        **chosen,
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        secrets_keys=OLD_KEY,
    )


async def start_install(bot: Bot, browser: aiohttp.ClientSession) -> str:
    """Open the install link: the state Slack is sent with (also set as the state cookie)."""
    async with browser.get(f"{bot.url}/slack/install", allow_redirects=False) as response:
        assert response.status == 302
        sent_to = urlsplit(response.headers["Location"])
        cookie = response.cookies[STATE_COOKIE].value
    query = parse_qs(sent_to.query)
    assert sent_to.netloc == "slack.com"
    assert query["client_id"] == [CLIENT_ID]
    assert "chat:write" in query["scope"][0].split(",")
    assert query["redirect_uri"] == [f"{bot.url}/slack/oauth_redirect"]
    assert cookie == query["state"][0]
    return cookie


async def come_back(
    bot: Bot, browser: aiohttp.ClientSession, state: str, **query: str
) -> tuple[int, str]:
    """Slack sends the installer back to the bot with `query` (code, or error) and the state."""
    async with browser.get(
        f"{bot.url}/slack/oauth_redirect",
        params={"state": state, **query},
        headers={"Cookie": f"{STATE_COOKIE}={state}"},
    ) as response:
        return response.status, words(await response.text())


async def install(
    bot: Bot, team: str | None, *, enterprise: str | None = None, by: str = INSTALLER_ID
) -> str:
    """Install the app in a workspace (or, without a team, org-wide): the bot token Slack gave."""
    async with aiohttp.ClientSession() as browser:
        state = await start_install(bot, browser)
        code = bot.slack.grant(team, enterprise_id=enterprise)
        bot.slack.codes[code]["authed_user"] = {"id": by}
        token = str(bot.slack.codes[code]["access_token"])
        status, page = await come_back(bot, browser, state, code=code)
    assert status == 200, page
    assert "Connect Tavus" in page
    return token


async def connect_tavus(
    bot: Bot, key: str, *, user: str = INSTALLER_ID, named: str = "Slack workspace Acme ("
) -> tuple[int, str]:
    """From App Home, ask for the Connect Tavus link and save `key` on its page."""
    opened = len(bot.slack.modals)
    status, _ = await bot.sender.action(
        CONNECT_TAVUS_ACTION, "home", user=user, container={"type": "view", "view_id": "V0HOME"}
    )
    assert status == 200
    link = link_in(await bot.slack.wait_for_modal(opened + 1))
    assert link is not None, "no link was offered"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(link) as response:
            assert response.status == 200
            page = await response.text()
            csrf = form_of(page)["csrf"]
            assert named in words(page)  # named as Slack named it
        async with browser.post(link.split("?")[0], data={"csrf": csrf, "api_key": key}) as saved:
            return saved.status, words(await saved.text())


async def ready(bot: Bot, team: str) -> Bot:
    """Install the app in `team` and connect its own Tavus account: the bot as `team` sees it.

    The installer is an admin there: only admins and owners connect Tavus.
    """
    await install(bot, team)
    bot.slack.admins.add(INSTALLER_ID)
    workspace = as_workspace(bot, team)
    bot.tavus.keys.add(TAVUS_KEYS[team])
    status, page = await connect_tavus(workspace, TAVUS_KEYS[team])
    assert status == 200, page
    return workspace


def link_in(view: Any) -> str | None:
    """The address a modal's link button opens, if it has one."""
    view = json.loads(view) if isinstance(view, str) else view
    for block in view["blocks"]:
        for element in block.get("elements", []):
            if element.get("url"):
                return str(element["url"])
    return None


def stored(settings: Settings) -> bytes:
    """Every byte of the bot's SQLite database, as anyone with the file can read them."""
    return Path(settings.database_url.removeprefix("sqlite:///")).read_bytes()


def beside(folder: Path) -> set[str]:
    """What a folder holds, SQLite's own -wal and -shm files counted as the database."""
    return {path.name.split("-")[0] for path in folder.iterdir()}


async def answered(bot: Bot) -> dict[str, list[dict[str, Any]]]:
    """Every message sent to a response_url, once one has been (within 10 s)."""
    await bot.slack.wait_until(lambda: any(bot.slack.responses.values()))
    return dict(bot.slack.responses)


def calls_of(slack: SlackStandIn, method: str, team: str) -> list[dict[str, Any]]:
    """The calls to `method` made with the token of `team`."""
    return [args for args in slack.called(method) if args.get("_team") == team]


async def train(bot: Bot, name: str) -> dict[str, Any]:
    """Ask for a replica in the bot's workspace and consent to it: the create Tavus received."""
    creates = len(bot.tavus.creates)
    opened = len(bot.slack.modals)
    status, body = await bot.sender.command()
    assert (status, body) == (200, "")
    view = await bot.slack.wait_for_modal(opened + 1)
    values = {form.NAME: name, form.VIDEO: VIDEO, form.CONSENT: True, form.USE: USE}
    status, answer = await bot.sender.submit(filled(view, **values))
    assert (status, answer["response_action"]) == (200, "update"), answer
    [job] = [job for job in await bot.jobs() if job["replica_name"] == name]
    await consent_request_of(bot, job["id"])
    await consent(bot, job["id"], user=job["subject_id"])
    await bot.tavus.wait_until(lambda: len(bot.tavus.creates) > creates, within=10)
    return bot.tavus.creates[-1]


async def wait_for_status(bot: Bot, name: str, status: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            found = [job for job in await bot.jobs() if job["replica_name"] == name]
            if found and found[0]["status"] == status:
                return found[0]
            await asyncio.sleep(0.05)


# --- installing ----------------------------------------------------------------------------


async def test_an_install_is_kept_sealed_and_its_page_says_to_connect_tavus(
    bot: Bot, settings: Settings
) -> None:
    token = await install(bot, ACME)

    [access] = bot.slack.called("oauth.v2.access")
    assert access["_team"] == ""  # the app's own credentials, not a bot token
    db = stored(settings)
    assert token.encode() not in db
    # Requests from the workspace are served with its token from now on.
    opened = len(bot.slack.called("views.open"))
    await as_workspace(bot, ACME).sender.action(CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID)
    await bot.slack.wait_for("views.open", opened + 1)
    assert bot.slack.called("views.open")[opened]["_team"] == ACME


async def test_a_workspace_installed_again_is_kept_once_with_its_new_token(bot: Bot) -> None:
    await install(bot, ACME)
    token = await install(bot, ACME)

    acme = as_workspace(bot, ACME)
    await acme.sender.action(CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID)
    await bot.slack.wait_for("views.open")
    assert bot.slack.tokens[token] == ACME
    assert len(calls_of(bot.slack, "views.open", ACME)) == 1


async def test_an_org_wide_install_serves_every_workspace_of_the_org(bot: Bot) -> None:
    await install(bot, None, enterprise="E0ORG")

    member = as_workspace(bot, "T0BRANCH", enterprise="E0ORG", org_install=True)
    await member.sender.action(CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID)
    await bot.slack.wait_for("views.open")

    assert [call["_team"] for call in bot.slack.called("views.open")] == ["E0ORG"]


async def test_install_links_handed_out_write_nothing_until_one_comes_back(bot: Bot) -> None:
    async with aiohttp.ClientSession() as browser:
        states = [await start_install(bot, browser) for _ in range(30)]
        assert await bot.rows(oauth_states) == []

        code = bot.slack.grant(ACME)
        status, _ = await come_back(bot, browser, states[7], code=code)

    assert status == 200
    assert [row["state"] for row in await bot.rows(oauth_states)] == [states[7].split(".")[0]]


async def test_a_state_is_good_once_a_forged_one_never_and_neither_installs(bot: Bot) -> None:
    async with aiohttp.ClientSession() as browser:
        state = await start_install(bot, browser)
        first = bot.slack.grant(ACME)
        assert (await come_back(bot, browser, state, code=first))[0] == 200
        replayed = bot.slack.grant(GLOBEX)
        status, page = await come_back(bot, browser, state, code=replayed)
        forged_status, forged = await come_back(bot, browser, "forged-state", code=replayed)

    assert status == 401
    assert "expired" in page
    assert "nothing was installed" in page
    assert forged_status == 401
    assert "nothing was installed" in forged
    assert replayed in bot.slack.codes  # never exchanged
    assert len(bot.slack.called("oauth.v2.access")) == 1


FORGED = "2031-01-01 12:00:00,000 INFO bot.connect: Connect Tavus: U0ADMIN connected T0123"


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_an_error_sent_back_from_slack_cannot_forge_a_log_line(bot: Bot, fmt: str) -> None:
    written = io.StringIO()
    root = logging.getLogger()
    handler = configure("INFO", fmt, stream=written)
    try:
        async with aiohttp.ClientSession() as browser:
            error = f"access_denied\r\n{FORGED}\u2028{FORGED}\x1b[2J"
            status, page = await come_back(bot, browser, "any", error=error)
    finally:
        root.removeHandler(handler)
        for each in root.handlers:
            each.removeFilter(REDACTOR)

    assert status == 400
    assert FORGED in page  # the page shows it, escaped as HTML
    lines = written.getvalue().splitlines()
    [line] = [line for line in lines if "an install did not complete" in line]
    assert not [line for line in lines if line.startswith(FORGED)]
    message = json.loads(line)["message"] if fmt == "json" else line
    assert message.endswith(
        f"an install did not complete: access_denied\\r\\n{FORGED}\\u2028{FORGED}\\x1b[2J"
    )


async def test_a_denied_install_and_an_unknown_code_store_nothing(bot: Bot) -> None:
    async with aiohttp.ClientSession() as browser:
        denied, denied_page = await come_back(
            bot, browser, await start_install(bot, browser), error="access_denied"
        )
        unknown, unknown_page = await come_back(
            bot, browser, await start_install(bot, browser), code="never-issued"
        )

    assert denied == 400
    assert "Installation cancelled" in denied_page
    assert "access_denied" in denied_page
    assert unknown == 401
    assert "did not confirm" in unknown_page
    assert [call["_ok"] for call in bot.slack.called("oauth.v2.access")] == [False]
    acme = as_workspace(bot, ACME)
    await acme.sender.action(CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID)
    # No install serves the workspace: the click is turned away at its response_url, and no
    # listener ran to open anything after.
    [[refusal]] = [sent for sent in (await answered(bot)).values() if sent]
    assert "no longer available" in refusal["text"]
    assert bot.slack.called("views.open") == []


async def test_without_a_token_the_metrics_of_many_workspaces_answer_this_machine_only(
    bot: Bot,
) -> None:
    # Someone else, relayed by a proxy on this machine (a peer that is not loopback is judged by
    # the same predicate, tested in test_metrics.py: the tests never leave loopback).
    elsewhere = {"X-Forwarded-For": "203.0.113.9"}

    async with aiohttp.ClientSession() as session:
        async with session.get(f"{bot.url}/metrics", headers=elsewhere) as outside:
            assert outside.status == 403
            assert "METRICS_TOKEN" in await outside.text()
        async with session.get(f"{bot.url}/metrics") as here:
            assert here.status == 200


async def test_with_a_token_the_metrics_of_many_workspaces_answer_whoever_carries_it(
    launch: Launch,
) -> None:
    bot = await launch(metrics_token="a-metrics-token-long-enough")

    headers = {
        "Authorization": "Bearer a-metrics-token-long-enough",
        "X-Forwarded-For": "203.0.113.9",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bot.url}/metrics", headers=headers) as answer,
    ):
        assert answer.status == 200


# --- each workspace's Tavus account --------------------------------------------------------


async def connect_page(bot: Bot, browser: aiohttp.ClientSession) -> tuple[str, str]:
    """A new Connect Tavus link from App Home, opened in `browser`: the page's address and CSRF."""
    opened = len(bot.slack.modals)
    await bot.sender.action(
        CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID, container={"type": "view", "view_id": "V"}
    )
    link = link_in(await bot.slack.wait_for_modal(opened + 1))
    assert link is not None
    async with browser.get(link) as response:
        assert response.status == 200
        return link.split("?")[0], form_of(await response.text())["csrf"]


async def test_keys_tavus_refuses_are_never_kept_for_the_logs_only_the_one_it_takes(
    bot: Bot,
) -> None:
    await install(bot, ACME)
    acme = as_workspace(bot, ACME)
    bot.slack.admins.add(INSTALLER_ID)  # only admins connect Tavus
    known = len(REDACTOR)
    refused = [f"{number:032x}" for number in range(50)]

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        for start in range(0, len(refused), connect.MOST_KEY_CHECKS):
            page, csrf = await connect_page(acme, browser)
            for key in refused[start : start + connect.MOST_KEY_CHECKS]:
                async with browser.post(page, data={"csrf": csrf, "api_key": key}) as answer:
                    assert answer.status in (400, 403)

    assert len(bot.tavus.keys_used) == len(refused)  # one check each, nothing more
    assert len(REDACTOR) == known
    assert not [key for key in refused if key in REDACTOR]
    bot.tavus.keys.add(TAVUS_KEYS[ACME])
    assert (await connect_tavus(acme, TAVUS_KEYS[ACME]))[0] == 200
    assert TAVUS_KEYS[ACME] in REDACTOR


async def test_until_tavus_is_connected_replica_says_an_admin_must_connect_it(bot: Bot) -> None:
    await install(bot, ACME)
    acme = as_workspace(bot, ACME)

    status, _ = await acme.sender.command()
    view = await bot.slack.wait_for_modal()

    assert status == 200
    assert "not connected to Tavus yet" in json.dumps(view)
    assert "admin" in json.dumps(view)
    assert "callback_id" not in view  # no form


async def test_only_an_admin_gets_a_connect_link_not_a_member_nor_the_installer(
    bot: Bot,
) -> None:
    await install(bot, ACME)
    acme = as_workspace(bot, ACME)

    await acme.sender.action(CONNECT_TAVUS_ACTION, "home", user=USER_ID)
    refused = await bot.slack.wait_for_modal()
    await acme.sender.action(CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID)
    installer = await bot.slack.wait_for_modal(2)
    bot.slack.admins.add("U0ADMIN")
    await acme.sender.action(CONNECT_TAVUS_ACTION, "home", user="U0ADMIN")
    offered = await bot.slack.wait_for_modal(3)

    for view in (refused, installer):
        assert link_in(view) is None
        assert messages.CONNECT_NOT_ADMIN in json.dumps(view)
    assert link_in(offered) is not None


async def test_a_member_who_installs_the_app_again_may_not_connect_their_own_tavus(
    bot: Bot,
) -> None:
    acme = await ready(bot, ACME)
    # A member, where members may install apps, reinstalls: the install is theirs now.
    await install(bot, ACME, by="U0MEMBER")
    [row] = await bot.rows(installations)
    assert row["installer_id"] == "U0MEMBER"

    opened = len(bot.slack.modals)
    await acme.sender.action(CONNECT_TAVUS_ACTION, "home", user="U0MEMBER")
    refused = await bot.slack.wait_for_modal(opened + 1)
    await acme.sender.event({"type": "app_home_opened", "user": "U0MEMBER", "tab": "home"})
    await bot.slack.wait_for("views.publish")

    assert link_in(refused) is None
    home = json.dumps(bot.slack.called("views.publish")[-1]["view"])
    assert CONNECT_TAVUS_ACTION not in home
    [connected] = await bot.rows(tavus_accounts)
    assert connected["last4"] == TAVUS_KEYS[ACME][-4:]  # still the admin's


async def test_an_admin_demoted_after_getting_the_link_saves_nothing(bot: Bot) -> None:
    await install(bot, ACME)
    acme = as_workspace(bot, ACME)
    bot.slack.admins.add(INSTALLER_ID)
    bot.tavus.keys.add(TAVUS_KEYS[ACME])
    opened = len(bot.slack.modals)
    await acme.sender.action(CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID)
    link = link_in(await bot.slack.wait_for_modal(opened + 1))
    assert link is not None
    bot.slack.admins.discard(INSTALLER_ID)  # demoted; the link still works once
    asked = len(bot.slack.called("users.info"))

    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as browser:
        async with browser.get(link) as response:
            csrf = form_of(await response.text())["csrf"]
        fields = {"csrf": csrf, "api_key": TAVUS_KEYS[ACME]}
        async with browser.post(link.split("?")[0], data=fields) as saved:
            status, page = saved.status, words(await saved.text())

    assert status == 403
    assert "not an admin" in page
    assert await bot.rows(tavus_accounts) == []
    assert not [used for used in bot.tavus.keys_used if used[2] == TAVUS_KEYS[ACME]]
    # Asked afresh, of Slack, with the workspace's own token.
    [check] = bot.slack.called("users.info")[asked:]
    assert (check["user"], check["_team"]) == (INSTALLER_ID, ACME)


async def test_a_wrong_tavus_key_is_refused_and_a_good_one_is_kept_sealed(
    bot: Bot, settings: Settings
) -> None:
    await install(bot, ACME)
    acme = as_workspace(bot, ACME)
    bot.slack.admins.add(INSTALLER_ID)
    bot.tavus.keys.add(TAVUS_KEYS[ACME])

    wrong = await connect_tavus(acme, "wrong0000tavus0000key0000000zzzz")
    right = await connect_tavus(acme, TAVUS_KEYS[ACME])

    assert wrong[0] == 400
    assert "did not accept this key" in wrong[1]
    assert right[0] == 200
    assert TAVUS_KEYS[ACME][-4:] in right[1]
    db = stored(settings)
    assert TAVUS_KEYS[ACME].encode() not in db


async def test_two_workspaces_are_each_served_with_their_own_token_and_tavus_key(
    bot: Bot, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    workspaces = {team: await ready(bot, team) for team in (ACME, GLOBEX)}
    tokens = {team: t for t, team in bot.slack.tokens.items() if team in workspaces}

    created = {team: await train(workspaces[team], f"Dana of {team}") for team in workspaces}
    for team in workspaces:
        await wait_for_status(bot, f"Dana of {team}", "training")

    # Tavus saw each create with its own workspace's key, and no other.
    creates = [(m, p, k) for m, p, k in bot.tavus.keys_used if (m, p) == ("POST", "/v2/replicas")]
    assert sorted(key for _, _, key in creates) == sorted(TAVUS_KEYS.values())
    for team, body in created.items():
        [made] = [
            r for r, v in bot.tavus.replicas.items() if v["replica_name"] == body["replica_name"]
        ]
        assert bot.tavus.owners[made] == TAVUS_KEYS[team]
    # Slack saw each workspace's messages with its own token, and never the other's.
    for team in workspaces:
        mine = [post for post in bot.slack.posts() if f"Dana of {team}" in json.dumps(post)]
        assert mine
        assert {post["_team"] for post in mine} == {team}
    db = stored(settings)
    for secret in [*tokens.values(), *TAVUS_KEYS.values()]:
        assert secret.encode() not in db
        assert secret not in caplog.text


async def test_a_result_hours_later_goes_with_its_own_workspaces_token(launch: Launch) -> None:
    bot = await launch(tavus_poll_interval=1)
    await install(bot, ACME)
    globex = await ready(bot, GLOBEX)
    await train(globex, "Dana")
    await wait_for_status(bot, "Dana", "training")
    await bot.stop()  # no callback comes: a new instance polls, knowing nothing but the database
    [replica_id] = list(bot.tavus.replicas)
    bot.tavus.finish(replica_id)
    bot.slack.calls.clear()

    again = await launch(tavus_poll_interval=1)
    await wait_for_status(again, "Dana", "ready")
    await bot.slack.wait_until(lambda: bool(calls_of(bot.slack, "chat.postMessage", GLOBEX)))

    assert not calls_of(bot.slack, "chat.postMessage", ACME)
    polls = [k for m, p, k in bot.tavus.keys_used if m == "GET" and p.startswith("/v2/replicas")]
    assert set(polls) == {TAVUS_KEYS[GLOBEX]}


# --- a Tavus key changed ------------------------------------------------------------------------

# A second account of Acme's, which an admin connects once replicas exist in the first.
ACME_SECOND_KEY = "acme1111tavus1111key11111111e5f6"


def used_with(bot: Bot, method: str, path: str = "/v2/replicas") -> list[str | None]:
    """The keys Tavus saw on requests of one method whose path starts with `path`."""
    return [key for m, p, key in bot.tavus.keys_used if m == method and p.startswith(path)]


async def test_a_key_change_leaves_each_replica_with_the_account_that_made_it(bot: Bot) -> None:
    acme = await ready(bot, ACME)
    first, second = TAVUS_KEYS[ACME], ACME_SECOND_KEY
    await train(acme, "Dana")
    dana = await wait_for_status(bot, "Dana", "training")
    bot.tavus.keys.add(second)
    assert (await connect_tavus(acme, second))[0] == 200

    # Tavus finishes the training: the callback is confirmed with the key that made it.
    replica_id = dana["replica_id"]
    assert (await bot.tavus.call_back(replica_id, bot.tavus.finish(replica_id)))[0] == 200
    await wait_for_status(bot, "Dana", "ready")
    assert set(used_with(bot, "GET", "/v2/replicas/")) == {first}
    # Renamed and talked to in the account that has it.
    assert "Renamed" in (await ask(acme, f"rename {replica_id} Dana (sales)"))["text"]
    talk = await click(acme, TALK_ACTION, dana["id"])
    [room] = bot.tavus.conversations
    assert room["conversation_url"] in talk["text"]
    assert used_with(bot, "PATCH") == used_with(bot, "POST", "/v2/conversations") == [first]

    # The person shown withdraws: the delete goes to the first account, with its key.
    answer = await consent(acme, dana["id"], user=dana["subject_id"], action=WITHDRAW_ACTION)

    assert "You withdrew this consent" in json.dumps(answer)
    assert used_with(bot, "DELETE") == [first]
    assert bot.tavus.hard_deletes == [replica_id]
    assert replica_id not in bot.tavus.replicas
    await wait_for_status(bot, "Dana (sales)", "withdrawn")
    # A new replica is made in the account connected now.
    await train(acme, "Eve")
    eve = await wait_for_status(bot, "Eve", "training")
    assert used_with(bot, "POST") == [first, second]
    assert bot.tavus.owners[eve["replica_id"]] == second
    # Each job names its account by fingerprint, as the log names the change: never by key.
    assert None not in (dana["tavus_account"], eve["tavus_account"])
    assert dana["tavus_account"] != eve["tavus_account"]
    [_, changed] = [r for r in await bot.audit() if r["action"] == "tavus_connected"]
    assert json.loads(changed["details"]) == {
        "last4": second[-4:],
        "fingerprint": eve["tavus_account"],
        "replaced": dana["tavus_account"],
    }
    assert first not in changed["details"]
    assert second not in changed["details"]


async def test_a_training_polled_after_a_key_change_is_polled_in_its_own_account(
    launch: Launch,
) -> None:
    bot = await launch(tavus_poll_interval=1)
    acme = await ready(bot, ACME)
    await train(acme, "Dana")
    dana = await wait_for_status(bot, "Dana", "training")
    bot.tavus.keys.add(ACME_SECOND_KEY)
    assert (await connect_tavus(acme, ACME_SECOND_KEY))[0] == 200
    polled = len(bot.tavus.keys_used)
    bot.tavus.finish(dana["replica_id"])  # no callback: the reconciler finds out

    await wait_for_status(bot, "Dana", "ready")

    polls = [key for m, _, key in bot.tavus.keys_used[polled:] if m == "GET"]
    assert polls
    assert set(polls) == {TAVUS_KEYS[ACME]}


async def test_a_job_sent_before_jobs_named_their_account_keeps_the_key_it_was_made_with(
    bot: Bot, settings: Settings
) -> None:
    acme = await ready(bot, ACME)
    await train(acme, "Dana")
    dana = await wait_for_status(bot, "Dana", "training")
    # As if sent by a release that kept no fingerprint: it is served with the current key…
    engine = create_async_engine(settings.sqlalchemy_url)
    async with engine.begin() as connection:
        await connection.execute(jobs.update().values(tavus_account=None))
    await engine.dispose()
    renamed = await ask(acme, f"rename {dana['replica_id']} Dana (sales)")
    assert "Renamed" in renamed["text"]
    # …which, once replaced, it keeps: it was the key it was made with.
    bot.tavus.keys.add(ACME_SECOND_KEY)
    assert (await connect_tavus(acme, ACME_SECOND_KEY))[0] == 200
    [job] = await bot.jobs()
    answer = await consent(acme, dana["id"], user=dana["subject_id"], action=WITHDRAW_ACTION)

    assert job["tavus_account"] == dana["tavus_account"]
    assert "You withdrew this consent" in json.dumps(answer)
    assert used_with(bot, "PATCH") == used_with(bot, "DELETE") == [TAVUS_KEYS[ACME]]


# --- leaving ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0BOT1"]}},
    ],
)
async def test_a_workspace_that_leaves_is_forgotten_and_its_jobs_ended_once(
    bot: Bot, settings: Settings, event: dict[str, Any]
) -> None:
    acme = await ready(bot, ACME)
    [token] = [t for t, team in bot.slack.tokens.items() if team == ACME]
    await install(bot, GLOBEX)
    await train(acme, "Dana")
    await wait_for_status(bot, "Dana", "training")
    bot.slack.revoke(token)

    for _ in range(2):  # Slack may deliver an event twice
        assert (await acme.sender.event(event))[0] == 200
    ended = await wait_for_status(bot, "Dana", "ended")
    [replica_id] = list(bot.tavus.replicas)
    await delivered(bot)
    called = len(bot.slack.calls)
    status, _ = await bot.tavus.call_back(replica_id, bot.tavus.finish(replica_id))
    await delivered(bot)

    assert ended["next_check_at"] is None
    assert status == 200  # taken: Tavus need not send it again
    # Nothing posted nor redrawn, with the revoked token or any other: the workspace has gone.
    assert [call.method for call in bot.slack.calls[called:]] == []
    assert [r["action"] for r in await bot.audit()].count("uninstalled") == 1
    assert [row["team_id"] for row in await bot.rows(installations)] == [GLOBEX]
    assert await bot.rows(tavus_accounts) == []
    assert [job["status"] for job in await bot.jobs()] == ["ended"]
    # The other workspace is untouched.
    globex = as_workspace(bot, GLOBEX)
    opened = len(bot.slack.called("views.open"))
    await globex.sender.action(CONNECT_TAVUS_ACTION, "home", user=INSTALLER_ID)
    await bot.slack.wait_for("views.open", opened + 1)


async def test_rotating_keys_leaves_every_workspace_served_with_the_new_key_alone(
    bot: Bot, launch: Launch, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await ready(bot, ACME)
    await bot.stop()
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SECRETS_KEYS", f"{new_key},{OLD_KEY}")

    assert await asyncio.to_thread(rotate_keys.run, []) == 0

    again = as_workspace(await launch(secrets_keys=(new_key,)), ACME)
    await train(again, "Dana")
    assert bot.tavus.keys_used[-1][2] == TAVUS_KEYS[ACME]


async def test_the_bots_signing_keys_are_kept_sealed_and_sign_its_links(
    bot: Bot, settings: Settings
) -> None:
    await ready(bot, ACME)  # through a Connect Tavus link, signed with the "connect" key

    kept = {row["name"]: row["value"] for row in await bot.rows(keys)}
    opened = {name: Vault([OLD_KEY]).open(value) for name, value in kept.items()}
    media = LocalMedia(settings.media_dir, base_url=bot.url, secret=bytes.fromhex(opened["media"]))
    file = await media.put(new_key("mp4"), chunks(b"dana" * 100), most=1000)
    link = await media.link(file.key, until=datetime.now(UTC) + timedelta(hours=1))
    async with aiohttp.ClientSession() as session, session.get(link) as served:
        assert served.status == 200

    assert set(kept) == {"connect", "fingerprints", "media", "oauth_state"}
    database = Path(settings.database_url.removeprefix("sqlite:///"))
    dump = b"".join(path.read_bytes() for path in database.parent.glob(f"{database.name}*"))
    for plain in opened.values():
        assert plain.encode() not in dump
        assert bytes.fromhex(plain) not in dump


async def test_app_home_offers_connect_tavus_to_admins_alone_and_warns_the_others(
    bot: Bot, tmp_path: Path
) -> None:
    await install(bot, ACME)
    acme = as_workspace(bot, ACME)
    bot.slack.admins.add("U0ADMIN")

    for user in ("U0ADMIN", INSTALLER_ID, USER_ID):
        await acme.sender.event({"type": "app_home_opened", "user": user, "tab": "home"})
        await bot.slack.wait_for("views.publish", len(bot.slack.called("views.publish")) + 1)

    admin, installer, member = (
        json.dumps(call["view"]) for call in bot.slack.called("views.publish")
    )
    assert CONNECT_TAVUS_ACTION in admin
    assert "Not connected yet" in admin
    for other in (installer, member):  # installing the app gives no say over Tavus
        assert CONNECT_TAVUS_ACTION not in other
        assert "not connected to Tavus yet" in other
    assert {call["_team"] for call in bot.slack.called("views.publish")} == {ACME}
    # Bolt's file-based stores were never used: nothing was written beside the database.
    assert beside(tmp_path) == {"bot.db"}


async def test_a_job_whose_installation_vanished_unannounced_is_ended_not_polled_forever(
    launch: Launch, settings: Settings
) -> None:
    bot = await launch(tavus_poll_interval=1)
    acme = await ready(bot, ACME)
    await train(acme, "Dana")
    await wait_for_status(bot, "Dana", "training")
    # The uninstall event was lost: the install is simply gone.
    engine = create_async_engine(settings.sqlalchemy_url)
    async with engine.begin() as connection:
        await connection.execute(delete(installations))
    await engine.dispose()
    polled = len(bot.tavus.gets)

    ended = await wait_for_status(bot, "Dana", "ended")

    assert ended["next_check_at"] is None
    assert len(bot.tavus.gets) == polled  # not asked of Tavus again, with any key


async def test_even_at_debug_no_token_reaches_the_logs(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # first: what it puts back is the level before the test
    written = io.StringIO()
    root = logging.getLogger()
    handler = configure("DEBUG", "text", stream=written)  # as python -m bot with LOG_LEVEL=DEBUG
    try:
        acme = await ready(bot, ACME)
        await train(acme, "Dana")
    finally:
        root.removeHandler(handler)
        for each in root.handlers:
            each.removeFilter(REDACTOR)
        for name in QUIET:
            logging.getLogger(name).setLevel(logging.NOTSET)

    assert written.getvalue()  # the logs were written
    # The libraries that would write a token at DEBUG said nothing below INFO…
    assert not [r for r in caplog.records if r.name.startswith(QUIET) and r.levelno < logging.INFO]
    # …and nothing written names a token or a Tavus key.
    for token in bot.slack.tokens:
        assert token not in written.getvalue()
    assert TAVUS_KEYS[ACME] not in written.getvalue()


async def test_json_lines_about_a_job_name_it_its_workspace_and_channel(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    written = io.StringIO()
    root = logging.getLogger()
    handler = configure("INFO", "json", stream=written)  # as python -m bot with LOG_FORMAT=json
    try:
        acme = await ready(bot, ACME)
        await train(acme, "Dana")
        await wait_for_status(bot, "Dana", "training")
    finally:
        root.removeHandler(handler)
        for each in root.handlers:
            each.removeFilter(REDACTOR)
        for name in QUIET:
            logging.getLogger(name).setLevel(logging.NOTSET)

    lines = [json.loads(line) for line in written.getvalue().splitlines()]
    [job] = await bot.jobs()
    about_it = [line for line in lines if line.get("job_id") == job["id"]]
    loggers = {line["logger"] for line in about_it}
    assert {"bot.jobs.intake", "bot.delivery.sender"} <= loggers
    assert all(line["team_id"] == ACME for line in about_it)
    assert any(line.get("channel") == job["channel_id"] for line in about_it)
    assert any(line.get("replica_id") == job["replica_id"] for line in about_it)


# --- org-wide installs (Enterprise Grid), with events as Slack envelopes them -------------------


def org_event(event: dict[str, Any], *, team: str | None, org: str) -> str:
    """An Events API body for an org-wide install, as Slack sends it (`authorizations`)."""
    return event_body(event, team=team, enterprise=org, org_install=True)


async def send_event(bot: Bot, body: str) -> int:
    status, _ = await bot.sender.post(
        body, bot.sender.headers(body, content_type="application/json")
    )
    return status


async def test_an_org_wide_uninstall_ends_the_open_jobs_of_every_workspace_of_the_org(
    bot: Bot,
) -> None:
    token = await install(bot, None, enterprise="E0ORG")
    member = as_workspace(bot, "T0BRANCH", enterprise="E0ORG")
    bot.slack.admins.add(INSTALLER_ID)
    bot.tavus.keys.add(TAVUS_KEYS[ACME])
    named = "(T0BRANCH)"  # an org install knows the org's name, not the workspace's
    assert (await connect_tavus(member, TAVUS_KEYS[ACME], named=named))[0] == 200
    await train(member, "Dana")
    await wait_for_status(bot, "Dana", "training")
    bot.slack.revoke(token)

    # An org-wide uninstall names the org; the workspace it reached may not be named at all.
    body = org_event({"type": "app_uninstalled"}, team=None, org="E0ORG")
    assert await send_event(bot, body) == 200

    ended = await wait_for_status(bot, "Dana", "ended")
    assert ended["next_check_at"] is None
    assert await bot.rows(installations) == []
    assert await bot.rows(tavus_accounts) == []
    [left] = [r for r in await bot.audit() if r["action"] == "uninstalled"]
    assert json.loads(left["details"])["org_wide"] is True


async def test_the_first_home_open_of_an_org_wide_install_is_drawn_for_its_workspace(
    bot: Bot,
) -> None:
    await install(bot, None, enterprise="E0ORG")
    member = as_workspace(bot, "T0BRANCH", enterprise="E0ORG")
    bot.slack.admins.add(INSTALLER_ID)
    bot.tavus.keys.add(TAVUS_KEYS[ACME])
    named = "(T0BRANCH)"  # an org install knows the org's name, not the workspace's
    assert (await connect_tavus(member, TAVUS_KEYS[ACME], named=named))[0] == 200
    await train(member, "Dana")
    published = len(bot.slack.called("views.publish"))

    # The first open: no view yet, and no team in the authorizations.
    event = {"type": "app_home_opened", "user": USER_ID, "channel": "D1", "tab": "home"}
    assert await send_event(bot, org_event(event, team="T0BRANCH", org="E0ORG")) == 200

    await bot.slack.wait_for("views.publish", published + 1)
    home = json.dumps(bot.slack.called("views.publish")[published]["view"])
    assert "Dana" in home  # the workspace's replicas, not an empty team's
    assert messages.HOME_TAVUS_MISSING not in home
