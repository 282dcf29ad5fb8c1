"""The work queue: urgency order, filters, counts per state, htmx fragment, assignment,
permissions and a bounded number of SQL statements."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from participation.extensions import db
from participation.models import Case
from participation.services import cases as service
from participation.workbench import queries
from tests.conftest import htmx_headers
from tests.functional.workbench.conftest import days_ago

QUEUE = "/zonnedal/werkbak/"


def row_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-case-id="(\d+)"', html)]


def information_request(coordinator, official, when):
    return (("ontvangst_bevestigen", coordinator, {}, when),
            ("aanvulling_vragen", official, {"question": "Stuur de begroting.", "term_days": 21},
             when))


@pytest.fixture()
def queue_cases(org, coordinator, official, submit_case):
    """overdue (70 days old), nearly due (50), fresh (10), suspended (60), decided."""
    return {
        "fresh": submit_case(org, title="Speeltuin Noord", submitted=days_ago(10)),
        "suspended": submit_case(org, title="Bermen maaien", submitted=days_ago(60),
                                 steps=information_request(coordinator, official, days_ago(55))),
        "overdue": submit_case(org, title="Hondenuitlaatveld", submitted=days_ago(70)),
        "nearly": submit_case(org, title="Buurthuis De Linde", submitted=days_ago(50)),
        "decided": submit_case(org, title="Vijver schoonhouden", submitted=days_ago(30), steps=(
            ("ontvangst_bevestigen", coordinator, {}),
            ("doorverwijzen", coordinator, {"reason": "Dit is een subsidieaanvraag."}))),
    }


def test_queue_orders_overdue_first_then_days_left_suspended_after_running(
        client, login, coordinator, queue_cases):
    login(coordinator)
    response = client.get(QUEUE)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    expected = [queue_cases[k].id for k in ("overdue", "nearly", "fresh", "suspended", "decided")]
    assert row_ids(html) == expected
    assert "verlopen" in html and "opgeschort" in html and "nog " in html


def test_counts_per_state_come_from_all_submitted_cases(client, login, coordinator, queue_cases,
                                                       org, resident):
    service.start_case(org, "uitdaagrecht", applicant=resident, title="Nog een concept",
                       now=days_ago(1))  # a draft is not in the queue
    db.session.commit()
    login(coordinator)
    html = client.get(QUEUE + "?state=ingediend").get_data(as_text=True)
    assert re.search(r'data-state-count="uitdaagrecht:ingediend">3<', html)
    assert re.search(r'data-state-count="uitdaagrecht:aanvulling_gevraagd">1<', html)
    assert re.search(r'data-state-count="uitdaagrecht:doorverwezen">1<', html)
    assert "concept" not in re.findall(r'data-state-count="uitdaagrecht:(\w+)"', html)
    assert "Nog een concept" not in html


def test_filters(client, login, coordinator, official, queue_cases, org, resident):
    queue_cases["nearly"].assignee_id = official.id
    bewoners = service.start_case(org, "bewonersinitiatief", applicant=resident,
                                  title="Buurtfeest Oost", now=days_ago(3))
    service.apply_transition(bewoners, "indienen", actor=resident, now=days_ago(3))
    db.session.commit()
    login(coordinator)

    def ids(query: str) -> set[int]:
        response = client.get(QUEUE + query)
        assert response.status_code == 200
        return set(row_ids(response.get_data(as_text=True)))

    assert ids("?type=bewonersinitiatief") == {bewoners.id}
    assert ids("?state=aanvulling_gevraagd") == {queue_cases["suspended"].id}
    assert ids(f"?assignee={official.id}") == {queue_cases["nearly"].id}
    assert queue_cases["nearly"].id not in ids("?assignee=none")
    assert len(ids("?assignee=none")) == 5
    assert ids("?assignee=mine") == set()
    assert ids("?overdue=y") == {queue_cases["overdue"].id}
    assert ids("?q=linde") == {queue_cases["nearly"].id}
    assert ids("?q=" + queue_cases["fresh"].number.lower()) == {queue_cases["fresh"].id}
    # Filters combine.
    assert ids("?type=uitdaagrecht&q=buurt") == {queue_cases["nearly"].id}


def test_htmx_request_gets_only_the_table(client, login, coordinator, queue_cases):
    login(coordinator)
    response = client.get(QUEUE + "?q=linde", headers=htmx_headers())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert html.lstrip().startswith('<section id="queue"')
    assert "<html" not in html and "Zaken per fase" not in html
    assert row_ids(html) == [queue_cases["nearly"].id]
    # The full page has the same table plus the filter form that works without JavaScript.
    page = client.get(QUEUE + "?q=linde").get_data(as_text=True)
    assert '<form class="queue-filters" method="get"' in page and 'hx-push-url="true"' in page
    assert 'id="queue"' in page


def test_paging_50_per_page(client, login, coordinator, org, submit_case):
    for n in range(52):
        submit_case(org, title=f"Zaak {n}", submitted=days_ago(5))
    login(coordinator)
    first = client.get(QUEUE).get_data(as_text=True)
    second = client.get(QUEUE + "?pagina=2").get_data(as_text=True)
    assert len(row_ids(first)) == 50 and len(row_ids(second)) == 2
    assert "52 zaken gevonden" in first
    assert not set(row_ids(first)) & set(row_ids(second))


def test_coordinator_assigns_and_official_sees_it_as_mine(client, login, coordinator, official,
                                                          queue_cases):
    case = queue_cases["fresh"]
    login(coordinator)
    response = client.post(f"/zonnedal/werkbak/zaken/{case.id}/toewijzen",
                           data={"assignee": str(official.id)})
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.assignee_id == official.id

    client.post("/account/uitloggen")
    login(official)
    html = client.get(QUEUE + "?assignee=mine").get_data(as_text=True)
    assert row_ids(html) == [case.id]
    assert "Otto Ambtenaar" in html and "Aan mij toegewezen" in html


def test_official_may_not_assign(client, login, official, coordinator, queue_cases):
    case = queue_cases["fresh"]
    login(official)
    response = client.post(f"/zonnedal/werkbak/zaken/{case.id}/toewijzen",
                           data={"assignee": str(official.id)})
    assert response.status_code == 403
    response = client.post("/zonnedal/werkbak/bulk", data={
        "action": "assign", "assignee": str(official.id),
        "case": f"{case.id}:{case.lock_version}"})
    assert response.status_code == 403
    db.session.refresh(case)
    assert case.assignee_id is None
    assert "Gekozen zaken toewijzen" not in client.get(QUEUE).get_data(as_text=True)


def test_bulk_assignment_by_coordinator(client, login, coordinator, official, queue_cases):
    picked = [queue_cases["fresh"], queue_cases["nearly"]]
    login(coordinator)
    response = client.post("/zonnedal/werkbak/bulk", data={
        "action": "assign", "assignee": str(official.id),
        "case": [f"{c.id}:{c.lock_version}" for c in picked]})
    assert response.status_code == 303
    for case in picked:
        db.session.refresh(case)
        assert case.assignee_id == official.id
    assert "2 zaken toegewezen." in client.get(QUEUE).get_data(as_text=True)


def test_assignee_must_be_staff_of_the_organisation(client, login, coordinator, resident,
                                                    queue_cases):
    case = queue_cases["fresh"]
    login(coordinator)
    response = client.post(f"/zonnedal/werkbak/zaken/{case.id}/toewijzen",
                           data={"assignee": str(resident.id)})
    assert response.status_code == 422
    assert "Kies een medewerker van deze organisatie." in response.get_data(as_text=True)


def test_resident_gets_403_and_anonymous_goes_to_login(client, login, resident, org):
    response = client.get(QUEUE)
    assert response.status_code in (302, 303) and "/account/inloggen" in response.headers["Location"]
    login(resident)
    assert client.get(QUEUE).status_code == 403


def test_staff_of_another_organisation_gets_403_on_the_queue(client, login, create_user,
                                                             other_org, org):
    outsider = create_user(org=other_org, role="coordinator")
    login(outsider)
    assert client.get(QUEUE).status_code == 403


@contextmanager
def count_statements():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def test_queue_statement_count_does_not_grow_with_the_cases(client, login, coordinator, official,
                                                            org, submit_case, create_user):
    other_official = create_user(org=org, role="official", name="Anna Ambtenaar")

    def add(n: int) -> None:
        for i in range(n):
            case = submit_case(org, title=f"Zaak {i}", submitted=days_ago(i % 40))
            case.assignee_id = (official, other_official, None)[i % 3] and \
                (official, other_official, None)[i % 3].id
        db.session.commit()

    org_id, coordinator_id = org.id, coordinator.id

    def measure() -> tuple[int, int]:
        db.session.expire_all()
        with count_statements() as in_query:
            page = queries.work_queue(org_id, queries.QueueFilters(), user_id=coordinator_id,
                                      today=days_ago(0).date(), roles={"coordinator"})
        assert page.rows
        with count_statements() as in_request:
            assert client.get(QUEUE).status_code == 200
        measure.last = in_query
        return len(in_query), len(in_request)

    login(coordinator)
    add(10)
    query_10, request_10 = measure()
    add(990)
    query_1000, request_1000 = measure()
    assert db.session.query(Case).count() == 1000
    assert query_10 == query_1000 and request_10 == request_1000
    assert query_1000 <= 6, measure.last


def test_a_late_evening_submission_has_the_dutch_date_everywhere(client, login, coordinator, org,
                                                                 submit_case):
    """Filed at 23:30 UTC on 21 November is 22 November in the Netherlands: the queue, the
    case page and the public register all say so (the Awb counts Dutch calendar days)."""
    from datetime import UTC, datetime

    case = submit_case(org, title="Laat ingediend", submitted=datetime(2026, 11, 21, 23, 30, tzinfo=UTC))
    case.is_public = True
    db.session.commit()
    public = client.get("/zonnedal/register").get_data(as_text=True)
    assert '<time datetime="2026-11-22">22-11-2026</time>' in public
    login(coordinator)
    queue = client.get(QUEUE).get_data(as_text=True)
    assert '<time datetime="2026-11-22">22-11-2026</time>' in queue
    page = client.get(f"/zonnedal/werkbak/zaken/{case.id}").get_data(as_text=True)
    assert "Ingediend</dt><dd>22 november 2026</dd>" in page and "21 november" not in page
