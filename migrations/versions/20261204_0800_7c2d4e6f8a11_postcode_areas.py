"""An organisation's area as postcode (PC4) ranges, for who may support its initiatives

Revision ID: 7c2d4e6f8a11
Revises: 5b1e9c3d7a20
Create Date: 2026-12-04 08:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7c2d4e6f8a11'
down_revision = '5b1e9c3d7a20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.add_column(sa.Column('postcode_areas', sa.String(length=300), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.drop_column('postcode_areas')
