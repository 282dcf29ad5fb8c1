"""The workbench shows people, dates and amounts as a person reads them: never a database id,
an ISO timestamp or a dot-decimal amount (checked by pattern over the case page at each stage
and over the work queue)."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from participation.extensions import db
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


# Dates the case page used to print as '03-06-2027' (a long date now; only a date field's hint
# shows how to type one), and a role the timeline used to print as its code.
NUMERIC_DATE = re.compile(r"(?<!Bijvoorbeeld )(?<!For example )\b\d{1,2}-\d{1,2}-\d{4}\b")
ROLE_CODE = re.compile(r"\((official|coordinator|applicant|system|griffie|admin)\)")


def assert_readable(html: str, stage: str, *, dutch: bool = True) -> None:
    codes = [(ROLE_CODE, "role code")] if dutch else []  # 'applicant' is English for it
    for pattern, what in [*RAW, (NUMERIC_DATE, "date as digits"), *codes]:
        found = pattern.search(html)
        assert found is None, \
            f"{stage}: {what}: {html[max(0, found.start() - 120):found.end() + 60]}"


def test_a_case_walked_to_its_agreement_reads_as_a_person_reads_it(
        client, login, official, resident, org, submit_case):
    """An official takes a request from submission to the agreement through the page's own
    forms (a message, a note, the decision, the agreement, a progress report); no page on
    the way shows an ISO timestamp, a date in digits, a dot-decimal amount or a code."""
    from tests.functional.workbench.test_case_page import step, url

    case = submit_case(org, submitted=days_ago(3), data=dict(DATA),
                       requested_budget=Decimal("12500.00"))
    login(official)
    seen: list[str] = []

    def page(stage: str) -> str:
        response = client.get(url(case))
        assert response.status_code == 200, stage
        html = visible(response.get_data(as_text=True))
        assert_readable(html, stage)
        seen.append(html)
        return html

    def take(name: str, **fields) -> None:
        db.session.refresh(case)
        target, data = step(case, name, **fields)
        response = client.post(target, data=data)
        assert response.status_code == 303, (name, response.get_data(as_text=True)[:2000])

    html = page("ingediend")
    assert re.search(r"Ingediend</dt><dd>\d{1,2} \w+ 20\d\d</dd>", html), "submission date"
    assert re.search(r"Uiterste beslisdatum</dt><dd>\d{1,2} \w+ 20\d\d</dd>", html)
    take("ontvangst_bevestigen")
    assert client.post(url(case, "/berichten"), data={"body": "Wij bellen u."}).status_code == 303
    assert client.post(url(case, "/notities"), data={"body": "Eerst de wijk."}).status_code == 303
    html = page("intake")
    assert re.search(r"Otto Ambtenaar, <time ?>\d{1,2} \w+ 20\d\d om \d\d:\d\d</time>", html)
    assert "Otto Ambtenaar (behandelaar)" in html
    take("in_behandeling_nemen")
    page("in behandeling")
    take("naar_besluitvorming")
    page("besluitvorming")
    take("toekennen", reason="Goed plan.", deciding_body="college",
         decided_on="2026-11-20", decision_number="B-2026-7")
    html = page("toegekend")
    assert "Datum van het besluit</dt><dd>20 november 2026</dd>" in html
    take("overeenkomst_opstellen")
    assert client.post(url(case, "/overeenkomst"), data={
        "task": "Groen onderhouden", "budget": "8500,5", "budget_line": "6.1.3 Groen",
        "start_date": "2027-01-01", "end_date": "2027-12-31", "evaluation_date": "2027-11-01",
        "results-0-title": "Plantsoen gemaaid", "results-0-target_date": "31-03-2027",
        "instalments-0-amount": "10000", "instalments-0-planned_on": "2027-01-15",
        "instalments-1-amount": "1.000,00", "instalments-1-planned_on": "2027-04-01",
        "instalments-1-condition": "1"}).status_code == 422   # more than the budget
    assert client.post(url(case, "/overeenkomst"), data={
        "task": "Groen onderhouden", "budget": "18500,5", "budget_line": "6.1.3 Groen",
        "start_date": "2027-01-01", "end_date": "2027-12-31", "evaluation_date": "2027-11-01",
        "results-0-title": "Plantsoen gemaaid", "results-0-target_date": "31-03-2027",
        "instalments-0-amount": "10000", "instalments-0-planned_on": "2027-01-15",
        "instalments-1-amount": "8.500,50", "instalments-1-planned_on": "2027-04-01",
        "instalments-1-condition": "1"}).status_code == 303
    html = page("overeenkomst")
    assert "1 januari 2027 tot 31 december 2027" in html
    assert "€ 18.500,50" in html and "€ 10.000,00" in html and "€ 8.500,50" in html
    assert "streefdatum 31 maart 2027" in html
    assert len(seen) == 6


def test_the_case_page_in_english_has_no_raw_values_either(client, login, official,
                                                           coordinator, org, submit_case):
    case = submit_case(org, submitted=days_ago(3), data=dict(DATA),
                       steps=(("ontvangst_bevestigen", coordinator, {}),))
    login(official)
    client.get("/lang/en")
    html = visible(client.get(f"/zonnedal/werkbak/zaken/{case.id}").get_data(as_text=True))
    assert '<html lang="en"' not in html  # visible() starts at <body>
    assert_readable(html, "English", dutch=False)
    assert re.search(r"<time ?>[A-Z][a-z]+ \d{1,2}, 20\d\d at \d\d:\d\d</time>", html)
    assert re.search(r"Submitted</dt><dd>[A-Z][a-z]+ \d{1,2}, 20\d\d</dd>", html), html[:3000]
