"""After submission: the resident's case page (term, timeline, answering a request for
information, withdrawing, documents), attachment downloads, my cases and notifications."""
from __future__ import annotations

import gc
import html
import io
import warnings

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import Attachment, Case, CaseMessage, Decision, Notification
from participation.models._types import utcnow
from participation.services import cases as case_service
from tests.conftest import dutch_today
from tests.functional.challenges.conftest import (
    MINIMAL_PDF,
    apply,
    mails_to,
    post_step,
    step_data,
    upload,
)


@pytest.fixture()
def case(client, org, resident, login, submitted_case):
    login(resident)
    return submitted_case()


def page_of(client, org, case) -> str:
    response = client.get(f"/{org.slug}/uitdaagrecht/{case.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def fresh(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_case_page_shows_status_term_and_timeline(client, org, case):
    page = page_of(client, org, case)
    assert case.number in page and "Groen Plantsoen Zuid" in page
    assert "Ingediend" in page
    assert f"(nog {(case.deadline - dutch_today()).days} dagen)" in page
    assert "Verzoek intrekken" in page


def test_answering_a_request_for_information_resumes_the_clock(client, org, case, coordinator):
    apply(case, "ontvangst_bevestigen", coordinator)
    apply(case, "aanvulling_vragen", coordinator,
          question="Stuur de offerte van de verzekering mee.", term_days=21)
    suspended = fresh(case)
    assert case_service.clock_of(suspended).suspended

    page = page_of(client, org, case)
    assert "Stuur de offerte van de verzekering mee." in page
    assert "De termijn staat stil tot u antwoordt" in page
    assert "Beantwoord de vraag van de gemeente" in page
    assert "Aanvulling gevraagd" in page or "aanvulling" in page.lower()

    # The coordinator's request reached the resident: email and in-app notification.
    assert any("Stuur de offerte" in mail.body for mail in mails_to("sanne@example.nl"))
    notes = client.get("/mijn/meldingen").get_data(as_text=True)
    assert case.number in html.unescape(notes)

    # An empty answer is refused and nothing changes.
    response = client.post(f"/{org.slug}/uitdaagrecht/{case.id}/antwoord",
                           data={"answer": "", "lock_version": suspended.lock_version})
    assert response.status_code == 422 and "Schrijf uw antwoord." in response.get_data(as_text=True)

    response = client.post(f"/{org.slug}/uitdaagrecht/{case.id}/antwoord", data={
        "answer": "Hierbij de offerte.", "lock_version": suspended.lock_version,
        "document": (io.BytesIO(MINIMAL_PDF), "offerte.pdf")}, content_type="multipart/form-data")
    assert response.status_code == 303
    answered = fresh(case)
    assert answered.state == "intake"
    clock = case_service.clock_of(answered)
    assert not clock.suspended and clock.suspensions[-1].end == dutch_today()
    document = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id,
                                                          Attachment.purpose == "aanvulling"))
    assert document.filename == "offerte.pdf"
    page = page_of(client, org, case)
    assert "Hierbij de offerte." in page and "offerte.pdf" in page
    assert "Beantwoord de vraag" not in page


def test_a_stale_answer_form_is_refused_with_an_explanation(client, org, case, coordinator):
    apply(case, "ontvangst_bevestigen", coordinator)
    apply(case, "aanvulling_vragen", coordinator, question="Welke verzekering?", term_days=21)
    stale = fresh(case).lock_version - 1
    response = client.post(f"/{org.slug}/uitdaagrecht/{case.id}/antwoord",
                           data={"answer": "Een goede.", "lock_version": stale},
                           follow_redirects=True)
    assert "Deze zaak is intussen gewijzigd" in response.get_data(as_text=True)
    assert fresh(case).state == "aanvulling_gevraagd"


def test_zienswijze_is_given_on_the_same_page(client, org, case, coordinator):
    apply(case, "ontvangst_bevestigen", coordinator)
    apply(case, "in_behandeling_nemen", coordinator)
    apply(case, "zienswijze_vragen", coordinator, question="Wat vindt u van een proef?")
    page = page_of(client, org, case)
    assert "Geef uw zienswijze" in page and "Wat vindt u van een proef?" in page
    response = client.post(f"/{org.slug}/uitdaagrecht/{case.id}/antwoord",
                           data={"answer": "Prima.", "lock_version": fresh(case).lock_version})
    assert response.status_code == 303 and fresh(case).state == "in_behandeling"


def test_withdraw_after_confirmation(client, org, case):
    confirm = client.get(f"/{org.slug}/uitdaagrecht/{case.id}/intrekken").get_data(as_text=True)
    assert "Ja, verzoek intrekken" in confirm
    response = client.post(f"/{org.slug}/uitdaagrecht/{case.id}/intrekken",
                           data={"reason": "We doen het toch niet.",
                                 "lock_version": fresh(case).lock_version})
    assert response.status_code == 303
    withdrawn = fresh(case)
    assert withdrawn.state == "ingetrokken" and withdrawn.clock_stopped_on == dutch_today()
    page = page_of(client, org, case)
    assert "Ingetrokken" in page and "Verzoek intrekken" not in page
    assert client.post(f"/{org.slug}/uitdaagrecht/{case.id}/intrekken",
                       data={"lock_version": fresh(case).lock_version},
                       follow_redirects=True).status_code == 200
    assert fresh(case).state == "ingetrokken"


def test_resident_sees_the_decision_and_organisation_messages(client, org, case, coordinator):
    apply(case, "ontvangst_bevestigen", coordinator)
    apply(case, "in_behandeling_nemen", coordinator)
    apply(case, "naar_besluitvorming", coordinator)
    decision = Decision(case_id=case.id, deciding_body="college", decided_on=dutch_today(),
                        outcome="toegekend", reasons="Het plan is goedkoper en beter.",
                        legal_remedies="U kunt binnen 6 weken bezwaar maken.")
    db.session.add(decision)
    db.session.add(CaseMessage(case_id=case.id, from_organisation=True, body="Wij bellen u volgende week."))
    db.session.commit()
    apply(case, "toekennen", coordinator, reason="Toegekend per besluit.", decision=decision.id)
    page = page_of(client, org, case)
    assert "Toegekend" in page and "Het plan is goedkoper en beter." in page
    assert "binnen 6 weken bezwaar" in page and "Wij bellen u volgende week." in page


def test_upload_an_extra_document_and_refusal_message(client, org, case):
    response = client.post(f"/{org.slug}/uitdaagrecht/{case.id}/bijlagen",
                           data={"document": (io.BytesIO(b"<svg onload=alert(1)>"), "kaart.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Dit soort bestand kunnen we niet aannemen" in response.get_data(as_text=True)
    response = client.post(f"/{org.slug}/uitdaagrecht/{case.id}/bijlagen",
                           data={"document": (io.BytesIO(MINIMAL_PDF), "kaart.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 303
    assert "kaart.pdf" in page_of(client, org, case)


def test_oversize_upload_in_a_step_is_refused_with_a_message(client, org, resident, login,
                                                             start_draft, app):
    login(resident)
    case_id = start_draft()
    app.config["MAX_UPLOAD_MB"] = 1
    try:
        response = post_step(client, org, case_id, 4, step_data(
            4, draagvlak_bijlage=upload(MINIMAL_PDF + b"0" * (1024 * 1024 + 10), "lijst.pdf")))
    finally:
        app.config["MAX_UPLOAD_MB"] = 10
    assert response.status_code == 422
    assert "Het bestand is groter dan 1 MB" in response.get_data(as_text=True)


def test_a_request_body_over_the_limit_gets_the_friendly_413_page(client, org, resident, login,
                                                                  start_draft, app):
    login(resident)
    case_id = start_draft()
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        response = post_step(client, org, case_id, 4, step_data(
            4, draagvlak_bijlage=upload(MINIMAL_PDF + b"0" * (128 * 1024), "lijst.pdf")))
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
        # Werkzeug stops reading mid-upload and leaves its spooled temporary file to the
        # garbage collector; collect it here rather than in the next test.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
    assert response.status_code == 413
    assert "Het bestand is te groot" in response.get_data(as_text=True)


# --------------------------------------------------------------------------- downloads


@pytest.fixture()
def attachment(client, org, case) -> Attachment:
    client.post(f"/{org.slug}/uitdaagrecht/{case.id}/bijlagen",
                data={"document": (io.BytesIO(MINIMAL_PDF), "offerte <1>.pdf")},
                content_type="multipart/form-data")
    return db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))


def test_download_by_the_applicant_is_a_sandboxed_attachment(client, org, case, attachment):
    with client.get(f"/{org.slug}/uitdaagrecht/{case.id}/bijlagen/{attachment.id}") as response:
        assert response.status_code == 200
        assert response.data == MINIMAL_PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert "offerte" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"


def status(client, path: str) -> int:
    with client.get(path) as response:
        return response.status_code


def test_download_access(client, org, case, attachment, create_user, create_org, login):
    path = f"/{org.slug}/uitdaagrecht/{case.id}/bijlagen/{attachment.id}"
    assert status(client, path) == 200  # the applicant
    login(create_user())  # another resident
    assert status(client, path) == 404
    login(create_user(org=org, role="official"))
    assert status(client, path) == 200
    other = create_org()
    official_elsewhere = create_user(org=other, role="official")
    login(official_elsewhere)
    assert status(client, path) == 404
    assert status(client, f"/{other.slug}/uitdaagrecht/{case.id}/bijlagen/{attachment.id}") == 404
    client.post("/account/uitloggen")
    assert status(client, path) == 302


def test_internal_documents_are_not_served_to_the_applicant(client, org, case, coordinator):
    internal = Attachment(case_id=case.id, uploaded_by_id=coordinator.id, purpose="intern",
                          filename="notitie.pdf", stored_name="0" * 32, content_type="application/pdf",
                          size=1, sha256="0" * 64)
    db.session.add(internal)
    db.session.commit()
    assert client.get(f"/{org.slug}/uitdaagrecht/{case.id}/bijlagen/{internal.id}").status_code == 404
    assert "notitie.pdf" not in page_of(client, org, case)


# --------------------------------------------------------------------------- my cases, notifications


def test_my_cases_lists_drafts_and_cases_across_organisations(client, org, case, resident,
                                                               create_org, login, create_user):
    other = create_org(slug="waterschap-aa", name="Waterschap Aa", tier="waterschap")
    draft = case_service.start_case(other, "uitdaagrecht", applicant=resident,
                                    title="Dijk maaien", now=utcnow())
    someone_else = create_user()
    case_service.start_case(org, "uitdaagrecht", applicant=someone_else, title="Niet van mij",
                            now=utcnow())
    db.session.commit()
    page = html.unescape(client.get("/mijn/zaken").get_data(as_text=True))
    assert "Groen Plantsoen Zuid" in page and case.number in page and "Gemeente Zonnedal" in page
    assert "Ingediend" in page and f"Besluit uiterlijk {case.deadline.day}-{case.deadline.month}-" in page
    assert "Dijk maaien" in page and "Waterschap Aa" in page and "Concept" in page
    assert f'href="/waterschap-aa/uitdaagrecht/{draft.id}"' in page
    assert "Vul uw verzoek verder in" in page
    assert "Niet van mij" not in page


def test_my_cases_are_cards_on_a_phone_with_every_value_labelled(client, org, case):
    """On a narrow screen each case is a card whose lines say what they are (status, next
    step, term), instead of a table whose last columns fall off the screen."""
    import re
    from pathlib import Path

    page = html.unescape(client.get("/mijn/zaken").get_data(as_text=True))
    table = re.search(r'<table class="[^"]*\bcards-on-phone\b[^"]*">(.*?)</table>', page,
                      re.S).group(1)
    head, body = table.split("<tbody", 1)
    columns = re.findall(r'<th[^>]*scope="col">([^<]*)</th>', head)
    assert {"Status", "Volgende stap", "Termijn"} <= set(columns)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    assert rows
    for row in rows:
        assert re.findall(r'<td[^>]*data-label="([^"]*)"', row) == columns
    css = (Path(__file__).resolve().parents[3] / "static/css/app.css").read_text()
    phone = css[css.index("@media (max-width: 40em)", css.index(".cards-on-phone") - 200):]
    assert ".cards-on-phone > thead" in phone and "content: attr(data-label)" in phone


def test_my_cases_shows_a_suspended_term(client, org, case, coordinator):
    apply(case, "ontvangst_bevestigen", coordinator)
    apply(case, "aanvulling_vragen", coordinator, question="Welke verzekering?", term_days=14)
    page = html.unescape(client.get("/mijn/zaken").get_data(as_text=True))
    assert "Staat stil" in page and "U bent aan zet: bekijk de vraag van de gemeente" in page


def test_notifications_mark_read(client, org, case, coordinator, resident, create_user, login):
    apply(case, "ontvangst_bevestigen", coordinator)
    notification = db.session.scalar(select(Notification).where(Notification.user_id == resident.id))
    page = client.get("/mijn/meldingen").get_data(as_text=True)
    assert "Nieuw" in page and "Markeer als gelezen" in page
    response = client.post(f"/mijn/meldingen/{notification.id}/gelezen", data={"open": "1"})
    assert response.status_code == 303 and response.headers["Location"] == notification.url
    db.session.expire_all()
    assert db.session.get(Notification, notification.id).read_at is not None
    login(create_user())
    assert client.post(f"/mijn/meldingen/{notification.id}/gelezen").status_code == 404


def test_mark_all_read(client, org, case, coordinator, resident):
    apply(case, "ontvangst_bevestigen", coordinator)
    apply(case, "in_behandeling_nemen", coordinator)
    assert client.post("/mijn/meldingen/alles-gelezen").status_code == 303
    db.session.expire_all()
    assert all(n.read_at for n in db.session.scalars(select(Notification)))


def test_my_pages_need_a_login(client):
    for path in ("/mijn/zaken", "/mijn/meldingen"):
        response = client.get(path)
        assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]



@pytest.mark.parametrize(("tier", "who"), [("gemeente", "de gemeente"),
                                           ("waterschap", "het waterschap")])
def test_a_late_decision_names_the_kind_of_organisation_to_hold_to_it(app, create_org, tier,
                                                                      who):
    """Past the decision date the resident may give notice of default: to "de gemeente" or
    "het waterschap", not to "de organisatie"."""
    from datetime import date

    from flask import g

    from participation.challenges.queries import Term

    late = Term(deadline=date(2026, 3, 2), days_left=-3, suspended=False, overdue=True,
                stopped=False)
    with app.test_request_context("/"):
        g.org = create_org(slug=f"late-{tier}", tier=tier)
        text = app.jinja_env.from_string(
            '{% from "challenges/_macros.html" import term_text %}'
            "{{ term_text(term, current_org|org_kind) }}").render(term=late, current_org=g.org)
    assert text == (f"De uiterste beslisdatum (2 maart 2026) is voorbij. "
                    f"U kunt {who} in gebreke stellen.")
