"""A stand-in for the Slack Web API: records calls, answers like Slack, injects faults."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.standins.server import Fault, StandIn

BOT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"


@dataclass(frozen=True)
class Call:
    """One Web API call as the stand-in received it."""

    method: str
    args: dict[str, Any]


class SlackStandIn(StandIn):
    """Plays slack.com/api/: auth.test, chat.*, views.*, conversations.open."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        # Channels the bot is not a member of: posting there answers not_in_channel.
        self.outside: set[str] = set()
        self._ts = itertools.count(1)
        self.app.router.add_route("*", "/api/{method}", self._handle)

    @property
    def api_url(self) -> str:
        """The base URL to give the bot as SLACK_API_URL."""
        return f"{self.url}/api/"

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next calls to `method` with {"ok": false, "error": error}."""
        self.fail_next(method, Fault(body={"ok": False, "error": error}), times)

    def called(self, method: str) -> list[dict[str, Any]]:
        """The arguments of every call to `method`, in order."""
        return [call.args for call in self.calls if call.method == method]

    def posts(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Every chat.postMessage that Slack accepted, optionally only those in one channel."""
        return [
            args
            for args in self.called("chat.postMessage")
            if args.get("_ok") and (channel is None or args.get("channel") == channel)
        ]

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> None:
        """Wait until `method` has been called at least `count` times."""
        await self.wait_until(lambda: len(self.called(method)) >= count, within)

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            args.update(await request.json())
        elif request.can_read_body:
            args.update(await request.post())
        if request.headers.get("Authorization") != f"Bearer {BOT_TOKEN}":
            answer: web.Response = web.json_response({"ok": False, "error": "invalid_auth"})
            ok = False
        elif (fault := await self.planned(method)) is not None:
            answer, ok = fault, False
        else:
            body = self._answer(method, args)
            answer, ok = web.json_response(body), bool(body["ok"])
            if ok and "ts" in body:
                args["ts"] = body["ts"]
        args["_ok"] = ok
        self.calls.append(Call(method, args))
        await self.notify()
        return answer

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "replica-bot",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": "B0BOT",
            }
        if method == "chat.postMessage":
            channel = args.get("channel", "")
            if channel in self.outside:
                return {"ok": False, "error": "not_in_channel"}
            if not args.get("text") and not args.get("blocks"):
                return {"ok": False, "error": "no_text"}
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args["text"]}}
        if method in {"views.open", "views.update"}:
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            if not isinstance(view, dict) or "title" not in view:
                return {"ok": False, "error": "invalid_arguments"}
            return {"ok": True, "view": {**view, "id": args.get("view_id") or "V0VIEW"}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": f"D{args.get('users', '')}"}}
        return {"ok": False, "error": "unknown_method"}
