"""Approval: who approved or rejected a job and when, and whom a notice goes to.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("reviewer_id", sa.String(32)))
        batch.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("recipient", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("recipient")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("reviewed_at")
        batch.drop_column("reviewer_id")
