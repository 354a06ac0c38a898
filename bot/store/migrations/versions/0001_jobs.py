"""Create the jobs table.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("channel_id", sa.String(32), nullable=False),
        sa.Column("replica_name", sa.String(200), nullable=False),
        sa.Column("model_name", sa.String(64), nullable=False),
        sa.Column("train_video_url", sa.Text()),
        sa.Column("train_image_url", sa.Text()),
        sa.Column("voice_name", sa.String(64)),
        sa.Column("consent_video_url", sa.Text()),
        sa.Column("callback_digest", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("replica_id", sa.String(64)),
        sa.Column("error_message", sa.Text()),
        sa.Column("announcement_channel", sa.String(32)),
        sa.Column("announcement_ts", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_jobs"),
    )
    op.create_index("ix_jobs_replica_id", "jobs", ["replica_id"])
    op.create_index("ix_jobs_status", "jobs", ["status"])


def downgrade() -> None:
    op.drop_table("jobs")
