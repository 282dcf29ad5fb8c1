"""Granting and revoking roles."""
from __future__ import annotations

import logging
import re

from participation.extensions import db
from participation.models import Membership


def _roles(user, org) -> set[str]:
    db.session.expire_all()
    return user.roles_in(org.id)


def test_list_shows_members_with_their_roles(client, admin_setup, create_user):
    colleague = create_user(org=admin_setup.org, role="coordinator", name="Cor Coördinator",
                            email="cor@zonnedal.nl")
    from participation.services import accounts
    accounts.grant_role(colleague, admin_setup.org, "griffie")
    db.session.commit()
    create_user(name="Rita Inwoner")  # a resident without a role is not listed
    html = client.get(f"{admin_setup.base}/gebruikers").get_data(as_text=True)
    assert "Cor Coördinator" in html and "cor@zonnedal.nl" in html
    row = html.split("Cor Coördinator", 1)[1].split("</tr>", 1)[0]
    assert "Coördinator" in row and "Griffie" in row
    assert "Rita Inwoner" not in html
    assert "Anna Beheer (uzelf)" in html


def test_grant_role_to_existing_account(client, admin_setup, create_user, caplog):
    person = create_user(name="Otto Ambtenaar", email="otto@zonnedal.nl")
    with caplog.at_level(logging.INFO):
        response = client.post(f"{admin_setup.base}/gebruikers",
                               data={"email": " Otto@Zonnedal.nl ", "role": "official"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{admin_setup.base}/gebruikers")
    assert _roles(person, admin_setup.org) == {"official"}
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Otto Ambtenaar heeft nu de rol Ambtenaar." in html
    # Who did what, in the log.
    assert any("anna@zonnedal.nl" in r.getMessage() and "granted role official" in r.getMessage()
               and "otto@zonnedal.nl" in r.getMessage() for r in caplog.records)
    # The new official can now open the work queue part of the site, not the admin.
    client.post("/account/uitloggen")


def test_grant_to_unknown_email_explains_that_an_account_is_needed(client, admin_setup):
    response = client.post(f"{admin_setup.base}/gebruikers",
                           data={"email": "nieuw@zonnedal.nl", "role": "coordinator"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Deze persoon moet eerst zelf een account aanmaken" in html
    assert 'value="nieuw@zonnedal.nl"' in html  # input kept
    assert re.search(r'<option selected value="coordinator"|<option value="coordinator" selected',
                     html)
    assert db.session.query(Membership).count() == 1


def test_grant_validates_email_and_role(client, admin_setup):
    response = client.post(f"{admin_setup.base}/gebruikers",
                           data={"email": "geen-adres", "role": "superuser"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vul een geldig e-mailadres in" in html and "Kies een rol uit de lijst." in html


def test_revoke_asks_for_confirmation_then_revokes(client, admin_setup, create_user, caplog):
    person = create_user(org=admin_setup.org, role="griffie", name="Gerda Griffie",
                         email="gerda@zonnedal.nl")
    membership_id = person.memberships[0].id
    url = f"{admin_setup.base}/gebruikers/rollen/{membership_id}/intrekken"
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Weet u zeker dat u de rol Griffie van Gerda Griffie" in html
    assert f'action="{url}"' in html and 'method="post"' in html
    assert _roles(person, admin_setup.org) == {"griffie"}  # a GET changes nothing

    with caplog.at_level(logging.INFO):
        response = client.post(url)
    assert response.status_code == 303
    assert _roles(person, admin_setup.org) == set()
    assert "De rol Griffie van Gerda Griffie is ingetrokken." in client.get(
        f"{admin_setup.base}/gebruikers").get_data(as_text=True)
    assert any("revoked role griffie" in r.getMessage() and "gerda@zonnedal.nl" in r.getMessage()
               for r in caplog.records)


def test_last_admin_cannot_revoke_own_admin_role(client, admin_setup):
    membership = admin_setup.admin.memberships[0]
    url = f"{admin_setup.base}/gebruikers/rollen/{membership.id}/intrekken"
    response = client.post(url)
    assert response.status_code == 422
    assert "U bent de laatste beheerder." in response.get_data(as_text=True)
    assert _roles(admin_setup.admin, admin_setup.org) == {"admin"}
    assert client.get(f"{admin_setup.base}/").status_code == 200


def test_admin_may_step_down_when_another_admin_remains(client, admin_setup, create_user):
    create_user(org=admin_setup.org, role="admin", name="Bert Beheer")
    membership = admin_setup.admin.memberships[0]
    response = client.post(f"{admin_setup.base}/gebruikers/rollen/{membership.id}/intrekken")
    assert response.status_code == 303
    # No longer an admin here: sent to the organisation's home page, /beheer is closed.
    assert response.headers["Location"].endswith(f"/{admin_setup.org.slug}/")
    assert _roles(admin_setup.admin, admin_setup.org) == set()
    assert client.get(f"{admin_setup.base}/").status_code == 403
