"""The receipts table: consent receipts, written with the answer, changed once or twice at most."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.governance.receipts import Compared, Decision, Medium, Receipt
from bot.media.likeness.model import ConsentWords, FaceMatch
from bot.store.engine import Database
from bot.store.rows import aware, utc
from bot.store.schema import receipts


class Receipts:
    """Reads of consent receipts; they are written only inside the move they record."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def of_job(self, job_id: str) -> Receipt | None:
        """The receipt of a job's answer, if the person shown answered."""
        async with self._db.reading() as connection:
            row = (
                await connection.execute(select(receipts).where(receipts.c.job_id == job_id))
            ).first()
        return to_receipt(row._mapping) if row is not None else None


async def record_in(connection: AsyncConnection, receipt: Receipt) -> None:
    """Write a receipt inside the caller's transaction (the move that records the answer)."""
    await connection.execute(receipts.insert().values(**values_of(receipt)))


async def note_replica_in(connection: AsyncConnection, job_id: str, replica_id: str) -> None:
    """Fill in a receipt's replica id, once: the one change a receipt takes."""
    await connection.execute(
        update(receipts)
        .where(receipts.c.job_id == job_id, receipts.c.replica_id.is_(None))
        .values(replica_id=replica_id)
    )


async def note_match_in(
    connection: AsyncConnection, job_id: str, compared: Compared
) -> tuple[str, str] | None:
    """Fill in a receipt's face match and consent words, once, as the match ends.

    Returns where the receipt is shown (its DM's channel and ts) if this filled it in: that
    message is redrawn with them. None if it was filled in before, or was never shown.
    """
    words = compared.words.to_json() if compared.words is not None else None
    filled = await connection.execute(
        update(receipts)
        .where(receipts.c.job_id == job_id, receipts.c.face_match.is_(None))
        .values(face_match=compared.face.to_json(), consent_words=words)
        .returning(receipts.c.dm_channel, receipts.c.dm_ts)
    )
    shown = filled.first()
    if shown is None or not (shown.dm_channel and shown.dm_ts):
        return None
    return str(shown.dm_channel), str(shown.dm_ts)


def values_of(receipt: Receipt) -> dict[str, Any]:
    """A receipt as its row's values."""
    return {
        "job_id": receipt.job_id,
        "team_id": receipt.team_id,
        "subject_id": receipt.subject_id,
        "subject_name": receipt.subject_name,
        "requester_id": receipt.requester_id,
        "decision": receipt.decision.value,
        "decided_at": utc(receipt.decided_at),
        "statement": receipt.statement,
        "statement_sha256": receipt.statement_sha256,
        "intended_use": receipt.intended_use,
        "media": json.dumps(
            [
                {"url": m.url, "host": m.host, "file": m.file}
                | ({"sha256": m.sha256, "size": m.size} if m.sha256 else {})
                for m in receipt.media
            ]
        ),
        "dm_channel": receipt.dm_channel,
        "dm_ts": receipt.dm_ts,
        "replica_id": receipt.replica_id,
        "face_match": receipt.face_match.to_json() if receipt.face_match else None,
        "consent_words": receipt.consent_words.to_json() if receipt.consent_words else None,
    }


def to_receipt(row: Mapping[Any, Any]) -> Receipt:
    """A receipt from its row."""
    return Receipt(
        job_id=row["job_id"],
        team_id=row["team_id"],
        subject_id=row["subject_id"],
        subject_name=row["subject_name"],
        requester_id=row["requester_id"],
        decision=Decision(row["decision"]),
        decided_at=aware(row["decided_at"]),
        statement=row["statement"],
        statement_sha256=row["statement_sha256"],
        intended_use=row["intended_use"],
        media=tuple(Medium(**medium) for medium in json.loads(row["media"])),
        dm_channel=row["dm_channel"],
        dm_ts=row["dm_ts"],
        replica_id=row["replica_id"],
        face_match=FaceMatch.from_json(row["face_match"]) if row.get("face_match") else None,
        consent_words=(
            ConsentWords.from_json(row["consent_words"]) if row.get("consent_words") else None
        ),
    )
