"""The bot beside a plain Bolt app (bench/plain_bolt.py) in one run, and its threaded results.

Run from the project root: `python -m bench.versus [--runs 3] [--count 200] [--channels 40]`.
Each run starts both apps against the same stand-ins and, from the load process (bench/load.py),
fires `--count` `/replica` commands at once at each, then their `--count` forms at once; it
prints both apps' ack p50 / p99 and the ratio bot / plain. Then, the bot's jobs consented to
and created, `--count` Tavus callbacks at once, with the Slack stand-in's chat.postMessage limit
at `--rate` a second per channel (bursts of one) and the bot paced to match: the threaded results'
first-to-last span against what that pace allows. The median of the runs comes last. It asserts
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
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import unused_port

from bench import plain_bolt
from bench.burst import healthy
from bench.kit import (
    FORM,
    Client,
    burst,
    consent_requests,
    consented,
    in_channels,
    nothing_owed,
    percentile,
    wait_until,
)
from bot.slack.blocks import form
from bot.store import Store
from tests.processes import environment_of
from tests.slack_client import SIGNING_SECRET, command_fields, filled, submission
from tests.standins.limits import POSTING, Tiers
from tests.standins.media import MediaStandIn, mp4
from tests.standins.slack import BOT_TOKEN, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn

ROOT = Path(__file__).resolve().parent.parent
Figures = dict[str, float]


async def run(count: int, channels: int, rate: float, profile: Path | None) -> Figures:
    """One run: both apps' acks, then the bot's results under the pace; its figures.

    With `profile`, the bot runs under bench/profiled_bot.py, profiled during the forms' burst
    (`profile`-forms.txt) and the results (`profile`-results.txt).
    """
    slack, tavus, media = SlackStandIn(), TavusStandIn(), MediaStandIn()
    for server in (slack, tavus, media):
        await server.start()
    # Every submission's link is checked, as in production: against a host on loopback.
    video = media.put("bench.mp4", mp4(), "video/mp4")
    workdir = Path(tempfile.mkdtemp(prefix="replica-bot-versus-"))
    bot_port, plain_port = unused_port(), unused_port()
    settings = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "tavus_api_key": API_KEY,
        "database_url": f"sqlite:///{workdir / 'bench.db'}",
        "slack_api_url": slack.api_url,
        "tavus_api_url": tavus.url,
        "log_level": "WARNING",
        "media_allow_private_hosts": True,
        # The stand-in's file is no real video: the check after the save would end every job;
        # the link checks before the save stay on.
        "media_check": False,
        "slack_channel_rate": rate,
        "slack_channel_burst": 1,
    }
    bot_env = environment_of({**settings, "public_url": f"http://127.0.0.1:{bot_port}"}, bot_port)
    plain_env = environment_of(
        {**settings, "public_url": f"http://127.0.0.1:{plain_port}"}, plain_port
    )
    plain_env["PYTHONPATH"] = str(ROOT)
    bot_env["PYTHONPATH"] = str(ROOT)
    if profile is not None:
        bot_env["BENCH_PROFILE_OUT"] = str(profile)
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.profiled_bot" if profile else "bot",
        cwd=workdir,
        env=bot_env,
    )
    plain = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.plain_bolt", cwd=workdir, env=plain_env
    )
    figures: Figures = {}
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            await healthy(session, f"http://127.0.0.1:{bot_port}", bot)
            await listening(session, f"http://127.0.0.1:{plain_port}", plain)
            store = await Store.open(f"sqlite+aiosqlite:///{workdir / 'bench.db'}")
            for name, port in (("bot", bot_port), ("plain", plain_port)):
                # Warm up: Bolt's first request calls auth.test.
                opened = len(slack.called("views.open"))
                await Client(session, f"http://127.0.0.1:{port}").slack(
                    urlencode(command_fields(trigger=slack.trigger()))
                )
                await wait_until(lambda: len(slack.called("views.open")) > opened)  # noqa: B023
                await asyncio.sleep(0.5)
                events = f"http://127.0.0.1:{port}/slack/events"
                profiling = Profiling(bot.pid, profile) if name == "bot" and profile else None
                opened, acks, submits = await forms(
                    slack, events, count, channels, video, profiling=profiling, bot=name == "bot"
                )
                figures |= {
                    f"{name} opened": float(opened),
                    f"{name} command p50": percentile(acks, 50),
                    f"{name} command p99": percentile(acks, 99),
                    f"{name} form p50": percentile(submits, 50),
                    f"{name} form p99": percentile(submits, 99),
                }
                if name == "bot":
                    # Quiet before the plain app is timed: cards and consent DMs all out.
                    await wait_until(lambda: len(consent_requests(slack)) >= count)
                    await nothing_owed(store)
            profiling = Profiling(bot.pid, profile) if profile else None
            figures |= await results(
                session, slack, tavus, store, bot_port, count, rate, profiling=profiling
            )
            await store.close()
    finally:
        if plain.returncode is None:
            plain.send_signal(signal.SIGTERM)
            await plain.wait()
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            await bot.wait()
        for server in (slack, tavus, media):
            await server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return figures


@dataclass(frozen=True)
class Profiling:
    """The bot's process under bench/profiled_bot.py, and where it writes its profile."""

    pid: int
    out: Path


@asynccontextmanager
async def profiled(profiling: Profiling | None, part: str) -> AsyncIterator[None]:
    """Profile the bot (if asked) while the block runs: `out`-`part`.txt and .json."""
    if profiling is None:
        yield
        return
    done = profiling.out.with_suffix(".done")
    done.unlink(missing_ok=True)
    os.kill(profiling.pid, signal.SIGUSR1)
    try:
        yield
    finally:
        os.kill(profiling.pid, signal.SIGUSR2)
        await wait_until(done.exists, within=120)
        for suffix in (".txt", ".json"):
            kept = profiling.out.parent / f"{profiling.out.name}-{part}{suffix}"
            profiling.out.with_suffix(suffix).replace(kept)


async def forms(
    slack: SlackStandIn,
    events: str,
    count: int,
    channels: int,
    video: str,
    *,
    profiling: Profiling | None = None,
    bot: bool = True,
) -> tuple[int, list[float], list[float]]:
    """`count` `/replica` commands at once, then their forms at once: the acks' latencies."""
    opened_before = len(slack.called("views.open"))
    modals_before = len(slack.modals)
    asked_by = {slack.trigger(): n for n in range(count)}
    bodies = [
        urlencode(command_fields(trigger=t, channel=f"C{n % channels:04d}", user=f"U0ASK{n:05d}"))
        for t, n in asked_by.items()
    ]
    acks = await burst(events, bodies)
    await wait_until(lambda: len(slack.called("views.open")) >= opened_before + count)
    opens = [c for c in slack.calls if c.method == "views.open"][opened_before:]
    opened = [c for c in opens if c.args["_ok"]]
    if bot:
        # "One moment…" opens at once; the form replaces it (views.update) in each modal.
        modals = slack.modals[modals_before:]
        await wait_until(lambda: all(len(slack.versions[m]) > 1 for m in modals))
        shown = [
            (c, {**slack.versions[m][-1], "id": m}) for c, m in zip(opened, modals, strict=True)
        ]
    else:
        # The form itself is opened, whether Slack took it in time or not (expired_trigger_id):
        # every form is submitted, so both apps take the same load.
        shown = [(c, c.args["view"]) for c in opens]
    payloads = []
    for call, view in shown:
        n = asked_by[call.args["trigger_id"]]
        # Each showing a different colleague: who they are is not known yet.
        values: dict[str, Any] = {
            **FORM,
            form.VIDEO: video,
            form.NAME: f"Versus {n}",
            form.SUBJECT: f"U0COL{n:05d}",
            plain_bolt.NAME: f"Versus {n}",
            plain_bolt.VIDEO: video,
        }
        payload = submission(filled(view, **values), trigger=slack.trigger(), user=f"U0ASK{n:05d}")
        payloads.append(urlencode({"payload": json.dumps(payload)}))
    posted_before = len(in_channels(slack))
    async with profiled(profiling, "forms"):
        submits = await burst(events, payloads)
    await wait_until(lambda: len(in_channels(slack)) >= posted_before + count)
    return len(opened), acks, submits


async def results(
    session: aiohttp.ClientSession,
    slack: SlackStandIn,
    tavus: TavusStandIn,
    store: Store,
    port: int,
    count: int,
    rate: float,
    *,
    profiling: Profiling | None = None,
) -> Figures:
    """The bot's jobs consented to and created, then every callback at once: the results' span."""
    client = Client(session, f"http://127.0.0.1:{port}")
    created_before = len(tavus.creates)
    await asyncio.gather(
        *(
            client.slack(urlencode({"payload": json.dumps(consented(slack, job, person))}))
            for job, person in consent_requests(slack).items()
        )
    )
    await wait_until(lambda: len(tavus.creates) >= created_before + count)
    await nothing_owed(store)
    tiers = slack.tiers = Tiers(post=(rate, 1))
    mine = [r for r, body in tavus.replicas.items() if f":{port}/" in body["callback_url"]]
    calls_before = len(slack.calls)

    def replies() -> list[Any]:
        return [
            c
            for c in slack.calls[calls_before:]
            if c.method == POSTING and c.args["_ok"] and c.args.get("thread_ts")
        ]

    async with profiled(profiling, "results"):
        started = time.monotonic()
        await asyncio.gather(
            *(client.callback(tavus.replicas[r]["callback_url"], tavus.finish(r)) for r in mine)
        )
        await wait_until(lambda: len(replies()) >= len(mine), within=300)
        done = time.monotonic() - started

    sent = replies()
    per_channel = Counter(c.args["channel"] for c in sent)
    pace, burst_of = tiers.post
    allowed = max(max(0, n - burst_of) / pace for n in per_channel.values())
    refused = sum(
        1 for c in slack.calls[calls_before:] if c.method == POSTING and c.args["_status"] == 429
    )
    return {
        "results": float(len(sent)),
        "results channels": float(len(per_channel)),
        "results span": sent[-1].at - sent[0].at,
        "results allowed": allowed,
        "results whole": done,
        "results 429s": float(refused),
    }


async def listening(
    session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process
) -> None:
    """Wait until the plain app answers at all (it has no health check)."""
    async with asyncio.timeout(60):
        while True:
            assert process.returncode is None, "the plain Bolt app exited before serving"
            try:
                async with session.get(f"{url}/slack/events") as response:
                    await response.read()
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)


def report(runs: list[Figures]) -> list[str]:
    """Each run's figures, then their median."""
    lines = []
    for label, figures in [*((f"run {i + 1}", f) for i, f in enumerate(runs)), ("median", {})]:
        f = figures or {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        ms = {k: v * 1000 for k, v in f.items()}
        lines += [
            f"{label}:",
            f"  /replica ack p50 / p99: bot {ms['bot command p50']:.0f} / "
            f"{ms['bot command p99']:.0f} ms, plain {ms['plain command p50']:.0f} / "
            f"{ms['plain command p99']:.0f} ms, p99 ratio "
            f"{f['bot command p99'] / f['plain command p99']:.2f}; views.open in time: bot "
            f"{f['bot opened']:.0f}, plain {f['plain opened']:.0f}",
            f"  form submission ack p50 / p99: bot {ms['bot form p50']:.0f} / "
            f"{ms['bot form p99']:.0f} ms, plain {ms['plain form p50']:.0f} / "
            f"{ms['plain form p99']:.0f} ms, "
            f"p99 ratio {f['bot form p99'] / f['plain form p99']:.2f}",
            f"  {f['results']:.0f} threaded results in {f['results channels']:.0f} channels, "
            f"first to last: {f['results span']:.2f} s = "
            f"{f['results span'] / f['results allowed']:.2f}× {f['results allowed']:.2f} s "
            f"allowed; callbacks to last result {f['results whole']:.2f} s; "
            f"{f['results 429s']:.0f} × 429",
        ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="runs, each with fresh processes")
    parser.add_argument("--count", type=int, default=200, help="commands, forms and callbacks")
    parser.add_argument("--channels", type=int, default=40, help="channels they are spread over")
    parser.add_argument("--rate", type=float, default=5.0, help="posts a second per channel")
    parser.add_argument(
        "--profile", type=Path, help="profile the bot (pyinstrument) into this path's -forms.txt…"
    )
    args = parser.parse_args()
    runs = []
    for n in range(args.runs):
        profile = args.profile and args.profile.with_name(f"{args.profile.name}{n + 1}")
        runs.append(asyncio.run(run(args.count, args.channels, args.rate, profile)))
        print(f"run {n + 1} of {args.runs} done", file=sys.stderr, flush=True)
    print(
        f"replica-bot against a plain Bolt app on {platform.node()}: {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {args.count} at once over {args.channels} channels"
    )
    print("\n".join(report(runs)))


if __name__ == "__main__":
    main()
