"""Users may give their baby's birth date, so Trends can count days of life.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('birth_date')
