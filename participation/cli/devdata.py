"""Development and benchmark data: `flask demo-data` (two demo organisations, one login per
role, cases in several states; idempotent) and `flask seed-scale --cases N` (realistic data at
scale for load tests and benchmarks; the tables must exist, `flask db upgrade`)."""
from __future__ import annotations

import sys
from datetime import datetime, timezone

import click
from flask import Flask, current_app
from sqlalchemy import text

from participation.extensions import db


def register(app: Flask) -> None:
    @app.cli.command("demo-data")
    def demo_data() -> None:
        """Create two demo organisations and one demo user per role (safe to run again)."""
        from participation.devdata import demo

        logins = demo.ensure_demo_data()
        db.session.commit()
        click.echo(f"Demo-gegevens klaar. Wachtwoord voor alle accounts: {demo.DEMO_PASSWORD}")
        for email, org, role in logins:
            click.echo(f"  {email:34} {role:12} {org}")

    @app.cli.command("seed-scale")
    @click.option("--cases", type=click.IntRange(min=0), required=True, help="Number of cases.")
    @click.option("--organisations", type=click.IntRange(min=1), default=6, show_default=True,
                  help="Organisations to create (gemeente, provincie, waterschap in turn).")
    @click.option("--seed", type=int, default=1, show_default=True,
                  help="Random seed: the same seed and --now give the same data.")
    @click.option("--now", "now_text", default=None,
                  help="Reference moment (ISO 8601, UTC); default: the current time.")
    @click.option("--residents", type=click.IntRange(min=300), default=None,
                  help="Residents per organisation (default: cases/organisations, 1000-5000).")
    @click.option("--append", is_flag=True, help="Add to a database that already holds cases.")
    @click.option("--no-files", is_flag=True,
                  help="Do not write the seeded PDF documents to UPLOAD_DIR.")
    def seed_scale(cases: int, organisations: int, seed: int, now_text: str | None,
                   residents: int | None, append: bool, no_files: bool) -> None:
        """Fill the database fast with realistic cases in every state of every procedure."""
        from participation.devdata import scale

        now = None
        if now_text:
            now = datetime.fromisoformat(now_text)
            now = now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now
        upload_dir = None if no_files else current_app.config["UPLOAD_DIR"]
        if db.engine.dialect.name == "sqlite":
            # This connection only, for this command: no fsync per batch commit. A crash
            # mid-seed can leave a damaged scratch file, which is then simply seeded again.
            db.session.execute(text("PRAGMA synchronous = OFF"))
        try:
            for progress in scale.seed_scale(cases=cases, organisations=organisations,
                                               seed=seed, now=now, append=append,
                                               residents_per_org=residents,
                                               upload_dir=upload_dir):
                db.session.commit()  # one commit per batch keeps memory and locks small
                if not progress.done:
                    click.echo(f"  {progress.cases_done:>9,} / {progress.cases_total:,} zaken "
                               f"({progress.seconds:.1f} s)")
        except scale.SeedRefused as exc:
            db.session.rollback()
            click.echo(str(exc), err=True)
            sys.exit(1)
        # Planner statistics for the new rows now, not whenever autovacuum gets to them: without
        # them PostgreSQL picks plans fit for empty tables (the register took 1.5 s at 100k).
        # VACUUM also sets the visibility map, so deep register pages are index-only scans.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if conn.dialect.name == "postgresql" else "ANALYZE"))
        counts = ", ".join(f"{name} {n:,}" for name, n in sorted(progress.counts.items()))
        click.echo(f"Klaar in {progress.seconds:.1f} s: {counts}")
        click.echo(f"Organisaties: {', '.join(progress.organisations)}")
        click.echo(f"Wachtwoord van alle aangemaakte accounts: {scale.SEED_PASSWORD}")
        for email, role, slug in progress.staff_logins[:4]:
            click.echo(f"  {email:40} {role:12} {slug}")
