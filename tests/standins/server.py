"""What both stand-ins share: serving an aiohttp app on a loopback port, and planned faults."""

from __future__ import annotations

import asyncio
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Fault:
    """One planned misbehaviour for the next request to a route."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    # Do the work, then hold the answer back this long: the client may give up on a success.
    late_answer: float = 0.0
    # Do the work, then answer with this fault's status and body all the same: a 500 or 503
    # from a server that had done what was asked (Slack's load balancer after the post).
    after_work: bool = False

    def response(self) -> web.Response:
        """The fault as an HTTP answer."""
        if isinstance(self.body, (dict, list)):
            return web.json_response(self.body, status=self.status, headers=self.headers)
        return web.Response(text=self.body or "", status=self.status, headers=self.headers)

    @property
    def does_work(self) -> bool:
        """Whether the request is carried out before this fault answers (late or failed)."""
        return bool(self.late_answer) or self.after_work


class StandIn:
    """A local HTTP server with a queue of faults per route and a condition to wait on."""

    def __init__(self) -> None:
        self.app = web.Application()
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.url = ""
        # While True every request gets a 503, as in an outage.
        self.down = False
        # The routes of requests whose client hung up while a planned delay held them.
        self.abandoned: list[str] = []

    async def start(self) -> str:
        """Serve on a free loopback port; returns the base URL."""
        self._runner = web.AppRunner(self.app, shutdown_timeout=0.1)
        await self._runner.setup()
        # As a real host's: a burst of 200 connections at once is not dropped past aiohttp's 128.
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()

    def fail_next(self, route: str, fault: Fault, times: int = 1) -> None:
        """Answer the next `times` requests to `route` with `fault` instead of normally."""
        self._faults[route].extend([fault] * times)

    async def planned(self, route: str, request: web.Request | None = None) -> web.Response | None:
        """The fault planned for this request, applied (delay included), if any."""
        if self.down:
            return web.json_response({"ok": False, "error": "outage"}, status=503)
        queue = self._faults[route]
        if not queue or queue[0].does_work:
            return None
        fault = queue.popleft()
        if fault.delay:
            await self._hold(route, request, fault.delay)
        if fault.body is None and fault.status == 200:
            return None  # a pure delay: answer normally afterwards
        return fault.response()

    async def _hold(self, route: str, request: web.Request | None, seconds: float) -> None:
        """Wait `seconds` before answering, as a slow server does (carrying on whatever the
        client does), noting in `abandoned` a client that hangs up meanwhile."""
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        noted = False
        while (left := until - loop.time()) > 0:
            await asyncio.sleep(min(left, 0.02))
            if not noted and request is not None and request.transport is None:
                noted = True
                self.abandoned.append(route)
                await self.notify()

    def clear_faults(self) -> None:
        """Forget every planned fault."""
        self._faults.clear()

    def take_late_answer(self, route: str) -> float:
        """How long to hold back this request's (successful) answer, if a fault says so."""
        queue = self._faults[route]
        return queue.popleft().late_answer if queue and queue[0].late_answer else 0.0

    def take_after_work(self, route: str) -> web.Response | None:
        """The failure to answer a request already carried out with, if a fault says so."""
        queue = self._faults[route]
        return queue.popleft().response() if queue and queue[0].after_work else None

    async def notify(self) -> None:
        """Wake whoever waits for a recorded call."""
        async with self._changed:
            self._changed.notify_all()

    async def wait_until(self, predicate: Any, within: float = 10.0) -> None:
        """Wait until predicate() is true, re-checking after each recorded call."""
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)
