"""Open data: ORI v2 JSON validated against the ORI OAS, CSV, Atom and iCalendar."""
from __future__ import annotations

import csv
import io
from datetime import UTC, timedelta
from pathlib import Path

import feedparser
import icalendar
import jsonschema
import pytest
import yaml

from tests.conftest import NOW
from tests.functional.public.conftest import SECRET_NAME, oas_to_jsonschema

SOURCES = Path("/work/shared/domain/sources")
ORI = SOURCES / "ORI-v2-openapi.yaml"
MINI = SOURCES / "mini-ORI-openapi.yaml"
if not ORI.exists():  # the copies live next to the repo on CI
    SOURCES = Path(__file__).resolve().parents[3] / "docs" / "sources"
    ORI, MINI = SOURCES / "ORI-v2-openapi.yaml", SOURCES / "mini-ORI-openapi.yaml"


@pytest.fixture(scope="module")
def ori_components():
    if not ORI.exists():
        pytest.skip("ORI OAS not available")
    return (oas_to_jsonschema(yaml.safe_load(ORI.read_text("utf-8"))["components"]),
            oas_to_jsonschema(yaml.safe_load(MINI.read_text("utf-8"))["components"]))


def validate(payload, name: str, components) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": components}
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
                               ).validate(payload)


@pytest.fixture()
def council(create_org, make_case, make_meeting):
    org = create_org(slug="utrecht", name="Gemeente Utrecht", tooi_code="gm0344")
    initiative = make_case(org, request_type="burgerinitiatief", title="Groen schoolplein De Linde",
                           state="besloten")
    meeting = make_meeting(org, title="Raadsvergadering 27 november", status="gehouden", items=[
        {"title": "Burgerinitiatief Groen schoolplein", "reference": "7", "case_id": initiative.id,
             "result": "aangenomen", "votes_for": 25, "votes_against": 10, "votes_abstained": 0,
             "published_at": NOW, "decided_at": NOW, "votes": [("GroenLinks", "voor"), ("VVD", "tegen")]},
        {"title": "Vaststelling notulen", "reference": "1", "published_at": NOW},
        {"title": "Nog niet openbaar", "reference": "8", "result": "aangenomen"},
    ])
    cancelled = make_meeting(org, title="Commissie Ruimte", status="geannuleerd",
                             meeting_type="commissievergadering",
                             starts_at=NOW + timedelta(days=14))
    return org, meeting, cancelled, initiative


def test_ori_meetings_validate_against_the_ori_schema(client, council, ori_components):
    ori, mini = ori_components
    _org, meeting, cancelled, _case = council
    body = client.get("/api/ori/v2/vergaderingen").get_json()
    validate(body, "PaginatedVergaderingList", ori)
    assert body["count"] == 2 and body["next"] is None and body["previous"] is None
    found = {m["id"]: m for m in body["results"]}
    held = found[str(meeting.id)]
    assert held["url"].endswith(f"/api/ori/v2/vergaderingen/{meeting.id}")
    assert held["vergaderingstype"] == "raadsvergadering" and held["status"] == "gehouden"
    assert held["gemeente"] == {"gemeentecode": "0344", "gemeentenaam": "Gemeente Utrecht"}
    assert len(held["agendapunten"]) == 2  # the unpublished item is left out
    validate(held["organisatie"], "Organisatie", mini)
    assert found[str(cancelled.id)]["status"] == "geannuleerd"
    single = client.get(f"/api/ori/v2/vergaderingen/{meeting.id}").get_json()
    validate(single, "Vergadering", ori)
    assert single == held


def test_ori_agenda_items_decisions_and_votes_validate(client, council, ori_components):
    ori, _mini = ori_components
    _org, meeting, _c, case = council
    items = client.get("/api/ori/v2/agendapunten").get_json()
    validate(items, "PaginatedAgendapuntList", ori)
    titles = [i["agendapuntTitel"] for i in items["results"]]
    assert "Nog niet openbaar" not in titles and len(titles) == 2
    item = next(i for i in items["results"] if i["agendapuntKenmerk"] == "7")
    assert item["vergadering"]["id"] == str(meeting.id)
    assert item["webpaginalink"].endswith(f"/utrecht/register/{case.id}")

    decisions = client.get("/api/ori/v2/besluiten").get_json()
    validate(decisions, "PaginatedBesluitList", ori)
    assert [d["besluitresultaat"] for d in decisions["results"]] == ["aangenomen"]
    vote = client.get(decisions["results"][0]["stemmingen"][0].replace("http://localhost", "")).get_json()
    validate(vote, "Stemming", ori)
    assert vote["agendapunt"]["id"] == item["id"]
    # A counted vote is not a vote by voice: its counts, and a result per party group.
    assert "resultaatMondelingeStemming" not in vote
    assert (vote["aantalVoor"], vote["aantalTegen"], vote["aantalOnthouden"]) == (25, 10, 0)
    assert len(vote["stemresultatenPerFractie"]) == 2
    per_party = [client.get(url.replace("http://localhost", "")).get_json()
                 for url in vote["stemresultatenPerFractie"]]
    for result in per_party:
        validate(result, "StemresultaatPerFractie", ori)
        assert result["stemming"]["id"] == vote["id"]
    assert [(r["fractiestemresultaat"], r["keuze"]) for r in per_party] == [
        ("aangenomen", "voor"), ("verworpen", "tegen")]
    parties = [client.get(r["fractie"]["url"].replace("http://localhost", "")).get_json()
               for r in per_party]
    for party in parties:
        validate(party, "Fractie", ori)
    assert [p["fractienaam"] for p in parties] == ["GroenLinks", "VVD"]
    assert parties[0]["gemeente"] == {"gemeentecode": "0344", "gemeentenaam": "Gemeente Utrecht"}
    listed = client.get("/api/ori/v2/fracties").get_json()
    validate(listed, "PaginatedFractieList", ori)
    assert [p["fractienaam"] for p in listed["results"]] == ["GroenLinks", "VVD"]
    all_results = client.get("/api/ori/v2/stemresultatenperfractie?organisatie=utrecht").get_json()
    validate(all_results, "PaginatedStemresultaatPerFractieList", ori)
    assert all_results["results"] == per_party
    assert client.get("/api/ori/v2/fracties/0000000000000000").status_code == 404
    validate(client.get(f"/api/ori/v2/agendapunten/{item['id']}").get_json(), "Agendapunt", ori)


def test_a_hamerstuk_is_adopted_by_voice_without_counts_or_parties(client, create_org,
                                                                  make_meeting, ori_components):
    ori, _mini = ori_components
    org = create_org(slug="utrecht", name="Gemeente Utrecht", tooi_code="gm0344")
    meeting = make_meeting(org, title="Raadsvergadering", status="gehouden", items=[
        {"title": "Vaststelling besluitenlijst", "reference": "2", "result": "aangenomen",
         "hamerstuk": True, "published_at": NOW, "decided_at": NOW}])
    item = meeting.agenda_items[0]
    vote = client.get(f"/api/ori/v2/stemmingen/{item.id}").get_json()
    validate(vote, "Stemming", ori)
    assert vote["resultaatMondelingeStemming"] == "voor"
    assert "aantalVoor" not in vote and "stemresultatenPerFractie" not in vote
    assert client.get("/api/ori/v2/fracties").get_json()["count"] == 0


def test_ori_changed_since_filter_and_bad_parameters(client, council):
    assert client.get("/api/ori/v2/vergaderingen?gewijzigdSinds=2030-01-01").get_json()["count"] == 0
    assert client.get("/api/ori/v2/vergaderingen?gewijzigdSinds=2026-01-01").get_json()["count"] == 2
    for bad in ("gewijzigdSinds=gisteren", "page=abc", "page=0", "organisatie=%00"):
        response = client.get(f"/api/ori/v2/agendapunten?{bad}")
        assert response.status_code == 400 and response.is_json
    assert client.get("/api/ori/v2/besluiten/999999").status_code == 404


def test_ori_paging_links(client, create_org, make_meeting):
    org = create_org(slug="utrecht")
    for n in range(51):
        make_meeting(org, title=f"Vergadering {n}", starts_at=NOW + timedelta(days=n))
    first = client.get("/api/ori/v2/vergaderingen").get_json()
    assert first["count"] == 51 and len(first["results"]) == 50 and first["previous"] is None
    second = client.get(first["next"].replace("http://localhost", "")).get_json()
    assert len(second["results"]) == 1 and second["next"] is None and second["previous"]


def test_csv_register_columns_no_names_and_formula_injection(client, create_org, make_case, make_decision):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    hostile = make_case(org, title="=HYPERLINK(\"http://evil\")", state="afgewezen",
                        outcome="afgewezen", decided_at=NOW, policy_area="+groen",
                        data={"indiener_naam": SECRET_NAME})
    make_decision(hostile, refusal_grounds=["R4", "R11"])
    make_case(org, title="Concept", public=False)
    response = client.get("/open-data/utrecht/verzoeken.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert "\r\n" in text and SECRET_NAME not in text and "Concept" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:13] == ["zaaknummer", "type", "status", "ingediend_op", "besluitdatum",
                                  "uitkomst", "weigeringsgronden", "beleidsveld", "gebied_code",
                                  "gevraagd_budget", "toegekend_budget", "organisatie_naam",
                                  "evaluatie_url"]
    (row,) = rows
    assert row["ingediend_op"] == NOW.date().isoformat() and row["besluitdatum"] == "2026-03-02"
    assert row["weigeringsgronden"] == "R11;R4" and row["uitkomst"] == "afgewezen"
    assert row["beleidsveld"] == "'+groen" and row["organisatie_naam"] == ""
    assert row["overheid"] == "Gemeente Utrecht"
    install = client.get("/open-data/verzoeken.csv?type=burgerinitiatief").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(install)))) == 0


def test_csv_decision_list(client, council):
    _org, meeting, _c, case = council
    text = client.get("/open-data/utrecht/besluitenlijst.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert row["vergadering_id"] == str(meeting.id) and row["besluitresultaat"] == "aangenomen"
    assert row["voor"] == "25" and row["tegen"] == "10" and row["fracties_voor"] == "GroenLinks"
    assert row["woo_categorie"] == "c_db4862c3" and row["stuk_titel"] == case.title
    assert row["stuk_url"].endswith(f"/utrecht/register/{case.id}")


def test_atom_feed_of_published_decisions(client, create_org, create_user, make_case, make_decision):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    applicant = create_user(name=SECRET_NAME)
    case = make_case(org, title="Park onderhoud", applicant=applicant, state="afgewezen")
    decision = make_decision(case)
    make_decision(case, published=False, reasons="Nog niet bekend")
    response = client.get("/feeds/utrecht/besluiten.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    assert SECRET_NAME not in response.get_data(as_text=True)
    feed = feedparser.parse(response.get_data())
    assert not feed.bozo and len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.id == f"tag:127.0.0.1,{decision.published_at:%Y-%m-%d}:utrecht/besluiten/{decision.id}"
    assert "Park onderhoud" in entry.title and "Afgewezen" in entry.title
    assert entry.updated_parsed is not None and "kost meer" in entry.summary
    links = {link.type: link.href for link in entry.links}
    assert links["text/html"].endswith(f"/utrecht/register/{case.id}")
    assert links["application/json"].endswith(f"/api/v1/zaken/utrecht/{case.id}")
    # Stable: the same id on the next fetch.
    again = feedparser.parse(client.get("/feeds/utrecht/besluiten.atom").get_data())
    assert again.entries[0].id == entry.id


def test_icalendar_of_meetings(client, council):
    _org, meeting, cancelled, _case = council
    response = client.get("/feeds/utrecht/vergaderingen.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.get_data())
    events = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 2
    held = events[f"vergadering-{meeting.id}@127.0.0.1"]
    assert str(held["SUMMARY"]) == "Raadsvergadering 27 november"
    assert held.decoded("DTSTART") == meeting.starts_at.astimezone(UTC)
    assert held.decoded("DTSTART").utcoffset() == timedelta(0)
    assert str(held["LOCATION"]) == "Raadzaal" and str(held["STATUS"]) == "CONFIRMED"
    assert str(held["URL"]).endswith(f"/utrecht/vergaderingen/{meeting.id}")  # the web page
    assert str(events[f"vergadering-{cancelled.id}@127.0.0.1"]["STATUS"]) == "CANCELLED"


def test_a_meeting_has_a_public_page_with_its_published_agenda(client, council, create_org):
    _org, meeting, cancelled, case = council
    response = client.get(f"/utrecht/vergaderingen/{meeting.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Raadsvergadering 27 november" in html and "Raadzaal" in html and "Gehouden" in html
    assert f'href="/utrecht/register/{case.id}">Burgerinitiatief Groen schoolplein</a>' in html
    assert "besluit: aangenomen" in html and "Vaststelling notulen" in html
    assert "Nog niet openbaar" not in html  # an unpublished item is left out
    assert "Gaat niet door" in client.get(f"/utrecht/vergaderingen/{cancelled.id}").get_data(
        as_text=True)
    create_org(slug="zeist", name="Gemeente Zeist")
    assert client.get(f"/zeist/vergaderingen/{meeting.id}").status_code == 404
    assert client.get("/utrecht/vergaderingen/999999").status_code == 404


def test_feeds_of_unknown_organisation_404(client, create_org):
    assert client.get("/feeds/onbekend/besluiten.atom").status_code == 404
    assert client.get("/open-data/onbekend/verzoeken.csv").status_code == 404


def _read(response, *, excel: bool) -> list[dict[str, str]]:
    body = response.get_data()
    if excel:
        assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the mark
        text = body.decode("utf-8-sig")
    else:
        assert not body.startswith("\ufeff".encode())
        text = body.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text), delimiter=";" if excel else ","))
    assert len({len(r) for r in rows}) == 1, "every row as wide as the header"
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_every_csv_has_an_excel_variant_that_reads_back_to_the_same_values(
        client, create_org, make_case, make_decision):
    from decimal import Decimal

    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    case = make_case(org, title="Bankjes in het Wilhelminapark", state="afgewezen",
                     outcome="afgewezen", decided_at=NOW, requested_budget=Decimal("12500.50"))
    make_decision(case, refusal_grounds=["R4"])
    standard = _read(client.get("/open-data/utrecht/verzoeken.csv"), excel=False)
    response = client.get("/open-data/utrecht/verzoeken.csv?formaat=excel")
    assert 'filename="verzoeken-utrecht-excel.csv"' in response.headers["Content-Disposition"]
    excel = _read(response, excel=True)
    (row,), (excel_row,) = standard, excel
    assert row["gevraagd_budget"] == "12500.50" and excel_row["gevraagd_budget"] == "12500,50"
    assert row["besluitdatum"] == "2026-03-02" and excel_row["besluitdatum"] == "02-03-2026"
    # The same values, written two ways.
    assert Decimal(excel_row["gevraagd_budget"].replace(",", ".")) == Decimal(row["gevraagd_budget"])
    assert {k: v for k, v in excel_row.items() if k not in ("gevraagd_budget", "besluitdatum",
                                                              "ingediend_op", "bekendgemaakt_op")} \
        == {k: v for k, v in row.items() if k not in ("gevraagd_budget", "besluitdatum",
                                                       "ingediend_op", "bekendgemaakt_op")}
    page = client.get("/utrecht/register").get_data(as_text=True)
    assert "/open-data/utrecht/verzoeken.csv?formaat=excel" in page


def test_the_statistics_csv_is_rectangular_in_both_variants(client, create_org, make_case):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    make_case(org, title="Een", state="afgewezen", outcome="afgewezen", decided_at=NOW)
    for excel in (False, True):
        rows = _read(client.get("/utrecht/statistieken.csv" + ("?formaat=excel" if excel else "")),
                     excel=excel)
        assert rows and all(r["figuur"] for r in rows)
