"""After a grant: the official drafts the agreement in versions, the challenger agrees, the
step to "in uitvoering" needs that agreement, the challenger reports progress, the official
reviews it and releases instalments against accepted results, both evaluate, and the public
page shows the summary without personal data."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import (
    AgreementVersion,
    AuditEvent,
    CaseMessage,
    Decision,
    DecisionLetter,
    InstalmentRelease,
    OutboxMessage,
    ProgressReport,
)
from participation.services import cases as service
from tests.functional.workbench.conftest import days_ago


def wb(case, suffix: str = "") -> str:
    return f"/zonnedal/werkbak/zaken/{case.id}{suffix}"


def mine(case, suffix: str = "") -> str:
    return f"/zonnedal/uitdaagrecht/{case.id}{suffix}"


AGREEMENT = {
    "task": "Maaien en snoeien van het Parkwijkplantsoen",
    "scope": "Elke twee weken in het seizoen, minstens het huidige niveau.",
    "budget": "12.000,00", "budget_line": "6.1.3 Groen",
    "start_date": "2027-01-01", "end_date": "2027-12-31", "evaluation_date": "2027-11-01",
    "results-0-title": "Plantsoen gemaaid (20 keer)", "results-0-target_date": "2027-06-30",
    "results-1-title": "Snoeiplan uitgevoerd", "results-1-target_date": "2027-10-31",
    "instalments-0-amount": "4.000,00", "instalments-0-planned_on": "2027-01-15",
    "instalments-1-amount": "8000", "instalments-1-planned_on": "2027-07-15",
    "instalments-1-condition": "1",
    "contact_persons": "Jan Jansen, voorzitter, jan@example.nl",
}


@pytest.fixture()
def granted(org, official, coordinator, submit_case):
    case = submit_case(org, submitted=days_ago(30), steps=(
        ("ontvangst_bevestigen", coordinator, {}), ("in_behandeling_nemen", coordinator, {}),
        ("naar_besluitvorming", coordinator, {})))
    service.apply_transition(case, "toekennen", actor=official, now=days_ago(20),
                             inputs={"reason": "Akkoord.", "decision": 1})
    service.apply_transition(case, "overeenkomst_opstellen", actor=official, now=days_ago(19))
    db.session.commit()
    return case


def fire(client, case, name: str, **fields):
    data = {f"{name}-{k}": v for k, v in fields.items()}
    data[f"{name}-lock_version"] = str(case.lock_version)
    return client.post(wb(case, f"/stappen/{name}"), data=data)


def test_bad_agreement_comes_back_with_the_input_and_dutch_messages(client, login, official,
                                                                   granted):
    login(official)
    response = client.post(wb(granted, "/overeenkomst"), data={
        **AGREEMENT, "end_date": "2026-06-01", "budget": "veel",
        "results-1-target_date": "", "instalments-1-condition": "9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "De einddatum moet na de startdatum liggen." in html
    assert "Geef het budget in euro" in html
    assert "Geef een streefdatum voor resultaat 2." in html
    assert "Maaien en snoeien van het Parkwijkplantsoen" in html  # the input is kept
    assert db.session.scalar(select(AgreementVersion)) is None


def test_the_whole_way_from_agreement_to_evaluation(client, login, official, resident, granted,
                                                    app):
    login(official)
    # No agreement yet: the step to "in uitvoering" is refused with the reason.
    refused = fire(client, granted, "overeenkomst_tekenen")
    assert refused.status_code == 422
    assert "nog niet ingestemd met de laatste versie" in refused.get_data(as_text=True)

    assert client.post(wb(granted, "/overeenkomst"), data=AGREEMENT).status_code == 303
    version = db.session.scalar(select(AgreementVersion))
    assert version.version == 1 and version.budget_cents == 1_200_000
    assert [r["title"] for r in version.results] == ["Plantsoen gemaaid (20 keer)",
                                                     "Snoeiplan uitgevoerd"]
    assert version.instalments[1] == {"key": "t2", "amount_cents": 800_000,
                                      "planned_on": "2027-07-15", "condition": ["r1"]}
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.transition == "overeenkomst_versie"))
    assert event.inputs["version"] == 1
    assert any("versie 1 van de overeenkomst" in m.subject
               for m in db.session.scalars(select(OutboxMessage).where(
                   OutboxMessage.recipient == resident.email)))

    # The challenger sees the same version and agrees to it.
    login(resident)
    page = client.get(mine(granted)).get_data(as_text=True)
    assert "Maaien en snoeien van het Parkwijkplantsoen" in page
    assert "Ik ga akkoord met versie 1" in page
    assert client.post(mine(granted, "/overeenkomst/akkoord"),
                       data={"version": "1"}).status_code == 303
    again = client.post(mine(granted, "/overeenkomst/akkoord"), data={"version": "1"})
    assert again.status_code == 422 and "al ingestemd" in again.get_data(as_text=True)

    # A change after the agreement is a new version that needs a new agreement.
    login(official)
    assert client.post(wb(granted, "/overeenkomst"),
                       data={**AGREEMENT, "budget": "12.500,00"}).status_code == 303
    db.session.refresh(granted)
    assert fire(client, granted, "overeenkomst_tekenen").status_code == 422
    login(resident)
    stale = client.post(mine(granted, "/overeenkomst/akkoord"), data={"version": "1"})
    assert stale.status_code == 422 and "nieuwe versie" in stale.get_data(as_text=True)
    assert client.post(mine(granted, "/overeenkomst/akkoord"),
                       data={"version": "2"}).status_code == 303

    login(official)
    db.session.refresh(granted)
    assert fire(client, granted, "overeenkomst_tekenen").status_code == 303
    db.session.refresh(granted)
    assert granted.state == "in_uitvoering"
    step = db.session.scalar(select(AuditEvent).where(
        AuditEvent.transition == "overeenkomst_tekenen"))
    assert step.inputs["agreement"] == 2

    # Two reports from the challenger, one with a photo.
    login(resident)
    bad = client.post(mine(granted, "/voortgang"), data={"result_key": "r7", "text": ""},
                      content_type="multipart/form-data")
    assert bad.status_code == 422
    assert "Kies een resultaat uit de lijst." in bad.get_data(as_text=True)
    first = client.post(mine(granted, "/voortgang"), data={
        "result_key": "r1", "status": "in_progress", "text": "Tien keer gemaaid.",
        "spent": "1.500,00", "files": (io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * 64), "foto.png")},
        content_type="multipart/form-data")
    assert first.status_code == 303
    second = client.post(mine(granted, "/voortgang"), data={
        "result_key": "r1", "status": "delivered", "text": "Twintig keer gemaaid.",
        "spent": "2.000"}, content_type="multipart/form-data")
    assert second.status_code == 303
    reports = db.session.scalars(select(ProgressReport).order_by(ProgressReport.id)).all()
    assert [r.spent_cents for r in reports] == [150_000, 200_000]
    assert reports[0].attachment_ids

    login(official)
    queue = client.get("/zonnedal/werkbak/").get_data(as_text=True)
    assert "verslag over ‘Plantsoen gemaaid (20 keer)’ wacht op beoordeling" in queue
    assert granted.number in queue
    # The instalment for result 1 waits for its acceptance.
    early = client.post(wb(granted, "/termijnen/t2/vrijgeven"))
    assert early.status_code == 422
    assert "pas als resultaat 1 is geaccepteerd" in early.get_data(as_text=True)
    more = client.post(wb(granted, f"/voortgang/{reports[0].id}/beoordelen"),
                       data={f"review{reports[0].id}-decision": "more_needed"})
    assert more.status_code == 422 and "Schrijf wat er nog nodig is." in more.get_data(as_text=True)
    assert client.post(wb(granted, f"/voortgang/{reports[0].id}/beoordelen"), data={
        f"review{reports[0].id}-decision": "more_needed",
        f"review{reports[0].id}-note": "Graag een foto van het snoeiwerk."}).status_code == 303
    assert client.post(wb(granted, f"/voortgang/{reports[1].id}/beoordelen"), data={
        f"review{reports[1].id}-decision": "accepted"}).status_code == 303
    message = db.session.scalars(select(CaseMessage).order_by(CaseMessage.id)).all()
    assert "Graag een foto van het snoeiwerk." in message[0].body
    assert client.post(wb(granted, "/termijnen/t2/vrijgeven")).status_code == 303
    twice = client.post(wb(granted, "/termijnen/t2/vrijgeven"))
    assert twice.status_code == 422 and "al vrijgegeven" in twice.get_data(as_text=True)
    release = db.session.scalar(select(InstalmentRelease))
    assert release.amount_cents == 800_000

    # Evaluation: both sides, then the outcome with its public summary.
    db.session.refresh(granted)
    assert fire(client, granted, "evaluatie_starten").status_code == 303
    assert client.post(wb(granted, "/evaluatie"), data={
        "results_delivered": "yes", "own_cost": "15.000,00", "quality": "Goed onderhouden.",
        "cost_comparison": "Goedkoper dan zelf doen."}).status_code == 303
    login(resident)
    assert client.post(mine(granted, "/evaluatie"), data={
        "results_delivered": "partly", "quality": "Mooi, maar veel werk."}).status_code == 303
    login(official)
    missing = client.post(wb(granted, "/evaluatie/uitkomst"), data={"outcome": "continue"})
    assert missing.status_code == 422 and "Schrijf op waarom." in missing.get_data(as_text=True)
    assert client.post(wb(granted, "/evaluatie/uitkomst"), data={
        "outcome": "continue", "decided_on": "2027-11-15", "reasons": "Resultaten geleverd.",
        "public_summary": "De buurt onderhoudt het plantsoen goed en goedkoper."}
    ).status_code == 303

    # The outcome is a decision of the college with its own letter, sent and published.
    decision = db.session.scalars(select(Decision).where(Decision.case_id == granted.id)
                                  .order_by(Decision.id)).all()[-1]
    assert (decision.outcome, decision.deciding_body) == ("evaluatie_voortzetten", "college")
    assert decision.published_at is not None
    letter = db.session.scalar(select(DecisionLetter).where(
        DecisionLetter.decision_id == decision.id))
    assert letter.kind == "evaluatie"
    step = db.session.scalar(select(AuditEvent).where(
        AuditEvent.transition == "evaluatie_besluit"))
    assert step.inputs["letter_sha256"] == letter.sha256

    public = client.get(f"/zonnedal/register/{granted.id}").get_data(as_text=True)
    assert "Voortzetten na evaluatie" in public
    assert "Maaien en snoeien van het Parkwijkplantsoen" in public
    assert "€ 12.500,00" in public and "€ 8.000,00" in public
    assert "Geaccepteerd door de gemeente" in public
    assert "De buurt onderhoudt het plantsoen goed en goedkoper." in public
    assert "Jan Jansen" not in public and "Twintig keer gemaaid" not in public
    assert resident.name not in public


def test_challenger_cannot_report_before_the_work_starts(client, login, resident, granted):
    login(resident)
    response = client.post(mine(granted, "/voortgang"), data={
        "result_key": "r1", "status": "started", "text": "Begonnen."},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "zodra de uitvoering is begonnen" in response.get_data(as_text=True)
    assert db.session.scalar(select(ProgressReport)) is None


def test_overdue_results_show_in_the_queue(client, login, official, resident, granted):
    from participation.services import agreements

    version = agreements.draft_agreement(
        granted, actor=official, task="Taak", scope="", budget="1000", budget_line="",
        start_date=date(2020, 1, 1), end_date=date(2030, 1, 1), evaluation_date=date(2029, 1, 1),
        results=[agreements.ResultLine("Bankjes geverfd", date(2020, 6, 1))], instalments=[],
        contact_persons="", document=None, now=days_ago(10))
    agreements.agree(granted, actor=resident, version=version.version, now=days_ago(9))
    service.apply_transition(granted, "overeenkomst_tekenen", actor=official, now=days_ago(8))
    db.session.commit()
    login(official)
    html = client.get("/zonnedal/werkbak/").get_data(as_text=True)
    assert "Bankjes geverfd" in html and "te laat sinds 01-06-2020" in html


def test_the_public_sees_the_agreed_version_not_a_newer_draft(client, login, official, resident,
                                                              granted):
    login(official)
    client.post(wb(granted, "/overeenkomst"), data=AGREEMENT)
    login(resident)
    client.post(mine(granted, "/overeenkomst/akkoord"), data={"version": "1"})
    login(official)
    db.session.refresh(granted)
    assert fire(client, granted, "overeenkomst_tekenen").status_code == 303
    # A second version with another result, not agreed to (yet).
    client.post(wb(granted, "/overeenkomst"),
                data={**AGREEMENT, "results-1-title": "Alle bomen gekapt"})
    client.post("/account/uitloggen")
    public = client.get(f"/zonnedal/register/{granted.id}").get_data(as_text=True)
    assert "Snoeiplan uitgevoerd" in public and "Alle bomen gekapt" not in public
