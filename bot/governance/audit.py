"""The record: what was done to whose replica, by whom and when; appended to, never changed."""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Who acted, when it was not a person: Tavus reporting, or the bot deciding by itself.
TAVUS = "tavus"
BOT = "bot"


class Action(enum.StrEnum):
    """What a record says happened."""

    REQUESTED = "requested"  # a valid form was saved
    CONSENT_GIVEN = "consent_given"  # the person shown said yes, in Slack
    CONSENT_DECLINED = "consent_declined"  # the person shown said no
    CONSENT_EXPIRED = "consent_expired"  # the person shown did not answer in time
    CONSENT_WITHDRAWN = "consent_withdrawn"  # the person shown took their consent back
    # The face match ended: what it found, in numbers (never an image), and where the job went.
    FACE_COMPARED = "face_compared"
    # An admin let a job held by the face match go on, with the reason they gave.
    RELEASED = "released"
    APPROVED = "approved"  # an approver approved the request
    REJECTED = "rejected"  # an approver rejected the request
    CREATED = "created"  # Tavus took the create request: the replica exists at Tavus
    READY = "ready"  # Tavus finished training
    FAILED = "failed"  # Tavus reported a training error
    RENAMED = "renamed"  # renamed at Tavus and here
    DELETED = "deleted"  # deleted at Tavus through the bot
    REFUSED = "refused"  # someone was refused something the rules do not let them do
    POLICY_CHANGED = "policy_changed"  # an admin changed who may create, or who approves
    EXPORTED = "exported"  # an admin took a copy of the log (/replica audit)
    # An admin connected the workspace's Tavus account, or changed it: the key's fingerprint, and
    # the one it replaced (never a key).
    TAVUS_CONNECTED = "tavus_connected"
    UNINSTALLED = "uninstalled"  # the app left the workspace: its secrets went, its jobs ended
    EXPUNGED = "expunged"  # RETENTION_DAYS passed: finished jobs' links, file names, errors went


@dataclass(frozen=True, slots=True)
class Record:
    """One entry of the audit log; `seq` numbers it, in the order records were written."""

    at: datetime
    team_id: str
    actor: str  # a Slack user id, or TAVUS, or BOT
    action: Action
    job_id: str | None = None
    replica_id: str | None = None
    subject: str | None = None  # the person whose likeness it is, once known
    details: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None  # given by the database when the record is written


COLUMNS = ("seq", "at", "team_id", "actor", "action", "job_id", "replica_id", "subject", "details")


def as_row(record: Record) -> dict[str, str]:
    """A record as text columns: the moment in UTC ISO 8601, the details as JSON."""
    return {
        "seq": "" if record.seq is None else str(record.seq),
        "at": record.at.isoformat(),
        "team_id": record.team_id,
        "actor": record.actor,
        "action": record.action.value,
        "job_id": record.job_id or "",
        "replica_id": record.replica_id or "",
        "subject": record.subject or "",
        "details": json.dumps(record.details, sort_keys=True, ensure_ascii=False),
    }


def to_csv(records: Iterable[Record]) -> str:
    """The records as CSV with a header row, oldest first as given."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(as_row(record) for record in records)
    return out.getvalue()


def to_jsonl(records: Iterable[Record]) -> str:
    """The records as JSON Lines: one object a line, details as an object."""
    lines = []
    for record in records:
        row: dict[str, Any] = dict(as_row(record))
        row["details"] = record.details
        lines.append(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
    return "".join(lines)
