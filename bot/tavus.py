"""TavusClient: the replica endpoints of the Tavus API, typed results, one error tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx


class TavusError(Exception):
    """Anything that went wrong talking to Tavus."""


class TavusRejected(TavusError):
    """Tavus answered and refused the request (4xx); repeating it will not help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"Tavus refused the request ({status}): {message}")
        self.status = status
        self.message = message


class TavusUnavailable(TavusError):
    """Tavus could not answer properly (5xx, 429, a broken or unreadable reply, no connection)."""


class TavusTimeout(TavusUnavailable):
    """Tavus gave no answer in time: the request may or may not have taken effect."""


@dataclass(frozen=True, slots=True)
class CreatedReplica:
    """Tavus's answer to a create request."""

    replica_id: str
    status: str


@dataclass(frozen=True, slots=True)
class Replica:
    """A replica as Tavus reports it."""

    replica_id: str
    replica_name: str | None
    status: str
    training_progress: str | None = None
    error_message: str | None = None
    model_name: str | None = None
    thumbnail_video_url: str | None = None


class TavusClient:
    """Talks to Tavus through one injected httpx.AsyncClient (base URL, key and timeouts set)."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    @staticmethod
    def build_http(*, base_url: str, api_key: str, timeout: float) -> httpx.AsyncClient:
        """The long-lived HTTP client this class expects; the caller closes it."""
        return httpx.AsyncClient(
            base_url=base_url,
            headers={"x-api-key": api_key, "accept": "application/json"},
            timeout=httpx.Timeout(timeout),
        )

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
        return CreatedReplica(
            replica_id=_replica_id(data), status=str(data.get("status") or "started")
        )

    async def get_replica(self, replica_id: str) -> Replica:
        """The current state of one replica."""
        data = await self._request("GET", f"/v2/replicas/{replica_id}")
        return Replica(
            replica_id=_replica_id(data),
            replica_name=_text(data.get("replica_name") or data.get("face_name")),
            status=str(data.get("status") or ""),
            training_progress=_text(data.get("training_progress")),
            error_message=_text(data.get("error_message")),
            model_name=_text(data.get("model_name")),
            thumbnail_video_url=_text(data.get("thumbnail_video_url")),
        )

    async def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise TavusTimeout("no answer in time") from exc
        except httpx.HTTPError as exc:
            raise TavusUnavailable(f"no connection: {exc.__class__.__name__}") from exc
        return parse_response(response)


def parse_response(response: httpx.Response) -> dict[str, Any]:
    """Turn a Tavus HTTP answer into its JSON object, or the matching TavusError."""
    try:
        data = response.json()
    except ValueError:
        data = None
    status = response.status_code
    if 200 <= status < 300:
        if not isinstance(data, dict):
            raise TavusUnavailable(f"unreadable answer, HTTP {status}")
        return data
    message = _error_message(data) or response.reason_phrase or "no reason given"
    if status == 429 or status >= 500:
        raise TavusUnavailable(f"HTTP {status}: {message}")
    raise TavusRejected(status, message)


def _error_message(data: object) -> str | None:
    # 400 bodies say {"error"}, 401 bodies say {"message"}; others are undocumented.
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str) and data[key].strip():
                return str(data[key]).strip()
    return None


def _replica_id(data: dict[str, Any]) -> str:
    # Tavus is renaming replicas to faces; accept either name.
    value = data.get("replica_id") or data.get("face_id")
    if not isinstance(value, str) or not value:
        raise TavusUnavailable("answer without a replica_id")
    return value


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
