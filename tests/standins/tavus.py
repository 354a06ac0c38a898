"""A stand-in for the Tavus API's replica and voice endpoints, and Tavus's training callback."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

from tests.standins.server import StandIn

API_KEY = "tavus-test-key"
# The stock voices Tavus documents for image training.
VOICES = ("anna", "benjamin", "james", "liam", "julia", "ivy", "sophia")


class TavusStandIn(StandIn):
    """Plays tavusapi.com: replicas, stock voices, and calling the bot back like Tavus does."""

    def __init__(self) -> None:
        super().__init__()
        self.creates: list[dict[str, Any]] = []
        self.gets: list[str] = []
        # The replica ids each list request asked for.
        self.lists: list[list[str]] = []
        # The query of each voice list request, e.g. {"limit": "100", "page": "1"}.
        self.voice_requests: list[dict[str, str]] = []
        # (replica_id, replica_name as sent) for each rename request.
        self.renames: list[tuple[str, Any]] = []
        self.deletes: list[str] = []
        # The deletes that asked for the training footage to go too (?hard=true).
        self.hard_deletes: list[str] = []
        self.replicas: dict[str, dict[str, Any]] = {}
        # The stock voice slugs served by GET /v2/voices, in order.
        self.voices: list[str] = list(VOICES)
        self._ids = itertools.count(1)
        # How many requests were open at once, now and at most.
        self.open_now = 0
        self.most_open = 0
        # When each request arrived (time.monotonic()), with its method and path.
        self.arrivals: list[tuple[float, str, str]] = []
        # The API keys Tavus knows, each an account of its own: a replica is seen (got, listed,
        # renamed, deleted) only with the key it was created with.
        self.keys: set[str] = {API_KEY}
        self.owners: dict[str, str] = {}
        # The key each request carried, with its method and path.
        self.keys_used: list[tuple[str, str, str | None]] = []
        self.app.middlewares.append(self._count)
        self.app.router.add_post("/v2/replicas", self._create)
        self.app.router.add_get("/v2/replicas/{replica_id}", self._get)
        self.app.router.add_get("/v2/replicas", self._list)
        self.app.router.add_patch("/v2/replicas/{replica_id}/name", self._rename)
        self.app.router.add_delete("/v2/replicas/{replica_id}", self._delete)
        self.app.router.add_get("/v2/voices", self._voices)
        self.app.router.add_post("/v2/conversations", self._converse)
        # The body of each conversation asked for, and the rooms opened.
        self.conversation_requests: list[dict[str, Any]] = []
        self.conversations: list[dict[str, Any]] = []

    @web.middleware
    async def _count(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.arrivals.append((time.monotonic(), request.method, request.path))
        self.keys_used.append((request.method, request.path, request.headers.get("x-api-key")))
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        try:
            response: web.StreamResponse = await handler(request)
            return response
        finally:
            self.open_now -= 1

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.creates.append(body)
        await self.notify()
        if (refused := self._refused(request)) is not None:
            return refused
        if (fault := await self.planned("create", request)) is not None:
            return fault
        if bool(body.get("train_video_url")) == bool(body.get("train_image_url")):
            return web.json_response(
                {"error": "Provide exactly one of train_video_url and train_image_url"}, status=400
            )
        if body.get("train_image_url") and not body.get("voice_name"):
            return web.json_response({"error": "voice_name is required"}, status=400)
        replica_id = f"r{next(self._ids):09x}"
        self.owners[replica_id] = str(request.headers["x-api-key"])
        self.replicas[replica_id] = {
            "replica_id": replica_id,
            "replica_name": body.get("replica_name"),
            "model_name": body.get("model_name", "phoenix-4"),
            "status": "started",
            "training_progress": "0/100",
            "error_message": None,
            "thumbnail_video_url": None,
            "callback_url": body.get("callback_url"),
            "created_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        }
        await self.notify()
        return web.json_response({"replica_id": replica_id, "status": "started"})

    async def _list(self, request: web.Request) -> web.Response:
        wanted = [i for i in request.query.get("replica_ids", "").split(",") if i]
        self.gets.extend(wanted)
        self.lists.append(wanted)
        await self.notify()
        if (refused := self._refused(request)) is not None:
            return refused
        if (fault := await self.planned("get", request)) is not None:
            return fault
        chosen = wanted or list(reversed(self.replicas))  # the whole list: newest first
        found = [
            {k: v for k, v in self.replicas[i].items() if k != "callback_url"}
            for i in chosen
            if self._sees(request, i)
        ]
        if limit := request.query.get("limit"):
            found = found[: int(limit)]
        return web.json_response({"data": found, "total_count": len(found)})

    async def _get(self, request: web.Request) -> web.Response:
        replica_id = request.match_info["replica_id"]
        self.gets.append(replica_id)
        await self.notify()
        if (refused := self._refused(request)) is not None:
            return refused
        if (fault := await self.planned("get", request)) is not None:
            return fault
        replica = self.replicas.get(replica_id)
        if replica is None or not self._sees(request, replica_id):
            return web.json_response({"error": "Invalid replica_id"}, status=400)
        return web.json_response({k: v for k, v in replica.items() if k != "callback_url"})

    async def _rename(self, request: web.Request) -> web.Response:
        replica_id = request.match_info["replica_id"]
        try:
            body = await request.json()
        except ValueError:
            body = None
        name = body.get("replica_name") if isinstance(body, dict) else None
        self.renames.append((replica_id, name))
        await self.notify()
        if (refused := self._refused(request)) is not None:
            return refused
        if (fault := await self.planned("rename", request)) is not None:
            return fault
        replica = self.replicas.get(replica_id)
        if replica is None or not self._sees(request, replica_id):
            return web.json_response({"error": "Invalid replica_id"}, status=400)
        if not isinstance(name, str) or not name.strip():
            return web.json_response({"error": "replica_name is required"}, status=400)
        replica["replica_name"] = name
        return web.json_response({"replica_id": replica_id, "replica_name": name})

    async def _delete(self, request: web.Request) -> web.Response:
        replica_id = request.match_info["replica_id"]
        self.deletes.append(replica_id)
        if request.query.get("hard") == "true":
            self.hard_deletes.append(replica_id)
        await self.notify()
        if (refused := self._refused(request)) is not None:
            return refused
        if (fault := await self.planned("delete", request)) is not None:
            return fault
        if not self._sees(request, replica_id) or self.replicas.pop(replica_id, None) is None:
            return web.json_response({"error": "Invalid replica_id"}, status=400)
        # Tavus answers a delete with an empty body.
        return web.Response(status=200)

    async def _voices(self, request: web.Request) -> web.Response:
        self.voice_requests.append(dict(request.query))
        await self.notify()
        if (refused := self._refused(request)) is not None:
            return refused
        if (fault := await self.planned("voices", request)) is not None:
            return fault
        try:
            limit = int(request.query.get("limit", "100"))
            page = int(request.query.get("page", "1"))
        except ValueError:
            return web.json_response({"error": "limit and page must be numbers"}, status=400)
        if limit < 1 or page < 1:
            return web.json_response({"error": "limit and page start at 1"}, status=400)
        start = (page - 1) * limit
        data = [
            {"voice_name": voice, "voice_id": f"v{index:06d}"}
            for index, voice in enumerate(self.voices[start : start + limit], start=start + 1)
        ]
        return web.json_response({"data": data, "total_count": len(self.voices)})

    async def _converse(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.conversation_requests.append(body)
        await self.notify()
        if (refused := self._refused(request)) is not None:
            return refused
        if (fault := await self.planned("converse", request)) is not None:
            return fault
        replica_id = str(body.get("replica_id", ""))
        if not self._sees(request, replica_id):
            return web.json_response({"message": "Invalid replica_uuid"}, status=400)
        if self.replicas[replica_id]["status"] != "completed":
            return web.json_response({"message": "Replica is not ready"}, status=400)
        conversation_id = f"c{next(self._ids):09x}"
        opened = {
            "conversation_id": conversation_id,
            "conversation_name": body.get("conversation_name"),
            "conversation_url": f"https://tavus.daily.co/{conversation_id}",
            "status": "active",
            "replica_id": replica_id,
        }
        self.conversations.append(opened)
        return web.json_response(opened)

    def _refused(self, request: web.Request) -> web.Response | None:
        if request.headers.get("x-api-key") in self.keys:
            return None
        return web.json_response({"message": "Invalid access token"}, status=401)

    def _sees(self, request: web.Request, replica_id: str) -> bool:
        # A replica made here by hand (no owner) belongs to the tests' default account.
        owner = self.owners.get(replica_id, API_KEY)
        return replica_id in self.replicas and request.headers.get("x-api-key") == owner

    def finish(self, replica_id: str, error_message: str | None = None) -> dict[str, Any]:
        """End a training: completed, or error with Tavus's message. Returns the callback body."""
        replica = self.replicas[replica_id]
        if error_message is None:
            replica.update(status="completed", training_progress="100/100")
            return {"replica_id": replica_id, "status": "ready"}
        replica.update(status="error", error_message=error_message)
        return {"replica_id": replica_id, "status": "error", "error_message": error_message}

    async def call_back(
        self, replica_id: str, body: Any = None, *, url: str | None = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        """POST to the callback URL the bot gave for this replica, as Tavus does (no signature)."""
        target = url or self.replicas[replica_id]["callback_url"]
        async with aiohttp.ClientSession() as session:
            if raw is not None:
                response = await session.post(target, data=raw)
            else:
                response = await session.post(target, json=body)
            async with response:
                return response.status, await response.text()
