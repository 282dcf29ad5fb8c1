"""Abuse limits: login, registration, password reset, filing and signing answer 429 with a
friendly page after their limit; one signature per account per initiative is enforced by
the database itself.

Rate limiting is off in the shared test app. These tests build a second app on the same
database with it on. Flask-Limiter's `limiter` is one object shared by every app, so each
test resets its counters and restores its `enabled` flag afterwards.
"""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from participation import config as config_module
from participation import create_app
from participation.extensions import db, limiter
from participation.models import Case, Signature
from participation.models._types import utcnow
from participation.services import initiatives
from tests.conftest import PASSWORD

FRIENDLY = "U heeft dit te vaak achter elkaar geprobeerd"


@pytest.fixture()
def limited(database_url, app_ctx):
    was_enabled = limiter.enabled
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": ({"connect_args": {"timeout": 30}}
                                      if database_url.startswith("sqlite") else {}),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123", "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "outbox-only", "SERVER_NAME": None,
    })
    limiter.reset()
    try:
        yield app
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def logged_in(app, user):
    client = app.test_client()
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def assert_limited(response) -> None:
    assert response.status_code == 429
    text = response.get_data(as_text=True)
    assert "Even geduld: te veel pogingen" in text and FRIENDLY in text
    assert int(response.headers["Retry-After"]) > 0


def hammer(send, times: int, allowed: tuple[int, ...]) -> None:
    for attempt in range(times):
        response = send()
        assert response.status_code in allowed, (attempt, response.status_code)


def test_login_is_limited(limited):
    client = limited.test_client()
    send = lambda: client.post("/account/inloggen", data={"email": "a@example.nl",
                                                         "password": "fout"})
    hammer(send, 10, (422,))
    assert_limited(send())
    assert client.get("/account/inloggen").status_code == 200  # reading the form is not limited


def test_the_code_step_of_a_login_is_limited(limited, create_user):
    """Six digits are few: besides the lockout per account, the code step has the login
    form's limit per address."""
    from tests.second_factor import enrol

    user = create_user()
    enrol(user)
    client = limited.test_client()
    assert client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD}
                       ).headers["Location"] == "/account/inloggen/code"
    send = lambda: client.post("/account/inloggen/code", data={"code": "12345"})
    hammer(send, 10, (422,))
    assert_limited(send())


def test_an_htmx_request_over_the_limit_gets_the_same_words_where_the_user_is(limited):
    client = limited.test_client()
    send = lambda: client.post("/account/inloggen", headers={"HX-Request": "true"},
                               data={"email": "a@example.nl", "password": "fout"})
    hammer(send, 10, (422,))
    response = send()
    assert_limited(response)
    assert "<html" not in response.get_data(as_text=True)  # the words only: the page stays


def test_registration_is_limited(limited):
    client = limited.test_client()
    send = lambda: client.post("/account/registreren", data={"email": "x"})
    hammer(send, 10, (422,))
    assert_limited(send())


def test_password_reset_is_limited(limited):
    client = limited.test_client()
    send = lambda: client.post("/account/wachtwoord-vergeten",
                               data={"email": "iemand@example.nl"})
    hammer(send, 10, (303,))
    assert_limited(send())


def test_filing_an_uitdaagrecht_request_is_limited_per_account(limited, create_org, create_user):
    org = create_org()
    first, second = create_user(), create_user()
    client = logged_in(limited, first)
    send = lambda: client.post(f"/{org.slug}/uitdaagrecht/nieuw")
    hammer(send, 20, (303,))
    assert_limited(send())
    # Another account (from the same address) still files normally.
    assert logged_in(limited, second).post(f"/{org.slug}/uitdaagrecht/nieuw").status_code == 303
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Case.id))) == 21


def test_uploads_are_limited_per_account(limited, create_org, create_user):
    from participation.models._types import utcnow
    from participation.services import cases as case_service

    org, resident = create_org(), create_user()
    draft = case_service.start_case(org, "uitdaagrecht", applicant=resident, title="Plan",
                                    now=utcnow())
    db.session.commit()
    client = logged_in(limited, resident)
    send = lambda: client.post(f"/{org.slug}/uitdaagrecht/{draft.id}/bijlagen", data={})
    hammer(send, 60, (422,))  # no file: refused, but counted
    assert_limited(send())


def test_filing_an_initiative_is_limited(limited, create_org, create_user):
    org = create_org()
    client = logged_in(limited, create_user())
    send = lambda: client.post(f"/{org.slug}/initiatieven/nieuw", data={})
    hammer(send, 20, (422,))
    assert_limited(send())


def _collecting_initiative(org, applicant):
    draft = initiatives.InitiativeDraft(
        title="Meer bankjes", summary="Tien bankjes.", proposal="De raad besluit.",
        motivation="Om uit te rusten.", deputy_name="Piet", deputy_email="piet@example.nl",
        financial_consequences="Weinig.", names_public=False, not_excluded=True)
    case = initiatives.create_initiative(org, applicant=applicant, draft=draft, now=utcnow())
    initiatives.start_collecting(case, actor=applicant, now=utcnow())
    db.session.commit()
    return case


def test_signing_is_limited(limited, create_org, create_user):
    org = create_org()
    case = _collecting_initiative(org, create_user())
    signer = create_user()
    signer.birth_date = date(1980, 1, 1)
    db.session.commit()
    client = logged_in(limited, signer)
    url = f"/{org.slug}/initiatieven/{case.id}/ondertekenen"
    assert client.post(url).status_code == 303  # signed
    hammer(lambda: client.post(url), 29, (422,))  # "you already support this"
    assert_limited(client.post(url))
    db.session.expire_all()
    assert db.session.get(Case, case.id).signature_count == 1


def test_one_signature_per_account_is_a_database_constraint(app_ctx, create_org, create_user):
    org = create_org()
    case = _collecting_initiative(org, create_user())
    signer = create_user()
    db.session.add(Signature(case_id=case.id, user_id=signer.id, created_at=utcnow()))
    db.session.commit()
    db.session.add(Signature(case_id=case.id, user_id=signer.id, created_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_limit_storage_comes_from_the_environment():
    settings = config_module.load({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/2"})
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/2"
    assert settings["RATELIMIT_ENABLED"] is True
    assert config_module.load({})["RATELIMIT_STORAGE_URI"] == "memory://"
