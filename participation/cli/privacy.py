"""retention run, backup create / restore."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url

from participation.extensions import db


def sqlite_backup(database: Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy while the app keeps running."""
    source = sqlite3.connect(database)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


def _pg_args(url) -> list[str]:
    args = ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    return args


def backup(target: Path, database_url: str | None = None) -> None:
    url = make_url(database_url or current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        sqlite_backup(Path(url.database), target)
    else:
        env = {"PGPASSWORD": url.password or ""}
        subprocess.run(["pg_dump", "-Fc", "--no-owner", *_pg_args(url), "-f", str(target), url.database],
                       check=True, env={**_environ(), **env})


def restore(source: Path, database_url: str | None = None) -> None:
    url = make_url(database_url or current_app.config["SQLALCHEMY_DATABASE_URI"])
    if database_url is None:
        db.engine.dispose()
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(source, url.database)
    else:
        env = {"PGPASSWORD": url.password or ""}
        subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", *_pg_args(url),
                        "-d", url.database, str(source)], check=True, env={**_environ(), **env})


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def register(app: Flask) -> None:
    @app.cli.group("retention")
    def retention_group() -> None:
        """Retention periods (AVG storage limitation)."""

    @retention_group.command("run")
    @click.option("--drafts-days", type=int, default=None, help="Delete drafts untouched this long.")
    @click.option("--signatures-days", type=int, default=None,
                  help="Delete supporter lists this long after the initiative's procedure ended.")
    def retention_run(drafts_days: int | None, signatures_days: int | None) -> None:
        """Delete what has passed its retention period; counts stay, chains stay intact."""
        from participation.services.privacy import apply_retention

        days = {k: v for k, v in {"drafts": drafts_days, "signatures": signatures_days}.items() if v}
        report = apply_retention(now=datetime.now(timezone.utc), days=days)
        db.session.commit()
        click.echo(f"drafts={report.drafts} outbox={report.outbox} "
                   f"notifications={report.notifications} signatures={report.signatures} "
                   f"agreement_contacts={report.agreement_contacts}")

    @app.cli.group("backup")
    def backup_group() -> None:
        """Backups: SQLite online backup, PostgreSQL pg_dump/pg_restore."""

    @backup_group.command("create")
    @click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
    def backup_create(target: Path) -> None:
        """Write a backup of the database to TARGET."""
        backup(target)
        click.echo(f"backup written to {target}")

    @backup_group.command("restore")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--yes", is_flag=True, help="Do not ask: overwrite the current database.")
    def backup_restore(source: Path, yes: bool) -> None:
        """Replace the database with the backup in SOURCE."""
        if not yes:
            click.echo("restore overwrites the current database; pass --yes to proceed")
            sys.exit(2)
        restore(source)
        click.echo(f"restored from {source}")
