"""The Tavus callback route: unsigned, so each URL carries its job's secret; bodies are hints."""

from __future__ import annotations

import json

from aiohttp import web

from bot.service import ReplicaService, Verdict
from bot.store import StoreUnavailable

SERVICE = web.AppKey("replica_service", ReplicaService)
PATH = "/tavus/callback/{job_id}/{secret}"
# Tavus's callback is a few short fields; anything much bigger is not from Tavus.
MAX_BODY = 16 * 1024

STATUS = {
    Verdict.SETTLED: 200,
    Verdict.NOTED: 200,
    Verdict.DEFERRED: 202,
    Verdict.FORBIDDEN: 403,
    Verdict.MISMATCH: 409,
}


async def take_callback(request: web.Request) -> web.Response:
    """Answer one callback delivery: 2xx once it is taken, 4xx (and nothing posted) otherwise."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _answer(413, "body too large")
    body = bytearray()
    async for chunk in request.content.iter_chunked(4096):
        body += chunk
        if len(body) > MAX_BODY:
            return _answer(413, "body too large")
    try:
        payload = json.loads(body)
    except ValueError:
        return _answer(400, "body is not JSON")
    if not isinstance(payload, dict):
        return _answer(400, "body is not a JSON object")
    try:
        verdict = await request.app[SERVICE].take_callback(
            request.match_info["job_id"], request.match_info["secret"], payload
        )
    except StoreUnavailable:
        # Nothing was decided: a redelivery, or the reconciler later, will settle the job.
        return _answer(503, "database unavailable")
    return _answer(STATUS[verdict], verdict.value)


def _answer(status: int, word: str) -> web.Response:
    return web.json_response({"result": word}, status=status)


def add_routes(app: web.Application, service: ReplicaService) -> None:
    """Serve the callback route on an application."""
    app[SERVICE] = service
    app.router.add_post(PATH, take_callback)
