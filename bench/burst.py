"""Burst benchmark (issue #24): the bot's memory after N live jobs, and where tracemalloc finds it.

Run from the project root: `python -m bench.burst [--jobs N] [--at-once 100] [--channels 20]`.
N forms through `/replica`, `--at-once` at a time over `--channels` channels, each asked by a
different person and showing a different colleague, who clicks "I consent" in their DM; then
Tavus's callbacks (training done), a wave at a time, with the Slack stand-in enforcing Slack's
tiers. Once every requester's result is in its thread, `--settle` seconds (the card redraws still
waiting at Tier 3's pace), then the bot's RSS, what it still owes Slack, and the largest
tracemalloc growths by line since it started; `--drain` then waits for every card. It asserts
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import unused_port
from sqlalchemy import text

from bench.kit import (
    FORM,
    READY,
    Client,
    all_cards_show,
    consent_requests,
    consented,
    in_channels,
    nothing_owed,
    rss_mib,
    wait_until,
)
from bot.slack.blocks import form
from bot.store import Store
from tests.processes import environment_of
from tests.slack_client import SIGNING_SECRET, command_fields, filled, submission
from tests.standins.limits import Tiers
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn

ROOT = Path(__file__).resolve().parent.parent
OWED_BY_KIND = text(
    "SELECT kind, count(*) FROM notices WHERE status = 'pending' GROUP BY kind ORDER BY kind"
)
VIDEO = "https://example.com/bench.mp4"  # never fetched: link and media checks are off


async def run(
    jobs: int, at_once: int, channels: int, settle: float, trace: bool, drain: bool
) -> None:
    slack, tavus = SlackStandIn(), TavusStandIn()
    await slack.start()
    await tavus.start()
    port = unused_port()
    workdir = Path(tempfile.mkdtemp(prefix="replica-bot-burst-"))
    traced = workdir / "tracemalloc.txt"
    settings = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "tavus_api_key": API_KEY,
        "public_url": f"http://127.0.0.1:{port}",
        "database_url": f"sqlite:///{workdir / 'bench.db'}",
        "slack_api_url": slack.api_url,
        "tavus_api_url": tavus.url,
        "log_level": "WARNING",
        # As the tests' base settings: the links are never fetched.
        "media_check_links": False,
        "media_check": False,
    }
    env = environment_of(settings, port)
    env["PYTHONPATH"] = str(ROOT)  # this checkout's bot and bench, whatever is installed
    if trace:
        env["BENCH_TRACEMALLOC_OUT"] = str(traced)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.burst_bot", cwd=workdir, env=env
    )
    pid = process.pid
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await healthy(session, url, process)
            store = await Store.open(f"sqlite+aiosqlite:///{workdir / 'bench.db'}")
            client = Client(session, url)
            # Warm up: Bolt's first request calls auth.test.
            await client.slack(urlencode(command_fields(trigger=slack.trigger())))
            await wait_until(lambda: len(slack.called("views.open")) >= 1)
            await asyncio.sleep(1.0)
            rss_start = rss_mib(pid)
            at_start = await snapshot(pid, traced) if trace else ""
            print(f"bot pid {pid}: RSS after start {rss_start:.0f} MiB {at_start}", flush=True)

            started = time.monotonic()
            for first in range(0, jobs, at_once):
                await wave(client, slack, tavus, range(first, min(jobs, first + at_once)), channels)
                print(
                    f"  {min(jobs, first + at_once)} forms consented and created, "
                    f"{time.monotonic() - started:.0f} s, RSS {rss_mib(pid):.0f} MiB",
                    flush=True,
                )
            created = time.monotonic() - started

            # Training done, a wave at a time, under Slack's tiers from here on.
            slack.tiers = Tiers()
            replicas = list(tavus.replicas)
            threaded_before = threaded(slack)
            for first in range(0, len(replicas), at_once):
                await asyncio.gather(
                    *(
                        client.callback(tavus.replicas[r]["callback_url"], tavus.finish(r))
                        for r in replicas[first : first + at_once]
                    )
                )
            # The requesters' results go before the card redraws, which wait in the database.
            await until(lambda: threaded(slack) >= threaded_before + jobs, within=24 * 3600)
            results = time.monotonic() - started
            rss_results = rss_mib(pid)
            print(f"  every result in its thread, {results:.0f} s, RSS {rss_results:.0f} MiB")
            await asyncio.sleep(settle)
            rss_after = rss_mib(pid)
            owed_after = await owed(store)
            growth = await snapshot(pid, traced) if trace else ""
            drained = rss_drained = None
            if drain:
                await nothing_owed(store, within=24 * 3600)
                await until(lambda: all_cards_show(slack, READY), within=24 * 3600)
                drained = time.monotonic() - started
                rss_drained = rss_mib(pid)
                print(f"  every card current, {drained:.0f} s, RSS {rss_drained:.0f} MiB")
            await store.close()
            rss_peak = peak_mib(pid)
            os.kill(pid, signal.SIGUSR1)  # malloc_trim(0) in the bot (bench/burst_bot.py)
            await asyncio.sleep(2.0)
            rss_trimmed = rss_mib(pid)
            threads = len(os.listdir(f"/proc/{pid}/task"))
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            async with asyncio.timeout(60):
                await process.wait()
        await slack.stop()
        await tavus.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    print(
        f"\nreplica-bot burst on {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, tracemalloc {'on' if trace else 'off'}"
    )
    print(f"{jobs} jobs, {at_once} at a time over {channels} channels")
    print(f"forms to creates at Tavus: {created:.0f} s; results in their threads: {results:.0f} s")
    print(f"updates: {len(slack.called('chat.update'))}, posts: {len(slack.posts())}")
    print(
        f"RSS after start / when every result was in / {settle:.0f} s later: "
        f"{rss_start:.0f} / {rss_results:.0f} / {rss_after:.0f} MiB; at its peak {rss_peak:.0f} MiB"
    )
    print(f"owed to Slack then, waiting in the database: {owed_after}")
    if drained is not None:
        print(f"every card current after {drained:.0f} s: RSS {rss_drained:.0f} MiB")
    print(f"RSS once glibc handed back what it held free: {rss_trimmed:.0f} MiB; {threads} threads")
    if growth:
        print("tracemalloc, largest growths by line since start:")
        print(growth, end="")


async def wave(
    client: Client, slack: SlackStandIn, tavus: TavusStandIn, numbers: range, channels: int
) -> None:
    """Forms `numbers` asked for, submitted, consented to by their colleagues, and created."""
    opened_before = len(slack.called("views.open"))
    modals_before = len(slack.modals)
    announced_before = len(in_channels(slack))
    asked_before = set(consent_requests(slack))
    created_before = len(tavus.creates)
    # Each asked by a different person, for a different colleague.
    triggers = {slack.trigger(): n for n in numbers}
    await asyncio.gather(
        *(
            client.slack(
                urlencode(
                    command_fields(trigger=t, channel=f"C{n % channels:04d}", user=f"U0ASK{n:05d}")
                )
            )
            for t, n in triggers.items()
        )
    )
    await until(lambda: len(slack.called("views.open")) >= opened_before + len(numbers))
    opens = [c for c in slack.calls if c.method == "views.open"][opened_before:]
    # "Working…" opens at once; the form replaces it (views.update) in each modal, in order.
    modals = slack.modals[modals_before:]
    await until(lambda: all(len(slack.versions[m]) > 1 for m in modals))
    payloads = []
    for call, modal in zip(opens, modals, strict=True):
        view = {**slack.versions[modal][-1], "id": modal}
        n = triggers[call.args["trigger_id"]]
        asker = f"U0ASK{n:05d}"
        values = {
            **FORM,
            form.VIDEO: VIDEO,
            form.NAME: f"Burst {n}",
            form.SUBJECT: f"U0COL{n:05d}",
        }
        payload = submission(filled(view, **values), trigger=slack.trigger(), user=asker)
        payloads.append(urlencode({"payload": json.dumps(payload)}))
    await asyncio.gather(*(client.slack(body) for body in payloads))
    await until(lambda: len(in_channels(slack)) >= announced_before + len(numbers))
    await until(lambda: len(consent_requests(slack)) >= len(asked_before) + len(numbers))
    fresh = {j: p for j, p in consent_requests(slack).items() if j not in asked_before}
    await asyncio.gather(
        *(
            client.slack(urlencode({"payload": json.dumps(consented(slack, j, p))}))
            for j, p in fresh.items()
        )
    )
    await until(lambda: len(tavus.creates) >= created_before + len(numbers), within=600)


def threaded(slack: SlackStandIn) -> int:
    """Replies posted in channels' threads (the results, and any note before them)."""
    return sum(1 for post in slack.posts() if post.get("thread_ts") and post["channel"][0] == "C")


async def until(check: Callable[[], bool], within: float = 600.0) -> None:
    """Wait until check() holds, looking every 0.2 s: thousands of posts make each look cost."""
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.2)


async def owed(store: Store) -> str:
    """What the bot still owes Slack, by kind: what waits in the database."""
    async with store.db.reading() as connection:
        rows = (await connection.execute(OWED_BY_KIND)).all()
    return ", ".join(f"{count} {kind}" for kind, count in rows) or "nothing"


def peak_mib(pid: int) -> float:
    """The process's highest RSS so far (VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def healthy(
    session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process
) -> None:
    async with asyncio.timeout(60):
        while True:
            assert process.returncode is None, "the bot exited before serving"
            try:
                async with session.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.1)


async def snapshot(pid: int, out: Path) -> str:
    """Have the bot take a tracemalloc snapshot (bench/burst_bot.py); what it wrote."""
    await asyncio.to_thread(out.unlink, missing_ok=True)
    os.kill(pid, signal.SIGUSR2)
    await wait_until(out.exists, within=600)
    return await asyncio.to_thread(out.read_text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=2000, help="forms, consents and callbacks")
    parser.add_argument("--at-once", type=int, default=100, help="forms sent together")
    parser.add_argument("--channels", type=int, default=20, help="channels they are spread over")
    parser.add_argument("--settle", type=float, default=60, help="seconds of quiet, then RSS")
    parser.add_argument(
        "--no-trace", action="store_true", help="RSS without tracemalloc's own bookkeeping"
    )
    parser.add_argument(
        "--drain", action="store_true", help="then wait for every card redraw, at Tier 3's pace"
    )
    args = parser.parse_args()
    asyncio.run(
        run(args.jobs, args.at_once, args.channels, args.settle, not args.no_trace, args.drain)
    )


if __name__ == "__main__":
    main()
