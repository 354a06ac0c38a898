"""`python -m bot` as a process: refuses bad settings clearly, serves, and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import unused_port
from cryptography.fernet import Fernet

from bot.config import Settings
from bot.store import Store
from bot.workspaces.vault import SigningKeys, Vault
from tests.processes import BotProcess
from tests.standins.slack import APP_TOKEN, BOT_TOKEN, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn

SETTINGS = [name.upper() for name in Settings.model_fields] + ["SLACK_CLIENT_SECRET"]


def environment(**settings: str) -> dict[str, str]:
    """The machine's environment without any of the bot's settings, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
    return {**env, **settings}


async def run_to_end(tmp_path: Path, **settings: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=environment(**settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(30):
        _, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_missing_settings_stop_the_start_naming_each_one(tmp_path: Path) -> None:
    code, stderr = await run_to_end(tmp_path)
    assert code != 0
    assert "Traceback" not in stderr
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "TAVUS_API_KEY"):
        assert name in stderr
    assert "PUBLIC_URL" not in stderr  # optional: without it the bot relies on polling
    assert "OAuth & Permissions" in stderr


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("PORT", "abc"),
        ("DATABASE_URL", "mysql://db.example.com/bot"),
        ("TAVUS_TIMEOUT", "-1"),
        ("SLACK_BOT_TOKEN", "not-a-bot-token"),
    ],
)
async def test_malformed_settings_stop_the_start(tmp_path: Path, setting: str, value: str) -> None:
    valid = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "s",
        "TAVUS_API_KEY": "k",
        "PUBLIC_URL": "https://bot.example.com",
    }
    code, stderr = await run_to_end(tmp_path, **{**valid, setting: value})
    assert code != 0
    assert "Traceback" not in stderr
    assert setting in stderr
    if setting == "SLACK_BOT_TOKEN":
        assert value not in stderr  # a token, even a malformed one, is never echoed


async def test_settings_come_from_a_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s\n")
    code, stderr = await run_to_end(tmp_path)
    assert code != 0
    assert "SLACK_BOT_TOKEN" not in stderr
    assert "TAVUS_API_KEY" in stderr


async def test_a_sealed_signing_key_and_no_secrets_keys_stop_the_start_saying_so(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'bot.db'}"
    store = await Store.open(database.replace("sqlite://", "sqlite+aiosqlite://", 1))
    try:
        await SigningKeys(store.keys, Vault([Fernet.generate_key().decode()])).get("media")
    finally:
        await store.close()

    code, stderr = await run_to_end(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-1",
        SLACK_SIGNING_SECRET="s",
        TAVUS_API_KEY="k",
        PUBLIC_URL="https://bot.example.com",
        DATABASE_URL=database,
        PORT=str(unused_port()),
    )

    assert code == 1
    assert "Traceback" not in stderr
    assert (
        "replica-bot cannot open its signing keys: the media signing key is sealed, and "
        "SECRETS_KEYS is not set"
    ) in stderr


async def test_serves_health_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = unused_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=environment(
            SLACK_BOT_TOKEN="xoxb-1",
            SLACK_SIGNING_SECRET="s",
            TAVUS_API_KEY="k",
            PUBLIC_URL="https://bot.example.com",
            PORT=str(port),
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30), aiohttp.ClientSession() as session:
            while True:
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    assert process.returncode is None, "the bot exited before serving"
                    await asyncio.sleep(0.1)
        assert (tmp_path / "replica-bot.db").exists()
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def answers(url: str) -> bool:
    """Whether anything answers at `url` (a refused connection is no answer)."""
    try:
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


# Another address of this machine's loopback network: a socket bound to every interface answers
# there, one bound to 127.0.0.1 does not. The test never leaves this machine.
ANOTHER_INTERFACE = "127.0.0.2"


async def serving(tmp_path: Path, **settings: str) -> tuple[BotProcess, str]:
    """A bot process started with `settings`, and its /healthz at another of this machine's
    addresses than the one it is always reached at (127.0.0.1)."""
    port = unused_port()
    process = BotProcess(environment(**settings, PORT=str(port)), tmp_path, port)
    outside = f"http://{ANOTHER_INTERFACE}:{port}/healthz"
    await process.start()  # answering on 127.0.0.1 by then
    return process, outside


@pytest.mark.parametrize(("host", "reachable"), [(None, True), ("127.0.0.1", False)])
async def test_over_http_the_bot_listens_on_every_interface_unless_host_says(
    tmp_path: Path, host: str | None, reachable: bool
) -> None:
    chosen = {"HOST": host} if host else {}
    settings = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "TAVUS_API_KEY": "k"}
    process, outside = await serving(tmp_path, **settings, **chosen)
    try:
        assert await answers(outside) is reachable
    finally:
        await process.kill()


async def test_in_socket_mode_the_bot_listens_on_this_machine_only(
    tmp_path: Path, slack: SlackStandIn, tavus: TavusStandIn
) -> None:
    process, outside = await serving(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        TAVUS_API_KEY=API_KEY,
        SLACK_API_URL=slack.api_url,
        TAVUS_API_URL=tavus.url,
    )
    try:
        assert slack.called("apps.connections.open")
        assert not await answers(outside)
    finally:
        await process.kill()
