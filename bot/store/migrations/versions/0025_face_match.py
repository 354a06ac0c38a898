"""The face match (issue #25): jobs keep what it needs and found; receipts what it found, once.

A receipt stays fixed but for two changes: its replica id filled in once the replica exists
(as before), and its face match and consent words filled in once, when the match ends. The
triggers of 0006 are made again to allow just those.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

REFUSAL = "a consent receipt is never changed"
# Every column of 0006 but replica_id: never changed.
FIXED = (
    "job_id",
    "team_id",
    "subject_id",
    "subject_name",
    "requester_id",
    "decision",
    "decided_at",
    "statement",
    "statement_sha256",
    "intended_use",
    "media",
    "dm_channel",
    "dm_ts",
)
MATCH = ("face_match", "consent_words")


def upgrade() -> None:
    for column in ("approvers", "profile_photo", "face_match"):
        op.add_column("jobs", sa.Column(column, sa.Text()))
    for column in MATCH:
        op.add_column("receipts", sa.Column(column, sa.Text()))
    _drop_triggers()
    _triggers(with_match=True)


def downgrade() -> None:
    _drop_triggers()
    # Dropped in place (SQLite 3.35 and later can), not by batch mode's copy of the table,
    # which would lose the jobs' index on lower(replica_name): a copy cannot reflect it.
    for column in MATCH:
        op.drop_column("receipts", column)
    for column in ("face_match", "profile_photo", "approvers"):
        op.drop_column("jobs", column)
    _triggers(with_match=False)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER receipts_fixed ON receipts")
        op.execute("DROP FUNCTION receipts_fixed()")
    else:
        op.execute("DROP TRIGGER IF EXISTS receipts_fixed")
        op.execute("DROP TRIGGER IF EXISTS receipts_kept")


def _triggers(*, with_match: bool) -> None:
    """0006's triggers; `with_match`: also the face match's one change, and 0006's kept to it."""
    postgres = op.get_bind().dialect.name == "postgresql"

    def same(columns: tuple[str, ...]) -> str:
        op_ = "IS NOT DISTINCT FROM" if postgres else "IS"
        return " AND ".join(f"NEW.{c} {op_} OLD.{c}" for c in columns)

    # The replica id, filled in once, changing nothing else.
    allowed = f"(OLD.replica_id IS NULL AND {same((*FIXED, *(MATCH if with_match else ())))})"
    if with_match:
        # The face match and its consent words, filled in once, changing nothing else.
        matched = "OLD.face_match IS NULL AND NEW.face_match IS NOT NULL"
        allowed += f" OR ({matched} AND {same((*FIXED, 'replica_id'))})"
    if postgres:
        op.execute(
            "CREATE FUNCTION receipts_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND ({allowed}) THEN RETURN NEW; "
            f"END IF; RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER receipts_fixed BEFORE UPDATE OR DELETE ON receipts "
            "FOR EACH ROW EXECUTE FUNCTION receipts_fixed()"
        )
    else:
        op.execute(
            "CREATE TRIGGER receipts_fixed BEFORE UPDATE ON receipts "
            f"WHEN NOT ({allowed}) BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
        op.execute(
            "CREATE TRIGGER receipts_kept BEFORE DELETE ON receipts "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
