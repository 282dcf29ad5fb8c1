"""workflow check, deadlines run and search reindex."""
from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask

from participation.domain import workflow as wf
from participation.extensions import db


def register(app: Flask) -> None:
    _register_search(app)

    @app.cli.group("workflow")
    def workflow_group() -> None:
        """Procedure definitions."""

    @workflow_group.command("check")
    @click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def check(files: tuple[Path, ...]) -> None:
        """Validate the shipped presets and any FILES given; exit 1 with the problems."""
        paths = [wf.preset_path(name) for name in wf.PRESETS] + list(files)
        failed = False
        for path in paths:
            source = path.read_text("utf-8")
            try:
                definition = wf.load_workflow(source)
            except wf.DefinitionError as exc:
                failed = True
                click.echo(f"FOUT {path}:")
                for problem in wf.locate(source, exc.messages):
                    # file:line: message, the form editors jump to
                    click.echo(f"  {path}:{problem.line or 1}: {problem}")
            else:
                click.echo(f"OK   {path} ({definition.request_type}: {len(definition.states)} states, "
                           f"{len(definition.transitions)} transitions)")
        sys.exit(1 if failed else 0)

    @app.cli.group("deadlines")
    def deadlines_group() -> None:
        """Statutory terms."""

    @deadlines_group.command("run")
    def run() -> None:
        """Send reminders, flag overdue cases and fire automatic transitions (idempotent)."""
        from participation.services.timers import run_timers
        from participation.services.transparency import sequence

        report = run_timers(now=datetime.now(timezone.utc))
        db.session.commit()
        # The scheduled job also brings the transparency log up to date and signs it.
        sequence(datetime.now(timezone.utc))
        db.session.commit()
        click.echo(f"reminders={report.reminders} overdue={report.overdue} "
                   f"automatic={report.automatic} conflicts={report.conflicts}")


    @deadlines_group.command("repair-suspensions")
    @click.option("--dry-run", is_flag=True, help="Only list the cases that would change.")
    def repair_suspensions(dry_run: bool) -> None:
        """Correct running cases whose suspension ended after the supplement term lapsed."""
        from participation.services.clock_repair import repair_suspensions as repair

        repairs = repair(now=datetime.now(timezone.utc), dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        for r in repairs:
            click.echo(f"{r.number}: {r.old_deadline} -> {r.new_deadline}")
        verb = "would be repaired" if dry_run else "repaired"
        click.echo(f"{len(repairs)} case(s) {verb}")


def _register_search(app: Flask) -> None:
    @app.cli.group("search")
    def search_group() -> None:
        """Full-text search index."""

    @search_group.command("reindex")
    def reindex() -> None:
        """Rebuild the SQLite search table from the cases (PostgreSQL indexes itself)."""
        from participation import search

        count = search.rebuild_index()
        db.session.commit()
        click.echo(f"indexed {count} cases")
