"""Keys: room for the bot's signing keys sealed with SECRETS_KEYS (a Fernet token, not 64 hex).

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("keys") as batch:
        batch.alter_column(
            "value", existing_type=sa.String(128), type_=sa.Text, existing_nullable=False
        )


def downgrade() -> None:
    # Left as TEXT: it holds whatever VARCHAR(128) did, and a sealed key would not fit back
    # (PostgreSQL would refuse the change once one is kept).
    pass
