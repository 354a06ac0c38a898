"""Installations by OAuth (one per workspace or Grid org, the bot token sealed) and OAuth states.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "installations",
        sa.Column("key", sa.String(48), nullable=False),
        sa.Column("team_id", sa.String(32)),
        sa.Column("team_name", sa.String(200)),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("enterprise_name", sa.String(200)),
        sa.Column("is_enterprise_install", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("app_id", sa.String(32)),
        sa.Column("bot_id", sa.String(32), nullable=False),
        sa.Column("bot_user_id", sa.String(32), nullable=False),
        sa.Column("bot_scopes", sa.Text, nullable=False),
        sa.Column("bot_token_sealed", sa.Text, nullable=False),
        sa.Column("installer_id", sa.String(32), nullable=False),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_installations"),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state", name="pk_oauth_states"),
    )


def downgrade() -> None:
    op.drop_table("oauth_states")
    op.drop_table("installations")
