"""The admin connects DigiD, eHerkenning and the staff IdP: what the form accepts, that a
secret is never shown back, and what residents and the procedure page then see."""
from __future__ import annotations

from sqlalchemy import select

from participation.extensions import db
from participation.models import AccountEvent, IdentityProvider

FORM = {"issuer": "https://login.makelaar.example", "client_id": "zonnedal-digid",
        "client_secret": "s3cret-value-from-the-broker", "scope": "openid bsn", "enabled": "y",
        "role_claim": "groups", "role_map": ""}


def test_a_digid_broker_is_connected_and_its_secret_never_shown_back(client, admin_setup):
    page = client.get(f"{admin_setup.base}/inloggen").get_data(as_text=True)
    assert "Niet gekoppeld" in page and "/account/inloggen/terug" in page
    response = client.post(f"{admin_setup.base}/inloggen/digid", data=FORM)
    assert response.status_code == 303
    provider = db.session.scalar(select(IdentityProvider))
    assert (provider.kind, provider.organisation_id, provider.client_secret) == (
        "digid", admin_setup.org.id, FORM["client_secret"])
    form = client.get(f"{admin_setup.base}/inloggen/digid").get_data(as_text=True)
    assert FORM["client_secret"] not in form and "Er is een client-secret opgeslagen" in form

    # Saving without a secret keeps the stored one.
    client.post(f"{admin_setup.base}/inloggen/digid", data={**FORM, "client_secret": ""})
    db.session.refresh(provider)
    assert provider.client_secret == FORM["client_secret"]
    event = db.session.scalar(select(AccountEvent).where(
        AccountEvent.kind == "identity_provider_changed"))
    assert event.user_id == admin_setup.admin.id and "secret" not in str(event.detail)

    client.post("/account/uitloggen")
    login_page = client.get(f"/account/inloggen?next=/{admin_setup.org.slug}/uitdaagrecht")
    assert "Inloggen met DigiD" in login_page.get_data(as_text=True)
    assert "Inloggen met DigiD" not in client.get("/account/inloggen").get_data(as_text=True)


def test_the_procedure_page_names_the_login_and_whether_it_is_connected(client, admin_setup):
    url = f"{admin_setup.base}/procedures/uitdaagrecht/versies/1"
    page = client.get(url).get_data(as_text=True)
    assert "Inloggen voor: Indienen" in page and "DigiD (midden)" in page
    assert "nog niet gekoppeld" in page
    assert "Inloggen: indienen DigiD (midden); namens een organisatie eHerkenning (EH2+)" in page
    client.post(f"{admin_setup.base}/inloggen/digid", data=FORM)
    client.post(f"{admin_setup.base}/inloggen/eherkenning", data={**FORM, "scope": "openid eherkenning"})
    assert "nog niet gekoppeld" not in client.get(url).get_data(as_text=True)


def test_wrong_settings_are_refused_at_the_field_with_the_input_kept(client, admin_setup):
    response = client.post(f"{admin_setup.base}/inloggen/sso", data={
        **FORM, "issuer": "http://idp.example/realms/x?y=1",
        "role_map": "behandelaars = official\nbeheer = superuser"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vul een https-adres in" in page
    assert "Deze regel klopt niet: &#39;beheer = superuser&#39;" in page
    assert "behandelaars = official" in page  # kept
    assert db.session.scalar(select(IdentityProvider)) is None


def test_the_eherkenning_service_is_saved_for_eherkenning_only(client, admin_setup):
    service = "urn:etoegang:DV:00000003123456780000:services:1"
    client.post(f"{admin_setup.base}/inloggen/eherkenning",
                data={**FORM, "scope": "openid eherkenning", "service": service})
    client.post(f"{admin_setup.base}/inloggen/digid", data={**FORM, "service": service})
    saved = {p.kind: p.service for p in db.session.scalars(select(IdentityProvider))}
    assert saved == {"eherkenning": service, "digid": ""}
    assert service in client.get(f"{admin_setup.base}/inloggen/eherkenning").get_data(
        as_text=True)


def test_groups_and_roles_are_saved_and_shown_as_lines(client, admin_setup):
    client.post(f"{admin_setup.base}/inloggen/sso", data={
        **FORM, "scope": "openid profile email groups",
        "role_map": "behandelaars = official\ngriffie-team = griffie, admin"})
    provider = db.session.scalar(select(IdentityProvider))
    assert provider.role_map == {"behandelaars": ["official"], "griffie-team": ["griffie", "admin"]}
    page = client.get(f"{admin_setup.base}/inloggen/sso").get_data(as_text=True)
    assert "griffie-team = griffie, admin" in page


def test_the_installation_connects_a_broker_every_organisation_without_one_uses(
        client, create_org, create_user, login):
    from tests.second_factor import log_in_with_form

    org = create_org()
    installer = create_user(email="platform@example.nl")
    installer.is_installation_admin = True
    db.session.commit()
    log_in_with_form(client, installer, "correct-horse-battery-9")
    page = client.get("/beheer/inloggen/").get_data(as_text=True)
    assert "Niet gekoppeld" in page and "SSO" not in page.split("<tbody")[1]
    assert client.get("/beheer/inloggen/sso").status_code == 404
    response = client.post("/beheer/inloggen/digid", data=FORM)
    assert response.status_code == 303
    provider = db.session.scalar(select(IdentityProvider))
    assert provider.organisation_id is None
    client.post("/account/uitloggen")
    login_page = client.get(f"/account/inloggen?next=/{org.slug}/uitdaagrecht")
    assert "Inloggen met DigiD" in login_page.get_data(as_text=True)
