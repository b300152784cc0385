"""Each local day's summary figures are kept, so a summary reads its days instead of every session again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('summary_days',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('time_zone', sa.String(length=64), nullable=False),
    sa.Column('zone_data', sa.String(length=16), nullable=False),
    sa.Column('rules', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('left_ml', sa.Float(), nullable=False),
    sa.Column('right_ml', sa.Float(), nullable=False),
    sa.Column('pumping_min', sa.Float(), nullable=False),
    sa.Column('longest_gap_min', sa.Float(), nullable=True),
    sa.Column('night_sessions', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_summary_days_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'day', name=op.f('pk_summary_days'))
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table('summary_days')
