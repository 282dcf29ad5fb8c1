"""The workbench shows people, dates and amounts as a person reads them: never a database id,
an ISO timestamp or a dot-decimal amount (checked by pattern over the case page at each stage
and over the work queue)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.functional.workbench.conftest import days_ago

RAW = [
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "ISO timestamp"),
    (re.compile(r">\s*\d{4}-\d{2}-\d{2}\s*<"), "ISO date as text"),
    (re.compile(r"€\s?-?\d+\.\d{2}\b"), "dot-decimal amount"),
    (re.compile(r"(?i)user[ _]id"), "database id"),
]
DATA = {"naam_initiatief": "Groen Parkwijk", "indiener_naam": "Stichting Groen Parkwijk",
        "ondertekend_door": {"user_id": 7, "naam": "Sanne de Vries", "email": "s@example.nl"},
        "ondertekend_op": "2026-11-02T09:14:03.123456+00:00",
        "begroting": [{"post": "Maaien", "bedrag": "1500.00"},
                      {"post": "Snoeien", "bedrag": "250.50"}],
        "gevraagd_bedrag": "1750.50", "startdatum": "2027-06-03"}


def visible(html: str) -> str:
    """The page without its <head> and attributes' values (hidden inputs carry ISO dates)."""
    body = html[html.index("<body"):]
    return re.sub(r'(value|datetime|href|action)="[^"]*"', "", body)


@pytest.mark.parametrize("steps", [
    (),
    (("ontvangst_bevestigen", {}),),
    (("ontvangst_bevestigen", {}), ("in_behandeling_nemen", {}), ("naar_besluitvorming", {})),
], ids=["ingediend", "intake", "besluitvorming"])
def test_no_raw_values_on_the_case_page(client, login, official, coordinator, org, submit_case,
                                       steps):
    case = submit_case(org, submitted=days_ago(3), data=dict(DATA),
                       requested_budget=Decimal("12500.00"),
                       steps=tuple((name, coordinator, inputs) for name, inputs in steps))
    login(official)
    html = visible(client.get(f"/zonnedal/werkbak/zaken/{case.id}").get_data(as_text=True))
    for pattern, what in RAW:
        found = pattern.search(html)
        assert found is None, f"{what}: {html[max(0, found.start() - 80):found.end() + 40]}"
    assert "Sanne de Vries" in html and "2 november 2026 om 10:14" in html
    assert "Maaien: € 1.500,00, Snoeien: € 250,50" in html and "€ 1.750,50" in html
    assert "3 juni 2027" in html and "€ 12.500,00" in html


def test_the_chosen_task_is_shown_by_its_title_not_its_id(client, login, official, org,
                                                          submit_case):
    from participation.extensions import db
    from participation.models import Task

    task = Task(organisation_id=org.id, code="GR-01", title="Maaien van bermen",
                policy_area="groen", active=True)
    db.session.add(task)
    db.session.commit()
    case = submit_case(org, data={**DATA, "taak": str(task.id)}, task_id=task.id)
    login(official)
    html = client.get(f"/zonnedal/werkbak/zaken/{case.id}").get_data(as_text=True)
    rows = re.findall(r"<dt>Taak uit de takenlijst</dt><dd[^>]*>([^<]*)</dd>", html)
    assert rows and all(value == "Maaien van bermen" for value in rows), rows


def test_no_raw_values_in_the_work_queue_and_the_title_is_a_link(client, login, official, org,
                                                                   submit_case):
    case = submit_case(org, data=dict(DATA))
    login(official)
    page = client.get("/zonnedal/werkbak/").get_data(as_text=True)
    assert f'href="/zonnedal/werkbak/zaken/{case.id}">Groenbeheer Parkwijk</a>' in page
    html = visible(page)
    for pattern, what in RAW:
        assert pattern.search(html) is None, what


def test_values_are_formatted_the_dutch_way():
    from participation.workbench.queries import data_value

    assert data_value("x", {"user_id": 1, "naam": "Sanne"}) == "Sanne"
    assert data_value("bedrag", "-12.5") == "-12.5"  # not a stored amount: left as typed
    assert data_value("bedrag", "1234567.89") == "€ 1.234.567,89"
    assert data_value("gevraagd_bedrag", 2500) == "€ 2.500,00"
    assert data_value("start", "2027-02-30") == "2027-02-30"  # not a date: left as typed
    assert data_value("x", "2026-03-29T01:30:00+00:00") == "29 maart 2026 om 03:30"  # CEST
