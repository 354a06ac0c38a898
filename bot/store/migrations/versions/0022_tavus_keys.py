"""Jobs name the Tavus account that made them; a workspace's replaced Tavus keys are kept.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("tavus_account", sa.String(16)))
    op.create_index("ix_jobs_team_account", "jobs", ["team_id", "tavus_account"])
    with op.batch_alter_table("tavus_accounts") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(16)))
    op.create_table(
        "tavus_keys",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(16), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("key_sealed", sa.Text, nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("saved_by", sa.String(32), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "fingerprint", name="pk_tavus_keys"),
    )
    op.create_index("ix_tavus_keys_enterprise_id", "tavus_keys", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_tavus_keys_enterprise_id", "tavus_keys")
    op.drop_table("tavus_keys")
    with op.batch_alter_table("tavus_accounts") as batch:
        batch.drop_column("fingerprint")
    op.drop_index("ix_jobs_team_account", "jobs")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("tavus_account")
