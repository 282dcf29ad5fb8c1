"""Alembic environment, run through Flask-Migrate (`flask --app wsgi db ...`).

Revision files must stay importable without the application package: they only use
`sa.*` types, so custom column types are rendered as their SQL equivalent here."""
import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import Column
from sqlalchemy.types import TypeDecorator

config = context.config

# Do not switch off loggers configured by the app or by pytest.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")


config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db


def get_metadata():
    if hasattr(target_db, "metadatas"):
        return target_db.metadatas[None]
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Render TypeDecorators (e.g. UTCDateTime) as their plain SQLAlchemy implementation."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        impl = obj.impl_instance
        if type(impl).__module__.startswith("sqlalchemy."):
            return "sa." + repr(impl)
    return False


# Tables the models do not describe: SQLite's FTS5 search table (participation/search.py) and
# the shadow tables SQLite keeps for it. Revisions create them with op.execute on SQLite only.
# Keep in sync with tests/integration/test_migrations.py.
UNMANAGED_TABLES = ("case_search",)


def include_name(name, type_, parent_names):
    if type_ == "table" and name is not None:
        return not any(name == t or name.startswith(t + "_") for t in UNMANAGED_TABLES)
    return True


def is_expression_index(index) -> bool:
    return any(not isinstance(element, Column) for element in index.expressions)


def include_object(obj, name, type_, reflected, compare_to):
    # PostgreSQL returns an expression index in its own normalised spelling (casts, brackets),
    # so autogenerate would drop and re-create it on every run. Revisions write these indexes
    # by hand; tests/integration/test_migrations.py checks that they exist.
    return not (type_ == "index" and is_expression_index(obj))


def configure_args():
    args = dict(current_app.extensions["migrate"].configure_args)
    args.setdefault("compare_type", True)
    args.setdefault("render_as_batch", True)
    args.setdefault("render_item", render_item)
    args.setdefault("include_name", include_name)
    args.setdefault("include_object", include_object)
    return args


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=get_metadata(), literal_binds=True, **configure_args())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    # Skip writing an empty revision when autogenerate finds no changes.
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    args = configure_args()
    if args.get("process_revision_directives") is None:
        args["process_revision_directives"] = process_revision_directives

    with get_engine().connect() as connection:
        # The app turns SQLite foreign keys on; batch mode copies and drops tables, which
        # would cascade or fail with them on. The pragma only works outside a transaction.
        sqlite_fks = (connection.dialect.name == "sqlite"
                      and connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1)
        if sqlite_fks:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # End the transaction those statements began: otherwise Alembic joins it and never
        # commits, and the migration is silently rolled back when the connection closes.
        connection.commit()
        try:
            context.configure(connection=connection, target_metadata=get_metadata(), **args)
            with context.begin_transaction():
                context.run_migrations()
            if sqlite_fks:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows with broken foreign keys: {broken}")
        finally:
            if sqlite_fks:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
