"""flask --app wsgi outbox run [--once | --loop]: send the emails waiting in the outbox."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from participation.services import mail

outbox = AppGroup("outbox", help="E-mail in de outbox versturen.")


@outbox.command("run")
@click.option("--loop/--once", default=False,
              help="Keep running and check every --interval seconds (default: one pass).")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(min=1),
              help="Seconds between passes with --loop.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1),
              help="Most messages per pass.")
def run(loop: bool, interval: int, limit: int) -> None:
    """Deliver due messages and print how many were sent and how many failed."""
    while True:
        sent, failed = mail.deliver_due(limit=limit)
        click.echo(f"outbox: {sent} sent, {failed} failed")
        if not loop:
            return
        # A full pass may mean more is waiting: go again at once.
        if sent + failed < limit:
            time.sleep(interval)


def register(app: Flask) -> None:
    app.cli.add_command(outbox)
