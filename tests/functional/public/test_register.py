"""Public register and case page: only public cases, filters, paging, htmx, privacy."""
from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import NOW, htmx_headers
from tests.functional.public.conftest import SECRET_NAME


def rows(html: str) -> list[str]:
    return re.findall(r'<a class="utrecht-link" href="/[^"]+/register/\d+">([^<]+)</a>', html)


def test_register_lists_public_cases_with_labels_and_never_concepts(client, create_org, make_case):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    make_case(org, title="Groen schoolplein De Linde", state="in_behandeling")
    make_case(org, title="Geheim concept", public=False)
    make_case(org, request_type="burgerinitiatief", title="Meer bankjes in het park")

    response = client.get("/utrecht/register")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Groen schoolplein De Linde" in html and "Meer bankjes in het park" in html
    assert "Geheim concept" not in html
    assert "In behandeling" in html  # the state's label from the procedure, not its code
    assert "Burgerinitiatief" in html and "2 zaken gevonden" in html
    assert "HX-Request" in response.headers["Vary"]


def test_install_wide_register_shows_all_organisations_and_filters_by_one(client, create_org, make_case):
    a = create_org(slug="utrecht", name="Gemeente Utrecht")
    b = create_org(slug="aa-en-maas", name="Waterschap Aa en Maas", tier="waterschap", tooi_code="ws0654")
    make_case(a, title="Speeltuin Lombok")
    make_case(b, title="Natuurvriendelijke oever")

    html = client.get("/register").get_data(as_text=True)
    assert rows(html) == ["Natuurvriendelijke oever", "Speeltuin Lombok"] or \
        sorted(rows(html)) == ["Natuurvriendelijke oever", "Speeltuin Lombok"]
    assert "Waterschap Aa en Maas" in html
    html = client.get("/register?organisation=aa-en-maas").get_data(as_text=True)
    assert rows(html) == ["Natuurvriendelijke oever"]


def test_filters_type_state_year_outcome_and_search(client, create_org, make_case):
    org = create_org(slug="utrecht")
    make_case(org, title="Speeltuin aan de Kerkstraat", state="afgewezen", outcome="afgewezen",
              decided_at=NOW)
    make_case(org, title="Buurtmoestuin", request_type="bewonersinitiatief",
              submitted_at=datetime(2025, 5, 1, tzinfo=UTC))
    make_case(org, title="Nieuwe speeltuinen in Oost", state="in_behandeling")

    def titles(query: str) -> list[str]:
        return sorted(rows(client.get("/utrecht/register" + query).get_data(as_text=True)))

    assert titles("?type=bewonersinitiatief") == ["Buurtmoestuin"]
    assert titles("?state=in_behandeling") == ["Nieuwe speeltuinen in Oost"]
    assert titles("?year=2025") == ["Buurtmoestuin"]
    assert titles("?outcome=afgewezen") == ["Speeltuin aan de Kerkstraat"]
    assert titles("?q=speeltuinen") == ["Nieuwe speeltuinen in Oost", "Speeltuin aan de Kerkstraat"]
    assert titles("?q=speeltuin&state=afgewezen") == ["Speeltuin aan de Kerkstraat"]
    # Nonsense values are ignored by the page (the API answers 400 instead).
    assert len(titles("?year=abc&type=nope&page=zero")) == 3


def test_outcome_filter_uses_published_decision_when_case_has_no_outcome(
        client, create_org, make_case, make_decision):
    org = create_org(slug="utrecht")
    initiative = make_case(org, request_type="burgerinitiatief", title="Bomen langs de Singel",
                           state="besloten")
    make_decision(initiative, outcome="aangenomen", deciding_body="raad")
    unpublished = make_case(org, request_type="burgerinitiatief", title="Nog niet bekend",
                            state="besloten")
    make_decision(unpublished, outcome="aangenomen", published=False)

    html = client.get("/utrecht/register?outcome=aangenomen").get_data(as_text=True)
    assert rows(html) == ["Bomen langs de Singel"]
    assert "Aangenomen" in html


def test_paging_25_per_page_with_total(client, create_org, make_case):
    org = create_org(slug="utrecht")
    for n in range(30):
        make_case(org, title=f"Verzoek {n:02d}", commit=n == 29,
                  submitted_at=datetime(2026, 1, 1 + n, tzinfo=UTC))
    first = client.get("/utrecht/register").get_data(as_text=True)
    second = client.get("/utrecht/register?page=2").get_data(as_text=True)
    assert "30 zaken gevonden" in first and len(rows(first)) == 25 and len(rows(second)) == 5
    assert rows(first)[0] == "Verzoek 29"  # newest submission first
    assert 'href="/utrecht/register?page=2"' in first
    assert set(rows(first)).isdisjoint(rows(second))
    # Filters survive in the paging links.
    html = client.get("/utrecht/register?q=verzoek").get_data(as_text=True)
    assert 'href="/utrecht/register?q=verzoek&amp;page=2"' in html


def test_htmx_request_gets_only_the_results_and_form_keeps_url_shareable(client, create_org, make_case):
    org = create_org(slug="utrecht")
    make_case(org, title="Speeltuin aan de Kerkstraat")
    page = client.get("/utrecht/register").get_data(as_text=True)
    form = re.search(r'<form class="register-filters"[^>]*>', page).group(0)
    assert 'method="get"' in form and 'action="/utrecht/register"' in form
    assert 'hx-get="/utrecht/register"' in form and 'hx-target="#register-results"' in form
    assert 'hx-push-url="true"' in form and "keyup" in form and "change" in form
    assert '<button type="submit"' in page  # works without JavaScript

    fragment = client.get("/utrecht/register?q=speeltuin", headers=htmx_headers())
    body = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in body and "register-filters" not in body
    assert rows(body) == ["Speeltuin aan de Kerkstraat"] and "1 zaak gevonden" in body


@pytest.mark.parametrize("q", ["' OR 1=1 --", '"unbalanced', "NEAR(a b)", "a* AND OR NOT",
                               "x" * 5000, "%_\\", "<script>alert(1)</script>", "\x00", "de het een"])
def test_hostile_search_strings_never_fail(client, create_org, make_case, q):
    org = create_org(slug="utrecht")
    make_case(org, title="Speeltuin")
    for url in ("/utrecht/register", "/register", "/api/v1/zaken", "/open-data/verzoeken.csv"):
        response = client.get(url, query_string={"q": q})
        assert response.status_code in (200, 400), url
    html = client.get("/utrecht/register", query_string={"q": q[:200]}).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html


def test_case_page_shows_decision_timeline_documents_and_no_names(
        client, create_org, create_user, make_case, make_decision, add_event):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    applicant = create_user(name=SECRET_NAME)
    case = make_case(org, title="Onderhoud van het Wilhelminapark", applicant=applicant,
                     summary="Wij willen het park zelf onderhouden.", state="afgewezen",
                     outcome="afgewezen", decided_at=NOW,
                     data={"indiener_naam": SECRET_NAME, "contact_naam": SECRET_NAME})
    add_event(case, to_state="intake", label_nl="Verzoek ontvangen")
    add_event(case, to_state="intake", public=False, label_nl="Interne notitie", reason="geheim")
    make_decision(case, refusal_grounds=["R4"])
    make_decision(case, outcome="toegekend", published=False, reasons="Concept van een besluit")

    html = client.get(f"/utrecht/register/{case.id}").get_data(as_text=True)
    assert "Onderhoud van het Wilhelminapark" in html and "Wij willen het park zelf onderhouden." in html
    assert "Verzoek ontvangen" in html and "Interne notitie" not in html
    assert "College van burgemeester en wethouders" in html
    assert "Het plan kost meer dan nu, of er is geen geld voor" in html  # R4 label
    assert "bezwaar maken" in html and f"B-{case.id}" in html
    assert "Concept van een besluit" not in html
    assert SECRET_NAME not in html


def test_case_page_shows_organisation_name_only_with_consent(client, create_org, make_case):
    org = create_org(slug="utrecht")
    consent = make_case(org, title="Met toestemming",
                        data={"indiener_naam": "Stichting Groen Lombok", "toestemming_publicatie_naam": True})
    without = make_case(org, title="Zonder toestemming", data={"indiener_naam": "Stichting Stil"})
    assert "Stichting Groen Lombok" in client.get(f"/utrecht/register/{consent.id}").get_data(as_text=True)
    assert "Stichting Stil" not in client.get(f"/utrecht/register/{without.id}").get_data(as_text=True)


def test_initiative_page_shows_signature_count(client, create_org, make_case):
    org = create_org(slug="utrecht")
    case = make_case(org, request_type="burgerinitiatief", title="Minder verkeer", signature_count=137)
    html = client.get(f"/utrecht/register/{case.id}").get_data(as_text=True)
    assert "Steunbetuigingen" in html and "137" in html


def test_case_page_404_for_concepts_other_organisations_and_unknown(client, create_org, make_case):
    org = create_org(slug="utrecht")
    other = create_org(slug="zeist")
    concept = make_case(org, public=False, title="Concept")
    elsewhere = make_case(other, title="Van Zeist")
    assert client.get(f"/utrecht/register/{concept.id}").status_code == 404
    assert client.get(f"/utrecht/register/{elsewhere.id}").status_code == 404
    assert client.get(f"/zeist/register/{elsewhere.id}").status_code == 200
    assert client.get("/utrecht/register/999999").status_code == 404
    assert client.get("/onbekend/register").status_code == 404


def test_register_page_links_the_feeds(client, create_org):
    create_org(slug="utrecht")
    html = client.get("/utrecht/register").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/feeds/utrecht/besluiten.atom"' in html
    assert 'href="/feeds/utrecht/vergaderingen.ics"' in html


def test_no_applicant_name_on_register_or_exports(client, create_org, create_user, make_case,
                                                   make_decision):
    org = create_org(slug="utrecht")
    applicant = create_user(name=SECRET_NAME)
    case = make_case(org, title="Park", applicant=applicant, state="afgewezen",
                     data={"indiener_naam": SECRET_NAME, "contact_naam": SECRET_NAME})
    make_decision(case)
    for url in ("/utrecht/register", "/register", "/register?q=park", "/open-data/verzoeken.csv",
                "/open-data/utrecht/verzoeken.csv", "/feeds/utrecht/besluiten.atom",
                "/utrecht/statistieken", f"/utrecht/register/{case.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET_NAME not in response.get_data(as_text=True), url
