"""Organisations managed in the app: area, deciding bodies and archiving; the installation
administrator

Revision ID: 0a7c5e2d9f31
Revises: 6627277a8591
Create Date: 2026-12-04 06:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0a7c5e2d9f31'
down_revision = '6627277a8591'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=300), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('deciding_bodies', sa.String(length=200), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('is_installation_admin', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('is_installation_admin')
    with op.batch_alter_table('organisations') as batch_op:
        batch_op.drop_column('archived_at')
        batch_op.drop_column('deciding_bodies')
        batch_op.drop_column('area')
