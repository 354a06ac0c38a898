"""Add the notices outbox, and the reconciler's schedule and progress on jobs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("training_progress", sa.String(16)))
        batch.add_column(sa.Column("next_check_at", sa.DateTime(timezone=True)))
        batch.create_index("ix_jobs_next_check_at", ["next_check_at"])
    op.create_table(
        "notices",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("in_doubt", sa.Boolean(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(32)),
        sa.Column("lease_until", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.Column("channel", sa.String(32)),
        sa.Column("ts", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_notices"),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name="fk_notices_job_id"),
    )
    op.create_index("ix_notices_due", "notices", ["status", "next_attempt_at"])
    op.create_index("ix_notices_job_id", "notices", ["job_id"])


def downgrade() -> None:
    op.drop_table("notices")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_next_check_at")
        batch.drop_column("next_check_at")
        batch.drop_column("training_progress")
