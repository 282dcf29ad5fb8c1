"""DigiD, eHerkenning and staff SSO against a real OpenID Provider (oidc-provider on
loopback): logging in, the procedure's level enforced with a step-up that keeps the form, one
signature per person, roles from the IdP, and every way a login can go wrong."""
from __future__ import annotations

import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select, text

from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import (
    AccountEvent,
    Case,
    ExternalIdentity,
    IdentityProvider,
    LoginSession,
    Signature,
    User,
)
from participation.models._types import utcnow
from participation.services import initiatives as initiative_service
from participation.services import organisations
from tests.conftest import PASSWORD
from tests.functional.challenges.conftest import post_step, step_data
from tests.integration.test_signatures import DRAFT
from tests.oidc_provider import BSN_A, BSN_B, SECRET, SERVICE, local


@pytest.fixture()
def org(create_org):
    return create_org()


@pytest.fixture()
def connect(org, oidc_provider):
    """Connect the test provider as this organisation's broker of a kind."""

    def add(kind: str, *, client_id: str | None = None, organisation=org, **fields):
        provider = IdentityProvider(
            organisation_id=organisation.id if organisation else None, kind=kind,
            issuer=oidc_provider.issuer, client_id=client_id or kind, client_secret=SECRET,
            scope={"digid": "openid bsn", "eherkenning": "openid eherkenning"}.get(
                kind, "openid profile email groups"), updated_at=utcnow(), **fields)
        db.session.add(provider)
        db.session.commit()
        return provider

    return add


def provider_login(client, oidc_provider, start: str, account: str, level: str = "midden"):
    """Start at the platform, log in at the provider, come back: the platform's answer."""
    response = client.get(start)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    back = oidc_provider.log_in(response.headers["Location"], account, level)
    return client.get(local(back))


def test_a_first_digid_login_makes_an_account_and_keeps_no_bsn(client, org, connect,
                                                                oidc_provider, caplog):
    connect("digid")
    page = client.get("/account/inloggen?next=/" + org.slug)
    assert "Inloggen met DigiD" in page.get_data(as_text=True)

    response = provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}",
                              "anna")
    assert response.status_code == 303, response.get_data(as_text=True)[-1500:]
    assert response.headers["Location"].endswith("/account/inloggen/nieuw-account")
    page = client.get("/account/inloggen/nieuw-account").get_data(as_text=True)
    assert "U bent ingelogd met DigiD" in page
    response = client.post("/account/inloggen/nieuw-account",
                           data={"name": "Anna Jansen", "email": "anna@example.nl"})
    assert response.status_code == 303
    user = db.session.scalar(select(User).where(User.email == "anna@example.nl"))
    login = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert (login.method, login.level) == ("digid", "midden")
    assert [e.kind for e in db.session.scalars(select(AccountEvent).where(
        AccountEvent.user_id == user.id))] == ["identity_linked", "login"]
    # The next login with the same DigiD finds the account.
    client.post("/account/uitloggen")
    response = provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}",
                              "anna")
    assert response.status_code == 303 and "nieuw-account" not in response.headers["Location"]

    dump = "\n".join(str(row) for table in db.metadata.sorted_tables
                     for row in db.session.execute(text(f'SELECT * FROM "{table.name}"')))
    assert BSN_A not in dump and BSN_A not in caplog.text


@pytest.fixture()
def challenge_draft(client, org, create_user, login, filled_draft_for):
    user = create_user(name="Sanne de Vries")
    login(user)
    return user, filled_draft_for(client, org)


@pytest.fixture()
def filled_draft_for():
    def fill(client, org, **step1):
        response = client.post(f"/{org.slug}/uitdaagrecht/nieuw")
        case_id = int(response.headers["Location"].split("/uitdaagrecht/")[1].split("/")[0])
        for step in range(1, 7):
            data = step_data(step, **(step1 if step == 1 else {}))
            assert post_step(client, org, case_id, step, data).status_code == 303
        return case_id

    return fill


def test_filing_asks_digid_midden_steps_up_and_files_what_was_typed(
        client, org, connect, oidc_provider, create_user, login, filled_draft_for):
    connect("digid")
    login(create_user(name="Sanne de Vries"))
    case_id = filled_draft_for(client, org, rechtsvorm="informele_groep", kvk_nummer="")
    response = post_step(client, org, case_id, 7, step_data(7))
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "Log in met DigiD (midden)" in page
    assert db.session.get(Case, case_id).submitted_at is None

    # Too low a level at the provider: still refused, nothing filed.
    response = provider_login(client, oidc_provider,
                              f"/account/inloggen/digid?org={org.slug}&next=/{org.slug}/uitdaagrecht/{case_id}/stap/7",
                              "anna", level="basis")
    assert response.headers["Location"].endswith("/account/verder")
    client.get("/account/verder")
    response = post_step(client, org, case_id, 7, step_data(7))
    assert response.status_code == 403

    response = provider_login(client, oidc_provider,
                              f"/account/inloggen/digid?org={org.slug}&next=/{org.slug}/uitdaagrecht/{case_id}/stap/7",
                              "anna", level="midden")
    assert response.headers["Location"].endswith("/account/verder")
    page = client.get("/account/verder").get_data(as_text=True)
    assert 'name="privacyverklaring_gelezen" value="y"' in page
    response = post_step(client, org, case_id, 7, step_data(7))
    assert response.status_code == 303 and response.headers["Location"].endswith("/ontvangen")
    db.session.expire_all()
    assert db.session.get(Case, case_id).submitted_at is not None


def test_an_organisation_files_with_eherkenning_for_its_own_kvk_number(
        client, org, connect, oidc_provider, create_user, login, filled_draft_for):
    connect("eherkenning")
    login(create_user(name="Sanne de Vries"))
    case_id = filled_draft_for(client, org)  # a stichting with KvK 12345678
    target = f"/account/inloggen/eherkenning?org={org.slug}&next=/{org.slug}/uitdaagrecht/{case_id}/stap/7"
    assert post_step(client, org, case_id, 7, step_data(7)).status_code == 403
    # eHerkenning for another company does not file for this one.
    provider_login(client, oidc_provider, target, "bv", level="EH3")
    assert post_step(client, org, case_id, 7, step_data(7)).status_code == 403
    provider_login(client, oidc_provider, target, "stichting", level="EH2+")
    assert post_step(client, org, case_id, 7, step_data(7)).status_code == 303


def test_without_a_broker_the_procedure_works_with_email_accounts(
        client, org, create_user, login, filled_draft_for):
    login(create_user())
    case_id = filled_draft_for(client, org, rechtsvorm="informele_groep", kvk_nummer="")
    assert post_step(client, org, case_id, 7, step_data(7)).status_code == 303


@pytest.fixture()
def initiative(org, create_user):
    source = wf.preset_path("burgerinitiatief").read_text("utf-8")
    organisations.add_workflow_version(org, "burgerinitiatief",
                                       source.replace("min_absolute = 100", "min_absolute = 10", 1))
    initiator = create_user(name="Ilse Initiatief")
    case = initiative_service.create_initiative(org, applicant=initiator, draft=DRAFT,
                                                now=utcnow())
    initiative_service.start_collecting(case, actor=initiator, now=utcnow())
    db.session.commit()
    return case


def test_one_bsn_signs_once_whatever_account_it_uses(app, org, connect, oidc_provider,
                                                     initiative, create_user):
    """Anna signs with DigiD from one account, moves her DigiD to a second account and tries
    again: refused, and the initiative counts her once."""
    connect("digid")
    sign = f"/{org.slug}/initiatieven/{initiative.id}/ondertekenen"
    step_up = f"/account/inloggen/digid?org={org.slug}&next={sign}"
    first, second = create_user(), create_user()
    first.birth_date = second.birth_date = date(1980, 1, 1)
    db.session.commit()
    client = app.test_client()
    client.post("/account/inloggen", data={"email": first.email, "password": PASSWORD})
    response = client.post(sign, data={"birth_date": "1980-01-01"})
    assert response.status_code == 403 and "DigiD (midden)" in response.get_data(as_text=True)
    provider_login(client, oidc_provider, step_up, "anna")
    assert client.post(sign, data={"birth_date": "1980-01-01"}).status_code in (200, 303)
    identity = db.session.scalar(select(ExternalIdentity))
    assert client.post(f"/account/inloggen-met/{identity.id}/ontkoppelen").status_code == 303

    client = app.test_client()
    client.post("/account/inloggen", data={"email": second.email, "password": PASSWORD})
    provider_login(client, oidc_provider, step_up, "anna")
    response = client.post(sign, data={"birth_date": "1980-01-01"})
    assert response.status_code == 422
    assert "Iedereen telt één keer mee" in response.get_data(as_text=True)
    signatures = db.session.scalars(select(Signature).where(
        Signature.case_id == initiative.id)).all()
    assert len(signatures) == 1 and signatures[0].verified_with == "digid:midden"
    assert BSN_A not in signatures[0].person_key
    db.session.refresh(initiative)
    assert initiative.signature_count == 1

    griffie = create_user(org=org, role="griffie")
    client = app.test_client()
    client.post("/account/inloggen", data={"email": griffie.email, "password": PASSWORD})
    listing = client.get(f"/{org.slug}/initiatieven/{initiative.id}/ondertekenaars")
    assert "geverifieerd met DigiD (midden)" in listing.get_data(as_text=True)
    assert BSN_A not in listing.get_data(as_text=True)


def test_a_digid_linked_to_another_account_is_not_taken_over(app, org, connect, oidc_provider,
                                                             create_user, login, client):
    connect("digid")
    login(create_user())
    provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}", "bram")
    other = app.test_client()
    other.post("/account/inloggen", data={"email": create_user().email, "password": PASSWORD})
    response = provider_login(other, oidc_provider, f"/account/inloggen/digid?org={org.slug}",
                              "bram")
    assert response.status_code == 403
    assert "hoort al bij een ander account" in response.get_data(as_text=True)


def test_staff_roles_follow_the_idp_groups_at_every_login(client, org, connect, oidc_provider):
    connect("sso", role_map={"behandelaars": "official", "griffiemedewerkers": ["griffie"]})
    response = provider_login(client, oidc_provider, f"/account/inloggen/sso?org={org.slug}",
                              "sam")
    assert response.headers["Location"].endswith(f"/{org.slug}/werkbak/")
    user = db.session.scalar(select(User).where(User.email == "sam@gemeente.example"))
    assert user.roles_in(org.id) == {"official"}

    accounts = dict(oidc_provider_accounts())
    accounts["sam"] = {**accounts["sam"], "groups": ["griffiemedewerkers"]}
    oidc_provider.set_accounts(accounts)
    try:
        client.post("/account/uitloggen")
        provider_login(client, oidc_provider, f"/account/inloggen/sso?org={org.slug}", "sam")
    finally:
        oidc_provider.set_accounts(oidc_provider_accounts())
    db.session.expire_all()
    assert user.roles_in(org.id) == {"griffie"}
    event = db.session.scalars(select(AccountEvent).where(
        AccountEvent.user_id == user.id, AccountEvent.kind == "roles_changed_by_sso")).all()[-1]
    assert event.detail["added"] == ["griffie"] and event.detail["removed"] == ["official"]


def oidc_provider_accounts():
    from tests.oidc_provider import ACCOUNTS

    return ACCOUNTS


def test_a_wrong_state_is_refused(client, org, connect, oidc_provider):
    connect("digid")
    start = client.get(f"/account/inloggen/digid?org={org.slug}")
    back = oidc_provider.log_in(start.headers["Location"], "anna")
    forged = local(back).replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400 and "Inloggen is niet gelukt" in response.get_data(as_text=True)
    assert db.session.scalar(select(ExternalIdentity)) is None


def test_a_replayed_code_is_refused(app, org, connect, oidc_provider):
    connect("digid")
    client = app.test_client()
    start = client.get(f"/account/inloggen/digid?org={org.slug}")
    back = oidc_provider.log_in(start.headers["Location"], "anna")
    with client.session_transaction() as session:
        saved = dict(session)
    assert client.get(local(back)).status_code == 303
    # The same answer again, with the session as it was before (an attacker who copied both).
    with client.session_transaction() as session:
        session.clear()
        session.update(saved)
    response = client.get(local(back))
    assert response.status_code == 400


def test_a_wrong_nonce_is_refused(client, org, connect, oidc_provider):
    connect("digid")
    start = client.get(f"/account/inloggen/digid?org={org.slug}")
    back = oidc_provider.log_in(start.headers["Location"], "anna")
    with client.session_transaction() as session:
        for key in [k for k in session if k.startswith("_state_")]:
            session[key] = {**session[key], "data": {**session[key]["data"], "nonce": "other"}}
    response = client.get(local(back))
    assert response.status_code == 400
    assert db.session.scalar(select(ExternalIdentity)) is None


def test_an_expired_id_token_is_refused(app, client, org, connect, oidc_provider, monkeypatch):
    """The provider's token for this client lives one second; it reaches the platform later
    than that (a slow network, or a token held back): refused."""
    import types

    import joserfc._rfc7519.claims as claims_module

    connect("digid", client_id="digid-kort")
    app.config["OIDC_CLOCK_LEEWAY"] = 0
    later = types.SimpleNamespace(time=lambda: time.time() + 5)
    monkeypatch.setattr(claims_module, "time", later)
    try:
        start = client.get(f"/account/inloggen/digid?org={org.slug}")
        back = oidc_provider.log_in(start.headers["Location"], "anna")
        response = client.get(local(back))
    finally:
        app.config["OIDC_CLOCK_LEEWAY"] = 60
    assert response.status_code == 400
    assert "niet geldig of verlopen" in response.get_data(as_text=True)
    assert db.session.scalar(select(ExternalIdentity)) is None


def _forged(oidc_provider, key, **claims):
    now = int(time.time())
    payload = {"iss": oidc_provider.issuer, "aud": "digid", "sub": "anna", "bsn": BSN_B,
               "acr": "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
               "iat": now, "exp": now + 600, "nonce": "n", **claims}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, payload, key)


@pytest.mark.parametrize("forgery", ["other key", "unknown issuer", "expired", "other audience"])
def test_a_forged_id_token_is_refused(app, org, connect, oidc_provider, forgery):
    """Tokens the provider did not issue, checked against its published keys."""
    from joserfc.errors import JoseError

    from participation.services import identity

    provider = connect("digid")
    client = identity.client_for(provider)
    key = oidc_provider.key
    claims = {}
    if forgery == "other key":
        key = RSAKey.generate_key(2048, parameters={"kid": oidc_provider.key.kid}, private=True)
    elif forgery == "unknown issuer":
        claims = {"iss": "http://127.0.0.1:1"}
    elif forgery == "expired":
        claims = {"exp": int(time.time()) - 600, "iat": int(time.time()) - 1200}
    else:
        claims = {"aud": "someone-else"}
    token = {"id_token": _forged(oidc_provider, key, **claims), "access_token": "a"}
    with app.test_request_context():
        with pytest.raises(JoseError):
            client.parse_id_token(token, nonce="n", leeway=0)
        # The genuine token passes the same check.
        genuine = {"id_token": _forged(oidc_provider, oidc_provider.key), "access_token": "a"}
        assert client.parse_id_token(genuine, nonce="n", leeway=0)["sub"] == "anna"


def test_new_signing_keys_at_the_provider_are_fetched(client, org, connect, oidc_provider):
    connect("digid")
    provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}", "anna")
    oidc_provider.new_key("key-2")
    oidc_provider.restart()
    client.post("/account/uitloggen")
    response = provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}",
                              "anna")
    assert response.status_code == 303 and "nieuw-account" in response.headers["Location"]


def test_a_provider_that_is_down_gives_a_clear_page(client, org, connect, oidc_provider):
    provider = connect("digid")
    provider.issuer = "http://127.0.0.1:9"  # nothing listens there
    db.session.commit()
    response = client.get(f"/account/inloggen/digid?org={org.slug}")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "niet bereikbaar" in page
    assert "Opnieuw inloggen" in page


def test_logging_out_ends_the_session_at_the_provider_too(client, org, connect, oidc_provider):
    connect("digid")
    provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}", "anna")
    client.post("/account/inloggen/nieuw-account",
                data={"name": "Anna Jansen", "email": "anna@example.nl"})
    client.post("/account/uitloggen")  # the new account's session has no ID token to hand on
    provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}", "anna")
    response = client.post("/account/uitloggen")
    location = response.headers["Location"]
    assert location.startswith(oidc_provider.issuer + "/session/end")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:5000/"]
    assert "id_token_hint" in query
    assert client.get("/account/").status_code == 302  # logged out here as well


def test_a_linked_digid_can_be_unlinked(client, org, connect, oidc_provider, create_user, login):
    connect("digid")
    user = create_user()
    login(user)
    assert "DigiD en eHerkenning" in client.get("/account/").get_data(as_text=True)
    provider_login(client, oidc_provider,
                   f"/account/inloggen/digid?org={org.slug}&next=/account/inloggen-met", "bram")
    page = client.get("/account/inloggen-met").get_data(as_text=True)
    assert "DigiD (midden)" in page and ">Koppel DigiD<" not in page
    identity = db.session.scalar(select(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
    response = client.post(f"/account/inloggen-met/{identity.id}/ontkoppelen")
    assert response.status_code == 303
    assert db.session.scalar(select(ExternalIdentity)) is None
    kinds = [e.kind for e in db.session.scalars(select(AccountEvent).where(
        AccountEvent.user_id == user.id).order_by(AccountEvent.id))]
    assert kinds[-3:] == ["identity_linked", "level_step_up", "identity_unlinked"]


def test_linked_logins_are_in_the_export_and_go_with_the_account(client, org, connect,
                                                                 oidc_provider, create_user, login):
    from participation.services import privacy

    connect("eherkenning")
    user = create_user()
    login(user)
    provider_login(client, oidc_provider, f"/account/inloggen/eherkenning?org={org.slug}",
                   "stichting", level="EH2+")
    exported = privacy.export_user_data(user)["linked_logins"]
    assert [(i["kind"], i["kvk"], i["level"]) for i in exported] == [
        ("eherkenning", "12345678", "EH2+")]
    privacy.delete_account(user, now=utcnow())
    db.session.commit()
    assert db.session.scalar(select(ExternalIdentity)) is None


def test_an_organisations_idp_cannot_open_an_account_it_does_not_own(
        client, org, create_org, connect, oidc_provider, create_user):
    """The IdP says sam@gemeente.example; that address belongs to another organisation's
    official. An admin's IdP must not be a way into other accounts."""
    other = create_org()
    create_user(org=other, role="official", email="sam@gemeente.example")
    connect("sso", role_map={"behandelaars": "official"})
    response = provider_login(client, oidc_provider, f"/account/inloggen/sso?org={org.slug}",
                              "sam")
    assert response.status_code == 400
    assert "niet bij uw organisatie hoort" in response.get_data(as_text=True)
    assert db.session.scalar(select(ExternalIdentity)) is None


def test_a_digid_linked_through_one_broker_does_not_open_through_another(
        app, client, org, create_org, connect, oidc_provider):
    """A broker of one organisation cannot speak for the residents another's broker knows."""
    connect("digid")
    provider_login(client, oidc_provider, f"/account/inloggen/digid?org={org.slug}", "anna")
    client.post("/account/inloggen/nieuw-account", data={"name": "Anna", "email": "anna@example.nl"})
    elsewhere = create_org()
    connect("digid", organisation=elsewhere)
    db.session.execute(IdentityProvider.__table__.update().where(
        IdentityProvider.organisation_id == elsewhere.id).values(issuer=oidc_provider.issuer + "/"))
    db.session.commit()
    other = app.test_client()
    response = provider_login(other, oidc_provider,
                              f"/account/inloggen/digid?org={elsewhere.slug}", "anna")
    assert response.status_code == 400
    assert "via een andere inlogdienst" in response.get_data(as_text=True)


def test_eherkenning_for_another_service_is_refused(client, org, connect, oidc_provider,
                                                    create_user, login):
    """The company's person is authorised for one service; the provider asks another."""
    provider = connect("eherkenning", service="urn:etoegang:DV:00000003123456780000:services:9")
    login(create_user())
    response = provider_login(client, oidc_provider,
                              f"/account/inloggen/eherkenning?org={org.slug}", "stichting",
                              level="EH2+")
    assert response.status_code == 400
    assert "voor een andere dienst" in response.get_data(as_text=True)
    assert db.session.scalar(select(ExternalIdentity)) is None
    provider.service, provider.updated_at = SERVICE, utcnow()
    db.session.commit()
    response = provider_login(client, oidc_provider,
                              f"/account/inloggen/eherkenning?org={org.slug}", "stichting",
                              level="EH2+")
    assert response.status_code == 303
    assert db.session.scalar(select(ExternalIdentity)).kvk == "12345678"
