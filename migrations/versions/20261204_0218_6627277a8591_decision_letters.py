"""Decision letters (a PDF and its public version per decision), letter templates per
organisation, and HTML and an attachment for outbox mail

Revision ID: 6627277a8591
Revises: c3a9d1e5f702
Create Date: 2026-12-04 02:18:16.328262

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6627277a8591'
down_revision = 'c3a9d1e5f702'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('letter_templates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_letter_templates_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_letter_templates_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_templates')),
    sa.UniqueConstraint('organisation_id', 'kind', 'language', name=op.f('uq_letter_templates_organisation_id'))
    )
    with op.batch_alter_table('letter_templates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_templates_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('decision_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('public_attachment_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name=op.f('fk_decision_letters_attachment_id_attachments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decision_letters_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_decision_letters_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_decision_letters_decision_id_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['public_attachment_id'], ['attachments.id'], name=op.f('fk_decision_letters_public_attachment_id_attachments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_letters')),
    sa.UniqueConstraint('case_id', 'version', name=op.f('uq_decision_letters_case_id'))
    )
    with op.batch_alter_table('decision_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_letters_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_letters_decision_id'), ['decision_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('html', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attachment_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_attachment_id_attachments'), 'attachments', ['attachment_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbox_attachment_id_attachments'), type_='foreignkey')
        batch_op.drop_column('attachment_id')
        batch_op.drop_column('html')

    with op.batch_alter_table('decision_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_letters_decision_id'))
        batch_op.drop_index(batch_op.f('ix_decision_letters_case_id'))

    op.drop_table('decision_letters')
    with op.batch_alter_table('letter_templates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_templates_organisation_id'))

    op.drop_table('letter_templates')
