"""Two instances on one PostgreSQL database, posting the replies owed in one channel together."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import aiohttp
from aiohttp.test_utils import unused_port

from bench.kit import Client, Row, create_jobs, nothing_owed, wait_until
from bot.store import Store
from tests.processes import BotProcess, environment_of
from tests.slack_client import SIGNING_SECRET, command_fields
from tests.standins.limits import POSTING, Tiers
from tests.standins.media import MediaStandIn, mp4
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn
from tests.store_helpers import empty_postgres

CHANNEL = "C9BUSY"
ROOT = Path(__file__).resolve().parent.parent


async def run_shared(count: int, url: str) -> list[Row]:
    """`count` replies owed in one channel, delivered by two instances sharing its pace."""
    await empty_postgres(url)  # nothing an earlier run left
    slack, tavus, media = SlackStandIn(), TavusStandIn(), MediaStandIn()
    for server in (slack, tavus, media):
        await server.start()
    video = media.put("bench.mp4", mp4(), "video/mp4")
    ports = [unused_port(), unused_port()]
    workdir = Path(tempfile.mkdtemp(prefix="replica-bot-bench-shared-"))
    processes = [
        BotProcess(
            environment_of(
                {
                    "slack_bot_token": BOT_TOKEN,
                    "slack_signing_secret": SIGNING_SECRET,
                    "tavus_api_key": API_KEY,
                    "public_url": f"http://127.0.0.1:{port}",
                    "database_url": url.replace("postgresql+asyncpg://", "postgresql://"),
                    "slack_api_url": slack.api_url,
                    "tavus_api_url": tavus.url,
                    "log_level": "WARNING",
                    "media_allow_private_hosts": True,
                    # The stand-in's file is no real video: the check after the save would end
                    # every job; the link checks before the save stay on.
                    "media_check": False,
                },
                port,
            ),
            workdir,
            port,
        )
        for port in ports
    ]
    store = await Store.open(url)
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            for process in processes:
                await process.start()
            clients = [Client(session, f"http://127.0.0.1:{port}") for port in ports]
            for client in clients:
                # Warm up: Bolt's first request calls auth.test.
                await client.slack(urlencode(command_fields(trigger=slack.trigger())))
            await wait_until(lambda: len(slack.called("views.open")) >= len(clients))
            await create_jobs(clients, slack, tavus, channel=CHANNEL, count=count, video=video)
            await nothing_owed(store)

            # The replies, under Slack's limit; each callback to either instance in turn.
            tiers = slack.tiers = Tiers()
            training = [
                r for r, replica in tavus.replicas.items() if replica["status"] == "started"
            ]
            calls_before = len(slack.calls)
            posted_before = len(slack.posts(CHANNEL))
            started = time.monotonic()
            await asyncio.gather(
                *(
                    clients[0].callback(
                        to_port(tavus.replicas[r]["callback_url"], ports[n % 2]), tavus.finish(r)
                    )
                    for n, r in enumerate(training)
                )
            )
            await wait_until(
                lambda: len(slack.posts(CHANNEL)) >= posted_before + len(training), within=600
            )
            took = time.monotonic() - started
            rate, burst = tiers.post
            ideal = max(0, len(training) - burst) / rate
            limited = sum(
                1
                for call in slack.calls[calls_before:]
                if call.method == POSTING and call.args["_status"] == 429
            )
            for process in processes:
                await process.stop(signal.SIGTERM)
    finally:
        await store.close()
        for process in processes:
            await process.kill()
        for server in (slack, tavus, media):
            await server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return [
        (
            f"{len(training)} replies in one channel, two instances on PostgreSQL",
            f"{took:.1f} s = {took / ideal:.2f}× {ideal:.0f} s, {limited} × 429",
            "≤ 1.2×, ≤ 2 × 429",
            f"chat.postMessage {rate:g}/s a channel, bursts of {burst}",
        )
    ]


def to_port(url: str, port: int) -> str:
    """`url` on the instance listening on `port` (both serve every job's callback)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))


@contextlib.contextmanager
def postgres_server(url: str | None) -> Iterator[str]:
    """The server at `url`, or one started for the run as CI starts it (.ci/postgres.sh)."""
    if url:
        yield url
        return
    bash = shutil.which("bash") or "/bin/bash"
    start = 'source .ci/postgres.sh && start_postgres >&2 && echo "$TEST_POSTGRES_URL $PG_DIR"'
    started = subprocess.run(  # noqa: S603 (the project's own script)
        [bash, "-c", start], cwd=ROOT, check=True, capture_output=True, text=True
    )
    url, folder = started.stdout.split()
    try:
        yield url
    finally:
        # As .ci/postgres.sh stops it: the server refuses to run as root, so it runs as postgres.
        stop = f'"$(pg_config --bindir)/pg_ctl" -D {folder}/data -m immediate stop'
        if os.geteuid() == 0:
            stop = f"runuser -u postgres -- {stop}"
        subprocess.run([bash, "-c", stop], check=False, capture_output=True)  # noqa: S603
        shutil.rmtree(folder, ignore_errors=True)
