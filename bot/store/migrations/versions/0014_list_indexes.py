"""Indexes for the list and App Home: a workspace's jobs (or one person's), newest first.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_team_created", "jobs", ["team_id", "created_at"])
    op.create_index("ix_jobs_team_user_created", "jobs", ["team_id", "user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_team_user_created", table_name="jobs")
    op.drop_index("ix_jobs_team_created", table_name="jobs")
