"""The case workbench: what it shows, the steps each role may take with their inputs, the
decision record, internal notes, messages and the agreement after a grant."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import (
    AuditEvent,
    CaseMessage,
    Decision,
    InternalNote,
    Notification,
    OutboxMessage,
    Task,
)
from participation.services import cases as service
from tests.functional.workbench.conftest import days_ago


def url(case, suffix: str = "") -> str:
    return f"/zonnedal/werkbak/zaken/{case.id}{suffix}"


def step(case, name: str, *, confirm: bool = True, **fields) -> tuple[str, dict]:
    """The step's form as a browser sends it; `confirm` ticks "Ik wil dit besluit nemen"
    (a decision step's form has it; other forms ignore it)."""
    data = {f"{name}-{key}": value for key, value in fields.items()}
    data.setdefault(f"{name}-lock_version", str(case.lock_version))
    if confirm:
        data[f"{name}-confirm"] = "y"
    return url(case, f"/stappen/{name}"), data


def mails_to(email: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email)))


@pytest.fixture()
def in_intake(org, coordinator, submit_case):
    return submit_case(org, steps=(("ontvangst_bevestigen", coordinator, {}),),
                       submitted=days_ago(5))


@pytest.fixture()
def in_assessment(org, coordinator, submit_case):
    return submit_case(org, submitted=days_ago(5), steps=(
        ("ontvangst_bevestigen", coordinator, {}), ("in_behandeling_nemen", coordinator, {})))


@pytest.fixture()
def in_decision(org, coordinator, submit_case):
    return submit_case(org, submitted=days_ago(5), steps=(
        ("ontvangst_bevestigen", coordinator, {}), ("in_behandeling_nemen", coordinator, {}),
        ("naar_besluitvorming", coordinator, {})))


def test_case_page_shows_request_fields_attachments_and_audit_trail(client, login, official,
                                                                    org, submit_case):
    case = submit_case(org, data={"legal_form": "stichting", "support_evidence": "120 handtekeningen",
                                  "onderhoud_frequentie": "wekelijks"})
    login(official)
    response = client.get(url(case))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<dt>Rechtsvorm</dt>" in html and "Stichting" in html
    assert "<dt>Bewijs van draagvlak</dt>" in html and "120 handtekeningen" in html
    assert "<dt>Onderhoud frequentie</dt>" in html  # unknown keys get a readable label
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id))
    assert event.hash[:12] in html and event.hash not in html
    assert "openbaar" in html


def test_griffie_sees_no_grant_button_and_cannot_post_it(client, login, griffie, in_decision):
    login(griffie)
    html = client.get(url(in_decision)).get_data(as_text=True)
    assert "stappen/toekennen" not in html and "stappen/afwijzen" not in html
    assert "U kunt in deze fase zelf geen stap zetten." in html
    # It says who can go on, and with what.
    assert "Wacht op de behandelend ambtenaar: beslistermijn verlengen, terug naar beoordeling, " \
        "toekennen, deels toekennen, afwijzen" in html
    target, data = step(in_decision, "toekennen", reason="Goed plan.")
    assert client.post(target, data=data).status_code == 403
    db.session.refresh(in_decision)
    assert in_decision.state == "besluitvorming"


def test_a_new_official_can_take_a_new_request_through_intake_without_a_coordinator(
        client, login, official, org, submit_case):
    case = submit_case(org, submitted=days_ago(1))
    login(official)
    html = client.get(url(case)).get_data(as_text=True)
    assert "stappen/ontvangst_bevestigen" in html and "zelf geen stap" not in html
    for name in ("ontvangst_bevestigen", "in_behandeling_nemen", "naar_besluitvorming"):
        target, data = step(case, name)
        assert client.post(target, data=data).status_code == 303, name
        db.session.refresh(case)
    assert case.state == "besluitvorming"


def test_the_page_says_what_the_case_waits_for_when_the_applicant_is_asked(
        client, login, official, in_intake):
    login(official)
    target, data = step(in_intake, "aanvulling_vragen", question="Stuur de begroting mee.",
                        term_days="14")
    assert client.post(target, data=data).status_code == 303
    html = client.get(url(in_intake)).get_data(as_text=True)
    assert "Door de aanvrager: aanvulling sturen" in html
    assert "Als de termijn op " in html and "gaat de zaak vanzelf verder" in html


def test_a_decision_asks_for_confirmation_and_stores_nothing_without_it(
        client, login, official, resident, in_decision):
    login(official)
    html = client.get(url(in_decision)).get_data(as_text=True)
    # One form at a time: every step is a closed disclosure until chosen.
    assert '<details class="step" id="stap-toekennen">' in html
    assert "Ik wil dit besluit nemen" in html and "kan niet worden teruggedraaid" in html
    target, data = step(in_decision, "toekennen", confirm=False, reason="Een goed plan.",
                        deciding_body="college", decided_on=days_ago(1).date().isoformat())
    response = client.post(target, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Vink aan dat u dit besluit wilt nemen." in page and "Een goed plan." in page
    assert '<details class="step" id="stap-toekennen" open>' in page  # the form stays open
    db.session.refresh(in_decision)
    assert in_decision.state == "besluitvorming"
    assert db.session.scalar(select(Decision).where(Decision.case_id == in_decision.id)) is None
    assert mails_to(resident.email) == [] or all("toegekend" not in m.subject.lower()
                                                  for m in mails_to(resident.email))


def test_a_typed_dutch_date_is_read_and_the_field_says_how_to_type_it(client, login, official,
                                                                       in_decision):
    login(official)
    assert "Bijvoorbeeld 01-09-2026." in client.get(url(in_decision)).get_data(as_text=True)
    target, data = step(in_decision, "toekennen", reason="Goed plan.", deciding_body="college",
                        decided_on="02-11-2026")
    assert client.post(target, data=data).status_code == 303
    decision = db.session.scalar(select(Decision).where(Decision.case_id == in_decision.id))
    assert decision.decided_on.isoformat() == "2026-11-02"


def test_official_sees_the_decision_steps(client, login, official, in_decision):
    login(official)
    html = client.get(url(in_decision)).get_data(as_text=True)
    for name in ("toekennen", "deels_toekennen", "afwijzen", "verdagen_besluitvorming"):
        assert f"stappen/{name}" in html
    assert "stappen/in_behandeling_nemen" not in html  # another state's step
    # The refusal form offers the workflow's grounds with Dutch labels.
    assert "R4: Het plan kost meer dan nu, of er is geen geld voor" in html


def test_refusal_without_grounds_is_422_with_message_at_the_checkboxes(client, login, official,
                                                                      in_decision):
    login(official)
    target, data = step(in_decision, "afwijzen", reason="Het plan is te duur voor de wijk.",
                        deciding_body="college", decided_on=days_ago(0).date().isoformat())
    response = client.post(target, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="afwijzen-refusal_grounds-error"' in html
    assert re.search(r'id="afwijzen-refusal_grounds-error">.*Kies minstens één weigeringsgrond',
                     html, re.DOTALL)
    assert 'aria-describedby="afwijzen-refusal_grounds-hint afwijzen-refusal_grounds-error"' in html
    assert "Het plan is te duur voor de wijk.</textarea>" in html  # input kept
    assert 'href="#afwijzen-refusal_grounds-0"' in html  # error summary links to the group
    db.session.refresh(in_decision)
    assert in_decision.state == "besluitvorming"
    assert db.session.scalar(select(Decision)) is None


def test_information_request_suspends_the_clock_and_mails_the_applicant(
        client, login, official, resident, in_intake):
    login(official)
    target, data = step(in_intake, "aanvulling_vragen",
                        question="Wilt u de begroting voor 2027 meesturen?", term_days="14")
    response = client.post(target, data=data)
    assert response.status_code == 303
    db.session.refresh(in_intake)
    assert in_intake.state == "aanvulling_gevraagd"
    assert service.clock_of(in_intake).suspended
    assert in_intake.state_deadline >= days_ago(0).date() + timedelta(days=14)
    assert any("Wilt u de begroting voor 2027 meesturen?" in m.body for m in mails_to(resident.email))
    html = client.get(url(in_intake)).get_data(as_text=True)
    assert "De beslistermijn is opgeschort" in html


def test_information_request_form_defaults_to_21_days(client, login, official, in_intake):
    login(official)
    html = client.get(url(in_intake)).get_data(as_text=True)
    assert re.search(r'name="aanvulling_vragen-term_days"[^>]*value="21"', html)


def test_extension_moves_the_deadline_once_and_is_refused_the_second_time(
        client, login, official, resident, in_assessment):
    before = in_assessment.deadline
    login(official)
    target, data = step(in_assessment, "verdagen", reason="Wij wachten op advies van de "
                        "afdeling groen.", extension_days="28")
    assert client.post(target, data=data).status_code == 303
    db.session.refresh(in_assessment)
    assert in_assessment.deadline >= before + timedelta(days=28)
    assert in_assessment.clock_extended_days == 28
    assert any("Wij wachten op advies" in m.body for m in mails_to(resident.email))

    moved = in_assessment.deadline
    target, data = step(in_assessment, "verdagen", reason="Nog meer tijd nodig.",
                        extension_days="10")
    response = client.post(target, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "De beslistermijn is al een keer verlengd. Dat kan maar één keer." in html
    assert "Nog meer tijd nodig.</textarea>" in html
    db.session.refresh(in_assessment)
    assert in_assessment.deadline == moved


def test_stale_lock_version_gives_a_conflict_and_changes_nothing(client, login, official,
                                                                 coordinator, in_assessment):
    stale = in_assessment.lock_version
    login(coordinator)
    client.post(url(in_assessment, "/toewijzen"), data={"assignee": str(official.id)})
    db.session.refresh(in_assessment)
    assert in_assessment.lock_version != stale

    target, data = step(in_assessment, "verdagen", reason="Advies duurt langer.",
                        extension_days="14", lock_version=str(stale))
    response = client.post(target, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Deze zaak is intussen gewijzigd. Bekijk de nieuwe stand en probeer het opnieuw." in html
    db.session.refresh(in_assessment)
    assert in_assessment.clock_extended_days == 0
    assert db.session.query(AuditEvent).filter_by(case_id=in_assessment.id,
                                                  transition="verdagen").count() == 0
    # The re-rendered form carries the fresh version, so trying again works.
    assert f'name="verdagen-lock_version" type="hidden" value="{in_assessment.lock_version}"' in html


def test_grant_stores_the_decision_record_publishes_it_and_tells_the_applicant(
        client, login, official, resident, in_decision):
    login(official)
    decided_on = days_ago(1).date()
    target, data = step(in_decision, "deels_toekennen",
                        reason="Eerst een proef van een jaar in Parkwijk-Noord.",
                        deciding_body="gemandateerd_ambtenaar",
                        decided_on=decided_on.isoformat(), partial_subtype="pilot",
                        decision_number="B&W-2026-118",
                        legal_remedies="Bezwaar binnen 6 weken bij het college.")
    response = client.post(target, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.refresh(in_decision)
    assert in_decision.state == "deels_toegekend"
    decision = db.session.scalar(select(Decision).where(Decision.case_id == in_decision.id))
    assert (decision.deciding_body, decision.decided_on, decision.outcome,
            decision.partial_subtype, decision.decision_number) == (
        "gemandateerd_ambtenaar", decided_on, "deels_toegekend", "pilot", "B&W-2026-118")
    assert decision.reasons == "Eerst een proef van een jaar in Parkwijk-Noord."
    assert decision.legal_remedies == "Bezwaar binnen 6 weken bij het college."
    assert decision.published_at is not None and decision.created_by_id == official.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == in_decision.id,
                                                       AuditEvent.transition == "deels_toekennen"))
    assert event.inputs["decision"] == decision.id
    assert any("Eerst een proef" in m.body for m in mails_to(resident.email))
    html = client.get(url(in_decision)).get_data(as_text=True)
    assert "Ambtenaar met mandaat" in html and "Eerst een proef (pilot)" in html


def test_refusal_with_grounds_records_them(client, login, official, in_decision):
    login(official)
    target, data = step(in_decision, "afwijzen", reason="Het plan kost meer dan nu.",
                        refusal_grounds=["R4", "R6"], deciding_body="college",
                        decided_on=days_ago(0).date().isoformat())
    assert client.post(target, data=data).status_code == 303
    decision = db.session.scalar(select(Decision).where(Decision.case_id == in_decision.id))
    assert decision.refusal_grounds == ["R4", "R6"] and decision.outcome == "afgewezen"
    # Left empty: the standard objection notice (6 weeks, Awb 6:7, to the college).
    assert "6 weken" in decision.legal_remedies and "6:7" in decision.legal_remedies
    assert "College van burgemeester en wethouders" in decision.legal_remedies


def test_decision_form_offers_only_bodies_of_the_tier(client, login, create_org, create_user,
                                                      submit_case):
    province = create_org(slug="provincie-zuid", name="Provincie Zuid", tier="provincie")
    official = create_user(org=province, role="coordinator")
    case = submit_case(province, steps=(
        ("ontvangst_bevestigen", official, {}), ("in_behandeling_nemen", official, {}),
        ("naar_besluitvorming", official, {})))
    login(official)
    html = client.get(f"/provincie-zuid/werkbak/zaken/{case.id}").get_data(as_text=True)
    assert "Gedeputeerde Staten" in html and "Provinciale Staten" in html
    assert "Gemeenteraad" not in html and "College van burgemeester" not in html.split(
        "Bezwaarclausule")[0]


def test_case_of_another_organisation_is_404(client, login, create_user, other_org, in_intake):
    outsider = create_user(org=other_org, role="coordinator")
    login(outsider)
    assert client.get(f"/bergdorp/werkbak/zaken/{in_intake.id}").status_code == 404
    target, data = step(in_intake, "in_behandeling_nemen")
    assert client.post(target.replace("zonnedal", "bergdorp"), data=data).status_code == 404


def test_draft_is_not_on_the_workbench(client, login, official, org, resident):
    draft = service.start_case(org, "uitdaagrecht", applicant=resident, title="Concept",
                               now=days_ago(1))
    db.session.commit()
    login(official)
    assert client.get(url(draft)).status_code == 404


def test_r4_flag_when_requested_budget_exceeds_the_task_budget(client, login, official, org,
                                                               submit_case):
    task = Task(organisation_id=org.id, code="GROEN-1", title="Onderhoud plantsoenen",
                current_budget=10000)
    db.session.add(task)
    db.session.commit()
    case = submit_case(org, task_id=task.id, requested_budget=12500)
    login(official)
    html = client.get(url(case)).get_data(as_text=True)
    assert "Let op: R4" in html


def test_deadline_warning_banners(client, login, official, org, submit_case):
    soon = submit_case(org, title="Bijna", submitted=days_ago(52))
    late = submit_case(org, title="Te laat", submitted=days_ago(80))
    login(official)
    assert "Let op: de beslistermijn verloopt op" in client.get(url(soon)).get_data(as_text=True)
    assert "De beslistermijn is verstreken op" in client.get(url(late)).get_data(as_text=True)


def test_internal_notes_never_reach_the_resident(app, client, login, official, resident,
                                                 in_intake):
    secret = "Aanvrager is de zwager van de wethouder - voorzichtig"
    login(official)
    assert client.post(url(in_intake, "/notities"), data={"body": secret}).status_code == 303
    assert db.session.scalar(select(InternalNote).where(InternalNote.case_id == in_intake.id))
    assert secret in client.get(url(in_intake)).get_data(as_text=True)
    # A step that notifies the applicant afterwards carries no trace of the note.
    target, data = step(in_intake, "aanvulling_vragen", question="Stuur de statuten.",
                        term_days="21")
    assert client.post(target, data=data).status_code == 303
    assert mails_to(resident.email)
    assert all(secret not in m.body and secret not in m.subject for m in mails_to(resident.email))
    texts = db.session.scalars(select(Notification.text)).all()
    assert texts and all(secret not in t for t in texts)
    assert all(secret not in (e.reason or "") and secret not in str(e.inputs)
               for e in db.session.scalars(select(AuditEvent)))
    # The pages a resident and the public can open.
    client.post("/account/uitloggen")
    login(resident)
    pages = ["/zonnedal/", "/"]
    if any(rule.rule.startswith("/<org>/uitdaagrecht/<int:") for rule in app.url_map.iter_rules()):
        pages.append(f"/zonnedal/uitdaagrecht/{in_intake.id}")
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert secret not in response.get_data(as_text=True)
    assert client.get(url(in_intake)).status_code == 403


def test_empty_note_is_422(client, login, official, in_intake):
    login(official)
    response = client.post(url(in_intake, "/notities"), data={"body": "  "})
    assert response.status_code == 422
    assert "Schrijf een notitie." in response.get_data(as_text=True)


def test_message_to_applicant_is_stored_and_emailed(client, login, official, resident, in_intake):
    login(official)
    response = client.post(url(in_intake, "/berichten"),
                           data={"body": "Kunnen we volgende week bellen?"})
    assert response.status_code == 303
    message = db.session.scalar(select(CaseMessage).where(CaseMessage.case_id == in_intake.id))
    assert message.from_organisation and message.body == "Kunnen we volgende week bellen?"
    assert any("Kunnen we volgende week bellen?" in m.body for m in mails_to(resident.email))


def test_an_input_is_labelled_in_the_procedure_files_own_words(client, login, official,
                                                              in_assessment):
    # The preset's zienswijze step names its question input itself (input_labels).
    login(official)
    html = client.get(url(in_assessment)).get_data(as_text=True)
    form = html.split('action="' + url(in_assessment) + '/stappen/zienswijze_vragen"', 1)[1]
    form = form.split("</form>", 1)[0]
    assert "Het voorgenomen besluit en waarop de aanvrager kan reageren" in form
    assert "zijn zienswijze geven (Awb 4:7)" in form
    assert "Uw vraag aan de aanvrager" not in form  # the platform's label for a question
    client.get("/lang/en")
    html = client.get(url(in_assessment)).get_data(as_text=True)
    assert "The intended decision and what the applicant can respond to" in html
