"""Bulk steps with standard texts: each case on its own (SAVEPOINT), one commit, a report
per case; and the template management page."""
from __future__ import annotations

from sqlalchemy import select

from participation.extensions import db
from participation.models import AuditEvent, OutboxMessage, ResponseTemplate
from participation.services import cases as case_service
from participation.services import cases as service
from tests.functional.workbench.conftest import days_ago

QUEUE = "/zonnedal/werkbak/"


def test_bulk_step_applies_to_the_right_cases_and_reports_the_others(
        client, login, coordinator, official, resident, org, submit_case):
    intake = [submit_case(org, title=f"Zaak {n}", steps=(("ontvangst_bevestigen", coordinator, {}),))
              for n in range(3)]
    wrong_state = submit_case(org, title="Nog niet in intake")
    template = case_service.save_template(org, transition="aanvulling_vragen",
                                          title="Begroting ontbreekt",
                                          body="Wilt u een begroting per jaar meesturen?",
                                          now=days_ago(0))
    db.session.commit()
    login(official)
    response = client.post("/zonnedal/werkbak/bulk", data={
        "action": "transition", "transition": "aanvulling_vragen", "template": str(template.id),
        "case": [f"{c.id}:{c.lock_version}" for c in intake + [wrong_state]]})
    assert response.status_code == 303
    for case in intake:
        db.session.refresh(case)
        assert case.state == "aanvulling_gevraagd"
        assert service.clock_of(case).suspended
        # The standard term of 21 days applies when none is given.
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.transition == "aanvulling_vragen"))
        assert event.inputs == {"question": "Wilt u een begroting per jaar meesturen?",
                                "term_days": 21}
    db.session.refresh(wrong_state)
    assert wrong_state.state == "ingediend"
    mails = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == resident.email)).all()
    assert sum("Wilt u een begroting per jaar meesturen?" in m.body for m in mails) == 3

    html = client.get(QUEUE).get_data(as_text=True)
    assert "3 van de 4 zaken zijn bijgewerkt." in html
    assert f"{wrong_state.number} (Nog niet in intake) overgeslagen: Deze stap kan nu niet." in html
    assert f"{intake[0].number} (Zaak 0): Gelukt" in html


def test_bulk_step_skips_a_case_changed_since_the_page_was_loaded(client, login, coordinator,
                                                                  official, org, submit_case):
    fresh = submit_case(org, title="Vers", steps=(("ontvangst_bevestigen", coordinator, {}),))
    changed = submit_case(org, title="Gewijzigd", steps=(("ontvangst_bevestigen", coordinator, {}),))
    seen = changed.lock_version
    changed.assignee_id = official.id  # someone else changed it meanwhile
    db.session.commit()
    login(coordinator)
    response = client.post("/zonnedal/werkbak/bulk", data={
        "action": "transition", "transition": "in_behandeling_nemen",
        "case": [f"{fresh.id}:{fresh.lock_version}", f"{changed.id}:{seen}"]})
    assert response.status_code == 303
    db.session.refresh(fresh)
    db.session.refresh(changed)
    assert fresh.state == "in_behandeling" and changed.state == "intake"
    html = client.get(QUEUE).get_data(as_text=True)
    assert "(Gewijzigd) overgeslagen: Deze zaak is intussen gewijzigd." in html


def test_bulk_step_needing_more_than_a_text_is_not_offered(client, login, official, org,
                                                           submit_case):
    submit_case(org)
    login(official)
    html = client.get(QUEUE).get_data(as_text=True)
    assert '<option value="aanvulling_vragen">' in html
    assert '<option value="afwijzen">' not in html  # needs a decision record and grounds


def test_bulk_with_own_text_and_missing_text_is_reported(client, login, coordinator, org,
                                                         submit_case):
    case = submit_case(org, steps=(("ontvangst_bevestigen", coordinator, {}),))
    login(coordinator)
    client.post("/zonnedal/werkbak/bulk", data={
        "action": "transition", "transition": "doorverwijzen", "text": "",
        "case": f"{case.id}:{case.lock_version}"})
    db.session.refresh(case)
    assert case.state == "intake"
    assert "overgeslagen: Geef een toelichting." in client.get(QUEUE).get_data(as_text=True)


def test_nothing_selected(client, login, coordinator, org, submit_case):
    submit_case(org)
    login(coordinator)
    response = client.post("/zonnedal/werkbak/bulk", data={"action": "transition",
                                                           "transition": "doorverwijzen"},
                           follow_redirects=True)
    assert "Kies eerst een of meer zaken." in response.get_data(as_text=True)


def test_template_management(client, login, coordinator, official, org):
    login(coordinator)
    page = client.get("/zonnedal/werkbak/sjablonen")
    assert page.status_code == 200
    assert '<option value="aanvulling_vragen">' in page.get_data(as_text=True)
    empty = client.post("/zonnedal/werkbak/sjablonen", data={"title": "", "body": "",
                                                             "transition": ""})
    assert empty.status_code == 422
    assert "Geef het sjabloon een naam." in empty.get_data(as_text=True)
    response = client.post("/zonnedal/werkbak/sjablonen", data={
        "title": "Statuten ontbreken", "transition": "aanvulling_vragen",
        "body": "Wilt u de statuten van uw stichting meesturen?"})
    assert response.status_code == 303
    template = db.session.scalar(select(ResponseTemplate))
    assert (template.organisation_id, template.transition, template.title) == (
        org.id, "aanvulling_vragen", "Statuten ontbreken")
    listed = client.get("/zonnedal/werkbak/sjablonen").get_data(as_text=True)
    assert "Statuten ontbreken" in listed and "Voor de stap: Aanvulling vragen" in listed

    client.post("/account/uitloggen")
    login(official)
    assert client.get("/zonnedal/werkbak/sjablonen").status_code == 403
    assert client.post(f"/zonnedal/werkbak/sjablonen/{template.id}/verwijderen").status_code == 403


def test_template_of_another_organisation_cannot_be_deleted(client, login, create_user,
                                                            other_org, org):
    template = case_service.save_template(org, transition="", title="Van Zonnedal", body="Tekst",
                                          now=days_ago(0))
    db.session.commit()
    outsider = create_user(org=other_org, role="coordinator")
    login(outsider)
    response = client.post(f"/bergdorp/werkbak/sjablonen/{template.id}/verwijderen")
    assert response.status_code == 404
    assert db.session.get(ResponseTemplate, template.id) is not None
