"""The audit channel: notices about no one job (an audit record's copy), and how far it got.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.alter_column("job_id", existing_type=sa.String(32), nullable=True)
        batch.add_column(sa.Column("audit_seq", sa.Integer()))
    op.create_table(
        "relays",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_relays"),
    )


def downgrade() -> None:
    op.drop_table("relays")
    op.execute("DELETE FROM notices WHERE job_id IS NULL")
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("audit_seq")
        batch.alter_column("job_id", existing_type=sa.String(32), nullable=False)
