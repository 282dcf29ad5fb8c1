"""organisations list / add / edit / archive / restore, and users installation-admin: the same
checks and log lines as the screens at /beheer/organisaties."""
from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import Flask
from sqlalchemy import select

from participation.domain import organisations as rules
from participation.extensions import db
from participation.models import Organisation, User
from participation.services import organisations as service

ACTOR = "flask command"


def _org(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise click.ClickException(f"no organisation with slug {slug!r}")
    return org


def _save(call) -> None:
    """Run a service call; on a refusal print each field's message and exit 1."""
    try:
        call()
    except service.OrganisationRefused as exc:
        db.session.rollback()
        for field, message in exc.errors.items():
            click.echo(f"{field}: {message}", err=True)
        sys.exit(1)
    db.session.commit()


_FIELD_OPTIONS = (
    click.option("--tooi-code", "tooi_code"), click.option("--area"),
    click.option("--bodies", "deciding_bodies",
                 help="Comma-separated codes of the bodies that decide (default: all of the tier)."),
    click.option("--email"), click.option("--phone"), click.option("--address"),
    click.option("--website"), click.option("--inhabitants", type=int),
    click.option("--electorate", type=int),
)


def _with_fields(command):
    for option in reversed(_FIELD_OPTIONS):
        command = option(command)
    return command


def _given(fields: dict) -> dict:
    return {key: value for key, value in fields.items() if value is not None}


def register(app: Flask) -> None:
    @app.cli.group("organisations")
    def group() -> None:
        """The organisations this installation serves."""

    @group.command("list")
    def list_() -> None:
        for org in service.all_organisations(include_archived=True):
            status = "archived" if org.archived_at else "active"
            click.echo(f"{org.slug:30} {org.tier:11} {org.tooi_code:7} {status:8} {org.name}")

    @group.command("add")
    @click.argument("slug")
    @click.option("--name", required=True)
    @click.option("--tier", required=True, type=click.Choice(["gemeente", "provincie",
                                                              "waterschap"]))
    @_with_fields
    def add(slug: str, name: str, tier: str, **fields) -> None:
        """Add an organisation with the preset procedures."""
        values = {"slug": slug, "name": name, "tier": tier, "tooi_code": "", **_given(fields)}
        values.setdefault("deciding_bodies",
                          ",".join(body.code for body in rules.bodies_of_tier(tier)))
        _save(lambda: service.register_organisation(values, actor=ACTOR))
        click.echo(f"added {slug}")

    @group.command("edit")
    @click.argument("slug")
    @click.option("--name")
    @_with_fields
    def edit(slug: str, **fields) -> None:
        """Change the fields given; slug and tier stay."""
        org = _org(slug)
        values = {key: getattr(org, key) for key in service.EDITABLE}
        values.update(_given(fields))
        _save(lambda: service.update_organisation(org, values, actor=ACTOR))
        click.echo(f"saved {slug}")

    @group.command("archive")
    @click.argument("slug")
    @click.option("--restore", is_flag=True, help="Take it out of the archive again.")
    def archive(slug: str, restore: bool) -> None:
        """No new requests; running cases, the register and decisions stay."""
        org = _org(slug)
        _save(lambda: service.set_archived(org, not restore, actor=ACTOR,
                                           now=datetime.now(UTC)))
        click.echo(f"{'restored' if restore else 'archived'} {slug}")

    @app.cli.group("users")
    def users() -> None:
        """Accounts."""

    @users.command("installation-admin")
    @click.argument("email")
    @click.option("--remove", is_flag=True)
    def installation_admin(email: str, remove: bool) -> None:
        """Let an existing account manage the organisations (or, with --remove, no longer)."""
        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no account with address {email!r}; register it first")
        user.is_installation_admin = not remove
        db.session.commit()
        click.echo(f"{email}: installation admin {'removed' if remove else 'granted'}")

    @users.command("reset-second-factor")
    @click.argument("email")
    def reset_second_factor(email: str) -> None:
        """Switch off an account's second factor (phone and recovery codes lost, or the key
        changed): the person sets it up again at the next login."""
        from participation.services import second_factor

        user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no account with address {email!r}")
        second_factor.reset(user, datetime.now(UTC))
        db.session.commit()
        click.echo(f"{email}: second factor switched off; set it up again at the next login")
