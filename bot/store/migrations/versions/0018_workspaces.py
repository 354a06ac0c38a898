"""Many workspaces: each job's Grid org, each workspace's sealed Tavus key, Connect Tavus links.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("enterprise_id", sa.String(32)))
    op.create_table(
        "tavus_accounts",
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("key_sealed", sa.Text, nullable=False),
        sa.Column("last4", sa.String(4), nullable=False),
        sa.Column("saved_by", sa.String(32), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name="pk_tavus_accounts"),
    )
    op.create_table(
        "connect_links",
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("team_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32)),
        sa.Column("user_id", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("session_digest", sa.String(64)),
        sa.Column("csrf", sa.String(64)),
        sa.PrimaryKeyConstraint("nonce", name="pk_connect_links"),
    )
    op.create_index("ix_connect_links_session_digest", "connect_links", ["session_digest"])
    op.create_index("ix_tavus_accounts_enterprise_id", "tavus_accounts", ["enterprise_id"])


def downgrade() -> None:
    op.drop_index("ix_tavus_accounts_enterprise_id", "tavus_accounts")
    op.drop_index("ix_connect_links_session_digest", "connect_links")
    op.drop_table("connect_links")
    op.drop_table("tavus_accounts")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("enterprise_id")
