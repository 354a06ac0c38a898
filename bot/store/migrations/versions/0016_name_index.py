"""`/replica status <name>` finds a name by index, whatever its case, among 100,000 jobs.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_team_name", "jobs", ["team_id", sa.text("lower(replica_name)")])


def downgrade() -> None:
    op.drop_index("ix_jobs_team_name", table_name="jobs")
