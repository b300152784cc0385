"""A plan's block keeps its own note (why it is not at its usual time), so an edited plan keeps it too.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only plans that hold a longest gap move a block and say why (written out, as a migration keeps its meaning).
GAP_LIMIT_TEMPLATES = ('exclusive-newborn', 'exclusive-established')


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('plan_slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
    _backfill_notes()


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('plan_slots', schema=None) as batch_op:
        batch_op.drop_column('note')


def _backfill_notes() -> None:
    """Store the notes the app showed until now, which it made by expanding each plan again on every read."""
    # Imported, unlike other rules in migrations: what this must store is what the running code showed.
    from server.domain.plans import expand_plan
    from server.models import UTCDateTime

    bind = op.get_bind()
    plans = sa.table('plans', sa.column('id', sa.Integer), sa.column('template', sa.String),
                     sa.column('starts_at', UTCDateTime), sa.column('params', sa.JSON), sa.column('time_zone', sa.String))
    slots = sa.table('plan_slots', sa.column('plan_id', sa.Integer), sa.column('index', sa.Integer),
                     sa.column('note', sa.Text))
    for plan in bind.execute(sa.select(plans).where(plans.c.template.in_(GAP_LIMIT_TEMPLATES))):
        draft = expand_plan(plan.template, plan.starts_at, plan.params, plan.time_zone)
        for slot in (s for s in draft.slots if s.note):
            bind.execute(slots.update().where(slots.c.plan_id == plan.id, slots.c.index == slot.index)
                         .values(note=slot.note))
