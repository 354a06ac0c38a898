"""`python -m bot check`: one line per check against the stand-ins, a fix for each problem."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from aiohttp.test_utils import unused_port
from alembic import command
from alembic.runtime.migration import MigrationContext
from cryptography.fernet import Fernet
from moto.server import ThreadedMotoServer
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import check as doctor
from bot.cli import main
from bot.config import DatabaseSettings, Settings
from bot.slack.oauth import SCOPES
from bot.store import Store
from bot.store.engine import alembic_config
from bot.workspaces.installations import Connected, Installed
from bot.workspaces.vault import Vault
from tests.slack_client import SIGNING_SECRET
from tests.standins.server import Fault
from tests.standins.slack import APP_TOKEN, BOT_TOKEN, CLIENT_ID, CLIENT_SECRET, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn

# Bolt reads SLACK_CLIENT_SECRET itself, so it must not leak in from the machine either.
BOT_VARIABLES = {name.upper() for name in Settings.model_fields} | {"SLACK_CLIENT_SECRET"}
SECRET_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_SECRET",
    "TAVUS_API_KEY",
)
KEY, RETIRED = Fernet.generate_key().decode(), Fernet.generate_key().decode()
START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
EVENTS = "Request URL for Slash Commands, Interactivity & Shortcuts and Event Subscriptions"


@dataclass(frozen=True)
class Checked:
    """What the command printed, and its exit code."""

    code: int
    lines: list[str]
    err: str

    def line(self, start: str) -> str:
        """The one line starting with `start`."""
        [found] = [line for line in self.lines if line.startswith(start)]
        return found

    def problems(self) -> list[str]:
        return [line for line in self.lines if not line.startswith("ok  ")]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No bot variable from the machine, and no .env but the test's own."""
    for name in list(os.environ):
        # pydantic-settings matches names case-insensitively.
        if name.upper() in BOT_VARIABLES:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def public_url() -> str:
    return f"http://127.0.0.1:{unused_port()}"


@pytest.fixture(autouse=True)
def one_workspace(
    monkeypatch: pytest.MonkeyPatch,
    slack: SlackStandIn,
    tavus: TavusStandIn,
    database_url: str,
    public_url: str,
    tmp_path: Path,
) -> None:
    """A sound one-workspace set-up on the stand-ins; each test spoils what it is about."""
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "TAVUS_API_KEY": API_KEY,
        "DATABASE_URL": database_url,
        "SLACK_API_URL": slack.api_url,
        "TAVUS_API_URL": tavus.url,
        "SLACK_TIMEOUT": "2",
        "TAVUS_TIMEOUT": "2",
        "PUBLIC_URL": public_url,
        "MEDIA_DIR": str(tmp_path / "media"),
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """The test's database at the current schema, as a started bot leaves it."""
    opened = await Store.open(DatabaseSettings(database_url=database_url).sqlalchemy_url)
    yield opened
    await opened.close()


@pytest.fixture
def current(store: Store) -> None:
    """Only the schema is wanted: the store stays unused."""


async def check(capsys: pytest.CaptureFixture[str], *also_secret: str) -> Checked:
    """The command run in a thread (it runs its own event loop); no secret may be in its output."""
    code = await asyncio.to_thread(doctor.run, [])
    out, err = capsys.readouterr()
    secrets = [os.environ[name] for name in SECRET_VARIABLES if name in os.environ]
    secrets += [key for key in os.environ.get("SECRETS_KEYS", "").split(",") if key]
    for secret in [*secrets, *also_secret]:
        assert secret not in out + err
    return Checked(code, out.splitlines(), err)


@pytest.mark.usefixtures("current")
async def test_a_sound_set_up_passes_every_check_with_one_line_each(
    capsys: pytest.CaptureFixture[str],
    slack: SlackStandIn,
    tavus: TavusStandIn,
    public_url: str,
    database_url: str,
    tmp_path: Path,
) -> None:
    code = await asyncio.to_thread(main, ["check"])

    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert all(line.startswith("ok  ") for line in lines)
    assert lines[0] == "ok  settings: one workspace, Slack over HTTP (SLACK_SIGNING_SECRET)"
    assert re.fullmatch(
        rf"ok  database {database_url}: answers; its schema is current \(revision \d{{4}}\)",
        lines[1],
    )
    assert lines[2:] == [
        "ok  Slack bot token: bot @replica-bot (U0BOT) in workspace Test (T0TEAM)",
        f"ok  Slack scopes: all {len(SCOPES)} that manifest.yml asks for are granted",
        "ok  Tavus key: Tavus takes TAVUS_API_KEY",
        "ok  Tavus models: phoenix-4, phoenix-3 not checked (Tavus has no model list)",
        f"ok  PUBLIC_URL: {public_url}; {EVENTS}: {public_url}/slack/events",
        f"ok  media storage, MEDIA_DIR {tmp_path / 'media'}: writable",
    ]
    assert [call.method for call in slack.calls] == ["auth.test"]
    assert tavus.keys_used == [("GET", "/v2/replicas", API_KEY)]
    assert list((tmp_path / "media").iterdir()) == []
    for secret in (BOT_TOKEN, SIGNING_SECRET, API_KEY):
        assert secret not in out


@pytest.mark.usefixtures("current")
async def test_a_missing_scope_is_named_with_the_advice_to_reinstall(
    capsys: pytest.CaptureFixture[str], slack: SlackStandIn
) -> None:
    slack.granted_scopes = tuple(s for s in SCOPES if s not in {"files:read", "im:history"})

    checked = await check(capsys)

    assert checked.code == 1
    assert checked.problems() == [
        "problem  Slack scopes: bot @replica-bot (U0BOT) lacks files:read, im:history — fix: "
        "the app must be reinstalled: OAuth & Permissions → Reinstall to Workspace (add the "
        "scopes under Bot Token Scopes first if the app was not made from manifest.yml)"
    ]


@pytest.mark.usefixtures("current")
async def test_a_wrong_bot_token_is_a_problem_and_the_rest_is_still_checked(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-wrong-token")

    checked = await check(capsys)

    assert checked.code == 1
    assert checked.problems() == [
        "problem  Slack bot token: Slack refused it (invalid_auth) — fix: copy the Bot User "
        "OAuth Token (xoxb-…) from the Slack app's OAuth & Permissions page into SLACK_BOT_TOKEN "
        "(install the app to the workspace first if it shows none)"
    ]
    assert not any(line.startswith("ok  Slack scopes") for line in checked.lines)
    assert checked.line("ok  Tavus key")


@pytest.mark.parametrize(
    ("fault", "said"),
    [("outage", "outage"), ("silence", "no answer in 1 s")],
)
@pytest.mark.usefixtures("current")
async def test_slack_down_or_silent_is_a_problem_within_the_time_limit(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    slack: SlackStandIn,
    fault: str,
    said: str,
) -> None:
    monkeypatch.setenv("SLACK_TIMEOUT", "1")
    if fault == "outage":
        slack.down = True
    else:
        slack.fail_next("auth.test", Fault(delay=30))  # far past the check's own time limit

    checked = await check(capsys)

    assert checked.code == 1
    assert checked.problems() == [
        f"problem  Slack bot token: Slack did not answer properly at {slack.api_url} ({said}) — "
        "fix: check "
        "this machine's network and SLACK_API_URL, then run check again"
    ]
    if fault == "silence":  # the check gave up on Slack rather than wait for its answer
        await slack.wait_until(lambda: slack.abandoned == ["auth.test"], within=5)


@pytest.mark.usefixtures("current")
async def test_a_wrong_tavus_key_is_a_problem_naming_what_tavus_said(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TAVUS_API_KEY", "not-a-tavus-key")

    checked = await check(capsys)

    assert checked.code == 1
    assert checked.problems() == [
        "problem  Tavus key: Tavus refused TAVUS_API_KEY (401: Invalid access token) — fix: put "
        "an API key from platform.tavus.io → API Keys in TAVUS_API_KEY"
    ]


@pytest.mark.parametrize(
    ("fault", "said"),
    [("outage", "HTTP 503: outage"), ("silence", "no answer in time")],
)
@pytest.mark.usefixtures("current")
async def test_tavus_down_or_silent_is_a_problem_within_the_time_limit(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tavus: TavusStandIn,
    fault: str,
    said: str,
) -> None:
    monkeypatch.setenv("TAVUS_TIMEOUT", "0.5")
    if fault == "outage":
        tavus.down = True
    else:
        tavus.fail_next("get", Fault(delay=30))  # far past the check's own time limit

    checked = await check(capsys)

    assert checked.code == 1
    assert checked.problems() == [
        f"problem  Tavus key: Tavus did not answer properly ({said}) — fix: check TAVUS_API_URL "
        "and this machine's network, then run check again"
    ]
    if fault == "silence":  # the check gave up on Tavus rather than wait for its answer
        await tavus.wait_until(lambda: tavus.abandoned == ["get"], within=5)


@pytest.mark.usefixtures("current")
async def test_an_http_public_url_off_loopback_is_refused_as_a_setting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_URL", "http://bot.example.com")

    checked = await check(capsys)

    assert checked.code == 2
    assert "PUBLIC_URL is invalid" in checked.err
    assert "must be https" in checked.err


@pytest.mark.usefixtures("current")
async def test_an_https_public_url_gives_the_request_url_to_paste_into_slack(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://bot.example.com/")

    checked = await check(capsys)

    assert checked.code == 0
    assert checked.line("ok  PUBLIC_URL") == (
        f"ok  PUBLIC_URL: https://bot.example.com; {EVENTS}: https://bot.example.com/slack/events"
    )


@pytest.mark.usefixtures("current")
async def test_without_public_url_polling_is_said_and_no_media_folder_is_needed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PUBLIC_URL")

    checked = await check(capsys)

    assert checked.code == 0
    assert checked.lines[-2:] == [
        "ok  PUBLIC_URL: unset: Tavus's results are found by polling alone "
        "(TAVUS_POLL_INTERVAL); Slack's request URL is this bot's own https address + "
        "/slack/events",
        "ok  media storage: none: without PUBLIC_URL or MEDIA_S3_BUCKET, files posted in Slack "
        "are not used",
    ]
    assert not (tmp_path / "media").exists()


def upgrade_to(revision: str) -> Any:
    def upgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    return upgrade


def revision_of(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


async def database_at(database_url: str, revision: str) -> None:
    engine = create_async_engine(DatabaseSettings(database_url=database_url).sqlalchemy_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_to(revision))
    finally:
        await engine.dispose()


async def revisions_in(database_url: str) -> tuple[str, ...]:
    engine = create_async_engine(DatabaseSettings(database_url=database_url).sqlalchemy_url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(revision_of)
    finally:
        await engine.dispose()


async def test_a_database_at_an_older_revision_would_be_migrated_and_is_left_as_it_was(
    capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    await database_at(database_url, "0001")

    checked = await check(capsys)

    assert checked.code == 0
    assert re.fullmatch(
        rf"ok  database {database_url}: answers; at revision 0001, it would be migrated to "
        r"\d{4} \(\d+ steps\) when the bot starts",
        checked.line("ok  database"),
    )
    assert await revisions_in(database_url) == ("0001",)


async def test_a_database_not_made_yet_is_left_for_the_bot_to_create(
    capsys: pytest.CaptureFixture[str], database_url: str, tmp_path: Path
) -> None:
    checked = await check(capsys)

    assert checked.code == 0
    assert checked.line("ok  database") == (
        f"ok  database {database_url}: no file yet: the bot creates it, with its tables, when "
        "it starts"
    )
    assert not (tmp_path / "bot.db").exists()


async def test_a_database_that_does_not_answer_is_a_problem_and_its_password_unshown(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = unused_port()
    monkeypatch.setenv("DATABASE_URL", f"postgresql://bot:hunter2@127.0.0.1:{port}/bot")

    checked = await check(capsys, "hunter2")

    assert checked.code == 1
    [problem] = checked.problems()
    assert problem.startswith(f"problem  database postgresql://bot:***@127.0.0.1:{port}/bot: ")
    assert problem.endswith(
        " — fix: check DATABASE_URL, and that the database is running and reachable from this "
        "machine"
    )


async def test_a_malformed_database_url_is_a_problem_without_repeating_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:hunter2@db.example.com:port/bot")

    checked = await check(capsys, "hunter2")

    assert checked.code == 1
    assert checked.problems() == [
        "problem  database: DATABASE_URL is malformed — fix: check DATABASE_URL, and that the "
        "database is running and reachable from this machine"
    ]


@pytest.mark.usefixtures("current")
async def test_an_unwritable_media_dir_is_a_problem(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A file where the folder should be: unwritable as a folder whoever runs the tests (root too).
    taken = tmp_path / "taken"
    taken.write_text("not a folder")
    monkeypatch.setenv("MEDIA_DIR", str(taken))

    checked = await check(capsys)

    assert checked.code == 1
    assert checked.problems() == [
        f"problem  media storage, MEDIA_DIR {taken}: not writable (File exists) — fix: make "
        "MEDIA_DIR a folder the bot's user may write, or keep files in S3 (MEDIA_S3_BUCKET)"
    ]


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real S3 implementation (moto's server mode) on loopback, with one bucket."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=unused_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(
        Bucket="replica-media"
    )
    yield endpoint
    server.stop()


@pytest.mark.parametrize(
    ("bucket", "line"),
    [
        ("replica-media", "ok  media storage, bucket replica-media: S3 answers for it"),
        (
            "no-such-bucket",
            "problem  media storage, bucket no-such-bucket: S3 refused head_bucket (404) — fix: "
            "check MEDIA_S3_BUCKET, MEDIA_S3_REGION and MEDIA_S3_ENDPOINT_URL, and that the AWS "
            "credentials may read and write the bucket",
        ),
    ],
)
@pytest.mark.usefixtures("current")
async def test_a_bucket_is_asked_whether_it_answers(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    s3: str,
    tmp_path: Path,
    bucket: str,
    line: str,
) -> None:
    monkeypatch.setenv("MEDIA_S3_BUCKET", bucket)
    monkeypatch.setenv("MEDIA_S3_ENDPOINT_URL", s3)

    checked = await check(capsys, "testing")

    assert checked.lines[-1] == line
    assert not (tmp_path / "media").exists()


@pytest.mark.parametrize(
    ("app_token", "line"),
    [
        (APP_TOKEN, "ok  Slack Socket Mode: Slack opens a connection for SLACK_APP_TOKEN"),
        (
            "xapp-wrong-token",
            "problem  Slack Socket Mode: Slack refused SLACK_APP_TOKEN (invalid_auth) — fix: "
            "make an App-Level Token with connections:write (Basic Information → App-Level "
            "Tokens) for SLACK_APP_TOKEN, and turn Socket Mode on in the app's settings",
        ),
    ],
)
@pytest.mark.usefixtures("current")
async def test_socket_mode_asks_slack_for_a_connection_with_the_app_token(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    public_url: str,
    app_token: str,
    line: str,
) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    monkeypatch.setenv("SLACK_APP_TOKEN", app_token)

    checked = await check(capsys)

    assert (
        checked.lines[0] == "ok  settings: one workspace, Slack over Socket Mode (SLACK_APP_TOKEN)"
    )
    assert checked.line("ok  Slack bot token")
    assert line in checked.lines
    assert checked.line("ok  PUBLIC_URL") == (
        f"ok  PUBLIC_URL: {public_url}; Socket Mode: Slack needs no request URL; Tavus calls back "
        "here"
    )


@pytest.fixture
def oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many workspaces, installed by OAuth: no bot token or Tavus key in the settings."""
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.delenv("TAVUS_API_KEY")
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("SECRETS_KEYS", KEY)


def installed(team: str, name: str, token: str, *, key: str = KEY) -> Installed:
    return Installed(
        team_id=team,
        enterprise_id=None,
        is_enterprise_install=False,
        bot_id="B1",
        bot_user_id="U0BOT",
        bot_scopes=",".join(SCOPES),
        bot_token_sealed=Vault([key]).seal(token),
        installer_id="U0ADA",
        installed_at=START,
        team_name=name,
    )


def connected(team: str, tavus_key: str) -> Connected:
    return Connected(
        team_id=team,
        key_sealed=Vault([KEY]).seal(tavus_key),
        last4=tavus_key[-4:],
        saved_by="U0ADMIN",
        saved_at=START,
    )


@pytest.mark.usefixtures("oauth")
async def test_with_oauth_each_workspace_is_checked_and_one_without_tavus_is_named(
    capsys: pytest.CaptureFixture[str],
    slack: SlackStandIn,
    tavus: TavusStandIn,
    store: Store,
    public_url: str,
    tmp_path: Path,
) -> None:
    slack.tokens.update({"xoxb-acme": "T1", "xoxb-beta": "T2"})
    tavus.keys.add("tavus-acme")
    await store.installations.save(installed("T1", "Acme", "xoxb-acme"))
    await store.installations.save(installed("T2", "Beta", "xoxb-beta"))
    await store.tavus_accounts.save(connected("T1", "tavus-acme"))

    checked = await check(capsys, "xoxb-acme", "xoxb-beta", "tavus-acme")

    assert checked.code == 1
    assert checked.lines[0] == "ok  settings: many workspaces, installed by OAuth (SLACK_CLIENT_ID)"
    scopes = f"all {len(SCOPES)} that manifest.yml asks for are granted"
    assert checked.lines[2:] == [
        f"ok  Slack, workspace Acme (T1): bot @replica-bot (U0BOT) answers; scopes: {scopes}",
        f"ok  Slack, workspace Beta (T2): bot @replica-bot (U0BOT) answers; scopes: {scopes}",
        "ok  Tavus, workspace Acme (T1): Tavus takes its key",
        "problem  Tavus, workspace Beta (T2): no Tavus account connected yet — fix: an admin "
        "must Connect Tavus in App Home",
        "ok  Tavus models: phoenix-4, phoenix-3 not checked (Tavus has no model list)",
        f"ok  PUBLIC_URL: {public_url}; {EVENTS}: {public_url}/slack/events; Redirect URL "
        f"(OAuth & Permissions): {public_url}/slack/oauth_redirect",
        f"ok  media storage, MEDIA_DIR {tmp_path / 'media'}: writable",
    ]
    assert sorted(args["_team"] for args in slack.called("auth.test")) == ["T1", "T2"]
    assert tavus.keys_used == [("GET", "/v2/replicas", "tavus-acme")]


@pytest.mark.usefixtures("oauth")
async def test_with_oauth_an_org_wide_install_needs_one_of_its_workspaces_connected(
    capsys: pytest.CaptureFixture[str], slack: SlackStandIn, store: Store
) -> None:
    slack.tokens["xoxb-globex"] = "E1"
    org = replace(
        installed("T0", "", "xoxb-globex"),
        team_id=None,
        enterprise_id="E1",
        is_enterprise_install=True,
        enterprise_name="Globex",
    )
    await store.installations.save(org)

    before = await check(capsys, "xoxb-globex")
    await store.tavus_accounts.save(
        replace(connected("T3", "tavus-revoked-key"), enterprise_id="E1")
    )
    after = await check(capsys, "xoxb-globex", "tavus-revoked-key")

    assert before.line("ok  Slack, org Globex (E1): bot @replica-bot (U0BOT) answers")
    assert before.problems() == [
        "problem  Tavus, org Globex (E1): no workspace of it has connected a Tavus account yet "
        "— fix: an admin must Connect Tavus in App Home"
    ]
    assert after.problems() == [
        "problem  Tavus, workspace T3 of org E1: Tavus refused its key (401: Invalid access "
        "token) — fix: an admin must Connect Tavus again in App Home, with a key that works"
    ]


@pytest.mark.usefixtures("oauth")
async def test_with_oauth_a_token_no_key_opens_says_secrets_keys_lacks_its_key(
    capsys: pytest.CaptureFixture[str],
    slack: SlackStandIn,
    store: Store,
    public_url: str,
) -> None:
    await store.installations.save(installed("T1", "Acme", "xoxb-acme", key=RETIRED))

    checked = await check(capsys, "xoxb-acme", RETIRED)

    assert checked.code == 1
    assert checked.problems() == [
        "problem  Slack, workspace Acme (T1): no key in SECRETS_KEYS opens its bot token — fix: "
        "SECRETS_KEYS lacks the key that sealed it: put that key back (after the newest), or "
        f"reinstall the app in that workspace, from {public_url}/slack/install",
        "problem  Tavus, workspace Acme (T1): no Tavus account connected yet — fix: an admin "
        "must Connect Tavus in App Home",
    ]
    assert slack.called("auth.test") == []


@pytest.mark.usefixtures("oauth")
async def test_with_oauth_and_no_install_yet_the_install_link_is_given(
    capsys: pytest.CaptureFixture[str], public_url: str
) -> None:
    checked = await check(capsys)

    assert checked.code == 0
    assert checked.line("ok  Slack workspaces") == (
        f"ok  Slack workspaces: none has installed the app yet; install: {public_url}/slack/install"
    )


@pytest.mark.usefixtures("oauth")
async def test_with_oauth_an_older_database_leaves_the_workspaces_unchecked(
    capsys: pytest.CaptureFixture[str], database_url: str, slack: SlackStandIn
) -> None:
    await database_at(database_url, "0016")

    checked = await check(capsys)

    assert checked.code == 1
    assert checked.problems() == [
        "problem  Slack and Tavus workspaces: not checked: the database's schema is older than "
        "this bot's — fix: start the bot once (it migrates the database), then run check again"
    ]
    assert slack.calls == []


async def test_a_bad_setting_ends_the_check_with_the_message_and_code_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    slack: SlackStandIn,
    tavus: TavusStandIn,
) -> None:
    monkeypatch.delenv("TAVUS_API_KEY")
    monkeypatch.setenv("SLACK_TIMEOUT", "0")

    checked = await check(capsys)

    assert (checked.code, checked.lines) == (2, [])
    assert checked.err.startswith("replica-bot cannot start; fix these settings")
    assert "  - TAVUS_API_KEY is missing: " in checked.err
    assert "  - SLACK_TIMEOUT is invalid " in checked.err
    assert slack.calls == []
    assert tavus.keys_used == []
