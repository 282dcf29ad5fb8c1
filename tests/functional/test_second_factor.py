"""The second factor through the browser's eyes: set-up (required for admins and coordinators,
offered to everyone), the code step of a login, recovery codes, switching it off, the
account's activity and logging out everywhere."""
from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import AccountEvent, LoginSession, User
from participation.models._types import utcnow
from participation.services import accounts
from tests.conftest import PASSWORD
from tests.second_factor import CODE_URL, LOGIN_URL, current_code, enrol, log_in_with_form

SETUP_URL = "/account/tweestapsverificatie"


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def password_step(client, user, **data):
    return client.post(LOGIN_URL, data={"email": user.email, "password": PASSWORD, **data})


def kinds(user) -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(AccountEvent.kind).where(AccountEvent.user_id == user.id)
                              .order_by(AccountEvent.id)).all()


def secret_on_page(html: str) -> str:
    return re.search(r'data-secret="([A-Z2-7]+)"', html).group(1)


def recovery_codes_on_page(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", html)


# --- Required for admins and coordinators -------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "coordinator"])
def test_an_admin_or_coordinator_without_a_second_factor_must_set_one_up_first(
        client, create_user, create_org, role):
    org = create_org()
    user = create_user(org=org, role=role)
    response = password_step(client, user)
    assert response.status_code == 303 and response.headers["Location"] == SETUP_URL

    # No page of the organisation works until then, and the way back is kept.
    work_page = f"/{org.slug}/beheer/" if role == "admin" else f"/{org.slug}/werkbak/"
    blocked = client.get(work_page)
    assert blocked.status_code == 303
    assert blocked.headers["Location"] == f"{SETUP_URL}?next={work_page}"
    assert client.get("/account/").headers["Location"].startswith(SETUP_URL)

    page = client.get(SETUP_URL).get_data(as_text=True)
    assert "verplicht" in page and "<svg" in page and "otpauth://totp/" in page
    secret = secret_on_page(page)

    wrong = client.post(SETUP_URL, data={"code": "000000" if pyotp.TOTP(secret).now() != "000000"
                                         else "111111"})
    assert wrong.status_code == 422
    assert "Deze code klopt niet" in wrong.get_data(as_text=True)
    short = client.post(SETUP_URL, data={"code": "12345"})
    assert short.status_code == 422
    assert "Vul de 6 cijfers in" in short.get_data(as_text=True)
    assert 'value="12345"' in short.get_data(as_text=True)  # input kept
    assert secret_on_page(short.get_data(as_text=True)) == secret  # the same secret until confirmed

    done = client.post(SETUP_URL, data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    codes = recovery_codes_on_page(done.get_data(as_text=True))
    assert len(codes) == 10 == len(set(codes))
    assert client.get(work_page).status_code == 200
    assert "totp_enabled" in kinds(user)

    # The secret is never shown again, and the database holds it only encrypted.
    assert client.get(SETUP_URL).headers["Location"] == "/account/"
    profile = client.get("/account/").get_data(as_text=True)
    assert secret not in profile and "staat aan sinds" in profile
    stored = fresh(user)
    assert stored.totp_secret and secret not in stored.totp_secret
    assert not any(code.replace("-", "") in profile for code in codes)


def test_setting_up_the_second_factor_ends_the_other_sessions(app, client, create_user):
    user = create_user()
    password_step(client, user)
    other = app.test_client()
    password_step(other, user)
    secret = secret_on_page(client.get(SETUP_URL).get_data(as_text=True))
    client.post(SETUP_URL, data={"code": pyotp.TOTP(secret).now()})
    assert client.get("/account/").status_code == 200
    assert other.get("/account/").status_code == 302


def test_a_login_through_an_identity_provider_needs_no_second_factor_of_ours(
        client, create_user, create_org):
    org = create_org()
    admin = create_user(org=org, role="admin")
    token = accounts.open_login_session(admin, utcnow(), method="sso")
    db.session.commit()
    with client.session_transaction() as session:
        session["sid"] = token
        session["_user_id"] = f"{admin.id}:{admin.session_version}"
        session["_fresh"] = True
    assert client.get(f"/{org.slug}/beheer/").status_code == 200


def test_others_are_offered_a_second_factor_not_required(client, create_user, create_org):
    org = create_org()
    official = create_user(org=org, role="official")
    response = password_step(client, official)
    assert response.headers["Location"] == f"/{org.slug}/werkbak/"
    assert client.get(f"/{org.slug}/werkbak/").status_code == 200
    profile = client.get("/account/").get_data(as_text=True)
    assert "Tweestapsverificatie instellen" in profile
    assert "Voor uw rol is dit verplicht" not in profile


# --- The code step --------------------------------------------------------------------------------


def test_login_with_a_second_factor_is_password_then_code(client, create_user, create_org):
    org = create_org()
    coordinator = create_user(org=org, role="coordinator")
    enrol(coordinator)
    response = password_step(client, coordinator, next=f"/{org.slug}/werkbak/?status=open")
    assert response.headers["Location"] == CODE_URL

    # Half-way opens nothing.
    assert client.get("/account/").status_code == 302
    assert client.get(f"/{org.slug}/werkbak/").status_code == 302
    with client.session_transaction() as session:
        assert "sid" not in session and "_user_id" not in session

    page = client.get(CODE_URL)
    assert page.status_code == 200 and "Inlogcode" in page.get_data(as_text=True)
    wrong = client.post(CODE_URL, data={"code": "12 34 5x"})
    assert wrong.status_code == 422
    assert "herstelcode zoals" in wrong.get_data(as_text=True)
    assert 'value="12 34 5x"' in wrong.get_data(as_text=True)

    done = client.post(CODE_URL, data={"code": current_code(coordinator)})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/{org.slug}/werkbak/?status=open"
    assert client.get(f"/{org.slug}/werkbak/").status_code == 200
    event = db.session.scalars(select(AccountEvent).where(
        AccountEvent.user_id == coordinator.id, AccountEvent.kind == "login")).one()
    assert event.detail == {"method": "password", "second_factor": "totp"}


def test_a_code_cannot_be_used_twice(client, create_user):
    user = create_user()
    enrol(user)
    code = current_code(user)
    password_step(client, user)
    assert client.post(CODE_URL, data={"code": code}).status_code == 303
    client.post("/account/uitloggen")
    password_step(client, user)
    again = client.post(CODE_URL, data={"code": code})
    assert again.status_code == 422 and "Deze code klopt niet" in again.get_data(as_text=True)


def test_wrong_codes_count_toward_the_lockout(client, create_user):
    user = create_user()
    enrol(user)
    password_step(client, user)
    for _ in range(3):
        assert client.post(CODE_URL, data={"code": "000000"}).status_code == 422
    # The right password again does not wipe the count of wrong codes.
    password_step(client, user)
    assert client.post(CODE_URL, data={"code": "000001"}).status_code == 422
    locked = client.post(CODE_URL, data={"code": "000002"})
    assert locked.status_code == 422
    assert "15 minuten niet inloggen" in locked.get_data(as_text=True)
    # Locked: neither the password nor the right code gets in.
    again = password_step(client, user)
    assert again.status_code == 422 and "niet inloggen" in again.get_data(as_text=True)
    assert client.post(CODE_URL, data={"code": current_code(user)}).headers["Location"] == LOGIN_URL
    assert kinds(user).count("login_failed") == 5


def test_the_half_way_state_expires(client, create_user):
    user = create_user()
    enrol(user)
    password_step(client, user)
    with client.session_transaction() as session:
        pending = session["pending_login"]
        session["pending_login"] = {**pending, "since": pending["since"] - 301}
    response = client.post(CODE_URL, data={"code": current_code(user)})
    assert response.status_code == 303 and response.headers["Location"] == LOGIN_URL
    assert client.get("/account/").status_code == 302


def test_a_recovery_code_works_once(client, create_user):
    user = create_user()
    password_step(client, user)
    secret = secret_on_page(client.get(SETUP_URL).get_data(as_text=True))
    codes = recovery_codes_on_page(
        client.post(SETUP_URL, data={"code": pyotp.TOTP(secret).now()}).get_data(as_text=True))
    client.post("/account/uitloggen")

    password_step(client, user)
    response = client.post(CODE_URL, data={"code": codes[3].upper().replace("-", " ")},
                           follow_redirects=True)
    assert "U heeft nog 9 herstelcodes" in response.get_data(as_text=True)
    client.post("/account/uitloggen")
    password_step(client, user)
    assert client.post(CODE_URL, data={"code": codes[3]}).status_code == 422
    assert "recovery_code_used" in kinds(user)


def test_new_recovery_codes_replace_the_old_ones(client, create_user):
    user = create_user()
    enrol(user)
    log_in_with_form(client, user, PASSWORD)
    wrong = client.post("/account/tweestapsverificatie/herstelcodes", data={"password": "fout"})
    assert wrong.status_code == 422 and "niet uw huidige wachtwoord" in wrong.get_data(as_text=True)
    page = client.post("/account/tweestapsverificatie/herstelcodes", data={"password": PASSWORD})
    codes = recovery_codes_on_page(page.get_data(as_text=True))
    assert len(codes) == 10 and "De oude codes werken niet meer" in page.get_data(as_text=True)
    client.post("/account/uitloggen")
    password_step(client, user)
    assert client.post(CODE_URL, data={"code": codes[0]}).status_code == 303
    assert "recovery_codes_renewed" in kinds(user)


@pytest.mark.parametrize(("role", "after"), [(None, "/account/"), ("admin", SETUP_URL)])
def test_switching_off_needs_password_and_code(client, create_user, create_org, role, after):
    org = create_org()
    user = create_user(org=org if role else None, role=role)
    enrol(user)
    log_in_with_form(client, user, PASSWORD)
    url = "/account/tweestapsverificatie/uitschakelen"
    wrong = client.post(url, data={"password": PASSWORD, "code": "000000"})
    assert wrong.status_code == 422 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    no_password = client.post(url, data={"password": "fout", "code": current_code(user)})
    assert no_password.status_code == 422
    done = client.post(url, data={"password": PASSWORD, "code": current_code(user)})
    assert done.status_code == 303 and done.headers["Location"] == after
    assert fresh(user).totp_secret is None and "totp_disabled" in kinds(user)
    client.post("/account/uitloggen")
    assert password_step(client, user).headers["Location"] != CODE_URL


# --- Where a login lands --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "landing", "with_code"), [
    (None, "/mijn/zaken", False),
    (None, "/mijn/zaken", True),
    ("official", "/{slug}/werkbak/", False),
    ("official", "/{slug}/werkbak/", True),
    ("griffie", "/{slug}/griffie/", False),
    ("griffie", "/{slug}/griffie/", True),
    ("coordinator", "/{slug}/werkbak/", True),
    ("admin", "/{slug}/beheer/", True),
])
def test_each_role_lands_where_its_work_is(client, create_user, create_org, role, landing,
                                           with_code):
    org = create_org()
    user = create_user(org=org if role else None, role=role)
    if with_code:
        enrol(user)
    response = log_in_with_form(client, user, PASSWORD)
    assert response.headers["Location"] == landing.format(slug=org.slug)
    assert client.get(response.headers["Location"]).status_code == 200


# --- Activity and logging out everywhere ------------------------------------------------------------


def test_the_owner_sees_the_activity_on_the_account(client, create_user):
    user = create_user()
    client.post(LOGIN_URL, data={"email": user.email, "password": "fout"})
    log_in_with_form(client, user, PASSWORD)
    event = db.session.scalars(select(AccountEvent).where(AccountEvent.kind == "login")).one()
    event.created_at = event.created_at.replace(month=7, day=1, hour=10, minute=5)
    db.session.commit()
    assert "Activiteit op uw account" in client.get("/account/").get_data(as_text=True)
    page = client.get("/account/activiteit").get_data(as_text=True)
    assert "Ingelogd met wachtwoord" in page
    assert "Inloggen mislukt met wachtwoord (verkeerd wachtwoord)" in page
    assert "12:05" in page  # 10:05 UTC on a summer day, in Amsterdam
    assert "Overal uitloggen" in page


def test_a_copied_cookie_is_worthless_after_logging_out_everywhere(app, client, create_user):
    user = create_user()
    log_in_with_form(client, user, PASSWORD)
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    phone = app.test_client()
    log_in_with_form(phone, user, PASSWORD)
    assert thief.get("/account/").status_code == 200

    response = phone.post("/account/overal-uitloggen")
    assert response.status_code == 303
    for device in (client, thief, phone):
        assert device.get("/account/mijn-gegevens.json").status_code == 302
    assert db.session.scalar(select(LoginSession.id).where(LoginSession.ended_at.is_(None))) is None
    assert kinds(user)[-1] == "logout"


def test_logging_out_is_an_event(client, create_user):
    user = create_user()
    log_in_with_form(client, user, PASSWORD)
    client.post("/account/uitloggen")
    assert kinds(user) == ["login", "logout"]


def test_changing_the_password_is_an_event(client, create_user):
    user = create_user()
    log_in_with_form(client, user, PASSWORD)
    client.post("/account/wachtwoord", data={"current_password": PASSWORD,
                                            "password": "een nieuw wachtwoord 2026",
                                            "password_repeat": "een nieuw wachtwoord 2026"})
    assert "password_changed" in kinds(user)
