"""A reminder's status is one of the named statuses of server/domain/delivery.py, enforced by the database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 17:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out, not imported: a migration must keep meaning what it meant when it was written.
STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'cancelled', 'skipped', 'done')"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_reminders_status'), STATUSES)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_reminders_status'), type_='check')
