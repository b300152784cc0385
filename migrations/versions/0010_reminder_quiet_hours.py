"""Reminders remember whether they wait out quiet hours, so the dispatcher can check again when it sends.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avoids_quiet_hours', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_column('avoids_quiet_hours')
