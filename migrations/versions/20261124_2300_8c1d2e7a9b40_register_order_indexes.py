"""register order indexes include the id

The register sorts on (submitted_at, id); with the id in the index a page is found by an
index-only scan, and the rows of a deep page are fetched by id afterwards.

Revision ID: 8c1d2e7a9b40
Revises: 53ea725873a6
Create Date: 2026-11-24 23:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '8c1d2e7a9b40'
down_revision = '53ea725873a6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_org_public_submitted')
        batch_op.drop_index('ix_cases_public_submitted')
        batch_op.create_index('ix_cases_org_public_submitted',
                              ['organisation_id', 'is_public', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_cases_public_submitted',
                              ['is_public', 'submitted_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_public_submitted')
        batch_op.drop_index('ix_cases_org_public_submitted')
        batch_op.create_index('ix_cases_public_submitted', ['is_public', 'submitted_at'],
                              unique=False)
        batch_op.create_index('ix_cases_org_public_submitted',
                              ['organisation_id', 'is_public', 'submitted_at'], unique=False)
