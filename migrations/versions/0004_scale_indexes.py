"""Index reminders by plan slot: deleting a plan's slots cascades to reminders, one look-up per slot.

Without it PostgreSQL scanned every reminder once per deleted slot (2 s for one plan at 110,000
reminders, in bench/scale.py's data), when a plan is replaced or an account deleted.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 16:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_plan_slot_id'), ['plan_slot_id'], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_plan_slot_id'))
