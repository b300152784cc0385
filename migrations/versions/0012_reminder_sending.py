"""Reminders remember when their current sending was asked for, so a retry keeps its delivery id.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: a pending reminder's sending is the one its send_after names, as before."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sending_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE reminders SET sending_at = send_after")
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.alter_column('sending_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_column('sending_at')
