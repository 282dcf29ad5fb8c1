"""The installation administrator manages the organisations in the app: add one of any tier,
edit its record and the bodies that decide there, archive it and take it back."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import Organisation, WorkflowVersion
from participation.services import cases as case_service

BASE = "/beheer/organisaties"
NEW_PROVINCE = {"name": "Provincie Zuiderland", "slug": "zuiderland", "tier": "provincie",
                "tooi_code": "pv99", "area": "Zuiderland", "email": "info@zuiderland.example",
                "website": "https://www.zuiderland.example", "inhabitants": "1120000",
                "electorate": ""}


@pytest.fixture()
def installer(create_user, login):
    user = create_user(name="Willem Kok", email="platform@example.nl")
    user.is_installation_admin = True
    db.session.commit()
    login(user)
    return user


def _org(slug: str) -> Organisation | None:
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def test_an_installation_admin_adds_a_province_with_the_preset_procedures(client, installer):
    page = client.get(BASE + "/").get_data(as_text=True)
    assert "Organisatie toevoegen" in page
    assert client.get("/").get_data(as_text=True).count('href="/zuiderland/"') == 0

    response = client.post(BASE + "/nieuw", data=NEW_PROVINCE)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(BASE + "/zuiderland")
    org = _org("zuiderland")
    assert (org.name, org.tier, org.tooi_code, org.area, org.inhabitants) == (
        "Provincie Zuiderland", "provincie", "pv99", "Zuiderland", 1120000)
    assert org.deciding_bodies == "gedeputeerde_staten,provinciale_staten,gemandateerd_ambtenaar"
    versions = db.session.scalar(select(func.count()).select_from(WorkflowVersion).where(
        WorkflowVersion.organisation_id == org.id))
    assert versions == 3  # uitdaagrecht, burgerinitiatief, bewonersinitiatief
    edit = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Provincie Zuiderland is toegevoegd" in edit
    assert "Deze organisatie heeft nog geen beheerder." in edit
    assert "Gedeputeerde Staten" in edit and "Gemeenteraad" not in edit
    # Residents find it, and its own pages work.
    assert 'href="/zuiderland/"' in client.get("/").get_data(as_text=True)
    assert client.get("/zuiderland/register").status_code == 200
    listing = client.get(BASE + "/").get_data(as_text=True)
    assert "Provincie Zuiderland" in listing and "Provincie</td>" in listing


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"slug": "account"}, "slug", "Dit deel van het webadres is voor het platform zelf."),
    ({"slug": "Zuider Land!"}, "slug", "Gebruik alleen kleine letters, cijfers en streepjes"),
    ({"slug": "zonnedal"}, "slug", "Er is al een organisatie met dit webadres."),
    ({"tooi_code": "gm0363"}, "tooi_code", "voor een provincie is die bijvoorbeeld pv27"),
    ({"name": ""}, "name", "Vul de naam in."),
    ({"tier": ""}, "tier", "Kies gemeente, provincie of waterschap."),
    ({"website": "zuiderland"}, "website", "Vul een webadres in dat begint met https://."),
])
def test_a_wrong_field_comes_back_with_its_message_and_the_input_kept(client, installer,
                                                                      create_org, change, field,
                                                                      message):
    create_org(slug="zonnedal", name="Gemeente Zonnedal")
    response = client.post(BASE + "/nieuw", data={**NEW_PROVINCE, **change})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert f'id="{field}-error"' in html or f'{field}-error' in html
    assert 'value="Zuiderland"' in html  # the area typed is still there
    assert _org("zuiderland") is None


def test_editing_sets_the_record_and_the_bodies_that_decide(client, installer, create_org):
    org = create_org(slug="zonnedal", name="Gemeente Zonnedal", tier="gemeente")
    assert [b.code for b in case_service.deciding_bodies(org)] == [
        "college", "raad", "burgemeester", "gemandateerd_ambtenaar"]
    page = client.get(f"{BASE}/zonnedal").get_data(as_text=True)
    assert 'name="slug"' not in page  # fixed once it exists
    response = client.post(f"{BASE}/zonnedal", data={
        "name": "Gemeente Zonnedal-Bergdorp", "tooi_code": "gm0001", "area": "Zonnedal en Bergdorp",
        "deciding_bodies": ["raad", "gemandateerd_ambtenaar"], "email": "", "phone": "",
        "address": "", "website": "", "inhabitants": "61000", "electorate": ""})
    assert response.status_code == 303
    org = _org("zonnedal")
    assert (org.name, org.area, org.inhabitants, org.electorate) == (
        "Gemeente Zonnedal-Bergdorp", "Zonnedal en Bergdorp", 61000, None)
    # The decision form offers only those bodies; the raad is the default without the college.
    assert [b.code for b in case_service.deciding_bodies(org)] == ["raad",
                                                                   "gemandateerd_ambtenaar"]
    assert case_service.default_deciding_body(org) == "raad"
    # No body at all is refused at the field.
    response = client.post(f"{BASE}/zonnedal", data={"name": "Gemeente Zonnedal",
                                                     "tooi_code": "gm0001"})
    assert response.status_code == 422
    assert "Kies minstens één bestuursorgaan." in response.get_data(as_text=True)


def test_an_archived_organisation_takes_no_new_requests_but_keeps_its_register(
        client, installer, create_org, create_user, login):
    create_org(slug="zonnedal", name="Gemeente Zonnedal")
    response = client.post(f"{BASE}/zonnedal/archiveren", data={})
    assert response.status_code == 303
    assert "is gearchiveerd" in client.get(BASE + "/").get_data(as_text=True)
    assert _org("zonnedal").archived_at is not None
    assert 'href="/zonnedal/"' not in client.get("/").get_data(as_text=True)
    assert client.get("/zonnedal/register").status_code == 200

    resident = create_user(name="Sanne de Vries")
    login(resident)
    for path in ("/zonnedal/uitdaagrecht/nieuw", "/zonnedal/initiatieven/nieuw"):
        response = client.get(path)
        assert response.status_code == 410
        assert "neemt via dit platform geen nieuwe verzoeken meer aan" in \
            response.get_data(as_text=True)

    login(installer)
    assert client.post(f"{BASE}/zonnedal/terugzetten", data={}).status_code == 303
    assert _org("zonnedal").archived_at is None
    login(resident)
    assert client.get("/zonnedal/uitdaagrecht/nieuw").status_code == 200


def test_only_installation_admins_manage_organisations(client, create_org, create_user, login):
    org = create_org(slug="zonnedal")
    assert client.get(BASE + "/").status_code == 302  # to the login page
    login(create_user(org=org, role="admin"))  # an organisation's admin is not enough
    assert client.get(BASE + "/").status_code == 403
    assert client.post(BASE + "/nieuw", data=NEW_PROVINCE).status_code == 403
    assert "/beheer/organisaties" not in client.get("/").get_data(as_text=True)


def test_an_unknown_organisation_is_a_404(client, installer):
    assert client.get(f"{BASE}/bestaat-niet").status_code == 404
    assert client.post(f"{BASE}/bestaat-niet/archiveren", data={}).status_code == 404
    assert _org("zuiderland") is None


def test_the_pages_speak_english_too(client, installer):
    client.get("/lang/en")
    response = client.post(BASE + "/nieuw", data={**NEW_PROVINCE, "tooi_code": "ws1"})
    html = response.get_data(as_text=True)
    assert "Add an organisation" in html
    assert "for a province it is for example pv27" in html
    assert 'href="/beheer/organisaties/"' in html  # the header link for installation admins


def test_the_installation_admin_appoints_the_first_admin(client, installer, create_org,
                                                        create_user):
    org = create_org(slug="zonnedal", name="Gemeente Zonnedal")
    anouk = create_user(name="Anouk Bakker", email="anouk@zonnedal.example")
    response = client.post(f"{BASE}/zonnedal/beheerders",
                           data={"beheerder-email": "nobody@zonnedal.example"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Er is geen account met dit e-mailadres." in html
    assert 'value="nobody@zonnedal.example"' in html
    response = client.post(f"{BASE}/zonnedal/beheerders",
                           data={"beheerder-email": "anouk@zonnedal.example"})
    assert response.status_code == 303
    page = client.get(f"{BASE}/zonnedal").get_data(as_text=True)
    assert "anouk@zonnedal.example is nu beheerder van Gemeente Zonnedal." in page
    assert "Anouk Bakker (anouk@zonnedal.example)" in page
    db.session.expire_all()
    assert anouk.roles_in(org.id) == {"admin"}
