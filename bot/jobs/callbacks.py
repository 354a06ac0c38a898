"""Tavus callbacks: unsigned, so each URL carries its job's secret, and a body is only a hint.

A callback is checked against its job's secret and then against Tavus itself (a GET, batched
with the other callbacks of the same moment), and settles the job at most once.
"""

from __future__ import annotations

import enum
import json
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from aiohttp import web

from bot import signing
from bot.jobs import Job, JobStatus
from bot.jobs.lifecycle import Lifecycle
from bot.jobs.lookups import Lookups
from bot.jobs.replicas import delete_withdrawn
from bot.ops.logs import log_context
from bot.ops.metrics_http import METRICS
from bot.store import Store, StoreUnavailable
from bot.tavus import TavusClient, TavusError, TavusRejected
from bot.workspaces.accounts import Accounts, Gone

log = logging.getLogger(__name__)

PATH = "/tavus/callback/{job_id}/{secret}"
# Tavus's callback is a few short fields; anything much bigger is not from Tavus.
MAX_BODY = 16 * 1024
# When a callback cannot be checked against Tavus, the reconciler looks again this soon.
RECHECK_SOON = timedelta(seconds=30)


class Verdict(enum.Enum):
    """What became of a callback delivery; the route turns it into an HTTP status."""

    SETTLED = "settled"  # it decided the job's outcome; the result is owed to Slack
    NOTED = "noted"  # valid, nothing new to say: still training, or already decided
    DEFERRED = "deferred"  # valid, but Tavus could not confirm it now; polling will
    FORBIDDEN = "forbidden"  # unknown job or wrong secret
    MISMATCH = "mismatch"  # the secret is right but the body names a replica not this job's


STATUS = {
    Verdict.SETTLED: 200,
    Verdict.NOTED: 200,
    Verdict.DEFERRED: 202,
    Verdict.FORBIDDEN: 403,
    Verdict.MISMATCH: 409,
}


class Callbacks:
    """Takes Tavus's callbacks: checks each against its job and Tavus, then settles the job."""

    def __init__(self, *, store: Store, accounts: Accounts, lifecycle: Lifecycle) -> None:
        self._store = store
        self._lifecycle = lifecycle
        self._accounts = accounts
        self._lookups = Lookups()

    async def take(self, job_id: str, secret: str, body: Mapping[str, Any]) -> Verdict:
        """Check a Tavus callback against its job and Tavus itself; settle the job at most once."""
        job = await self._store.jobs.get(job_id)
        if job is None or not signing.matches(secret, job.callback_digest):
            return Verdict.FORBIDDEN
        replica_id = body.get("replica_id") or body.get("face_id")
        if not isinstance(replica_id, str) or job.replica_id not in (None, replica_id):
            return Verdict.MISMATCH
        looked_for = job.status is JobStatus.WITHDRAWN and job.replica_id is None
        if job.status.is_final and not looked_for:
            return Verdict.NOTED
        try:
            # Asked of the account that made the job: no other can see its replica.
            tavus = await self._accounts.tavus_for(job)
        except Gone as gone:
            log.info("job %s: callback not checked: %s", job.id, gone)
            return Verdict.NOTED
        if looked_for:
            return await self._withdrawn(job, tavus, replica_id)
        # The callback is only a hint: what Tavus answers to a GET is the truth.
        try:
            replica = await self._lookups.get(tavus, replica_id)
        except TavusRejected as error:
            if error.no_such_replica:
                return Verdict.MISMATCH  # no such replica: not this job's, whatever the secret
            log.error("job %s: Tavus refused to confirm a callback: %s", job.id, error)
            await self._store.jobs.check_soon(job.id, at=self._store.now() + RECHECK_SOON)
            return Verdict.DEFERRED
        except TavusError as error:
            log.info("job %s: callback not confirmed (%s); polling will", job.id, error)
            if job.status.is_training:
                await self._store.jobs.check_soon(job.id, at=self._store.now() + RECHECK_SOON)
            return Verdict.DEFERRED
        if job.replica_id is None:
            adopted = await self._lifecycle.adopt(job, replica)
            if adopted is None:
                return Verdict.MISMATCH
            job = adopted
        reported = body.get("error_message")
        settled = await self._lifecycle.settle(
            job, replica, fallback_error=str(reported) if reported else None
        )
        return Verdict.SETTLED if settled else Verdict.NOTED

    async def _withdrawn(self, job: Job, tavus: TavusClient, replica_id: str) -> Verdict:
        """A replica made although consent was withdrawn meanwhile: confirmed, then deleted."""
        try:
            replica = await self._lookups.get(tavus, replica_id)
            if replica.replica_name != job.request.replica_name:
                return Verdict.MISMATCH
            await delete_withdrawn(self._store, tavus, job, replica_id)
        except TavusRejected as error:
            if error.no_such_replica:
                return Verdict.NOTED  # not there (any more): nothing to delete
            log.error("job %s: Tavus refused a withdrawn replica's delete: %s", job.id, error)
            return Verdict.DEFERRED
        except TavusError as error:
            # The reconciler is still looking for it, and deletes it when it finds it.
            log.info("job %s: withdrawn replica not deleted yet (%s)", job.id, error)
            return Verdict.DEFERRED
        return Verdict.NOTED


CALLBACKS = web.AppKey("callbacks", Callbacks)


async def take_callback(request: web.Request) -> web.Response:
    """Answer one callback delivery: 2xx once it is taken, 4xx (and nothing posted) otherwise."""
    verdict, response = await _take(request)
    request.app[METRICS].callback(verdict)
    return response


async def _take(request: web.Request) -> tuple[str, web.Response]:
    """The callback's verdict (or why it got none: malformed, unavailable) and its answer."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return "malformed", _answer(413, "body too large")
    body = bytearray()
    async for chunk in request.content.iter_chunked(4096):
        body += chunk
        if len(body) > MAX_BODY:
            return "malformed", _answer(413, "body too large")
    try:
        payload = json.loads(body)
    except ValueError:
        return "malformed", _answer(400, "body is not JSON")
    if not isinstance(payload, dict):
        return "malformed", _answer(400, "body is not a JSON object")
    job_id = request.match_info["job_id"]
    with log_context(job_id=job_id):
        try:
            verdict = await request.app[CALLBACKS].take(
                job_id, request.match_info["secret"], payload
            )
        except StoreUnavailable:
            # Nothing was decided: a redelivery, or the reconciler later, will settle the job.
            return "unavailable", _answer(503, "database unavailable")
    return verdict.value, _answer(STATUS[verdict], verdict.value)


def _answer(status: int, word: str) -> web.Response:
    return web.json_response({"result": word}, status=status)


def add_routes(app: web.Application, callbacks: Callbacks) -> None:
    """Serve the callback route on an application."""
    app[CALLBACKS] = callbacks
    app.router.add_post(PATH, take_callback)
