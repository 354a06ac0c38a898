"""A file the bot keeps for Tavus, as the store records it (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Kept:
    """A file kept for Tavus: whose job, what it is, and when it goes at the latest."""

    key: str
    job_id: str | None
    sha256: str
    size: int
    delete_after: datetime
