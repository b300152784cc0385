"""Imported rows keep where they came from (a provenance key, once per account), and a session may hold one amount
without sides, as other apps record it; the kept summary days count such amounts.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 10:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYED = ('pump_sessions', 'plans', 'milk_batches')


def upgrade() -> None:
    """Apply this revision."""
    for table in KEYED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('import_key', sa.String(length=200), nullable=True))
            batch_op.create_index(f'uq_{table}_user_import_key', ['user_id', 'import_key'], unique=True)
    with op.batch_alter_table('pump_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsided_ml', sa.Float(), nullable=True))
    with op.batch_alter_table('summary_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsided_ml', sa.Float(), server_default=sa.text('0'), nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('summary_days', schema=None) as batch_op:
        batch_op.drop_column('unsided_ml')
    with op.batch_alter_table('pump_sessions', schema=None) as batch_op:
        batch_op.drop_column('unsided_ml')
    for table in reversed(KEYED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'uq_{table}_user_import_key')
            batch_op.drop_column('import_key')
