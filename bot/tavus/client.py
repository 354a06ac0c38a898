"""TavusClient: the replica and voice endpoints of the Tavus API, each request paced and timed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from bot.retry_after import delay_of
from bot.tavus.errors import (
    TavusTimeout,
    TavusUnavailable,
    TavusUncertain,
    parse_response,
    read_answer,
)
from bot.tavus.results import (
    Conversation,
    CreatedReplica,
    Replica,
    replica_id_of,
    replica_of,
    voice_page,
    voice_slug,
)

# How many voices to ask for per page, and how many pages to read at most: the list is small,
# and a server that ignores `page` must not keep us reading forever.
VOICES_PAGE_SIZE = 100
# A 429 with no readable Retry-After holds requests back this long; none holds them past MOST_PAUSE.
DEFAULT_PAUSE = 1.0
MOST_PAUSE = 60.0
VOICES_MAX_PAGES = 10


class TavusClient:
    """Talks to one Tavus account through an injected httpx.AsyncClient (base URL, timeouts set).

    The account's key is the HTTP client's (one workspace), or `api_key`: then one HTTP client
    serves every workspace's account, each with a TavusClient of its own.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_key: str | None = None,
        deadline: float | None = None,
        max_concurrency: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._http = http
        # What a 429's pause is counted on and waited out with (a test's own, to never sleep).
        self._clock = clock
        self._sleep = sleep
        self._headers = {"x-api-key": api_key} if api_key is not None else None
        # httpx times each phase (connect, read…) on its own; this bounds the whole request.
        self._deadline = deadline
        # At most this many requests open at Tavus at once; the rest wait their turn, in order.
        self._slots = asyncio.Semaphore(max_concurrency)
        # Tavus said 429 with Retry-After: nobody sends before then (on `clock`).
        self._paused_until = 0.0

    @staticmethod
    def build_http(
        *,
        base_url: str,
        api_key: str | None = None,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> httpx.AsyncClient:
        """The long-lived HTTP client this class expects; the caller closes it.

        `transport`: httpx's own unless given (one that counts the requests, for /metrics).
        """
        headers = {"accept": "application/json"}
        if api_key is not None:
            headers["x-api-key"] = api_key
        return httpx.AsyncClient(
            base_url=base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )

    async def check_key(self) -> None:
        """Ask for one replica, to learn whether Tavus takes the key (TavusRejected if not)."""
        await self._request("GET", "/v2/replicas", params={"limit": 1})

    async def create_replica(
        self,
        *,
        replica_name: str,
        model_name: str,
        callback_url: str | None,
        train_video_url: str | None = None,
        train_image_url: str | None = None,
        voice_name: str | None = None,
        consent_video_url: str | None = None,
    ) -> CreatedReplica:
        """Start training a replica. Never retried here: Tavus has no idempotency key."""
        body: dict[str, str] = {"replica_name": replica_name, "model_name": model_name}
        optional = {
            "train_video_url": train_video_url,
            "train_image_url": train_image_url,
            "voice_name": voice_name,
            "consent_video_url": consent_video_url,
            "callback_url": callback_url,
        }
        body.update({key: value for key, value in optional.items() if value})
        data = await self._request("POST", "/v2/replicas", json=body)
        return CreatedReplica(replica_id=replica_id_of(data))

    async def get_replica(self, replica_id: str) -> Replica:
        """The current state of one replica."""
        return replica_of(await self._request("GET", _replica_path(replica_id)))

    async def recent_replicas(self, *, limit: int = 100) -> list[Replica]:
        """The account's own replicas, the first page of Tavus's list (newest first)."""
        data = await self._request(
            "GET", "/v2/replicas", params={"limit": limit, "page": 1, "replica_type": "user"}
        )
        items = data.get("data")
        return [replica_of(item) for item in items if isinstance(item, dict)] if items else []

    async def get_replicas(self, replica_ids: Sequence[str]) -> dict[str, Replica]:
        """Several replicas in one request (the list endpoint's `replica_ids` filter).

        Replicas Tavus leaves out of the answer are left out here too.
        """
        data = await self._request(
            "GET",
            "/v2/replicas",
            params={"replica_ids": ",".join(replica_ids), "limit": len(replica_ids)},
        )
        items = data.get("data")
        found = [replica_of(item) for item in items if isinstance(item, dict)] if items else []
        wanted = set(replica_ids)
        return {replica.replica_id: replica for replica in found if replica.replica_id in wanted}

    async def rename_replica(self, *, replica_id: str, replica_name: str) -> None:
        """Give a replica a new display name. Not retried here: the caller decides."""
        response = await self._send(
            "PATCH", f"{_replica_path(replica_id)}/name", json={"replica_name": replica_name}
        )
        read_answer(response)

    async def delete_replica(self, *, replica_id: str, hard: bool = False) -> None:
        """Delete a replica; `hard` deletes its training footage too, for good. Not retried."""
        params = {"hard": "true"} if hard else None
        read_answer(await self._send("DELETE", _replica_path(replica_id), params=params))

    async def create_conversation(
        self, *, replica_id: str, conversation_name: str | None = None
    ) -> Conversation:
        """Open a conversation with a replica. Not retried: each one costs credits at Tavus."""
        body = {"replica_id": replica_id}
        if conversation_name:
            body["conversation_name"] = conversation_name
        data = await self._request("POST", "/v2/conversations", json=body)
        conversation_id, url = data.get("conversation_id"), data.get("conversation_url")
        if not isinstance(conversation_id, str) or not isinstance(url, str) or not url:
            raise TavusUncertain("Tavus's answer names no conversation")
        return Conversation(conversation_id=conversation_id, conversation_url=url)

    async def list_voices(self) -> tuple[str, ...]:
        """The stock voice slugs for image training, lower-cased, without repeats, in Tavus's order.

        Pages are read from 1 until a short page, `total_count`, a page with nothing new, or
        VOICES_MAX_PAGES. Not retried: the caller caches the list and has a fallback.
        """
        voices: dict[str, None] = {}
        received = 0
        for page in range(1, VOICES_MAX_PAGES + 1):
            response = await self._send(
                "GET", "/v2/voices", params={"limit": VOICES_PAGE_SIZE, "page": page}
            )
            items, total = voice_page(read_answer(response))
            received += len(items)
            known = len(voices)
            voices.update(dict.fromkeys(slug for item in items if (slug := voice_slug(item))))
            if (
                len(items) < VOICES_PAGE_SIZE
                or (total is not None and received >= total)
                # Numbering may start at 0, or `page` may be ignored: a repeat means the end.
                or len(voices) == known
            ):
                break
        return tuple(voices)

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return parse_response(await self._send(method, path, **kwargs))

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # Waiting for a slot, or out a 429's pause, is not Tavus failing to answer: the
        # deadline starts when the request is sent.
        async with self._slots:
            wait = self._paused_until - self._clock()
            if wait > 0:
                await self._sleep(wait)
            response = await self._timed(method, path, **kwargs)
            if response.status_code == 429:
                self._pause(response.headers.get("Retry-After"))
            return response

    def _pause(self, retry_after: str | None) -> None:
        """Hold every request back for as long as Tavus asked (a minute at most)."""
        seconds = delay_of(
            retry_after, default=DEFAULT_PAUSE, most=MOST_PAUSE, now=datetime.now(UTC)
        )
        until = self._clock() + seconds
        self._paused_until = max(self._paused_until, until)

    async def _timed(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            async with asyncio.timeout(self._deadline):
                return await self._http.request(method, path, headers=self._headers, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # Nothing reached Tavus: safe to say it did nothing.
            raise TavusUnavailable(f"no connection: {exc.__class__.__name__}") from exc
        except (httpx.TimeoutException, TimeoutError) as exc:
            raise TavusTimeout("no answer in time") from exc
        except httpx.HTTPError as exc:
            raise TavusUncertain(f"connection lost: {exc.__class__.__name__}") from exc


def _replica_path(replica_id: str) -> str:
    # An id is one path segment: "r1?hard=true" or "../voices" must not reach another endpoint.
    if replica_id in ("", ".", ".."):
        raise ValueError(f"not a replica_id: {replica_id!r}")
    return f"/v2/replicas/{quote(replica_id, safe='')}"
