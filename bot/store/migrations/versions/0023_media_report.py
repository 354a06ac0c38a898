"""Jobs keep what the media check found in their files (issue #23), as the report's JSON.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("media_report", sa.Text))


def downgrade() -> None:
    # In place (SQLite 3.35 and later): batch mode's copy of the table would lose the jobs'
    # index on lower(replica_name), which it cannot reflect.
    op.drop_column("jobs", "media_report")
