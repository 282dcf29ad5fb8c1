"""Factories for the griffie tests: organisations with a griffie member, initiatives moved
through the real workflow service, meetings."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from participation.extensions import db
from participation.models import Meeting
from participation.services import cases as case_service
from tests.conftest import NOW

# The route to each state of the burgerinitiatief, as (transition, acting role, inputs).
INITIATIVE_PATH = [
    ("indienen", "applicant", {}),
    ("ontvangst_bevestigen", "griffie", {}),
    ("toelaten", "griffie", {}),
]


@pytest.fixture()
def griffie_setup(create_org, create_user):
    """An organisation, its griffie member and a resident who files initiatives."""

    def factory(**org_fields: Any):
        org = create_org(**org_fields)
        griffie = create_user(org=org, role="griffie", name="Griet Griffier")
        resident = create_user(name="Ilse Initiatief", email=f"ilse-{org.slug}@example.nl")
        return org, griffie, resident

    return factory


@pytest.fixture()
def make_initiative(app_ctx) -> Callable[..., Any]:
    def factory(org, applicant, griffie, *, title="Meer bankjes in het park",
                until: str = "toelaten"):
        case = case_service.start_case(org, "burgerinitiatief", applicant=applicant, title=title,
                                       now=NOW)
        case.summary = "Zet tien bankjes langs het wandelpad."
        for name, role, inputs in INITIATIVE_PATH:
            actor = applicant if role == "applicant" else griffie
            case_service.apply_transition(case, name, actor=actor, inputs=inputs, now=NOW)
            if name == until:
                break
        db.session.commit()
        return case

    return factory


@pytest.fixture()
def make_meeting(app_ctx) -> Callable[..., Meeting]:
    def factory(org, *, meeting_type="raadsvergadering", title="Raadsvergadering juni",
                days_ahead: int = 14, status="gepland", **fields):
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days_ahead)
        meeting = Meeting(organisation_id=org.id, meeting_type=meeting_type, title=title,
                          starts_at=starts, status=status, **fields)
        db.session.add(meeting)
        db.session.commit()
        return meeting

    return factory


def held(meeting, hours_ago: int = 2):
    """The meeting took place: a council decision can only be recorded after it."""
    meeting.starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_ago)
    meeting.status = "gehouden"
    db.session.commit()
    return meeting


def move(case, name, actor, **inputs):
    case_service.apply_transition(case, name, actor=actor, inputs=inputs, now=NOW)
    db.session.commit()
    return case
