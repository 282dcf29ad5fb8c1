"""Statistics page: figures per state, outcome, lead time against the term, support; SVG
charts with a text alternative; CSV of the same figures."""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from tests.conftest import NOW


def seed(create_org, make_case):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    other = create_org(slug="zeist", name="Gemeente Zeist")
    # Decided in 20 days, inside the 56-day term.
    make_case(org, title="Snel", state="toegekend", outcome="toegekend",
              submitted_at=NOW - timedelta(days=20), decided_at=NOW,
              clock_started_on=(NOW - timedelta(days=20)).date(), clock_term_days=56,
              clock_stopped_on=NOW.date())
    # Decided in 100 days, outside the term.
    make_case(org, title="Traag", state="afgewezen", outcome="afgewezen",
              submitted_at=NOW - timedelta(days=100), decided_at=NOW,
              clock_started_on=(NOW - timedelta(days=100)).date(), clock_term_days=56,
              clock_stopped_on=NOW.date())
    make_case(org, request_type="burgerinitiatief", title="Steun", signature_count=150,
              submitted_at=datetime(2025, 6, 1, tzinfo=UTC))
    make_case(org, title="Concept", public=False)
    make_case(other, title="Elders", state="in_behandeling")
    return org


def test_statistics_page_shows_figures_with_charts_and_tables(client, create_org, make_case):
    seed(create_org, make_case)
    html = client.get("/utrecht/statistieken").get_data(as_text=True)
    assert "In totaal 3 openbare zaken." in html  # the concept and Zeist do not count
    for heading in ("Zaken per status", "Uitkomsten", "Doorlooptijd tot het besluit",
                    "Steun voor burgerinitiatieven", "Zaken per jaar"):
        assert heading in html
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.DOTALL)
    assert svgs and all('role="img"' in s and "<title" in s and "<desc" in s for s in svgs)
    assert not any("style=" in s or "<script" in s for s in svgs)
    assert html.count("<table") >= len(svgs)  # every chart has a data table
    # Lead time: median of 20 and 100 days is 60; one of two decided within the 56-day term.
    lead = re.search(r'id="doorlooptijd-heading".*?</table>', html, re.DOTALL).group(0)
    cells = re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", lead)
    assert ["Uitdaagrecht", "60", "60", "56", "50%", "2"] == cells[-6:]
    support = re.search(r'id="steunbetuigingen-heading".*?</table>', html, re.DOTALL).group(0)
    assert "150" in support and "2025" in support


def test_install_wide_statistics_per_organisation(client, create_org, make_case):
    seed(create_org, make_case)
    html = client.get("/statistieken").get_data(as_text=True)
    assert "In totaal 4 openbare zaken." in html
    per_org = re.search(r'id="per_organisatie-heading".*?</table>', html, re.DOTALL).group(0)
    assert "Gemeente Utrecht" in per_org and "Gemeente Zeist" in per_org


def test_statistics_csv(client, create_org, make_case):
    seed(create_org, make_case)
    response = client.get("/utrecht/statistieken.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][0] == "figuur"
    outcomes = {r[1]: r[2] for r in rows if r[0] == "uitkomsten"}
    assert outcomes == {"Toegekend": "1", "Afgewezen": "1"}
    assert client.get("/statistieken.csv").status_code == 200


def test_empty_statistics(client, create_org):
    create_org(slug="utrecht")
    html = client.get("/utrecht/statistieken").get_data(as_text=True)
    assert "In totaal 0 openbare zaken." in html and "Hiervoor zijn nog geen gegevens." in html
