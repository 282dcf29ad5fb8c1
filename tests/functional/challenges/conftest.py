"""Factories for the resident's uitdaagrecht tests: valid answers per step, a filled draft,
a submitted case, and staff that move the case along through the workflow service."""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import Case, OutboxMessage, Task
from participation.models._types import utcnow
from participation.services import cases as case_service
from tests.conftest import dutch_today

LONG = ("Wij zijn een groep van twaalf buurtbewoners die al vijf jaar samen het plantsoen "
        "onderhouden. Drie van ons werkten als hovenier, twee hebben een EHBO-diploma en "
        "wij hebben een vaste planning voor het maaien, snoeien en opruimen van zwerfafval. ")
PLAN = LONG + ("Elke zaterdag werken wij van negen tot twaalf uur. Een coördinator verdeelt het "
               "werk en houdt een logboek bij dat wij elk kwartaal met de gemeente delen.")
MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def start_date() -> str:
    # The preset asks for the request 18 weeks before the start.
    return (dutch_today() + timedelta(weeks=20)).isoformat()


def step_data(step: int, **overrides: Any) -> dict[str, Any]:
    data: dict[int, dict[str, Any]] = {
        1: {"naam_initiatief": "Groen Plantsoen Zuid", "indiener_naam": "Stichting Groen Zuid",
            "adres_straat": "Lindelaan 4", "adres_postcode": "1234 AB", "adres_plaats": "Zonnedal",
            "contact_naam": "Sanne de Vries", "contact_email": "sanne@example.nl",
            "contact_telefoon": "06 12345678", "rechtsvorm": "stichting", "kvk_nummer": "12345678",
            "winstoogmerk": "nee", "winstoogmerk_toelichting": "", "samenstelling_groep": LONG},
        2: {"taak_omschrijving": LONG, "taak": "anders", "beleidsveld": "groenbeheer",
            "gebied": "Zuid"},
        3: {"uitvoeringsplan": PLAN, "beter_goedkoper_motivering": "Wij wonen er zelf.",
            "doelen_resultaten": "Een schoon plantsoen voor de hele buurt.",
            "indicatoren-0-tekst": "Elke week gemaaid", "startdatum": start_date(),
            "looptijd_maanden": "12"},
        4: {"draagvlak_omschrijving": "Wij hebben alle 80 huishoudens gesproken.",
            "aantal_steunbetuigingen": "64"},
        5: {"begroting-0-post": "Materiaal", "begroting-0-bedrag": "1500,00",
            "begroting-1-post": "Verzekering", "begroting-1-bedrag": "500",
            "gevraagd_budget": "1750", "eigen_bijdrage_geld": "250", "eigen_bijdrage_uren": "400"},
        6: {"maatschappelijke_meerwaarde": "De buurt ontmoet elkaar.",
            "kwaliteit_continuiteit": "Er zijn altijd twee reserves.",
            "veiligheid_risico": "Wij zijn verzekerd en werken met hesjes.",
            "veiligheid_bevestigd": "y"},
        7: {"privacyverklaring_gelezen": "y"},
    }
    values = dict(data[step])
    values.update(overrides)
    return values


@pytest.fixture()
def org(create_org):
    return create_org(slug="zonnedal", name="Gemeente Zonnedal", phone="14 0999")


@pytest.fixture()
def resident(create_user):
    return create_user(name="Sanne de Vries", email="sanne@example.nl")


@pytest.fixture()
def coordinator(create_user, org):
    return create_user(org=org, role="coordinator", name="Co Ordinator",
                       email="coordinator@zonnedal.example")


@pytest.fixture()
def add_task(org) -> Callable[..., Task]:
    def make(**fields: Any) -> Task:
        values = {"organisation_id": org.id, "code": "groen-zuid", "title": "Onderhoud plantsoen Zuid",
                      "policy_area": "groenbeheer", "current_budget": 2000}
        values.update(fields)
        task = Task(**values)
        db.session.add(task)
        db.session.commit()
        return task

    return make


@pytest.fixture()
def start_draft(client, org) -> Callable[[], int]:
    """Start a draft through the app as the logged-in resident; returns the case id."""

    def start() -> int:
        response = client.post(f"/{org.slug}/uitdaagrecht/nieuw")
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        return int(response.headers["Location"].split("/uitdaagrecht/")[1].split("/")[0])

    return start


def post_step(client, org, case_id: int, step: int, data: dict[str, Any], **kwargs):
    return client.post(f"/{org.slug}/uitdaagrecht/{case_id}/stap/{step}", data=data,
                       content_type="multipart/form-data", **kwargs)


@pytest.fixture()
def filled_draft(client, org, start_draft) -> Callable[..., int]:
    """A draft with steps 1-6 filled in validly (step 7 not yet sent)."""

    def fill(**per_step: dict[str, Any]) -> int:
        case_id = start_draft()
        for step in range(1, 7):
            response = post_step(client, org, case_id, step,
                                 step_data(step, **per_step.get(f"step{step}", {})))
            assert response.status_code == 303, (step, response.get_data(as_text=True)[:3000])
        return case_id

    return fill


@pytest.fixture()
def submitted_case(client, org, filled_draft) -> Callable[[], Case]:
    def submit() -> Case:
        case_id = filled_draft()
        response = post_step(client, org, case_id, 7, step_data(7))
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]
        db.session.expire_all()
        return db.session.get(Case, case_id)

    return submit


def apply(case: Case, name: str, actor, **inputs: Any):
    """Move the case as staff would, through the workflow service, and commit."""
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    outcome = case_service.apply_transition(case, name, actor=actor, inputs=inputs, now=utcnow())
    db.session.commit()
    return outcome.case


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                                   .order_by(OutboxMessage.id)))


def upload(content: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(content), name
