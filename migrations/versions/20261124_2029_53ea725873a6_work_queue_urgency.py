"""work queue urgency

A stored sort key with an index, instead of a CASE over the clock's JSON text per request.

Existing rows get the value services.cases._store_clock would store: 0 running clock,
1 suspended clock (its last suspension has no end), 2 no running clock.

Revision ID: 53ea725873a6
Revises: 40d6b162bbb4
Create Date: 2026-11-24 20:29:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '53ea725873a6'
down_revision = '40d6b162bbb4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urgency', sa.SmallInteger(), nullable=False,
                                      server_default='2'))
        batch_op.create_index('ix_cases_org_queue',
                              ['organisation_id', 'urgency', 'deadline', 'submitted_at', 'id'],
                              unique=False)
    op.execute(
        "UPDATE cases SET urgency = CASE"
        " WHEN deadline IS NULL OR clock_stopped_on IS NOT NULL THEN 2"
        " WHEN CAST(clock_suspensions AS TEXT) LIKE '%null]]' THEN 1"
        " ELSE 0 END")


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_org_queue')
        batch_op.drop_column('urgency')
