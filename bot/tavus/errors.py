"""Tavus's one error tree, and the one function that maps its answers onto it."""

from __future__ import annotations

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

    @property
    def no_such_replica(self) -> bool:
        """Whether Tavus is saying it knows no such replica (400 "Invalid replica_id", or 404)."""
        return self.status in (400, 404)


class TavusUnavailable(TavusError):
    """Tavus could not answer properly (5xx, 429, a broken or unreadable reply, no connection)."""


class TavusUncertain(TavusUnavailable):
    """Tavus got the request but its answer was lost or broken: it may have taken effect."""


class TavusTimeout(TavusUncertain):
    """Tavus gave no answer in time: the request may or may not have taken effect."""


def parse_response(response: httpx.Response) -> dict[str, Any]:
    """Turn a Tavus HTTP answer into its JSON object, or the matching TavusError."""
    data = read_answer(response)
    if not isinstance(data, dict):
        raise TavusUnavailable(f"unreadable answer, HTTP {response.status_code}")
    return data


def read_answer(response: httpx.Response) -> object:
    """The decoded JSON of a 2xx answer (None if empty or not JSON), or the matching TavusError."""
    try:
        data = response.json()
    except ValueError:
        data = None
    status = response.status_code
    if 200 <= status < 300:
        return data
    message = _error_message(data) or response.reason_phrase or "no reason given"
    if status == 429:
        raise TavusUnavailable(f"HTTP {status}: {message}")
    if status >= 500:
        raise TavusUncertain(f"HTTP {status}: {message}")
    raise TavusRejected(status, message)


def _error_message(data: object) -> str | None:
    # 400 bodies say {"error"}, 401 bodies say {"message"}; others are undocumented.
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str) and data[key].strip():
                return str(data[key]).strip()
    return None
