"""audit verify / rekey / checkpoint: the keyed audit chains and the transparency log."""
from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import Flask

from participation.extensions import db


def register(app: Flask) -> None:
    @app.cli.group("audit")
    def audit_group() -> None:
        """Audit trail."""

    @audit_group.command("verify")
    def verify() -> None:
        """Recompute every case's keyed hash chain against its head, and the transparency
        log's leaves, roots and signed checkpoints; exit 1 if anything is broken."""
        from participation.services.cases import verify_all_chains
        from participation.services.transparency import verify_log

        problems = verify_all_chains()
        for case_id, found in problems.items():
            for problem in found:
                click.echo(f"case {case_id} event {problem.seq}: {problem.message}")
        log_problems = verify_log()
        for message in log_problems:
            click.echo(message)
        if problems or log_problems:
            click.echo(f"{len(problems)} broken chain(s), {len(log_problems)} log problem(s)")
            sys.exit(1)
        click.echo("all audit chains and the transparency log verify")

    @audit_group.command("rekey")
    def rekey() -> None:
        """Hash the chains from before the audit key again, with the key (once, after an
        upgrade); a chain that does not verify as it is stays as it is."""
        from participation.services.cases import rekey_chains

        changed = rekey_chains()
        db.session.commit()
        click.echo(f"{changed} chain(s) keyed")

    @audit_group.command("checkpoint")
    def checkpoint() -> None:
        """Add the public events not yet in the transparency log and sign a checkpoint."""
        from participation.services.transparency import sequence

        made = sequence(datetime.now(UTC))
        db.session.commit()
        click.echo(f"checkpoint: size {made.tree_size}, root {made.root_hash}" if made
                   else "no new public events")
