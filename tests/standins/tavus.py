"""A stand-in for the Tavus API's replica endpoints, and Tavus's side of the training callback."""

from __future__ import annotations

import itertools
from typing import Any

import aiohttp
from aiohttp import web

from tests.standins.server import StandIn

API_KEY = "tavus-test-key"


class TavusStandIn(StandIn):
    """Plays tavusapi.com: create and get replicas, and can call the bot back like Tavus does."""

    def __init__(self) -> None:
        super().__init__()
        self.creates: list[dict[str, Any]] = []
        self.gets: list[str] = []
        self.replicas: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self.app.router.add_post("/v2/replicas", self._create)
        self.app.router.add_get("/v2/replicas/{replica_id}", self._get)

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.creates.append(body)
        await self.notify()
        if request.headers.get("x-api-key") != API_KEY:
            return web.json_response({"message": "Invalid access token"}, status=401)
        if (fault := await self.planned("create")) is not None:
            return fault
        if bool(body.get("train_video_url")) == bool(body.get("train_image_url")):
            return web.json_response(
                {"error": "Provide exactly one of train_video_url and train_image_url"}, status=400
            )
        if body.get("train_image_url") and not body.get("voice_name"):
            return web.json_response({"error": "voice_name is required"}, status=400)
        replica_id = f"r{next(self._ids):09x}"
        self.replicas[replica_id] = {
            "replica_id": replica_id,
            "replica_name": body.get("replica_name"),
            "model_name": body.get("model_name", "phoenix-4"),
            "status": "started",
            "training_progress": "0/100",
            "error_message": None,
            "thumbnail_video_url": None,
            "callback_url": body.get("callback_url"),
        }
        return web.json_response({"replica_id": replica_id, "status": "started"})

    async def _get(self, request: web.Request) -> web.Response:
        replica_id = request.match_info["replica_id"]
        self.gets.append(replica_id)
        await self.notify()
        if (fault := await self.planned("get")) is not None:
            return fault
        replica = self.replicas.get(replica_id)
        if replica is None:
            return web.json_response({"error": "Invalid replica_id"}, status=400)
        return web.json_response({k: v for k, v in replica.items() if k != "callback_url"})

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
