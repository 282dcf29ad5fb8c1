"""The eHerkenning service a provider's logins must be authorised for

Revision ID: b7e4c1d2a9f3
Revises: 53f9593ae078
Create Date: 2026-12-04 10:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4c1d2a9f3'
down_revision = '53f9593ae078'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('identity_providers') as batch_op:
        batch_op.add_column(sa.Column('service', sa.String(length=200), server_default='',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('identity_providers') as batch_op:
        batch_op.drop_column('service')
