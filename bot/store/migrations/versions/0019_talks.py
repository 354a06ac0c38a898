"""Talks: the conversation each person last opened with a ready replica (a double click, one room).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "talks",
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("conversation_id", sa.String(64)),
        sa.Column("conversation_url", sa.Text),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id", "user_id", name="pk_talks"),
    )


def downgrade() -> None:
    op.drop_table("talks")
