"""The Alembic revisions build exactly the schema the models describe, on the suite's engine
(SQLite, or PostgreSQL when DATABASE_URL is set), and can be rolled back and replayed."""
from __future__ import annotations

import logging
import pprint
import re
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, inspect

from participation import ROOT, create_app
from participation.extensions import db
from tests.conftest import _make_database

MIGRATIONS = ROOT / "migrations"


@pytest.fixture()
def restore_logging():
    # env.py applies alembic.ini's logging config; keep it from leaking into later tests.
    names = ["", "sqlalchemy", "sqlalchemy.engine", "alembic", "flask_migrate"]
    saved = {n: (logging.getLogger(n).level, list(logging.getLogger(n).handlers)) for n in names}
    yield
    for name, (level, handlers) in saved.items():
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.handlers[:] = handlers


@pytest.fixture()
def empty_db_app(tmp_path_factory, restore_logging):
    """An app on its own empty database; the session `app` fixture's database is not touched."""
    url, drop = _make_database(tmp_path_factory.mktemp("migrations"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "outbox-only",
    })
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    drop()


# Same as migrations/env.py: SQLite's FTS5 search table and its shadow tables.
UNMANAGED_TABLES = ("case_search",)


def include_name(name, type_, parent_names) -> bool:
    if type_ == "table" and name is not None:
        return not any(name == t or name.startswith(t + "_") for t in UNMANAGED_TABLES)
    return True


def is_expression_index(index) -> bool:
    return any(not isinstance(element, Column) for element in index.expressions)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    # Compared by name in assert_expression_indexes_exist: PostgreSQL normalises the SQL.
    return not (type_ == "index" and is_expression_index(obj))


def schema_drift() -> list:
    with db.engine.connect() as conn, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; Alembic warns and skips them there
        # (PostgreSQL compares them).
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified "
                                          "expression-based index", UserWarning)
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True,
                        "include_name": include_name, "include_object": include_object})
        return compare_metadata(context, db.metadata)


def assert_expression_indexes_exist() -> None:
    """Expression indexes (e.g. the Dutch full-text index) exist on the engine they are for."""
    dialect = db.engine.dialect.name
    if dialect != "postgresql":
        return  # SQLite cannot reflect expression indexes
    inspector = inspect(db.engine)
    missing = []
    for table in db.metadata.sorted_tables:
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            condition = getattr(index, "_ddl_if", None)
            if condition is not None and condition.dialect not in (None, dialect):
                continue
            if is_expression_index(index) and index.name not in present:
                missing.append(f"{table.name}.{index.name}")
    assert missing == [], f"expression indexes missing after upgrade: {missing}"


def assert_no_drift() -> None:
    diff = schema_drift()
    assert diff == [], (
        "The models differ from the database built by the migrations. Add a revision with "
        "`flask --app wsgi db migrate -m '...'`. Differences:\n" + pprint.pformat(diff, width=120))
    assert_expression_indexes_exist()


def test_upgrade_to_head_builds_the_models_schema(empty_db_app):
    upgrade(directory=str(MIGRATIONS))

    assert_no_drift()
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_downgrade_to_base_and_upgrade_again(empty_db_app):
    upgrade(directory=str(MIGRATIONS))
    downgrade(directory=str(MIGRATIONS), revision="base")

    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    upgrade(directory=str(MIGRATIONS))
    assert_no_drift()


def test_revisions_form_a_single_line():
    # Two engineers adding revisions in parallel produce two heads; `db upgrade` then refuses.
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"multiple heads {heads}: merge them with `flask --app wsgi db merge heads`"


def test_revision_files_do_not_import_application_code():
    # A revision must replay the schema as it was then, not as today's models describe it.
    offenders = [path.name for path in (MIGRATIONS / "versions").glob("*.py")
                 if re.search(r"^\s*(from|import)\s+participation\b", path.read_text(), re.M)]
    assert offenders == []
