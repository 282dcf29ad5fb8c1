"""Fixtures for the workbench: an organisation with staff, a resident, and submitted cases
dated relative to today (the work queue counts days left from the real date)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from participation.extensions import db
from participation.services import cases as service

APPLICANT_DATA = {"indiener_naam": "Stichting Groen Parkwijk", "adres_straat": "Lindelaan 4",
                  "adres_postcode": "1234 AB", "adres_plaats": "Zonnedal",
                  "contact_naam": "Sanne de Vries", "contact_email": "sanne@example.nl",
                  "contact_telefoon": "06 12345678"}


def days_ago(days: int) -> datetime:
    return datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) \
        - timedelta(days=days)


@pytest.fixture()
def org(create_org):
    return create_org(slug="zonnedal", name="Gemeente Zonnedal")


@pytest.fixture()
def other_org(create_org):
    return create_org(slug="bergdorp", name="Gemeente Bergdorp")


@pytest.fixture()
def coordinator(create_user, org):
    return create_user(org=org, role="coordinator", name="Carla Coördinator")


@pytest.fixture()
def official(create_user, org):
    return create_user(org=org, role="official", name="Otto Ambtenaar")


@pytest.fixture()
def griffie(create_user, org):
    return create_user(org=org, role="griffie", name="Greta Griffie")


@pytest.fixture()
def resident(create_user):
    return create_user(name="Sanne de Vries", email="sanne@example.nl")


@pytest.fixture()
def submit_case(resident) -> Callable[..., Any]:
    """A submitted uitdaagrecht case; `steps` are (transition, actor, inputs) applied after."""

    def factory(org, *, title: str = "Groenbeheer Parkwijk", submitted: datetime | None = None,
                applicant=None, steps: tuple = (), data: dict | None = None, **fields: Any):
        at = submitted or days_ago(1)
        case = service.start_case(org, "uitdaagrecht", applicant=applicant or resident,
                                  title=title, data=data or {}, now=at)
        for key, value in fields.items():
            setattr(case, key, value)
        service.apply_transition(case, "indienen", actor=applicant or resident, now=at)
        for name, actor, inputs, *when in steps:
            service.apply_transition(case, name, actor=actor, inputs=inputs,
                                     now=when[0] if when else at)
        db.session.commit()
        return case

    return factory


@pytest.fixture()
def case_at(org, coordinator, submit_case):
    """A case of an organisation with an address, filed with the applicant's address data,
    after `steps` ((transition, inputs) taken by the coordinator)."""
    def factory(steps):
        org.address = "Postbus 10, 1230 AA Zonnedal"
        org.phone = "14 0123"
        return submit_case(org, submitted=days_ago(5), data=dict(APPLICANT_DATA),
                           steps=tuple((name, coordinator, inputs) for name, inputs in steps))
    return factory
