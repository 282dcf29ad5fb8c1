"""flask --app wsgi demo-data: two demo organisations and one login per role (idempotent)."""
from __future__ import annotations

from datetime import datetime, timezone

import click
from flask import Flask
from sqlalchemy import select

from participation.extensions import db
from participation.models import Organisation, User
from participation.services import accounts, organisations

DEMO_PASSWORD = "demo-wachtwoord-2026"

DEMO_ORGANISATIONS = (
    dict(slug="zonnedal", name="Gemeente Zonnedal", tier="gemeente", tooi_code="gm9991",
         email="participatie@zonnedal.example", phone="14 0999",
         address="Raadhuisplein 1, 9991 AA Zonnedal", website="https://www.zonnedal.example",
         primary_color="#00566e", inhabitants=48200, electorate=38900),
    dict(slug="waterschap-de-stroom", name="Waterschap De Stroom", tier="waterschap",
         tooi_code="ws9992", email="info@destroom.example", phone="0999 123 456",
         address="Dijkweg 12, 9992 BB Zonnedal", website="https://www.destroom.example",
         primary_color="#1d5c2e", inhabitants=512000, electorate=401000),
)

# (email, name, organisation slug or None for a resident, role)
DEMO_USERS = (
    ("inwoner@example.nl", "Sanne de Vries", None, None),
    ("inwoner2@example.nl", "Mohamed El Amrani", None, None),
    ("ambtenaar@zonnedal.example", "Pieter Jansen", "zonnedal", "official"),
    ("coordinator@zonnedal.example", "Fatma Yilmaz", "zonnedal", "coordinator"),
    ("griffie@zonnedal.example", "Joost van Dam", "zonnedal", "griffie"),
    ("beheer@zonnedal.example", "Anouk Bakker", "zonnedal", "admin"),
    ("ambtenaar@destroom.example", "Karin Visser", "waterschap-de-stroom", "official"),
    ("coordinator@destroom.example", "Daan Smit", "waterschap-de-stroom", "coordinator"),
    ("griffie@destroom.example", "Ilse Mulder", "waterschap-de-stroom", "griffie"),
    ("beheer@destroom.example", "Bram de Boer", "waterschap-de-stroom", "admin"),
)


def ensure_demo_data() -> list[tuple[str, str, str]]:
    """Create what is missing; returns (email, organisation, role) for printing."""
    orgs: dict[str, Organisation] = {}
    for fields in DEMO_ORGANISATIONS:
        org = db.session.scalar(select(Organisation).where(Organisation.slug == fields["slug"]))
        orgs[fields["slug"]] = org or organisations.create_organisation(**fields)
    now = datetime.now(timezone.utc)
    logins = []
    for email, name, slug, role in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(email=email, name=name, password=DEMO_PASSWORD, verified_at=now)
        if slug and role:
            accounts.grant_role(user, orgs[slug], role)
        logins.append((email, orgs[slug].name if slug else "-", role or "inwoner"))
    return logins


def register(app: Flask) -> None:
    @app.cli.command("demo-data")
    def demo_data() -> None:
        """Create two demo organisations and one demo user per role (safe to run again)."""
        logins = ensure_demo_data()
        db.session.commit()
        click.echo(f"Demo-gegevens klaar. Wachtwoord voor alle accounts: {DEMO_PASSWORD}")
        for email, org, role in logins:
            click.echo(f"  {email:34} {role:12} {org}")
