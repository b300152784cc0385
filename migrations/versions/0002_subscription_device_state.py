"""Push subscriptions remember the device token that saved them, and can be stopped after refusals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('refusals', sa.Integer(), server_default=sa.text('0'), nullable=False))
        batch_op.add_column(sa.Column('stopped_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stop_reason', sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f('ix_push_subscriptions_token_id'), ['token_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_push_subscriptions_token_id_api_tokens'), 'api_tokens', ['token_id'], ['id'],
            ondelete='CASCADE',
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_push_subscriptions_token_id_api_tokens'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_push_subscriptions_token_id'))
        batch_op.drop_column('stop_reason')
        batch_op.drop_column('stopped_at')
        batch_op.drop_column('refusals')
        batch_op.drop_column('token_id')
