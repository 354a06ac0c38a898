"""Policies keep the workspace's face-match rule (issue #25): require, warn or off.

A policy saved before this has none (NULL) and keeps following REPLICA_FACE_MATCH, whatever
it says then: filling in 'warn' would quietly override a bot set to 'require'.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("face_match", sa.String(16)))


def downgrade() -> None:
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("face_match")
