"""The Tavus API at the bot's boundary: TavusClient, its typed results and its one error tree."""

from bot.tavus.client import VOICES_MAX_PAGES, VOICES_PAGE_SIZE, TavusClient
from bot.tavus.errors import (
    TavusError,
    TavusRejected,
    TavusTimeout,
    TavusUnavailable,
    TavusUncertain,
)
from bot.tavus.results import Conversation, CreatedReplica, Outcome, Replica, outcome_of

__all__ = [
    "VOICES_MAX_PAGES",
    "VOICES_PAGE_SIZE",
    "Conversation",
    "CreatedReplica",
    "Outcome",
    "Replica",
    "TavusClient",
    "TavusError",
    "TavusRejected",
    "TavusTimeout",
    "TavusUnavailable",
    "TavusUncertain",
    "outcome_of",
]
