"""Factories for the initiatives tests: organisations with a small threshold, initiatives in
a given state and residents with a date of birth."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from participation.domain import workflow as wf
from participation.extensions import db
from participation.models._types import utcnow
from participation.services import initiatives as service
from participation.services import organisations

SMALL_THRESHOLD = 3


def preset_with(min_absolute: int) -> str:
    """The shipped burgerinitiatief preset with another absolute threshold."""
    source = wf.preset_path("burgerinitiatief").read_text("utf-8")
    assert "min_absolute = 100" in source
    return source.replace("min_absolute = 100", f"min_absolute = {min_absolute}", 1)


@pytest.fixture()
def org(create_org):
    """An organisation whose current procedure needs only three signatures."""
    org = create_org(slug="zonnedal", name="Gemeente Zonnedal")
    organisations.add_workflow_version(org, "burgerinitiatief", preset_with(SMALL_THRESHOLD),
                                       note="test: drempel 3")
    db.session.commit()
    return org


@pytest.fixture()
def resident(create_user):
    return create_user(name="Iris Initiatief", email="iris@example.nl")


@pytest.fixture()
def make_resident(create_user) -> Callable[..., Any]:
    def factory(**overrides: Any):
        birth_date = overrides.pop("birth_date", date(1980, 5, 17))
        user = create_user(**overrides)
        user.birth_date = birth_date
        db.session.commit()
        return user

    return factory


DRAFT = {
    "title": "Meer bankjes in het Zonnepark", "summary": "Wij willen tien extra bankjes.",
    "proposal": "De raad besluit tien bankjes te plaatsen in het Zonnepark.",
    "motivation": "Ouderen kunnen nu nergens uitrusten.", "deputy_name": "Piet Plaatsvervanger",
    "deputy_email": "piet@example.nl", "financial_consequences": "Ongeveer 5.000 euro.",
    "names_public": False, "not_excluded": True,
}


@pytest.fixture()
def make_initiative(org, resident) -> Callable[..., Any]:
    def factory(*, state: str = "steun_verzamelen", applicant=None, organisation=None,
                **fields: Any):
        applicant = applicant or resident
        draft = service.InitiativeDraft(**{**DRAFT, **fields})
        case = service.create_initiative(organisation or org, applicant=applicant, draft=draft,
                                         now=utcnow())
        if state in ("steun_verzamelen", "ingediend"):
            service.start_collecting(case, actor=applicant, now=utcnow())
        db.session.commit()
        return case

    return factory


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {key: value for key, value in DRAFT.items() if key not in ("names_public",
                                                                        "not_excluded")}
    data["not_excluded"] = "y"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
