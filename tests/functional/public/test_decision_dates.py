"""One decision, two dates: the legal besluitdatum is the date on the decision; the day it was
made known (sent to the applicant, Awb 3:41) is its own, named field everywhere."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import feedparser
import pytest

from tests.conftest import NOW

DECIDED_ON = date(2026, 3, 2)         # the date on the decision (college meeting)
MADE_KNOWN = NOW + timedelta(days=1)  # the step that sent it was taken the next day


@pytest.fixture()
def decided(create_org, make_case, make_decision):
    org = create_org(slug="utrecht", name="Gemeente Utrecht", tooi_code="gm0344")
    case = make_case(org, title="Groenbeheer Parkwijk", state="afgewezen", outcome="afgewezen",
                     decided_at=MADE_KNOWN)
    make_decision(case, decided_on=DECIDED_ON, refusal_grounds=["R4"])
    return org, case


def test_register_list_shows_the_date_on_the_decision(client, decided):
    html = client.get("/utrecht/register").get_data(as_text=True)
    assert 'datetime="2026-03-02"' in html and 'datetime="2026-03-03"' not in html


def test_case_page_names_both_dates(client, decided):
    _org, case = decided
    html = client.get(f"/utrecht/register/{case.id}").get_data(as_text=True)
    assert "Datum van het besluit" in html and '<time datetime="2026-03-02">' in html
    assert "Bekendgemaakt op" in html and '<time datetime="2026-03-03">' in html


def test_csv_has_besluitdatum_and_bekendgemaakt_op(client, decided):
    text = client.get("/open-data/utrecht/verzoeken.csv").get_data().decode("utf-8")
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["besluitdatum"] == "2026-03-02" and row["bekendgemaakt_op"] == "2026-03-03"


def test_api_list_detail_and_decision_agree(client, decided):
    _org, case = decided
    listed = client.get("/api/v1/zaken?organisatie=utrecht").get_json()["results"][0]
    detail = client.get(f"/api/v1/zaken/utrecht/{case.id}").get_json()
    for payload in (listed, detail):
        assert payload["besluitdatum"] == "2026-03-02"
        assert payload["bekendgemaakt_op"] == "2026-03-03"
    (decision,) = detail["besluiten"]
    assert decision["datum"] == "2026-03-02" and decision["bekendgemaakt_op"] == "2026-03-03"


def test_atom_summary_names_both_dates(client, decided):
    feed = feedparser.parse(client.get("/feeds/utrecht/besluiten.atom").get_data())
    (entry,) = feed.entries
    assert "op 02-03-2026." in entry.summary and "Bekendgemaakt op 03-03-2026." in entry.summary
