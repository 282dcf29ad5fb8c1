"""JSON API /api/v1: a valid OpenAPI 3.0 document, responses that match it, and parameters
that are refused with 400 (never a 500)."""
from __future__ import annotations

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_spec

from tests.conftest import NOW
from tests.functional.public.conftest import SECRET_NAME, oas_to_jsonschema


@pytest.fixture()
def data(create_org, create_user, make_case, make_decision, add_event):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    other = create_org(slug="zeist", name="Gemeente Zeist")
    applicant = create_user(name=SECRET_NAME)
    refused = make_case(org, title="Onderhoud speeltuinen", applicant=applicant, state="afgewezen",
                        outcome="afgewezen", decided_at=NOW, data={"indiener_naam": SECRET_NAME})
    add_event(refused, to_state="intake", label_nl="Verzoek ontvangen")
    make_decision(refused, refusal_grounds=["R4"])
    initiative = make_case(org, request_type="burgerinitiatief", title="Bankjes in het park",
                           signature_count=120)
    make_case(other, title="Zeister zaak")
    make_case(org, title="Concept", public=False)
    return org, refused, initiative


@pytest.fixture()
def spec(client, app_ctx):
    document = client.get("/api/v1/openapi.json").get_json()
    return document


def response_validator(spec, path: str, status: str = "200"):
    schema = spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]
    root = oas_to_jsonschema({**schema, "components": spec["components"]})
    return jsonschema.Draft7Validator(root, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)


def test_openapi_document_is_valid_and_describes_every_route(client, app, spec):
    validate_spec(spec)
    api_rules = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    documented = {"/api/v1" + path.replace("{organisatie}", "<organisatie>").replace("{id}", "<int:case_id>")
                  .replace("{index}", "<int:index>")
                  for path in spec["paths"]}
    assert api_rules == documented


def test_responses_match_the_document(client, data, spec):
    _org, refused, _initiative = data
    calls = {
        "/organisaties": "/api/v1/organisaties",
        "/zaken": "/api/v1/zaken",
        "/zaken/{organisatie}/{id}": f"/api/v1/zaken/utrecht/{refused.id}",
        "/besluiten": "/api/v1/besluiten",
    }
    # The transparency log's paths need a log with leaves: test_api_strict checks them.
    assert set(calls) | {"/openapi.json"} == {
        path for path in spec["paths"] if not path.startswith("/transparantie/")}
    for path, url in calls.items():
        response = client.get(url)
        assert response.status_code == 200 and response.is_json, url
        response_validator(spec, path).validate(response.get_json())
    for path, url in (("/zaken", "/api/v1/zaken?page=abc"), ("/besluiten", "/api/v1/besluiten?page_size=0")):
        response = client.get(url)
        assert response.status_code == 400
        response_validator(spec, path, "400").validate(response.get_json())
    response = client.get("/api/v1/zaken/utrecht/999999")
    assert response.status_code == 404
    response_validator(spec, "/zaken/{organisatie}/{id}", "404").validate(response.get_json())


def test_cases_list_filters_and_paging(client, data):
    _org, refused, initiative = data
    body = client.get("/api/v1/zaken").get_json()
    assert body["count"] == 3 and "Concept" not in {r["titel"] for r in body["results"]}
    assert {r["titel"] for r in client.get("/api/v1/zaken?organisatie=utrecht").get_json()["results"]} \
        == {"Onderhoud speeltuinen", "Bankjes in het park"}
    only = client.get("/api/v1/zaken?type=burgerinitiatief").get_json()["results"]
    assert [r["id"] for r in only] == [initiative.id] and only[0]["steunbetuigingen"] == 120
    assert [r["id"] for r in client.get("/api/v1/zaken?uitkomst=afgewezen").get_json()["results"]] == [refused.id]
    assert [r["id"] for r in client.get("/api/v1/zaken?q=speeltuin").get_json()["results"]] == [refused.id]
    assert client.get("/api/v1/zaken?status=afgewezen&jaar=2026").get_json()["count"] == 1
    paged = client.get("/api/v1/zaken?page_size=2").get_json()
    assert len(paged["results"]) == 2 and "page=2" in paged["next"] and "page_size=2" in paged["next"]
    last = client.get(paged["next"].replace("http://localhost", "")).get_json()
    assert len(last["results"]) == 1 and last["next"] is None and last["previous"]


def test_case_detail_has_timeline_and_decisions_and_stable_identifiers(client, data):
    _org, refused, _initiative = data
    body = client.get(f"/api/v1/zaken/utrecht/{refused.id}").get_json()
    assert body["url"] == f"http://localhost/api/v1/zaken/utrecht/{refused.id}"
    assert body["organisatie"] == "utrecht" and body["id"] == refused.id
    assert [step["omschrijving"] for step in body["tijdlijn"]] == ["Verzoek ontvangen"]
    (decision,) = body["besluiten"]
    assert decision["weigeringsgronden"][0]["code"] == "R4" and decision["uitkomst"] == "afgewezen"
    assert body["indiener_organisatie"] is None
    # Another organisation's slug in front of this case's id: not found.
    assert client.get(f"/api/v1/zaken/zeist/{refused.id}").status_code == 404


def test_no_applicant_name_anywhere_in_the_api(client, data):
    for url in ("/api/v1/zaken", "/api/v1/besluiten", f"/api/v1/zaken/utrecht/{data[1].id}",
                "/api/v1/organisaties"):
        assert SECRET_NAME not in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "page=-1", "page=abc", "page=0", "page_size=100000", "page_size=-5", "jaar=20x6", "type=x",
    "uitkomst=DROP TABLE", "q=" + "a" * 5000, "organisatie=%00", "status=' OR 1=1 --",
    "page=99999999999999999999",
])
def test_bad_parameters_are_400_with_json(client, data, query):
    response = client.get(f"/api/v1/zaken?{query}")
    assert response.status_code == 400 and response.is_json
    assert response.get_json()["fouten"]


@pytest.mark.parametrize("query", ["onbekend=1", "q=' OR 1=1 --", "q=%22", "page=999",
                                   "organisatie=bestaat-niet", "q=NEAR(a b)"])
def test_odd_but_harmless_parameters_are_200(client, data, query):
    response = client.get(f"/api/v1/zaken?{query}")
    assert response.status_code == 200 and response.is_json


def test_decisions_list_only_published(client, data, make_decision):
    _org, refused, initiative = data
    make_decision(initiative, outcome="aangenomen", published=False)
    body = client.get("/api/v1/besluiten").get_json()
    assert body["count"] == 1 and body["results"][0]["zaak"].endswith(f"/zaken/utrecht/{refused.id}")
    assert client.get("/api/v1/besluiten?organisatie=zeist").get_json()["count"] == 0
    assert client.get("/api/v1/besluiten?organisatie=onbekend").status_code == 400
