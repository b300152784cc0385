"""The household: grants and invitations of roles, plan proposals, and who logged a row when not the parent.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOGGED = ('pump_sessions', 'plans', 'milk_batch_events')
# Only rows a helper logged are indexed: the parent's own (NULL) cost nothing.
LOGGED_ONLY = {'sqlite_where': sa.text('logged_by_id IS NOT NULL'),
               'postgresql_where': sa.text('logged_by_id IS NOT NULL')}


def upgrade() -> None:
    """Apply this revision."""
    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('grantee_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('caregiver', 'partner', 'consultant')", name=op.f('ck_grants_role')),
    sa.ForeignKeyConstraint(['grantee_id'], ['users.id'], name=op.f('fk_grants_grantee_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_grants_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('owner_id', 'grantee_id', name=op.f('uq_grants_owner_id'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_grantee_id'), ['grantee_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("role IN ('caregiver', 'partner', 'consultant')", name=op.f('ck_invitations_role')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_invitations_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_invitations_token_hash'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitations_owner_id'), ['owner_id'], unique=False)

    op.create_table('plan_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('template', sa.String(length=40), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('overrides', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'accepted', 'declined')", name=op.f('ck_plan_proposals_status')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_proposals_plan_id_plans'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_plan_proposals_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_proposals_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_proposals'))
    )
    with op.batch_alter_table('plan_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_plan_proposals_proposed_by', ['proposed_by_id'], unique=False, sqlite_where=sa.text('proposed_by_id IS NOT NULL'), postgresql_where=sa.text('proposed_by_id IS NOT NULL'))
        batch_op.create_index(batch_op.f('ix_plan_proposals_user_id'), ['user_id'], unique=False)

    for table in LOGGED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('logged_by_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('logged_by_role', sa.String(length=12), nullable=True))
            batch_op.create_index(f'ix_{table}_logged_by', ['logged_by_id'], unique=False, **LOGGED_ONLY)
            batch_op.create_foreign_key(f'fk_{table}_logged_by_id_users', 'users', ['logged_by_id'], ['id'],
                                        ondelete='SET NULL')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('caregivers_see_pumping', sa.Boolean(), server_default=sa.text('false'),
                                      nullable=False))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('caregivers_see_pumping')
    for table in reversed(LOGGED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f'fk_{table}_logged_by_id_users', type_='foreignkey')
            batch_op.drop_index(f'ix_{table}_logged_by', **LOGGED_ONLY)
            batch_op.drop_column('logged_by_role')
            batch_op.drop_column('logged_by_id')

    with op.batch_alter_table('plan_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_proposals_user_id'))
        batch_op.drop_index('ix_plan_proposals_proposed_by', sqlite_where=sa.text('proposed_by_id IS NOT NULL'), postgresql_where=sa.text('proposed_by_id IS NOT NULL'))

    op.drop_table('plan_proposals')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_owner_id'))

    op.drop_table('invitations')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grants_grantee_id'))

    op.drop_table('grants')
