"""A year of use in one database: list, status and App Home, start-up and memory at that size."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp.test_utils import unused_port

from bench.kit import Client, Row, percentile, rss_mib
from bot.governance.receipts import sha256, statement_for
from bot.jobs import JobStatus
from bot.store import Store
from bot.store.schema import jobs, receipts
from tests.processes import BotProcess, environment_of
from tests.slack_client import SIGNING_SECRET, SlackSender, command_fields, event_body
from tests.standins.slack import BOT_TOKEN, TEAM_ID, SlackStandIn
from tests.standins.tavus import API_KEY, TavusStandIn

REQUESTERS = 50
BIG = "U0LARGE0001"  # one in fifty jobs is theirs: 2,000 of 100,000
NEW = "U0LARGENEW"  # in no job at all, as someone opening App Home for the first time
CHANNELS = ("C0LARGE01", "C0LARGE02")
POLL_INTERVAL = 600  # TAVUS_POLL_INTERVAL's default
CHUNK = 5_000
YEAR = timedelta(days=365)
PROGRESS = "40/100"  # what the Tavus stand-in reports too, so a poll changes nothing
# A hundred finished jobs, in the proportions a year of use might leave.
FINAL_MIX = (
    [JobStatus.READY] * 80
    + [JobStatus.FAILED] * 8
    + [JobStatus.REJECTED] * 2
    + [JobStatus.DELETED] * 5
    + [JobStatus.DECLINED] * 2
    + [JobStatus.EXPIRED] * 2
    + [JobStatus.WITHDRAWN]
)
WITH_REPLICA = {
    JobStatus.READY,
    JobStatus.FAILED,
    JobStatus.DELETED,
    JobStatus.WITHDRAWN,
    JobStatus.TRAINING,
}
ERRORS = {
    JobStatus.FAILED: "Training failed: the consent phrase was not found in the video",
    JobStatus.REJECTED: "train_video_url: the file could not be downloaded",
}


async def run_large(
    finished: int = 100_000, training: int = 5_000, samples: int = 200
) -> list[Row]:
    """The bot on a database of `finished` finished jobs and `training` in training at once."""
    workdir = Path(tempfile.mkdtemp(prefix="replica-bot-bench-large-"))
    database = workdir / "large.db"
    slack, tavus = SlackStandIn(), TavusStandIn()
    process: BotProcess | None = None
    try:
        now = datetime.now(UTC)
        started = time.monotonic()
        await seed(f"sqlite+aiosqlite:///{database}", finished, training, now)
        seeded = time.monotonic() - started
        size = _mib(workdir)
        await slack.start()
        await tavus.start()
        for n in range(finished, finished + training):
            tavus.replicas[_replica_id(n)] = _training_replica(n, now)
        port = unused_port()
        settings = {
            "slack_bot_token": BOT_TOKEN,
            "slack_signing_secret": SIGNING_SECRET,
            "tavus_api_key": API_KEY,
            "public_url": f"http://127.0.0.1:{port}",
            "database_url": f"sqlite:///{database}",
            "slack_api_url": slack.api_url,
            "tavus_api_url": tavus.url,
            "tavus_poll_interval": POLL_INTERVAL,
            "log_level": "WARNING",
        }
        process = BotProcess(environment_of(settings, port), workdir, port)
        running = time.monotonic()
        await process.start()
        startup = time.monotonic() - running
        assert process.process is not None
        pid = process.process.pid
        await asyncio.sleep(1.0)
        rss_idle = rss_mib(pid)
        total = finished + training
        rows: list[Row] = [
            (
                f"database: {finished:,} finished + {training:,} training jobs",
                f"{size:.0f} MiB SQLite, seeded in {seeded:.1f} s",
                "",
                "",
            ),
            ("start-up to /healthz 200", f"{startup:.2f} s", "< 3 s", "polled every 0.1 s"),
        ]
        async with aiohttp.ClientSession() as session:
            client = Client(session, f"http://127.0.0.1:{port}")
            events = f"http://127.0.0.1:{port}/slack/events"
            # BIG's newest job, in training (Tavus is asked), and their oldest ready one: status
            # looks through the jobs newest first, so the age of the one asked for matters.
            new = (total - 1) // REQUESTERS * REQUESTERS
            old = next(
                n
                for n in range(0, finished, REQUESTERS)
                if FINAL_MIX[_roll(n, 0)] is JobStatus.READY
            )
            await _warm_up(client, session, slack, events, _replica_id(new))
            asked = [("list", f"/replica list p50 / p99, {total:,} jobs")]
            for n, which in ((new, "training, newest"), (old, "ready, a year old")):
                asked.append(
                    (f"status {_replica_id(n)}", f"/replica status <id> p50 / p99, {which}")
                )
                asked.append((f"status {_name(n)}", f"/replica status <name> p50 / p99, {which}"))
            for key, (text, label) in enumerate(asked):
                acks, answers = await _commands(client, slack, text, samples, f"command-{key}")
                rows.append(
                    (
                        label,
                        f"{_ms(answers)} (ack p99 {percentile(acks, 99) * 1000:.0f} ms)",
                        "p99 ≤ 150 ms",
                        "the answer at response_url; Slack's 3 s ack",
                    )
                )
            for user, label in (
                (BIG, f"App Home p50 / p99, {BIG}'s {len(range(0, total, REQUESTERS)):,} jobs"),
                (NEW, f"App Home p50 / p99, {NEW}, in no job"),
            ):
                home = await _homes(session, slack, events, samples, user)
                rows.append((label, _ms(home), "p99 ≤ 150 ms", "event sent to views.publish"))
        polled = sum(len(wanted) for wanted in tavus.lists)
        rows.append(
            (
                "reconciler polls while the bot ran",
                f"{polled:,} trainings in {len(tavus.lists)} list requests, "
                f"{time.monotonic() - running:.0f} s",
                "",
                f"{training:,} due over {POLL_INTERVAL} s",
            )
        )
        rows.append(
            ("RSS idle / after", f"{rss_idle:.0f} / {rss_mib(pid):.0f} MiB", "< 200 MiB", "")
        )
        started = time.monotonic()
        code = await process.stop(signal.SIGTERM)
        rows.append(("stop at SIGTERM", f"{time.monotonic() - started:.2f} s, exit {code}", "", ""))
        return rows
    finally:
        if process is not None:
            await process.kill()
        await slack.stop()
        await tavus.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def seed(url: str, finished: int, training: int, now: datetime) -> None:
    """The bot's schema, migrated as the bot does, then every row in one transaction."""
    store = await Store.open(url)
    try:
        async with store.db.engine.begin() as connection:
            for chunk in _chunks(_rows(finished, training, now)):
                await connection.execute(jobs.insert(), [job for job, _ in chunk])
                answers = [receipt for _, receipt in chunk if receipt is not None]
                if answers:
                    await connection.execute(receipts.insert(), answers)
    finally:
        await store.close()


def _rows(
    finished: int, training: int, now: datetime
) -> Iterator[tuple[dict[str, Any], dict[str, Any] | None]]:
    """Each job with its consent receipt: finished ones over the last year, then trainings."""
    for n in range(finished):
        created = now - timedelta(days=1) - YEAR * (1 - n / finished)
        yield _job(n, FINAL_MIX[_roll(n, 0)], created, None)
    for i in range(training):
        # A launch: started within the last three hours, polls due over the next interval.
        created = now - timedelta(hours=3) * (1 - i / training)
        due = now + timedelta(seconds=POLL_INTERVAL * i / training)
        yield _job(finished + i, JobStatus.TRAINING, created, due)


def _job(
    n: int, status: JobStatus, created: datetime, due: datetime | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    user = _requester(n)
    # Most replicas are of whoever asks for them; one in ten of a colleague.
    subject = _requester(n + 1) if _roll(n, 1) < 10 else user
    private = _roll(n, 2) < 10
    channel = f"D{user}" if private else CHANNELS[n % len(CHANNELS)]
    replica_id = _replica_id(n) if status in WITH_REPLICA else None
    video = f"https://media.example.com/large/{n}.mp4"
    ts = f"{int(created.timestamp())}.{n % 1_000_000:06d}"
    job: dict[str, Any] = {
        "id": _job_id(n),
        "team_id": TEAM_ID,
        "user_id": user,
        "channel_id": channel,
        "private": private,
        "replica_name": _name(n),
        "model_name": "phoenix-4" if n % 3 else "phoenix-3",
        "train_video_url": video,
        "train_image_url": None,
        "voice_name": None,
        "consent_video_url": None,
        "callback_digest": hashlib.sha256(f"secret-{n}".encode()).hexdigest(),
        "status": status.value,
        "replica_id": replica_id,
        "error_message": ERRORS.get(status),
        "announcement_channel": channel,
        "announcement_ts": ts,
        "training_progress": {JobStatus.READY: "100/100", JobStatus.TRAINING: PROGRESS}.get(status),
        "thumbnail_url": (
            f"https://cdn.example.com/{replica_id}.mp4" if status is JobStatus.READY else None
        ),
        "subject_id": subject,
        "subject_name": f"Large Person {subject[-4:]}",
        "intended_use": "sales demo videos",
        "unchecked": None,
        "slack_file": None,
        "slack_file_name": None,
        "reviewer_id": None,
        "reviewed_at": None,
        "next_check_at": due,
        "created_at": created,
        "updated_at": created + (timedelta(minutes=2) if due else timedelta(hours=3, minutes=30)),
    }
    if status is JobStatus.EXPIRED:
        return job, None  # nobody answered: no receipt
    statement = statement_for(job["subject_name"])
    receipt = {
        "job_id": job["id"],
        "team_id": TEAM_ID,
        "subject_id": subject,
        "subject_name": job["subject_name"],
        "requester_id": user,
        "decision": "declined" if status is JobStatus.DECLINED else "given",
        "decided_at": created + timedelta(minutes=1),
        "statement": statement,
        "statement_sha256": sha256(statement),
        "intended_use": job["intended_use"],
        "media": json.dumps([{"url": video, "host": "media.example.com", "file": f"{n}.mp4"}]),
        "dm_channel": f"D{subject}",
        "dm_ts": ts,
        "replica_id": replica_id,
    }
    return job, receipt


def _chunks(
    rows: Iterator[tuple[dict[str, Any], dict[str, Any] | None]],
) -> Iterator[list[tuple[dict[str, Any], dict[str, Any] | None]]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _mib(workdir: Path) -> float:
    """The database's size on disk, its write-ahead log included."""
    return sum(path.stat().st_size for path in workdir.glob("large.db*")) / 2**20


def _requester(n: int) -> str:
    number = 1 if n % REQUESTERS == 0 else 2 + n % (REQUESTERS - 1)
    return f"U0LARGE{number:04d}"


def _roll(n: int, which: int) -> int:
    """A number from 0 to 99 that looks random (one of three for each job) but never changes."""
    return hashlib.blake2b(f"roll-{n}".encode(), digest_size=3).digest()[which] % 100


def _job_id(n: int) -> str:
    # As random-looking as the bot's own (24 hex digits), but the same on every run.
    return hashlib.blake2b(f"job-{n}".encode(), digest_size=12).hexdigest()


def _replica_id(n: int) -> str:
    return f"rl{n:010x}"


def _name(n: int) -> str:
    return f"Large {_requester(n)[-4:]} #{n}"


def _training_replica(n: int, now: datetime) -> dict[str, Any]:
    """The Tavus stand-in's record of a replica still training."""
    return {
        "replica_id": _replica_id(n),
        "replica_name": _name(n),
        "model_name": "phoenix-4",
        "status": "started",
        "training_progress": PROGRESS,
        "error_message": None,
        "thumbnail_video_url": None,
        "callback_url": None,
        "created_at": now.isoformat().replace("+00:00", "Z"),
    }


async def _warm_up(
    client: Client,
    session: aiohttp.ClientSession,
    slack: SlackStandIn,
    events: str,
    replica_id: str,
) -> None:
    """One of each first (Bolt's auth.test, users.info), checking each answer is the real one."""
    checks = (("list", "Replicas in this workspace"), (f"status {replica_id}", replica_id))
    for n, (text, expected) in enumerate(checks):
        await _commands(client, slack, text, 1, f"warm-up-{n}")
        answer = json.dumps(slack.responses[f"warm-up-{n}-0"])
        if expected not in answer:
            raise RuntimeError(f"/replica {text} answered {answer[:300]}")
    for user in (BIG, NEW):
        await _homes(session, slack, events, 1, user)
    [home, *_] = [
        c.args
        for c in reversed(slack.calls)
        if c.method == "views.publish" and c.args.get("user_id") == BIG
    ]
    if f"Large {BIG[-4:]} #" not in json.dumps(home):
        raise RuntimeError(f"App Home showed {json.dumps(home)[:300]}")


async def _commands(
    client: Client, slack: SlackStandIn, text: str, samples: int, key: str
) -> tuple[list[float], list[float]]:
    """`/replica text` from BIG, one at a time: the ack's latency, and the answer's.

    Each answer goes to a response_url of its own, `key`-n.
    """
    acks, answers = [], []
    for n in range(samples):
        address = f"{key}-{n}"
        fields = command_fields(text, trigger=slack.trigger(), user=BIG, channel=CHANNELS[0])
        fields["response_url"] = slack.response_url(address)
        arrived = asyncio.create_task(_response(slack, address))
        started = time.monotonic()
        ack, status, body = await client.slack(urlencode(fields))
        if status != 200:
            raise RuntimeError(f"/replica {text} answered {status}: {body[:300]}")
        acks.append(ack)
        answers.append(await arrived - started)
    return acks, answers


async def _response(slack: SlackStandIn, address: str) -> float:
    """When the bot's answer reached this response_url."""
    await slack.wait_until(lambda: bool(slack.responses[address]), within=30)
    return time.monotonic()


async def _homes(
    session: aiohttp.ClientSession, slack: SlackStandIn, events: str, samples: int, user: str
) -> list[float]:
    """`user` opening App Home, one at a time: from the event sent to the views.publish."""
    sender = SlackSender(events, triggers=slack.trigger)
    took = []
    for _ in range(samples):
        body = event_body({"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"})
        before = len(slack.calls)
        started = time.monotonic()
        async with session.post(
            events,
            data=body.encode(),
            headers=sender.headers(body, content_type="application/json"),
        ) as response:
            if response.status != 200:
                raise RuntimeError(f"app_home_opened answered {response.status}")
        took.append(await _published(slack, before, user) - started)
    return took


async def _published(slack: SlackStandIn, before: int, user: str) -> float:
    """When the stand-in took `user`'s next views.publish after call number `before`."""

    def publish() -> list[float]:
        return [
            call.at
            for call in slack.calls[before:]
            if call.method == "views.publish" and call.args.get("user_id") == user
        ]

    await slack.wait_until(lambda: bool(publish()), within=30)
    return publish()[0]


def _ms(values: list[float]) -> str:
    return f"{percentile(values, 50) * 1000:.0f} / {percentile(values, 99) * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--finished", type=int, default=100_000, help="finished jobs")
    parser.add_argument("--training", type=int, default=5_000, help="jobs in training at once")
    parser.add_argument("--samples", type=int, default=200, help="requests of each kind")
    args = parser.parse_args()
    rows = asyncio.run(run_large(args.finished, args.training, args.samples))
    table = [("measure", "result", "target", "measured against"), *rows]
    widths = [max(len(row[column]) for row in table) for column in range(4)]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
