"""A training job, from request to result: its models and moves here, its services beside them."""

from bot.jobs.model import (
    NO_CHANGES,
    UNSET,
    CallbackSecret,
    Job,
    JobChanges,
    Notice,
    ReplicaRequest,
    Requester,
    Sight,
    Viewer,
    new_id,
    without_credentials,
)
from bot.jobs.move import Move
from bot.jobs.moves import MOVES
from bot.jobs.states import JobStatus, NoticeKind, NoticeStatus

__all__ = [
    "MOVES",
    "NO_CHANGES",
    "UNSET",
    "CallbackSecret",
    "Job",
    "JobChanges",
    "JobStatus",
    "Move",
    "Notice",
    "NoticeKind",
    "NoticeStatus",
    "ReplicaRequest",
    "Requester",
    "Sight",
    "Viewer",
    "new_id",
    "without_credentials",
]
