"""SQLite search table: a scope column with the organisation and publicity

One organisation's register search then matches within that organisation only, instead of
reading every match in the install. The stemmed text is carried over; the scope comes from
the cases. PostgreSQL keeps its GIN index: nothing to do there.

Revision ID: b7e4f0c2a913
Revises: 8c1d2e7a9b40
Create Date: 2026-11-24 23:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7e4f0c2a913'
down_revision = '8c1d2e7a9b40'
branch_labels = None
depends_on = None

FTS_OPTIONS = "tokenize = 'unicode61 remove_diacritics 0'"


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE case_search RENAME TO case_search_old")
    op.execute(f"CREATE VIRTUAL TABLE case_search USING fts5(body, scope, {FTS_OPTIONS})")
    op.execute("INSERT INTO case_search (rowid, body, scope) "
               "SELECT s.rowid, s.body, 'o' || c.organisation_id "
               "|| CASE WHEN c.is_public THEN ' p' ELSE '' END "
               "FROM case_search_old s JOIN cases c ON c.id = s.rowid")
    op.execute("DROP TABLE case_search_old")


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE case_search RENAME TO case_search_new")
    op.execute(f"CREATE VIRTUAL TABLE case_search USING fts5(body, {FTS_OPTIONS})")
    op.execute("INSERT INTO case_search (rowid, body) SELECT rowid, body FROM case_search_new")
    op.execute("DROP TABLE case_search_new")
