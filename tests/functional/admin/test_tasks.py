"""The catalogue of challengeable tasks."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from participation.extensions import db
from participation.models import Task

VALID = {"code": "GR-04", "title": "Onderhoud van het groen in de wijk", "policy_area": "groen",
         "description": "Maaien, snoeien en planten in openbaar groen.",
         "current_budget": "12.500,50"}


def _tasks(org) -> list[Task]:
    db.session.expire_all()
    return list(db.session.scalars(select(Task).where(Task.organisation_id == org.id)))


def test_create_list_edit_and_deactivate(client, admin_setup):
    base = admin_setup.base
    response = client.post(f"{base}/taken/nieuw", data=VALID)
    assert response.status_code == 303
    [task] = _tasks(admin_setup.org)
    assert (task.code, task.policy_area, task.current_budget, task.active) == (
        "GR-04", "groen", Decimal("12500.50"), True)

    html = client.get(f"{base}/taken").get_data(as_text=True)
    assert "De taak GR-04 is toegevoegd." in html
    assert "Onderhoud van het groen in de wijk" in html and "€ 12.500,50" in html
    assert "Actief" in html

    edit = client.get(f"{base}/taken/{task.id}").get_data(as_text=True)
    assert 'value="12500,50"' in edit and 'value="GR-04"' in edit
    response = client.post(f"{base}/taken/{task.id}",
                           data={**VALID, "title": "Groenonderhoud", "current_budget": ""})
    assert response.status_code == 303
    [task] = _tasks(admin_setup.org)
    assert task.title == "Groenonderhoud" and task.current_budget is None

    assert client.post(f"{base}/taken/{task.id}/deactiveren").status_code == 303
    assert _tasks(admin_setup.org)[0].active is False
    html = client.get(f"{base}/taken").get_data(as_text=True)
    assert "Gedeactiveerd" in html and "Weer activeren" in html
    assert client.post(f"{base}/taken/{task.id}/activeren").status_code == 303
    assert _tasks(admin_setup.org)[0].active is True


def test_invalid_task_is_refused_with_messages_and_input_kept(client, admin_setup):
    response = client.post(f"{admin_setup.base}/taken/nieuw",
                           data={**VALID, "code": "met spatie", "title": "",
                                 "current_budget": "-5"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Controleer de volgende punten" in html
    assert "Gebruik in de code alleen letters, cijfers" in html
    assert "Vul de naam van de taak in." in html
    assert "Het budget kan niet negatief zijn." in html
    assert 'value="met spatie"' in html and 'value="-5"' in html
    assert "Maaien, snoeien en planten in openbaar groen." in html
    assert 'aria-describedby="code-hint code-error"' in html
    assert _tasks(admin_setup.org) == []


def test_budget_must_be_an_amount_with_at_most_two_decimals(client, admin_setup):
    for given, message in (("twaalf", "Vul een bedrag in euro in"),
                           ("10,555", "Gebruik hoogstens twee cijfers achter de komma.")):
        response = client.post(f"{admin_setup.base}/taken/nieuw",
                               data={**VALID, "current_budget": given})
        assert response.status_code == 422, given
        assert message in response.get_data(as_text=True)
    response = client.post(f"{admin_setup.base}/taken/nieuw",
                           data={**VALID, "current_budget": "€ 1.000"})
    assert response.status_code == 303
    assert _tasks(admin_setup.org)[0].current_budget == Decimal("1000.00")


def test_code_must_be_unique_within_the_organisation(client, admin_setup, create_org):
    other = create_org()
    db.session.add(Task(organisation_id=other.id, code="GR-04", title="Elders"))
    db.session.commit()
    assert client.post(f"{admin_setup.base}/taken/nieuw", data=VALID).status_code == 303
    response = client.post(f"{admin_setup.base}/taken/nieuw",
                           data={**VALID, "code": "gr-04", "title": "Dubbel"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Deze code is al in gebruik voor een andere taak." in html and 'value="Dubbel"' in html
    assert len(_tasks(admin_setup.org)) == 1
