"""Sessions keep the pump's suction or setting, beside the pump and the flange size.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision: sessions logged before it have no setting."""
    with op.batch_alter_table('pump_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pump_setting', sa.String(length=100), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('pump_sessions', schema=None) as batch_op:
        batch_op.drop_column('pump_setting')
