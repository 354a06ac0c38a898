"""Rows to domain objects and back: stored moments are UTC."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_

from bot.jobs import Job, JobStatus, Notice, NoticeKind, ReplicaRequest, Requester
from bot.media.inspection.model import Report
from bot.media.likeness.model import FaceMatch


class _Unset:
    """Marks an optional change that was not asked for (None is a value: 'clear it')."""


UNSET: Any = _Unset()


def of_workspace(
    table: Table, *, team_id: str | None, enterprise_id: str | None, keeping: Collection[str]
) -> ColumnElement[bool]:
    """A workspace's rows; with no team, a Grid org's, but those of the workspaces `keeping`."""
    if team_id is not None:
        return table.c.team_id == team_id
    return and_(
        table.c.enterprise_id == (enterprise_id or ""), table.c.team_id.not_in(list(keeping))
    )


def utc(value: Any) -> Any:
    """A moment in UTC; anything else as it is."""
    # SQLite keeps no zone and compares text: every stored moment must be in UTC.
    return value.astimezone(UTC) if isinstance(value, datetime) and value.tzinfo else value


def column_value(value: Any) -> Any:
    """A job's field as its column keeps it: moments in UTC; reports, lists as JSON."""
    if isinstance(value, Report | FaceMatch):
        return value.to_json()
    return json.dumps(list(value)) if isinstance(value, tuple) else utc(value)


def aware(moment: datetime) -> datetime:
    """A stored moment with its zone (UTC) put back."""
    # SQLite hands datetimes back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def maybe_aware(moment: datetime | None) -> datetime | None:
    """As aware(), for a moment that may be missing."""
    return aware(moment) if moment is not None else None


def to_job(row: Mapping[Any, Any]) -> Job:
    """A job from its row in `jobs`."""
    return Job(
        id=row["id"],
        requester=Requester(
            team_id=row["team_id"],
            user_id=row["user_id"],
            channel_id=row["channel_id"],
            private=bool(row.get("private")),
            enterprise_id=row.get("enterprise_id"),
        ),
        request=ReplicaRequest(
            replica_name=row["replica_name"],
            model_name=row["model_name"],
            train_video_url=row["train_video_url"],
            train_image_url=row["train_image_url"],
            voice_name=row["voice_name"],
            consent_video_url=row["consent_video_url"],
            subject_id=row.get("subject_id"),
            subject_name=row.get("subject_name"),
            intended_use=row.get("intended_use"),
            unchecked=tuple(filter(None, (row.get("unchecked") or "").split(","))),
            slack_file=row.get("slack_file"),
            slack_file_name=row.get("slack_file_name"),
        ),
        status=JobStatus(row["status"]),
        callback_digest=row["callback_digest"],
        created_at=aware(row["created_at"]),
        updated_at=aware(row["updated_at"]),
        replica_id=row.get("replica_id"),
        error_message=row.get("error_message"),
        announcement_channel=row.get("announcement_channel"),
        announcement_ts=row.get("announcement_ts"),
        training_progress=row.get("training_progress"),
        thumbnail_url=row.get("thumbnail_url"),
        next_check_at=maybe_aware(row.get("next_check_at")),
        reviewer_id=row.get("reviewer_id"),
        reviewed_at=maybe_aware(row.get("reviewed_at")),
        tavus_account=row.get("tavus_account"),
        media_report=Report.from_json(row["media_report"]) if row.get("media_report") else None,
        approvers=tuple(json.loads(row["approvers"])) if row.get("approvers") else None,
        profile_photo=row.get("profile_photo"),
        face_match=FaceMatch.from_json(row["face_match"]) if row.get("face_match") else None,
    )


def to_notice(row: Mapping[Any, Any], prefix: str = "") -> Notice:
    """A notice from its row in `notices` (its columns named with `prefix` in a join)."""
    return Notice(
        id=row[f"{prefix}id"],
        job_id=row[f"{prefix}job_id"],
        kind=NoticeKind(row[f"{prefix}kind"]),
        created_at=aware(row[f"{prefix}created_at"]),
        attempts=row[f"{prefix}attempts"],
        in_doubt=bool(row[f"{prefix}in_doubt"]),
        recipient=row.get(f"{prefix}recipient"),
        channel=row.get(f"{prefix}channel"),
        ts=row.get(f"{prefix}ts"),
        audit_seq=row.get(f"{prefix}audit_seq"),
    )
