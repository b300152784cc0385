"""Milk stash: containers and their history, the user's storage guideline, "include my stash" on shares.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:21:45.978941
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('milk_batches',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=True),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('entered_volume', sa.Float(), nullable=False),
    sa.Column('entered_unit', sa.String(length=2), nullable=False),
    sa.Column('volume_ml', sa.Float(), nullable=False),
    sa.Column('remaining_ml', sa.Float(), nullable=False),
    sa.Column('expressed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=8), nullable=False),
    sa.Column('location_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_frozen_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('thawed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('condition', sa.String(length=16), nullable=False),
    sa.Column('closed', sa.String(length=10), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('discard_reason', sa.String(length=200), nullable=True),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("closed IS NULL OR closed IN ('used', 'discarded')", name=op.f('ck_milk_batches_closed')),
    sa.CheckConstraint("entered_unit IN ('ml', 'oz')", name=op.f('ck_milk_batches_entered_unit')),
    sa.CheckConstraint("location IN ('room', 'cooler', 'fridge', 'freezer')", name=op.f('ck_milk_batches_location')),
    sa.ForeignKeyConstraint(['session_id'], ['pump_sessions.id'], name=op.f('fk_milk_batches_session_id_pump_sessions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_milk_batches_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milk_batches'))
    )
    with op.batch_alter_table('milk_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milk_batches_session_id'), ['session_id'], unique=False)
        batch_op.create_index('ix_milk_batches_user_expires', ['user_id', 'expires_at', 'expressed_at', 'id'], unique=False)

    op.create_table('milk_batch_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('batch_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=8), nullable=True),
    sa.Column('volume_ml', sa.Float(), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('request_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('expressed', 'moved', 'used', 'offered', 'discarded')", name=op.f('ck_milk_batch_events_kind')),
    sa.ForeignKeyConstraint(['batch_id'], ['milk_batches.id'], name=op.f('fk_milk_batch_events_batch_id_milk_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_milk_batch_events_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milk_batch_events'))
    )
    with op.batch_alter_table('milk_batch_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milk_batch_events_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milk_batch_events_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('include_stash', sa.Boolean(), server_default=sa.text('false'), nullable=False))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stash_guideline', sa.String(length=3), server_default='cdc', nullable=False))



def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('stash_guideline')

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_column('include_stash')

    with op.batch_alter_table('milk_batch_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milk_batch_events_user_id'))
        batch_op.drop_index(batch_op.f('ix_milk_batch_events_batch_id'))

    op.drop_table('milk_batch_events')
    with op.batch_alter_table('milk_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_milk_batches_user_expires')
        batch_op.drop_index(batch_op.f('ix_milk_batches_session_id'))

    op.drop_table('milk_batches')
