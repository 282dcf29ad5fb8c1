"""AVG: export, deletion by anonymisation, retention; and backup round trips."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from participation.extensions import db
from participation.models import (
    AgreementVersion,
    AuditEvent,
    Case,
    Membership,
    OutboxMessage,
    Signature,
    User,
)
from participation.services import cases as service
from participation.services import privacy

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


def _submitted_case(org, resident):
    case = service.start_case(org, "uitdaagrecht", applicant=resident, title="Buurtmoestuin",
                              data={"contact_naam": resident.name, "contact_email": resident.email,
                                    "taak_omschrijving": "Onderhoud van de moestuin"}, now=NOW)
    service.apply_transition(case, "indienen", actor=resident, now=NOW)
    db.session.commit()
    return case


def test_export_contains_the_residents_own_data(create_org, create_user):
    org, resident = create_org(), create_user(name="Sanne de Vries")
    _submitted_case(org, resident)
    data = privacy.export_user_data(resident)
    assert data["account"]["email"] == resident.email
    assert data["cases"][0]["title"] == "Buurtmoestuin"
    json.dumps(data, default=str)  # serialisable as the download is


def test_delete_account_anonymises_but_keeps_case_and_chain(create_org, create_user):
    org, resident = create_org(), create_user(name="Sanne de Vries")
    case = _submitted_case(org, resident)
    draft = service.start_case(org, "uitdaagrecht", applicant=resident, title="Nog niet af", now=NOW)
    db.session.commit()
    draft_id = draft.id

    privacy.delete_account(resident, now=NOW)
    db.session.commit()

    user = db.session.get(User, resident.id)
    assert user.name == privacy.REDACTED and "Sanne" not in user.email and not user.is_active
    assert db.session.get(Case, draft_id) is None
    kept = db.session.get(Case, case.id)
    assert kept.state == "ingediend" and kept.title == "Buurtmoestuin"
    assert kept.data["contact_naam"] == privacy.REDACTED
    assert kept.data["taak_omschrijving"] == "Onderhoud van de moestuin"
    assert service.verify_all_chains() == {}
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.case_id == case.id)) == 1


def test_delete_account_through_the_profile(client, login, create_user):
    resident = create_user()
    login(resident)
    wrong = client.post("/account/verwijderen", data={"password": "niet-goed-123456", "confirm": "y"})
    assert wrong.status_code == 422 and "Dit is niet uw huidige wachtwoord" in wrong.get_data(as_text=True)
    from tests.conftest import PASSWORD

    done = client.post("/account/verwijderen", data={"password": PASSWORD, "confirm": "y"})
    assert done.status_code == 303
    assert client.get("/account/").status_code == 302  # logged out
    assert db.session.get(User, resident.id).deleted_at is not None


def test_export_download_requires_login_and_is_json(client, login, create_user):
    assert client.get("/account/mijn-gegevens.json").status_code == 302
    resident = create_user(name="Mohamed El Amrani")
    login(resident)
    response = client.get("/account/mijn-gegevens.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.get_json()["account"]["name"] == "Mohamed El Amrani"


def test_retention_removes_old_drafts_and_sent_mail_only(create_org, create_user):
    org, resident = create_org(), create_user()
    old = service.start_case(org, "uitdaagrecht", applicant=resident, now=NOW - timedelta(days=400))
    fresh = service.start_case(org, "uitdaagrecht", applicant=resident, now=NOW)
    submitted = _submitted_case(org, resident)
    db.session.add(OutboxMessage(recipient="a@example.nl", subject="s", body="b",
                                 sent_at=NOW - timedelta(days=200)))
    db.session.add(OutboxMessage(recipient="b@example.nl", subject="s", body="b"))
    db.session.commit()
    old.updated_at = NOW - timedelta(days=400)
    db.session.commit()
    old_id = old.id

    report = privacy.apply_retention(now=NOW)
    db.session.commit()
    assert report.drafts == 1 and report.outbox == 1
    assert db.session.get(Case, old_id) is None
    assert db.session.get(Case, fresh.id) and db.session.get(Case, submitted.id)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # unsent kept


def test_retention_keeps_signature_count_when_supporter_list_goes(create_org, create_user):
    org, initiator, supporter = create_org(), create_user(), create_user()
    case = service.start_case(org, "burgerinitiatief", applicant=initiator, title="Groen plein", now=NOW)
    case.state, case.submitted_at = "afgerond", NOW - timedelta(days=600)
    case.signature_count = 1
    db.session.add(Signature(case_id=case.id, user_id=supporter.id, created_at=NOW))
    db.session.commit()
    case.updated_at = NOW - timedelta(days=500)
    db.session.commit()
    report = privacy.apply_retention(now=NOW)
    db.session.commit()
    assert report.signatures == 1
    assert db.session.get(Case, case.id).signature_count == 1


def test_retention_periods_come_from_the_configuration(app, create_org, create_user):
    org, resident = create_org(), create_user()
    draft = service.start_case(org, "uitdaagrecht", applicant=resident, now=NOW)
    db.session.commit()
    draft.updated_at = NOW - timedelta(days=40)
    db.session.commit()
    assert privacy.apply_retention(now=NOW).drafts == 0  # default: 180 days
    original = app.config["RETENTION_DAYS"]
    app.config["RETENTION_DAYS"] = {**original, "drafts": 30}
    try:
        assert privacy.apply_retention(now=NOW).drafts == 1
    finally:
        app.config["RETENTION_DAYS"] = original


def test_export_archive_holds_the_data_and_every_file_of_the_person(client, login, create_org,
                                                                   create_user):
    import io
    import zipfile

    from werkzeug.datastructures import FileStorage

    from participation.services import attachments

    org, resident, other = create_org(), create_user(name="Fatima Yilmaz"), create_user()
    case = _submitted_case(org, resident)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    mine = attachments.store_upload(case, FileStorage(io.BytesIO(pdf), "begroting.pdf"),
                                    uploader=resident, purpose="request")
    twin = attachments.store_upload(case, FileStorage(io.BytesIO(pdf + b" "), "begroting.pdf"),
                                    uploader=resident, purpose="request")
    attachments.store_upload(case, FileStorage(io.BytesIO(pdf), "intern.pdf"), uploader=other,
                             purpose="document")  # an official's file: not the person's
    db.session.commit()
    assert client.get("/account/mijn-gegevens.zip").status_code == 302
    login(resident)
    response = client.get("/account/mijn-gegevens.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as zipped:
        names = zipped.namelist()
        data = json.loads(zipped.read("mijn-gegevens.json"))
        assert data["account"]["name"] == "Fatima Yilmaz"
        paths = {f["path"] for f in data["files"]}
        assert paths == set(names) - {"mijn-gegevens.json"} and len(paths) == 2
        assert f"bestanden/{case.number}/begroting.pdf" in paths
        assert f"bestanden/{case.number}/{twin.id}-begroting.pdf" in paths
        assert zipped.read(f"bestanden/{case.number}/begroting.pdf") == pdf
        assert not any("intern.pdf" in name for name in names)
    assert mine.sha256 in {f["sha256"] for f in data["files"]}
    response.close()


def _challenge_in_execution(org, resident, official_user):
    """A granted challenge with an agreed agreement, a report, a release and evaluations."""
    from datetime import date

    from participation.services import agreements

    case = _submitted_case(org, resident)
    # Straight to the agreement: the state is what matters here, not the road to it.
    case.state = "overeenkomst"
    db.session.flush()
    version = agreements.draft_agreement(
        case, actor=official_user, task="Moestuin onderhouden", scope="", budget="5000",
        budget_line="", start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
        evaluation_date=date(2026, 4, 1),
        results=[agreements.ResultLine("Moestuin aangelegd", date(2026, 3, 1))],
        instalments=[agreements.InstalmentLine("1000", date(2026, 1, 5), "")],
        contact_persons="Sanne de Vries, 06-12345678", document=None, now=NOW)
    agreements.agree(case, actor=resident, version=version.version, now=NOW)
    service.apply_transition(case, "overeenkomst_tekenen", actor=official_user, now=NOW)
    agreements.report_progress(case, actor=resident, result_key="r1", status="delivered",
                               text="Aangelegd met de buren.", spent="800", files=[], now=NOW)
    agreements.release_instalment(case, actor=official_user, key="t1", now=NOW)
    agreements.save_evaluation(case, actor=resident, party="applicant", results_delivered="yes",
                               own_cost="", cost_comparison="", quality="Goed.", to_continue="",
                               now=NOW)
    db.session.commit()
    return case


def test_export_and_deletion_cover_the_agreement_after_a_grant(create_org, create_user):
    org, resident = create_org(), create_user(name="Sanne de Vries")
    official_user = create_user(name="Ambtenaar")
    db.session.add(Membership(user_id=official_user.id, organisation_id=org.id, role="official"))
    db.session.commit()
    case = _challenge_in_execution(org, resident, official_user)

    data = privacy.export_user_data(resident)
    assert data["agreements"][0]["contact_persons"] == "Sanne de Vries, 06-12345678"
    assert data["agreements"][0]["agreed_by_you"] is True
    assert data["progress_reports"][0]["text"] == "Aangelegd met de buren."
    assert data["instalments_released"][0]["amount_cents"] == 100_000
    assert data["evaluations"][0]["party"] == "applicant"
    json.dumps(data, default=str)

    privacy.delete_account(resident, now=NOW)
    db.session.commit()
    version = db.session.scalar(select(AgreementVersion).where(AgreementVersion.case_id == case.id))
    assert version.contact_persons == privacy.REDACTED
    assert version.task == "Moestuin onderhouden"   # the agreement itself stays
    assert service.verify_all_chains() == {}


def test_retention_clears_agreement_contacts_after_the_challenge_ended(create_org, create_user):
    org, resident = create_org(), create_user(name="Sanne de Vries")
    official_user = create_user(name="Ambtenaar")
    db.session.add(Membership(user_id=official_user.id, organisation_id=org.id, role="official"))
    db.session.commit()
    case = _challenge_in_execution(org, resident, official_user)
    assert privacy.apply_retention(now=NOW + timedelta(days=400)).agreement_contacts == 0
    case.state = "afgerond"
    case.updated_at = NOW
    db.session.commit()
    assert privacy.apply_retention(now=NOW + timedelta(days=300)).agreement_contacts == 0
    assert privacy.apply_retention(now=NOW + timedelta(days=400)).agreement_contacts == 1
    version = db.session.scalar(select(AgreementVersion).where(AgreementVersion.case_id == case.id))
    assert version.contact_persons == ""
