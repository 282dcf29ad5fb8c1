"""Backup and restore round-trip the demo data (SQLite online backup; pg_dump/pg_restore)."""
from __future__ import annotations

import uuid

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from participation.cli.privacy import backup, restore
from participation.devdata.demo import ensure_demo_data
from participation.extensions import db
from participation.models import Membership, Organisation, User, WorkflowVersion


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {model.__tablename__: conn.execute(select(func.count()).select_from(model)).scalar()
                for model in (Organisation, User, Membership, WorkflowVersion)}


def test_backup_and_restore_round_trip(app_ctx, tmp_path):
    ensure_demo_data()
    db.session.commit()
    expected = _counts(db.engine)
    assert expected["organisations"] == 3 and expected["users"] == 14

    url = make_url(str(db.engine.url.render_as_string(hide_password=False)))
    dump = tmp_path / "backup.dump"
    backup(dump)
    assert dump.stat().st_size > 0

    if url.get_backend_name() == "sqlite":
        target_url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
        restore(dump, target_url)
        engine = create_engine(target_url)
        try:
            assert _counts(engine) == expected
        finally:
            engine.dispose()
        return

    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    target_url = url.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(target_url)
    try:
        restore(dump, target_url)
        assert _counts(engine) == expected
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
