"""Keyed audit chains with a head per case; the transparency log (leaves, signed
checkpoints, the writers' lock row)

Revision ID: 5b1e9c3d7a20
Revises: 0a7c5e2d9f31
Create Date: 2026-12-04 07:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b1e9c3d7a20'
down_revision = '0a7c5e2d9f31'
branch_labels = None
depends_on = None


def upgrade():
    # Existing events are version 1 (unkeyed) until `flask audit rekey` hashes them again.
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.add_column(sa.Column('hash_version', sa.SmallInteger(), server_default='1',
                                      nullable=False))
    with op.batch_alter_table('cases') as batch_op:
        batch_op.add_column(sa.Column('audit_seq', sa.Integer(), server_default='0',
                                      nullable=False))
        batch_op.add_column(sa.Column('audit_head', sa.String(length=64), server_default='',
                                      nullable=False))
    op.create_table('log_entries',
    sa.Column('leaf_index', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('audit_event_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.Text(), nullable=False),
    sa.Column('leaf_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['audit_event_id'], ['audit_events.id'], name=op.f('fk_log_entries_audit_event_id_audit_events'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('leaf_index', name=op.f('pk_log_entries')),
    sa.UniqueConstraint('audit_event_id', name=op.f('uq_log_entries_audit_event_id'))
    )
    with op.batch_alter_table('log_entries') as batch_op:
        batch_op.create_index(batch_op.f('ix_log_entries_case_id'), ['case_id'], unique=False)
    op.create_table('log_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tree_size', sa.Integer(), nullable=False),
    sa.Column('root_hash', sa.String(length=64), nullable=False),
    sa.Column('timestamp', sa.String(length=40), nullable=False),
    sa.Column('signature', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_checkpoints'))
    )
    op.create_table('log_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('tree_size', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_state'))
    )
    op.execute("INSERT INTO log_state (id, tree_size) VALUES (1, 0)")


def downgrade():
    op.drop_table('log_state')
    op.drop_table('log_checkpoints')
    with op.batch_alter_table('log_entries') as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_entries_case_id'))
    op.drop_table('log_entries')
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_column('audit_head')
        batch_op.drop_column('audit_seq')
    with op.batch_alter_table('audit_events') as batch_op:
        batch_op.drop_column('hash_version')
