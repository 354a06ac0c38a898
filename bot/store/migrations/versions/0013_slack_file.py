"""Files from Slack: which one a job trains from, and its name.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("slack_file", sa.String(32)))
        batch.add_column(sa.Column("slack_file_name", sa.String(255)))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("slack_file_name")
        batch.drop_column("slack_file")
