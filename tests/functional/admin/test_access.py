"""Only admins of this organisation reach /beheer; everyone else is refused."""
from __future__ import annotations

import pytest

PAGES = ["/", "/gebruikers", "/taken", "/taken/nieuw", "/huisstijl", "/procedures",
         "/procedures/uitdaagrecht/versies/1", "/procedures/uitdaagrecht/versies/1/download",
         "/procedures/uitdaagrecht/nieuw"]
POSTS = ["/gebruikers", "/taken/nieuw", "/huisstijl", "/huisstijl/logo",
         "/procedures/uitdaagrecht/nieuw", "/procedures/uitdaagrecht/standaard"]


@pytest.mark.parametrize("role", ["official", "coordinator", "griffie"])
def test_staff_without_admin_role_get_403(client, create_org, create_user, login, role):
    org = create_org()
    login(create_user(org=org, role=role))
    for page in PAGES:
        assert client.get(f"/{org.slug}/beheer{page}").status_code == 403, page
    for page in POSTS:
        assert client.post(f"/{org.slug}/beheer{page}", data={}).status_code == 403, page


def test_resident_gets_403(client, create_org, create_user, login):
    org = create_org()
    login(create_user())
    for page in PAGES:
        assert client.get(f"/{org.slug}/beheer{page}").status_code == 403, page


def test_anonymous_is_sent_to_login(client, create_org):
    org = create_org()
    for page in PAGES:
        response = client.get(f"/{org.slug}/beheer{page}")
        assert response.status_code == 302, page
        assert "/account/inloggen" in response.headers["Location"]
    response = client.post(f"/{org.slug}/beheer/gebruikers", data={"email": "x@y.nl",
                                                                    "role": "admin"})
    assert response.status_code == 302


def test_admin_of_another_organisation_gets_403_and_cannot_touch_its_objects(
        client, create_org, create_user, login):
    from participation.extensions import db
    from participation.models import Task

    mine, other = create_org(), create_org()
    login(create_user(org=mine, role="admin"))
    # No role in the other organisation: refused like any other visitor without a role.
    for page in PAGES:
        assert client.get(f"/{other.slug}/beheer{page}").status_code == 403, page
    # Objects of the other organisation do not exist from my own /beheer.
    task = Task(organisation_id=other.id, code="X1", title="Andermans taak")
    db.session.add(task)
    db.session.commit()
    other_admin = create_user(org=other, role="admin")
    membership_id = other_admin.memberships[0].id
    assert client.get(f"/{mine.slug}/beheer/taken/{task.id}").status_code == 404
    assert client.post(f"/{mine.slug}/beheer/taken/{task.id}/deactiveren").status_code == 404
    assert client.get(f"/{mine.slug}/beheer/gebruikers/rollen/{membership_id}/intrekken"
                      ).status_code == 404
    assert client.post(f"/{mine.slug}/beheer/gebruikers/rollen/{membership_id}/intrekken"
                       ).status_code == 404
    db.session.expire_all()
    assert db.session.get(Task, task.id).active is True
    assert other_admin.roles_in(other.id) == {"admin"}


def test_unknown_request_type_and_version_are_404(client, admin_setup):
    base = admin_setup.base
    assert client.get(f"{base}/procedures/onbekend/versies/1").status_code == 404
    assert client.get(f"{base}/procedures/uitdaagrecht/versies/99").status_code == 404
    assert client.get(f"{base}/procedures/onbekend/nieuw").status_code == 404


def test_admin_sees_overview_with_links_and_nav_entry(client, admin_setup):
    html = client.get(f"{admin_setup.base}/").get_data(as_text=True)
    for href in ("/gebruikers", "/taken", "/huisstijl", "/procedures"):
        assert f'href="{admin_setup.base}{href}"' in html
    assert 'aria-current="page"' in html and ">Beheer</a>" in html


def test_admin_forms_are_csrf_protected(client, admin_setup, csrf_app):
    response = client.post(f"{admin_setup.base}/gebruikers",
                           data={"email": "anna@zonnedal.nl", "role": "official"})
    assert response.status_code == 400
