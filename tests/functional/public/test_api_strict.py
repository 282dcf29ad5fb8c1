"""Every API response checked by a strict OpenAPI 3.0 validator (openapi-core), as a generated
client would: a case without a decision has `uitkomst: null`, which the enum must allow."""
from __future__ import annotations

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.flask import FlaskOpenAPIRequest, FlaskOpenAPIResponse

from tests.conftest import NOW


@pytest.fixture()
def api(client, app_ctx):
    spec = client.get("/api/v1/openapi.json").get_json()
    return OpenAPI.from_dict(spec)


@pytest.fixture()
def cases(create_org, make_case, make_decision):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    undecided = make_case(org, title="Nog in behandeling")
    decided = make_case(org, title="Afgewezen verzoek", state="afgewezen", outcome="afgewezen",
                        decided_at=NOW)
    make_decision(decided, refusal_grounds=["R4"])
    initiative = make_case(org, request_type="burgerinitiatief", title="Bankjes", signature_count=3)
    return undecided, decided, initiative


def _check(app, api, client, url: str, status: int):
    response = client.get(url)
    assert response.status_code == status, url
    with app.test_request_context(url, base_url="http://localhost"):
        from flask import request
        api.validate_response(FlaskOpenAPIRequest(request), FlaskOpenAPIResponse(response))
    return response.get_json()


def test_every_response_passes_a_strict_validator(app, api, client, cases):
    undecided, decided, initiative = cases
    listed = _check(app, api, client, "/api/v1/zaken", 200)
    assert {c["uitkomst"] for c in listed["results"]} == {None, "afgewezen"}
    _check(app, api, client, f"/api/v1/zaken/utrecht/{undecided.id}", 200)
    _check(app, api, client, f"/api/v1/zaken/utrecht/{decided.id}", 200)
    _check(app, api, client, f"/api/v1/zaken/utrecht/{initiative.id}", 200)
    _check(app, api, client, "/api/v1/besluiten", 200)
    _check(app, api, client, "/api/v1/organisaties", 200)
    _check(app, api, client, "/api/v1/zaken?page=abc", 400)


@pytest.mark.parametrize("url", ["/api/v1/zaken/utrecht/999999", "/api/v1/zaken/nergens/1"])
def test_a_404_says_what_was_not_found(app, api, client, cases, url):
    body = _check(app, api, client, url, 404)
    assert body["error"] == 404 and "niet gevonden" in body["message"].lower()


def test_the_transparency_log_answers_pass_the_strict_validator(app, api, client, org_with_log):
    org, case = org_with_log
    _check(app, api, client, "/api/v1/transparantie/sleutel", 200)
    checkpoint = _check(app, api, client, "/api/v1/transparantie/checkpoint", 200)
    assert checkpoint["grootte"] >= 1
    leaves = _check(app, api, client, f"/api/v1/transparantie/zaken/{org.slug}/{case.id}", 200)
    assert leaves["bladeren"]
    _check(app, api, client, "/api/v1/transparantie/bladeren/0", 200)
    _check(app, api, client,
           f"/api/v1/transparantie/inclusie?index=0&grootte={checkpoint['grootte']}", 200)
    _check(app, api, client,
           f"/api/v1/transparantie/consistentie?van=1&tot={checkpoint['grootte']}", 200)
    _check(app, api, client, "/api/v1/transparantie/inclusie?index=a&grootte=1", 400)
    _check(app, api, client, "/api/v1/transparantie/bladeren/999", 404)


@pytest.fixture()
def org_with_log(create_org, create_user):
    from participation.extensions import db
    from participation.services import cases as service
    from participation.services import transparency

    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    resident = create_user()
    case = service.start_case(org, "uitdaagrecht", applicant=resident, title="Groen", now=NOW)
    service.apply_transition(case, "indienen", actor=resident, now=NOW)
    transparency.sequence(NOW)
    db.session.commit()
    return org, case
