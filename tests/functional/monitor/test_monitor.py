"""The council's monitor against hand-counted cases, made through the services with known
dates, grounds and budgets: the page, the print version, the CSV, the comparison of the
organisations, and the number of statements.

Zonnedal, uitdaagrecht (term 8 weeks = 56 days, one extension of 56 days), in 2026:
  A  in 5 Jan,  refused 2 Feb (R4, R5)                    28 days, in time
  B  in 12 Jan, supplement 19-29 Jan (10 days suspended), extended 2 Mar,
     granted 10 Apr (deadline 14 May), agreement 12.500  88 days, in time
  C  in 2 Feb,  refused 15 May (R4)                       102 days, late (deadline 30 Mar)
  D  in 2 Mar,  still being handled: deadline 28 Apr (27 Apr is Koningsdag): overdue now
  E  in Sat 10 Jan, refused Mon 9 Mar (R1): raw end Sat 7 Mar, rolls to Mon 9: in time
  F  in Sat 10 Jan, refused Tue 10 Mar (R1)               59 days, late by one day
  → received 6, decided 5 (refused 4, granted 1), median 59, p90 102, late 2 (C, F),
    extended 1, suspended 1, overdue now 1, grounds R1 2 × R4 2 × R5 1, one task 12.500.
In 2025: G in 2 Jun 2025, granted 1 Jul 2025, agreement 800.
Burgerinitiatief 2026: K 120 supporters (threshold 100), submitted, adopted by the council;
L collecting with 5 supporters. A draft (not public) and Bergdorp's case never count here.
"""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from participation.extensions import db
from participation.services import agreements
from participation.services import cases as service
from participation.services import initiatives as initiative_service
from tests.functional.public.conftest import count_statements

# The organisation with its change marker, the procedure versions, five GROUP BY statements
# (cases, lead-time histogram, margin, refusal grounds, council); install-wide the marker
# and the list of organisations instead of the organisation.
STATEMENTS = {"/{slug}/monitor?jaar=2026": 7, "/{slug}/monitor.csv": 7, "/monitor?jaar=alle": 8}
TODAY = date(2026, 6, 1)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


D = date.fromisoformat


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, app):
    monkeypatch.setattr("participation.monitor.views._today", lambda: TODAY)
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)


class Walk:
    """Cases of one organisation, moved through the services on given days."""

    def __init__(self, org, resident, coordinator) -> None:
        self.org, self.resident, self.coordinator = org, resident, coordinator

    def challenge(self, submitted: str, title: str = "Groen in de wijk"):
        case = service.start_case(self.org, "uitdaagrecht", applicant=self.resident,
                                  title=title, now=at(D(submitted)))
        service.apply_transition(case, "indienen", actor=self.resident, now=at(D(submitted)))
        service.apply_transition(case, "ontvangst_bevestigen", actor=self.coordinator,
                                 now=at(D(submitted)))
        return case

    def step(self, case, name: str, day: str, **inputs):
        service.apply_transition(case, name, actor=self.coordinator, inputs=inputs,
                                 now=at(D(day)))

    def decide(self, case, name: str, day: str, grounds: tuple[str, ...] = ()):
        if case.state == "intake":
            self.step(case, "in_behandeling_nemen", day)
        if case.state == "in_behandeling":
            self.step(case, "naar_besluitvorming", day)
        inputs = {"reason": "Zo besloten na afweging van het plan."}
        if grounds:
            inputs["refusal_grounds"] = list(grounds)
        service.fire_transition(case, name, actor=self.coordinator, inputs=inputs,
                                now=at(D(day)),
                                decision=service.DecisionFields(deciding_body="college",
                                                                decided_on=D(day)))

    def agreement(self, case, day: str, amount: str):
        self.step(case, "overeenkomst_opstellen", day)
        version = agreements.draft_agreement(
            case, actor=self.coordinator, task="Het plantsoen onderhouden", scope="",
            budget=amount, budget_line="6.1", start_date=D(day),
            end_date=D(day) + timedelta(days=365), evaluation_date=D(day) + timedelta(days=300),
            results=[agreements.ResultLine("Elke week gemaaid", D(day) + timedelta(days=90))],
            instalments=[], contact_persons="", document=None, now=at(D(day)))
        agreements.agree(case, actor=self.resident, version=version.version, now=at(D(day)))


@pytest.fixture()
def counted(create_org, create_user, make_meeting):
    zonnedal = create_org(slug="zonnedal", name="Gemeente Zonnedal")
    bergdorp = create_org(slug="bergdorp", name="Gemeente Bergdorp")
    resident = create_user()
    walk = Walk(zonnedal, resident, create_user(org=zonnedal, role="coordinator"))
    a = walk.challenge("2026-01-05")
    walk.decide(a, "afwijzen", "2026-02-02", ("R4", "R5"))
    b = walk.challenge("2026-01-12")
    walk.step(b, "aanvulling_vragen", "2026-01-19", question="Welke straten?", term_days=14)
    service.apply_transition(b, "aanvulling_ontvangen", actor=resident,
                             inputs={"answer": "Deze straten."}, now=at(D("2026-01-29")))
    walk.step(b, "in_behandeling_nemen", "2026-02-02")
    walk.step(b, "verdagen", "2026-03-02", reason="Advies van de wijkraad nodig.")
    walk.decide(b, "toekennen", "2026-04-10")
    walk.agreement(b, "2026-04-15", "12500,00")
    c = walk.challenge("2026-02-02")
    walk.decide(c, "afwijzen", "2026-05-15", ("R4",))
    d = walk.challenge("2026-03-02")
    walk.step(d, "in_behandeling_nemen", "2026-03-03")
    e = walk.challenge("2026-01-10")
    walk.decide(e, "afwijzen", "2026-03-09", ("R1",))
    f = walk.challenge("2026-01-10")
    walk.decide(f, "afwijzen", "2026-03-10", ("R1",))
    g = walk.challenge("2025-06-02")
    walk.decide(g, "toekennen", "2025-07-01")
    walk.agreement(g, "2025-07-02", "800")
    service.start_case(zonnedal, "uitdaagrecht", applicant=resident, title="Concept",
                       now=at(D("2026-02-01")))                      # a draft: not public
    k = _initiative(zonnedal, resident, "2026-02-01", supporters=120, submit="2026-04-01")
    _initiative(zonnedal, resident, "2026-03-01", supporters=5)
    other = Walk(bergdorp, resident, create_user(org=bergdorp, role="coordinator"))
    walk_other = other.challenge("2026-01-05")
    other.decide(walk_other, "afwijzen", "2026-02-02", ("R2",))
    db.session.commit()
    make_meeting(zonnedal, title="Raadsvergadering mei", status="gehouden",
                 starts_at=at(D("2026-05-12")),
                 items=[{"title": "Burgerinitiatief Speeltuin", "case_id": k.id,
                         "result": "aangenomen", "decided_at": at(D("2026-05-12")),
                         "published_at": at(D("2026-05-13"))},
                        {"title": "Niet gepubliceerd", "case_id": k.id, "result": "verworpen",
                         "decided_at": at(D("2026-05-12"))}])
    return zonnedal, bergdorp


def _initiative(org, resident, started: str, *, supporters: int, submit: str | None = None):
    case = service.start_case(org, "burgerinitiatief", applicant=resident, title="Speeltuin",
                              now=at(D(started)))
    service.apply_transition(case, "steun_verzamelen_starten", actor=resident, now=at(D(started)))
    case.signature_count = supporters   # the statements themselves are not what is counted here
    db.session.flush()
    if submit:
        initiative_service.submit_initiative(case, actor=resident, now=at(D(submit)))
    db.session.flush()
    return case


def text(html: str) -> str:
    return html.replace("\xa0", " ")


def table(html: str, heading_id: str) -> list[list[str]]:
    """The rows of the table in the section with `heading_id`, as text cells."""
    import re

    section = html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", section, re.DOTALL)[1:]
    return [[re.sub(r"<[^>]+>", "", cell).strip()
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)] for row in rows]


def test_the_page_shows_the_hand_counted_figures(client, counted):
    html = client.get("/zonnedal/monitor?jaar=2026").get_data(as_text=True)
    assert table(html, "ontvangen-heading") == [["Uitdaagrecht", "6"], ["Burgerinitiatief", "2"]]
    assert table(html, "uitkomsten-heading") == [["Afgewezen (Uitdaagrecht)", "4"],
                                                 ["Toegekend (Uitdaagrecht)", "1"]]
    grounds = table(html, "weigeringsgronden-heading")
    assert [(row[0][:3].strip(), row[1]) for row in grounds] == [("R1", "2"), ("R4", "2"),
                                                                  ("R5", "1")]
    assert "Besluiten met ten minste één weigeringsgrond: 4." in html
    assert table(html, "doorlooptijden-heading") == [
        ["Uitdaagrecht", "5", "59", "102", "56", "2", "1", "1", "1"]]
    assert table(html, "overgenomen_taken-heading") == [["Overeenkomst wordt opgesteld", "1"]]
    assert "1 taak overgenomen, met € 12.500,00 budget." in text(html)
    assert table(html, "drempel-heading") == [["Ontvangen", "2"], ["Drempel gehaald", "1"]]
    assert table(html, "raadsbesluiten-heading") == [["Aangenomen (Burgerinitiatief)", "1"]]
    assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "Concept" not in html and "Gebruiker" not in html   # no drafts, no names


def test_other_years_and_all_years(client, counted):
    html = client.get("/zonnedal/monitor?jaar=2025").get_data(as_text=True)
    assert table(html, "ontvangen-heading") == [["Uitdaagrecht", "1"]]
    assert "1 taak overgenomen, met € 800,00 budget." in text(html)
    everything = client.get("/zonnedal/monitor?jaar=alle").get_data(as_text=True)
    assert table(everything, "ontvangen-heading") == [["Uitdaagrecht", "7"],
                                                      ["Burgerinitiatief", "2"]]
    assert "2 taken overgenomen, met samen € 13.300,00 budget." in text(everything)
    assert table(everything, "doorlooptijden-heading")[0][1:4] == ["6", "58,5", "102"]


def test_the_default_year_is_this_year(client, counted):
    html = client.get("/zonnedal/monitor").get_data(as_text=True)
    assert "Cijfers over 2026" in html
    assert '<option value="2026" selected>' in html and '<option value="2025">' in html


def test_the_htmx_year_switch_returns_the_fragment(client, counted):
    response = client.get("/zonnedal/monitor?jaar=2025", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Cijfers over 2025" in body
    assert "HX-Request" in response.headers["Vary"]


def test_the_comparison_year_switch_returns_its_fragment(client, counted):
    response = client.get("/monitor?jaar=2025", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Cijfers over 2025" in body and "Gemeente Zonnedal" in body


def test_the_print_version_is_a_plain_page_with_the_same_figures(client, counted):
    html = client.get("/zonnedal/monitor/afdrukken?jaar=2026").get_data(as_text=True)
    assert "site-header" not in html and "<script" not in html
    assert table(html, "ontvangen-heading") == [["Uitdaagrecht", "6"], ["Burgerinitiatief", "2"]]


def _csv(client, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_holds_the_same_figures(client, counted):
    rows = _csv(client, "/zonnedal/monitor.csv?jaar=2026")
    assert list(rows[0]) == ["jaar", "organisatie", "procedure", "onderdeel", "code",
                             "omschrijving", "waarde"]
    value = {(r["procedure"], r["onderdeel"], r["code"]): r["waarde"] for r in rows}
    assert {r["jaar"] for r in rows} == {"2026"} and {r["organisatie"] for r in rows} == {"zonnedal"}
    assert value[("uitdaagrecht", "ontvangen", "")] == "6"
    assert value[("uitdaagrecht", "uitkomst", "afgewezen")] == "4"
    assert value[("uitdaagrecht", "weigeringsgrond", "R4")] == "2"
    assert value[("uitdaagrecht", "doorlooptijd", "mediaan_dagen")] == "59"
    assert value[("uitdaagrecht", "doorlooptijd", "p90_dagen")] == "102"
    assert value[("uitdaagrecht", "doorlooptijd", "te_laat")] == "2"
    assert value[("uitdaagrecht", "doorlooptijd", "nu_over_termijn")] == "1"
    assert value[("uitdaagrecht", "overgenomen_taken", "budget")] == "12500.00"
    assert value[("burgerinitiatief", "drempel", "gehaald")] == "1"
    assert value[("burgerinitiatief", "raadsbesluit", "aangenomen")] == "1"
    assert value[("alle", "ontvangen", "")] == "8"


def test_the_csv_without_a_year_gives_each_year_and_all(client, counted):
    rows = _csv(client, "/zonnedal/monitor.csv")
    received = {r["jaar"]: r["waarde"] for r in rows
                if r["procedure"] == "alle" and r["onderdeel"] == "ontvangen"}
    assert received == {"2025": "1", "2026": "8", "alle": "9"}


def test_the_comparison_puts_the_organisations_side_by_side(client, counted):
    html = client.get("/monitor?jaar=2026").get_data(as_text=True)
    rows = {row[0]: row[1:] for row in table(text(html), "vergelijking-heading")}
    # One column per organisation, by name: Bergdorp, Zonnedal (20,000 inhabitants each).
    assert rows == {
        "Soort organisatie": ["Gemeente", "Gemeente"],
        "Ontvangen": ["1", "8"],
        "Ontvangen per 10.000 inwoners": ["0,5", "4"],
        "Afgehandeld": ["1", "5"],
        "(Deels) toegekend": ["0", "1"],
        "Afgewezen": ["1", "4"],
        "Mediaan doorlooptijd (dagen)": ["28", "59"],
        "90e percentiel doorlooptijd (dagen)": ["28", "102"],
        "Te laat besloten": ["0", "2"],
        "Nu over de termijn": ["0", "1"],
        "Overgenomen taken": ["0", "1"],
        "Budget overgenomen taken": ["€ 0,00", "€ 12.500,00"],
        "Burgerinitiatieven die de drempel haalden": ["0", "1"],
        "Besluiten van de raad": ["0", "1"],
    }
    assert 'href="/zonnedal/monitor?jaar=2026"' in html
    rows = _csv(client, "/monitor.csv?jaar=2026")
    assert {r["organisatie"] for r in rows} >= {"zonnedal", "bergdorp"}


def test_each_organisation_sees_its_own_figures(client, counted):
    html = client.get("/bergdorp/monitor?jaar=2026").get_data(as_text=True)
    assert table(html, "ontvangen-heading") == [["Uitdaagrecht", "1"]]
    grounds = table(html, "weigeringsgronden-heading")
    assert [row[0][:3].strip() for row in grounds] == ["R2"]
    assert client.get("/onbekend/monitor").status_code == 404


def test_linked_from_the_organisation(client, counted):
    assert 'href="/zonnedal/monitor"' in client.get("/zonnedal/").get_data(as_text=True)
    assert 'href="/zonnedal/monitor"' in client.get("/zonnedal/register").get_data(as_text=True)


def _seed(org, walk_n: int, create_user):
    resident = create_user()
    walk = Walk(org, resident, create_user(org=org, role="coordinator"))
    start = D("2026-01-05")
    for i in range(walk_n):
        day = (start + timedelta(days=i % 90)).isoformat()
        case = walk.challenge(day)
        if i % 3 == 0:
            walk.decide(case, "afwijzen", (D(day) + timedelta(days=20 + i % 60)).isoformat(),
                        (f"R{1 + i % 5}",))
        elif i % 3 == 1:
            walk.decide(case, "toekennen", (D(day) + timedelta(days=30)).isoformat())
    db.session.commit()


@pytest.mark.parametrize("path", list(STATEMENTS))
def test_a_bounded_number_of_statements(app, client, create_org, create_user, path):
    counts = []
    for n in (6, 60):
        org = create_org(slug=f"zonnedal{n}")
        _seed(org, n, create_user)
        url = path.format(slug=org.slug)
        assert client.get(url).status_code == 200
        app.extensions["participation.figures_cache"].clear()   # count a real computation
        with count_statements() as seen:
            response = client.get(url)
            assert response.status_code == 200
            response.get_data()
        counts.append(len(seen))
    assert counts == [STATEMENTS[path]] * 2, counts


def test_kept_figures_follow_a_new_case_at_once(client, create_org, create_user):
    """The summary and the comparison are kept with their facts between requests; a case
    filed in between shows on the next request, not a minute later."""
    org = create_org(slug="zonnedal")
    _seed(org, 2, create_user)

    def received() -> tuple[str, str]:
        page = client.get("/zonnedal/monitor?jaar=2026").get_data(as_text=True)
        compared = client.get("/monitor?jaar=2026").get_data(as_text=True)
        row = next(r for r in table(compared, "vergelijking-heading") if r[0] == "Ontvangen")
        return table(page, "ontvangen-heading")[0][1], row[1]

    assert received() == ("2", "2")
    assert received() == ("2", "2")  # from the kept figures
    Walk(org, create_user(), create_user(org=org, role="coordinator")).challenge("2026-03-02")
    db.session.commit()
    assert received() == ("3", "3")
