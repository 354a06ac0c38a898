"""A load generator in its own process, so timing a burst is not slowed by the stand-ins.

Reads {"url": …, "bodies": […]} on stdin, POSTs every body at once (signed as Slack signs),
and writes the latency of each, in seconds, as a JSON list on stdout.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp
from slack_sdk.signature import SignatureVerifier

from tests.slack_client import SIGNING_SECRET


async def burst(url: str, bodies: list[str]) -> list[float]:
    """Send every body at once; the latency of each, or -1 for an answer other than 200."""
    verifier = SignatureVerifier(SIGNING_SECRET)
    timestamp = str(int(time.time()))
    signed = [
        (body.encode(), verifier.generate_signature(timestamp=timestamp, body=body) or "")
        for body in bodies
    ]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def send(body: bytes, signature: str) -> float:
            headers = {
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded",
            }
            started = time.monotonic()
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                return time.monotonic() - started if response.status == 200 else -1.0

        return list(await asyncio.gather(*(send(body, sig) for body, sig in signed)))


def main() -> None:
    request = json.load(sys.stdin)
    print(json.dumps(asyncio.run(burst(request["url"], request["bodies"]))))


if __name__ == "__main__":
    main()
