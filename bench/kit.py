"""What the benchmark's scenarios share: signed requests, waiting, and reading the stand-ins."""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text

from bot.slack.blocks import form, kit
from bot.store import Store
from tests.slack_client import (
    SIGNING_SECRET,
    action_payload,
    command_fields,
    filled,
    submission,
)
from tests.standins.slack import SlackStandIn
from tests.standins.tavus import TavusStandIn

Row = tuple[str, str, str, str]  # measure, result, target, what it is measured against
FORM = {form.NAME: "Bench", form.CONSENT: True, form.USE: "sales demo videos"}
OWED = text("SELECT count(*) FROM notices WHERE status = 'pending'")
READY = "Ready"


class Client:
    """Sends signed Slack requests to the bot over one connection pool, timing each."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        self._session = session
        self._url = url
        self._verifier = SignatureVerifier(SIGNING_SECRET)

    async def slack(self, body: str) -> tuple[float, int, str]:
        timestamp = str(int(time.time()))
        signature = self._verifier.generate_signature(timestamp=timestamp, body=body)
        headers = {
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature or "",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        started = time.monotonic()
        async with self._session.post(
            f"{self._url}/slack/events", data=body.encode(), headers=headers
        ) as response:
            text = await response.text()
        return time.monotonic() - started, response.status, text

    async def callback(self, url: str, body: dict[str, Any]) -> int:
        async with self._session.post(url, json=body) as response:
            await response.read()
            return response.status


async def wait_until(check: Callable[[], bool], within: float = 120.0) -> float:
    """Seconds until check() holds (polled every 5 ms)."""
    started = time.monotonic()
    async with asyncio.timeout(within):
        while not check():
            await asyncio.sleep(0.005)
    return time.monotonic() - started


def in_channels(slack: SlackStandIn) -> list[dict[str, Any]]:
    """The posts in channels (the cards and their threads), not the DMs asking for consent."""
    return [post for post in slack.posts() if post["channel"].startswith("C")]


def consent_requests(slack: SlackStandIn) -> dict[str, str]:
    """Job -> the person asked, for each consent request that reached them, in order."""
    found = {}
    for post in slack.posts():
        for block in post.get("blocks") or []:
            for element in block.get("elements") or []:
                if element.get("action_id") == kit.CONSENT_GIVE_ACTION:
                    # The stand-in names a user's DM "D" + their id.
                    found[str(element["value"])] = post["channel"].removeprefix("D")
    return found


def consented(slack: SlackStandIn, job_id: str, person: str) -> dict[str, Any]:
    """The person shown clicking "I consent" in their DM."""
    return action_payload(
        kit.CONSENT_GIVE_ACTION,
        job_id,
        user=person,
        trigger=slack.trigger(),
        response_url=slack.response_url(f"consent-{job_id}"),
    )


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def burst(url: str, bodies: list[str]) -> list[float]:
    """Send the bodies at once from a separate process (bench.load); their latencies."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate(json.dumps({"url": url, "bodies": bodies}).encode())
    latencies = json.loads(out)
    assert all(latency >= 0 for latency in latencies), "some requests were not answered 200"
    return [float(latency) for latency in latencies]


async def nothing_owed(store: Store, within: float = 300.0) -> None:
    """Wait until the bot owes Slack nothing: every notice sent (or given up)."""
    async with asyncio.timeout(within):
        while True:
            async with store.db.reading() as connection:
                pending = (await connection.execute(OWED)).scalar_one()
            if pending == 0:
                return
            await asyncio.sleep(0.05)


def all_cards_show(slack: SlackStandIn, word: str) -> bool:
    """Whether every card in a channel (a message with no thread of its own) shows `word`."""
    cards = [
        message
        for channel, messages in slack.messages.items()
        if channel.startswith("C")
        for message in messages
        if "thread_ts" not in message
    ]
    return bool(cards) and all(word in json.dumps(card.get("blocks")) for card in cards)


async def create_jobs(
    clients: list[Client],
    slack: SlackStandIn,
    tavus: TavusStandIn,
    *,
    channel: str,
    count: int,
    video: str,
) -> None:
    """`count` replicas asked for in `channel` and consented to, each through the next client."""
    announced_before = len(in_channels(slack))
    asked_before = set(consent_requests(slack))
    created_before = len(tavus.creates)
    opened_before = len(slack.called("views.open"))
    modals_before = len(slack.modals)
    turn = itertools.cycle(clients)
    await asyncio.gather(
        *(
            next(turn).slack(urlencode(command_fields(trigger=slack.trigger(), channel=channel)))
            for n in range(count)
        )
    )
    await wait_until(lambda: len(slack.called("views.open")) >= opened_before + count)
    # "One moment…" opens at once; the form replaces it (views.update) in each modal.
    modals = slack.modals[modals_before:]
    await wait_until(lambda: all(len(slack.versions[m]) > 1 for m in modals))
    views = [{**slack.versions[m][-1], "id": m} for m in modals]
    values = {**FORM, form.VIDEO: video}
    await asyncio.gather(
        *(
            next(turn).slack(
                urlencode(
                    {
                        "payload": json.dumps(
                            submission(filled(v, **values), trigger=slack.trigger())
                        )
                    }
                )
            )
            for v in views
        )
    )
    await wait_until(lambda: len(in_channels(slack)) >= announced_before + count)
    await wait_until(lambda: len(consent_requests(slack)) >= len(asked_before) + count)
    fresh = {j: p for j, p in consent_requests(slack).items() if j not in asked_before}
    await asyncio.gather(
        *(
            next(turn).slack(urlencode({"payload": json.dumps(consented(slack, j, p))}))
            for j, p in fresh.items()
        )
    )
    await wait_until(lambda: len(tavus.creates) >= created_before + count)
