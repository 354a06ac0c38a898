"""Media: the bot's own secrets (the media links' key), and the files it keeps for Tavus.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "keys",
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("value", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_keys"),
    )
    op.create_table(
        "media",
        sa.Column("key", sa.String(48), nullable=False),
        sa.Column("job_id", sa.String(32)),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delete_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("key", name="pk_media"),
    )
    op.create_index("ix_media_delete_after", "media", ["delete_after"])


def downgrade() -> None:
    op.drop_index("ix_media_delete_after", table_name="media")
    op.drop_table("media")
    op.drop_table("keys")
