"""Consent in Slack: whose likeness a job is and what for, and a receipt of their answer.

A receipt is never edited: triggers refuse every UPDATE and DELETE but one, filling in its
replica id once the replica exists.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

REFUSAL = "a consent receipt is never changed"
# Every column but replica_id, which may be filled in once.
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


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("subject_id", sa.String(32)))
        batch.add_column(sa.Column("subject_name", sa.String(200)))
        batch.add_column(sa.Column("intended_use", sa.Text()))
    op.create_index("ix_jobs_subject_id", "jobs", ["team_id", "subject_id"])
    op.create_table(
        "receipts",
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(32), nullable=False),
        sa.Column("subject_name", sa.String(200), nullable=False),
        sa.Column("requester_id", sa.String(32), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("statement_sha256", sa.String(64), nullable=False),
        sa.Column("intended_use", sa.Text(), nullable=False),
        sa.Column("media", sa.Text(), nullable=False),
        sa.Column("dm_channel", sa.String(32)),
        sa.Column("dm_ts", sa.String(32)),
        sa.Column("replica_id", sa.String(64)),
        sa.PrimaryKeyConstraint("job_id", name="pk_receipts"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_receipts_job_id"),
    )
    op.create_index("ix_receipts_subject_id", "receipts", ["subject_id"])
    if op.get_bind().dialect.name == "postgresql":
        same = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in FIXED)
        op.execute(
            "CREATE FUNCTION receipts_fixed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND OLD.replica_id IS NULL AND {same} THEN RETURN NEW; "
            f"END IF; RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER receipts_fixed BEFORE UPDATE OR DELETE ON receipts "
            "FOR EACH ROW EXECUTE FUNCTION receipts_fixed()"
        )
    else:
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in FIXED)
        op.execute(
            "CREATE TRIGGER receipts_fixed BEFORE UPDATE ON receipts "
            f"WHEN NOT (OLD.replica_id IS NULL AND {same}) "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )
        op.execute(
            "CREATE TRIGGER receipts_kept BEFORE DELETE ON receipts "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def downgrade() -> None:
    op.drop_table("receipts")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION receipts_fixed()")
    op.drop_index("ix_jobs_subject_id", table_name="jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("intended_use")
        batch.drop_column("subject_name")
        batch.drop_column("subject_id")
