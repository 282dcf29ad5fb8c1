"""Accounts through the browser's eyes: register, confirm, log in, passwords, profile."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from participation import create_app
from participation.extensions import db, limiter
from participation.models import OutboxMessage, User
from participation.models._types import utcnow
from participation.services import accounts
from tests.conftest import PASSWORD
from tests.second_factor import log_in_with_form

NEW_PASSWORD = "een nieuw wachtwoord 2026"
GENERIC_ERROR = "E-mailadres of wachtwoord klopt niet"


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == address)
                              .order_by(OutboxMessage.id)).all()


def link_in(message: OutboxMessage) -> str:
    """The path of the link in an email, checked to start with BASE_URL."""
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    url = match.group(0)
    assert url.startswith("http://127.0.0.1:5000/account/")
    return urlsplit(url).path


def input_tag(html: str, field_id: str) -> str | None:
    match = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', html)
    return match.group(0) if match else None


def user_by_email(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def register(client, **overrides):
    data = {"name": "Sanne de Vries", "email": "sanne@example.nl", "password": NEW_PASSWORD,
            "password_repeat": NEW_PASSWORD, "accept_privacy": "y"}
    data.update(overrides)
    return client.post("/account/registreren", data=data)


def test_register_confirm_login_profile_change_password_logout(client):
    page = client.get("/account/registreren")
    assert page.status_code == 200
    assert 'href="/privacy">privacyverklaring</a>' in page.get_data(as_text=True)

    response = register(client, email="  Sanne@Example.NL ")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert "Controleer uw e-mail" in page.get_data(as_text=True)
    assert "sanne@example.nl" in page.get_data(as_text=True)
    assert not user_by_email("sanne@example.nl").is_verified

    # Not confirmed yet: no way in.
    refused = client.post("/account/inloggen", data={"email": "sanne@example.nl",
                                                     "password": NEW_PASSWORD})
    assert refused.status_code == 422
    assert "Bevestig eerst uw e-mailadres" in refused.get_data(as_text=True)

    [mail] = mails_to("sanne@example.nl")
    assert mail.subject == "Bevestig uw e-mailadres"
    confirmed = client.get(link_in(mail))
    assert confirmed.status_code == 303
    assert user_by_email("sanne@example.nl").is_verified

    logged_in = client.post("/account/inloggen", data={"email": "SANNE@example.nl",
                                                       "password": NEW_PASSWORD})
    assert logged_in.status_code == 303
    profile = client.get("/account/")
    assert profile.status_code == 200
    text = profile.get_data(as_text=True)
    assert "sanne@example.nl" in text and 'value="Sanne de Vries"' in text

    changed = client.post("/account/wachtwoord", data={
        "current_password": NEW_PASSWORD, "password": "nog een ander wachtwoord",
        "password_repeat": "nog een ander wachtwoord"})
    assert changed.status_code == 303
    assert client.get("/account/").status_code == 200  # this session carries on

    assert client.get("/account/uitloggen").status_code == 405
    logged_out = client.post("/account/uitloggen")
    assert logged_out.status_code == 303
    assert client.get("/account/").status_code == 302
    assert client.post("/account/inloggen", data={"email": "sanne@example.nl",
                                                  "password": NEW_PASSWORD}).status_code == 422
    assert client.post("/account/inloggen", data={"email": "sanne@example.nl",
                                                  "password": "nog een ander wachtwoord"}
                       ).status_code == 303


def test_registering_a_known_address_does_not_reveal_it(client, create_user):
    user = create_user(email="bekend@example.nl")
    response = register(client, email="bekend@example.nl", name="Iemand Anders")
    assert response.status_code == 303
    assert "Controleer uw e-mail" in client.get(response.headers["Location"]).get_data(as_text=True)
    [mail] = mails_to("bekend@example.nl")
    assert mail.subject == "U heeft al een account"
    assert "/account/wachtwoord-vergeten" in mail.body
    assert user_by_email("bekend@example.nl").name == user.name
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_unverified_user_can_ask_for_a_new_link(client, create_user):
    user = create_user(verified=False)
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'action="/account/bevestigen-opnieuw"' in text and "Stuur de e-mail opnieuw" in text
    resent = client.post("/account/bevestigen-opnieuw", data={"email": user.email})
    assert resent.status_code == 303
    [mail] = mails_to(user.email)
    assert client.get(link_in(mail)).status_code == 303
    client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert client.get("/account/").status_code == 200


def test_expired_confirmation_link_offers_a_new_one(client, create_user):
    user = create_user(verified=False)
    old = accounts.make_verification_token(user, utcnow() - timedelta(hours=49))
    response = client.get(f"/account/bevestigen/{old}")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Deze link werkt niet meer" in text
    assert f'value="{user.email}"' in text and "Stuur een nieuwe link" in text
    assert not user_by_email(user.email).is_verified
    assert client.get("/account/bevestigen/rommel").status_code == 400


def test_wrong_password_and_unknown_address_get_the_same_message(client, create_user):
    user = create_user()
    wrong = client.post("/account/inloggen", data={"email": user.email, "password": "fout-fout-fout"})
    unknown = client.post("/account/inloggen", data={"email": "niemand@example.nl",
                                                     "password": "fout-fout-fout"})
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert GENERIC_ERROR in response.get_data(as_text=True)
    assert f'value="{user.email}"' in wrong.get_data(as_text=True)
    assert "fout-fout-fout" not in wrong.get_data(as_text=True)


def test_account_locks_after_five_failures(client, create_user):
    user = create_user()
    for _ in range(4):
        response = client.post("/account/inloggen", data={"email": user.email, "password": "fout"})
        assert GENERIC_ERROR in response.get_data(as_text=True)
    fifth = client.post("/account/inloggen", data={"email": user.email, "password": "fout"})
    assert fifth.status_code == 422
    assert "15 minuten niet inloggen" in fifth.get_data(as_text=True)
    # Even the right password waits out the lock.
    right = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert right.status_code == 422 and "niet inloggen" in right.get_data(as_text=True)

    # Unknown addresses lock the same way: the lock message must not tell which exist.
    for attempt in range(1, 6):
        unknown = client.post("/account/inloggen", data={"email": "x@example.nl", "password": "f"})
        expected = "15 minuten niet inloggen" if attempt == 5 else GENERIC_ERROR
        assert expected in unknown.get_data(as_text=True), attempt

    locked = user_by_email(user.email)
    locked.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 303


def test_password_reset_link_works_once(client, create_user):
    user = create_user()
    response = client.post("/account/wachtwoord-vergeten", data={"email": user.email})
    assert response.status_code == 303
    assert "Als er een account is" in client.get(response.headers["Location"]).get_data(as_text=True)
    [mail] = mails_to(user.email)
    path = link_in(mail)
    assert client.get(path).status_code == 200
    done = client.post(path, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"] == "/account/inloggen"

    again = client.get(path)
    assert again.status_code == 400 and "Deze link werkt niet meer" in again.get_data(as_text=True)
    assert client.post(path, data={"password": "weer iets anders 123",
                                   "password_repeat": "weer iets anders 123"}).status_code == 400
    assert client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD}
                       ).status_code == 422
    assert client.post("/account/inloggen", data={"email": user.email, "password": NEW_PASSWORD}
                       ).status_code == 303


def test_forgotten_password_for_unknown_address_gives_the_same_answer(client):
    response = client.post("/account/wachtwoord-vergeten", data={"email": "niemand@example.nl"})
    assert response.status_code == 303
    assert "Als er een account is" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert mails_to("niemand@example.nl") == []


def test_expired_reset_link_is_refused(client, create_user):
    user = create_user()
    old = accounts.make_reset_token(user, utcnow() - timedelta(hours=2, minutes=1))
    assert client.get(f"/account/wachtwoord-herstellen/{old}").status_code == 400


def test_changing_the_password_logs_out_other_sessions(app, client, create_user, login):
    user = create_user()
    login(user)
    other = app.test_client()
    other.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    assert other.get("/account/").status_code == 200
    client.post("/account/wachtwoord", data={"current_password": PASSWORD,
                                            "password": NEW_PASSWORD,
                                            "password_repeat": NEW_PASSWORD})
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302


HOSTILE_TARGETS = [
    "https://evil.example/", "//evil.example/", "/\\evil.example", "/\t/evil.example",
    "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example", "javascript:alert(1)",
    "/" + "a" * 2100,
]


@pytest.mark.parametrize(("target", "expected"), [
    ("/zonnedal/?tab=1", "/zonnedal/?tab=1"),
    *[(target, "/mijn/zaken") for target in HOSTILE_TARGETS],
])
def test_next_only_goes_to_local_paths(client, create_user, target, expected):
    user = create_user()
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD,
                                                      "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_language_switch_stays_on_the_site(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_language_switch_returns_to_the_page(client):
    response = client.get("/lang/en", query_string={"next": "/register?q=speeltuin"})
    assert response.headers["Location"] == "/register?q=speeltuin"


@pytest.mark.parametrize(("role", "landing"), [
    (None, "/mijn/zaken"),
    ("official", "/{slug}/werkbak/"),
    ("coordinator", "/{slug}/werkbak/"),
    ("griffie", "/{slug}/griffie/"),
    ("admin", "/{slug}/beheer/"),
])
def test_login_lands_where_the_role_works(client, create_user, create_org, role, landing):
    org = create_org()
    user = create_user(org=org if role else None, role=role)
    # Coordinators and admins give their second factor's code first (tests/second_factor.py).
    response = log_in_with_form(client, user, PASSWORD)
    assert response.headers["Location"] == landing.format(slug=org.slug)


def _copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_copied_session_cookie_is_worthless_after_logout(app, client, create_user, login):
    user = create_user()
    login(user)
    thief = app.test_client()
    _copy_cookies(client, thief)
    assert thief.get("/account/").status_code == 200
    assert thief.get("/account/mijn-gegevens.json").status_code == 200
    client.post("/account/uitloggen")
    assert thief.get("/account/").status_code == 302
    assert thief.get("/account/mijn-gegevens.json").status_code == 302


def test_logging_out_on_one_device_keeps_the_other(app, client, create_user, login):
    user = create_user()
    login(user)
    other = app.test_client()
    other.post("/account/inloggen", data={"email": user.email, "password": PASSWORD})
    client.post("/account/uitloggen")
    assert other.get("/account/").status_code == 200


def test_removing_a_role_ends_the_staff_members_sessions(app, client, create_user, create_org,
                                                          login):
    org = create_org()
    admin = create_user(org=org, role="admin")
    official = create_user(org=org, role="official")
    staff_client = app.test_client()
    staff_client.post("/account/inloggen", data={"email": official.email, "password": PASSWORD})
    assert staff_client.get(f"/{org.slug}/werkbak/").status_code == 200
    from participation.services import admin as admin_service

    membership = official.memberships[0]
    admin_service.revoke_role(membership, actor=admin, now=utcnow())
    db.session.commit()
    assert staff_client.get(f"/{org.slug}/werkbak/").status_code == 302
    assert staff_client.get("/account/").status_code == 302


def test_no_session_token_is_stored_in_clear(client, create_user, login):
    from participation.models import LoginSession

    user = create_user()
    login(user)
    with client.session_transaction() as session:
        token = session["sid"]
    stored = db.session.scalars(select(LoginSession.token_hash)).all()
    assert len(stored) == 1 and token not in stored[0]


def test_login_page_carries_next_from_the_login_redirect(client, create_user):
    redirected = client.get("/account/wachtwoord")
    assert redirected.status_code == 302
    page = client.get(redirected.headers["Location"])
    assert 'name="next" type="hidden" value="/account/wachtwoord"' in page.get_data(as_text=True)


def _logged_in(client, create_user, login):
    user = create_user(email="ingelogd@example.nl", name="Pieter Jansen")
    login(user)
    return user


@pytest.mark.parametrize(("path", "data", "message", "kept"), [
    ("/account/registreren", {"name": "Sanne", "email": "sanne@example.nl", "password": "kort",
                              "password_repeat": "kort", "accept_privacy": "y"},
     "minstens 12 tekens", ["Sanne", "sanne@example.nl"]),
    ("/account/registreren", {"name": "Sanne", "email": "sanne@example.nl",
                              "password": "123456789012345", "password_repeat": "123456789012345",
                              "accept_privacy": "y"},
     "alleen cijfers", ["sanne@example.nl"]),
    ("/account/registreren", {"name": "Sanne", "email": "sanne.devries@example.nl",
                              "password": "sanne.devries@example.nl",
                              "password_repeat": "sanne.devries@example.nl", "accept_privacy": "y"},
     "niet hetzelfde zijn als uw e-mailadres", ["Sanne"]),
    ("/account/registreren", {"name": "Sanne", "email": "sanne@example.nl",
                              "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD + "x",
                              "accept_privacy": "y"},
     "De wachtwoorden zijn niet hetzelfde", ["sanne@example.nl"]),
    ("/account/registreren", {"name": "Sanne", "email": "sanne@example.nl",
                              "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
     "vink het vakje aan", ["Sanne", "sanne@example.nl"]),
    ("/account/registreren", {"name": "", "email": "geen-adres", "password": NEW_PASSWORD,
                              "password_repeat": NEW_PASSWORD, "accept_privacy": "y"},
     "Vul een geldig e-mailadres in", ["geen-adres"]),
    ("/account/inloggen", {"email": "geen-adres", "password": ""},
     "Vul uw wachtwoord in", ["geen-adres"]),
    ("/account/wachtwoord-vergeten", {"email": "geen-adres"},
     "Vul een geldig e-mailadres in", ["geen-adres"]),
    ("/account/bevestigen-opnieuw", {"email": ""}, "Vul uw e-mailadres in", []),
])
def test_forms_with_bad_input_come_back_with_the_message(client, path, data, message, kept):
    response = client.post(path, data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text
    assert 'role="alert"' in text and "Controleer de volgende punten" in text
    assert 'aria-invalid="true"' in text
    for value in kept:
        assert f'value="{value}"' in text
    for name in ("password", "password_repeat"):
        tag = input_tag(text, name)
        assert tag is None or not re.search(r'value="[^"]', tag)
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == 0


def test_error_message_is_tied_to_its_field(client):
    text = register(client, password="kort", password_repeat="kort").get_data(as_text=True)
    assert 'id="password-error"' in text
    assert re.search(r'<input[^>]*aria-describedby="password-hint password-error"[^>]*'
                     r'id="password"', text)
    assert 'href="#password">Kies een wachtwoord van minstens 12 tekens.</a>' in text


def test_change_password_with_wrong_current_password(client, create_user, login):
    user = _logged_in(client, create_user, login)
    response = client.post("/account/wachtwoord", data={
        "current_password": "niet-mijn-wachtwoord", "password": NEW_PASSWORD,
        "password_repeat": NEW_PASSWORD})
    assert response.status_code == 422
    assert "Dit is niet uw huidige wachtwoord" in response.get_data(as_text=True)
    assert NEW_PASSWORD not in response.get_data(as_text=True)
    assert accounts.verify_password(user_by_email(user.email), PASSWORD)


def test_reset_form_with_bad_input(client, create_user):
    user = create_user()
    token = accounts.make_reset_token(user, utcnow())
    response = client.post(f"/account/wachtwoord-herstellen/{token}",
                           data={"password": user.email, "password_repeat": user.email})
    assert response.status_code == 422
    assert "niet hetzelfde zijn als uw e-mailadres" in response.get_data(as_text=True)
    # The link still works after a mistake.
    assert client.get(f"/account/wachtwoord-herstellen/{token}").status_code == 200


def test_profile_saves_name_and_language_and_lists_roles(client, create_user, create_org, login):
    org = create_org(name="Gemeente Zonnedal", slug="zonnedal")
    user = create_user(org=org, role="official", name="Pieter Jansen")
    login(user)
    text = client.get("/account/").get_data(as_text=True)
    assert "Gemeente Zonnedal" in text and "Ambtenaar" in text
    assert 'href="/account/wachtwoord"' in text

    empty = client.post("/account/", data={"name": "", "locale": "nl"})
    assert empty.status_code == 422 and "Vul uw naam in" in empty.get_data(as_text=True)

    saved = client.post("/account/", data={"name": "Pieter J. Jansen", "locale": "en"})
    assert saved.status_code == 303
    assert user_by_email(user.email).name == "Pieter J. Jansen"
    assert user_by_email(user.email).locale == "en"
    assert '<html lang="en"' in client.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize(("path", "heading"), [
    ("/account/registreren", "Account aanmaken"),
    ("/account/inloggen", "Inloggen"),
    ("/account/wachtwoord-vergeten", "Wachtwoord vergeten"),
    ("/account/bevestigen-opnieuw", "Bevestigingslink opnieuw sturen"),
    ("/account/controleer-uw-email", "Controleer uw e-mail"),
])
def test_account_pages_open_without_login(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.get_data(as_text=True)


def test_change_password_page_opens_when_logged_in(client, create_user, login):
    login(create_user())
    response = client.get("/account/wachtwoord")
    assert response.status_code == 200
    assert 'autocomplete="current-password"' in response.get_data(as_text=True)


def test_account_pages_need_a_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/inloggen?next=")


def test_posts_without_csrf_token_are_refused(csrf_app, create_user):
    client = csrf_app.test_client()
    for path in ("/account/uitloggen", "/account/inloggen", "/account/registreren",
                 "/account/wachtwoord-vergeten"):
        response = client.post(path, data={"email": "a@example.nl", "password": PASSWORD})
        assert response.status_code == 400
        assert "Het formulier was verlopen" in response.get_data(as_text=True)
    # With the token from the page the same form goes through.
    user = create_user()
    page = client.get("/account/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/inloggen", data={"email": user.email, "password": PASSWORD,
                                                      "csrf_token": token})
    assert response.status_code == 303


def test_login_is_rate_limited_per_address(database_url, app_ctx):
    """Rate limiting is off in the shared test app; this builds one with it on."""
    was_enabled = limiter.enabled
    limited = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123", "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "outbox-only", "SERVER_NAME": None,
    })
    try:
        client = limited.test_client()
        for _ in range(10):
            response = client.post("/account/inloggen", data={"email": "a@example.nl",
                                                              "password": "x"})
            assert response.status_code == 422
        blocked = client.post("/account/inloggen", data={"email": "a@example.nl", "password": "x"})
        assert blocked.status_code == 429
        assert "te veel pogingen" in blocked.get_data(as_text=True)
        assert int(blocked.headers["Retry-After"]) > 0
        assert client.get("/account/inloggen").status_code == 200  # reading is not limited
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with limited.app_context():
            db.engine.dispose()
