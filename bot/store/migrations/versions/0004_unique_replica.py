"""A replica belongs to one job at most: make replica_id unique.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_jobs_replica_id", table_name="jobs")
    op.create_index("ix_jobs_replica_id", "jobs", ["replica_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_jobs_replica_id", table_name="jobs")
    op.create_index("ix_jobs_replica_id", "jobs", ["replica_id"])
