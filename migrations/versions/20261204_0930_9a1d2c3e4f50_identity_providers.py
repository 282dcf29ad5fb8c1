"""OpenID Connect providers, linked identities, the level a login reached, one signature per person

Revision ID: 9a1d2c3e4f50
Revises: 98012d762967
Create Date: 2026-12-04 09:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '9a1d2c3e4f50'
down_revision = '98012d762967'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'identity_providers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('client_id', sa.String(length=200), nullable=False),
        sa.Column('client_secret', sa.String(length=300), nullable=False),
        sa.Column('scope', sa.String(length=300), nullable=False),
        sa.Column('role_claim', sa.String(length=60), nullable=False),
        sa.Column('role_map', sa.JSON(), nullable=False),
        sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_identity_providers_organisation_id_organisations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_providers')),
        sa.UniqueConstraint('organisation_id', 'kind',
                            name=op.f('uq_identity_providers_organisation_id')),
    )
    op.create_index(op.f('ix_identity_providers_organisation_id'), 'identity_providers',
                    ['organisation_id'])
    op.create_table(
        'external_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('subject_key', sa.String(length=64), nullable=False),
        sa.Column('kvk', sa.String(length=8), nullable=False),
        sa.Column('vestiging', sa.String(length=12), nullable=False),
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.Column('issuer', sa.String(length=300), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_external_identities_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_external_identities')),
        sa.UniqueConstraint('kind', 'subject_key', name=op.f('uq_external_identities_kind')),
    )
    op.create_index(op.f('ix_external_identities_user_id'), 'external_identities', ['user_id'])
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=20), server_default='',
                                      nullable=False))
        batch_op.add_column(sa.Column('kvk', sa.String(length=8), server_default='',
                                      nullable=False))
    with op.batch_alter_table('signatures') as batch_op:
        batch_op.add_column(sa.Column('person_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('verified_with', sa.String(length=40), server_default='',
                                      nullable=False))
        batch_op.create_unique_constraint('uq_signatures_person_key', ['case_id', 'person_key'])


def downgrade():
    with op.batch_alter_table('signatures') as batch_op:
        batch_op.drop_constraint('uq_signatures_person_key', type_='unique')
        batch_op.drop_column('verified_with')
        batch_op.drop_column('person_key')
    with op.batch_alter_table('login_sessions') as batch_op:
        batch_op.drop_column('kvk')
        batch_op.drop_column('level')
    op.drop_index(op.f('ix_external_identities_user_id'), table_name='external_identities')
    op.drop_table('external_identities')
    op.drop_index(op.f('ix_identity_providers_organisation_id'), table_name='identity_providers')
    op.drop_table('identity_providers')
