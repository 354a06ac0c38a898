"""What Tavus answers, as frozen values, and the readers that make them from its JSON."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.tavus.errors import TavusUnavailable

# The keys a voice item may carry its slug under, best first (the answer shape is unconfirmed).
_VOICE_KEYS = ("voice_name", "slug", "name", "voice_id")


@dataclass(frozen=True, slots=True)
class CreatedReplica:
    """Tavus's answer to a create request."""

    replica_id: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """A live conversation Tavus opened with a replica: a video room anyone with its link joins."""

    conversation_id: str
    conversation_url: str


@dataclass(frozen=True, slots=True)
class Replica:
    """A replica as Tavus reports it."""

    replica_id: str
    replica_name: str | None
    status: str
    training_progress: str | None = None
    error_message: str | None = None
    thumbnail_video_url: str | None = None
    created_at: datetime | None = None


class Outcome(enum.Enum):
    """What a Tavus status word means for a job."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"


def outcome_of(tavus_status: str) -> Outcome:
    """Map Tavus's status words (the callback says 'ready', GET says 'completed') to an outcome."""
    word = tavus_status.strip().lower()
    if word in {"ready", "completed"}:
        return Outcome.SUCCEEDED
    if word == "error":
        return Outcome.FAILED
    return Outcome.IN_PROGRESS


def replica_of(data: dict[str, Any]) -> Replica:
    """A replica as one item of Tavus's JSON describes it (GET's answer, or a list's item)."""
    return Replica(
        replica_id=replica_id_of(data),
        replica_name=_text(data.get("replica_name") or data.get("face_name")),
        status=str(data.get("status") or ""),
        training_progress=_text(data.get("training_progress")),
        error_message=_text(data.get("error_message")),
        thumbnail_video_url=_text(data.get("thumbnail_video_url")),
        created_at=_moment(data.get("created_at")),
    )


def replica_id_of(data: dict[str, Any]) -> str:
    """The replica id an answer names; TavusUnavailable if it names none."""
    # Tavus is renaming replicas to faces; accept either name.
    value = data.get("replica_id") or data.get("face_id")
    if not isinstance(value, str) or not value:
        raise TavusUnavailable("answer without a replica_id")
    return value


def voice_page(data: object) -> tuple[list[object], int | None]:
    """One page of the voice list: its items, and how many there are in all if Tavus says."""
    # Likely {"data": [...], "total_count": N}; a bare list is accepted too.
    if isinstance(data, list):
        return data, None
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        total = data.get("total_count")
        valid = isinstance(total, int) and not isinstance(total, bool) and total >= 0
        return data["data"], total if valid else None
    raise TavusUnavailable("unreadable voice list")


def voice_slug(item: object) -> str | None:
    """A voice item's slug, lower-cased; None if it names none."""
    # A voice is a slug string or an object naming it; anything else is skipped.
    values = [item.get(key) for key in _VOICE_KEYS] if isinstance(item, dict) else [item]
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return None


def _moment(value: object) -> datetime | None:
    # Tavus writes ISO 8601 with a Z; anything unreadable is simply unknown.
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None
