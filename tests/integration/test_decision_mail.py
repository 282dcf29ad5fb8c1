"""The decision reaches the applicant by email through a real SMTP server (aiosmtpd): plain
text and HTML in the organisation's colours, with the letter attached as the same PDF that is
stored with the case; an email in English for an English-speaking applicant."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import Attachment, DecisionLetter
from participation.services import attachments, mail
from participation.services import cases as service
from tests.integration.test_outbox import Inbox, smtp_config, start_smtp  # noqa: F401

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture()
def decided(org, resident, coordinator):
    def factory(locale: str = "nl"):
        org.primary_color = "#a3005b"
        org.phone = "14 0123"
        resident.locale = locale
        case = service.start_case(org, "uitdaagrecht", applicant=resident, title="Groen Parkwijk",
                                  data={"indiener_naam": "Sanne de Vries"}, now=NOW)
        service.apply_transition(case, "indienen", actor=resident, now=NOW)
        for name in ("ontvangst_bevestigen", "in_behandeling_nemen", "naar_besluitvorming"):
            service.apply_transition(case, name, actor=coordinator, now=NOW)
        service.fire_transition(case, "toekennen", actor=coordinator,
                                inputs={"reason": "Een goed plan voor de wijk."}, now=NOW,
                                decision=service.DecisionFields(deciding_body="college",
                                                                decided_on=date(2026, 11, 2)))
        db.session.commit()
        return case
    return factory


def test_the_applicant_receives_text_html_and_the_letter(smtp_config, decided, resident):  # noqa: F811
    case = decided()
    inbox = Inbox()
    server = start_smtp(smtp_config, inbox)
    try:
        sent, failed = mail.deliver_due()
    finally:
        server.stop()
    assert failed == 0 and sent >= 1
    [received] = [m for m in inbox.messages if m.get_filename() is None
                  and any(p.get_content_type() == "application/pdf" for p in m.iter_attachments())]
    assert received["To"] == resident.email
    assert received.get_content_type() == "multipart/mixed"
    plain = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert "Een goed plan voor de wijk." in plain and "Een goed plan voor de wijk." in html
    assert "brief in de bijlage" in plain
    assert '<html lang="nl">' in html and "#a3005b" in html and "14 0123" in html
    assert 'href="http' in html and f"/uitdaagrecht/{case.id}" in html
    [pdf] = [p for p in received.iter_attachments() if p.get_content_type() == "application/pdf"]
    letter = db.session.scalar(select(DecisionLetter).where(DecisionLetter.case_id == case.id))
    stored = attachments.attachment_path(db.session.get(Attachment, letter.attachment_id))
    assert pdf.get_filename() == f"besluit-{case.number}.pdf"
    assert pdf.get_content() == stored.read_bytes()


def test_an_english_speaking_applicant_gets_english_mail_and_letter(smtp_config, decided):  # noqa: F811
    case = decided("en")
    inbox = Inbox()
    server = start_smtp(smtp_config, inbox)
    try:
        mail.deliver_due()
    finally:
        server.stop()
    [received] = [m for m in inbox.messages
                  if any(p.get_content_type() == "application/pdf" for p in m.iter_attachments())]
    assert '<html lang="en">' in received.get_body(("html",)).get_content()
    assert "attached letter" in received.get_body(("plain",)).get_content()
    letter = db.session.scalar(select(DecisionLetter).where(DecisionLetter.case_id == case.id))
    assert letter.language == "en"


def test_the_html_part_escapes_what_people_typed_and_links_addresses(app_ctx, org):
    html = mail.render_html("Nieuw bericht", "Beste <b>Sanne</b>,\n\nZie https://example.nl/a?b=1&c=2"
                            " voor meer.\n\nGroet", org=org, language="nl")
    assert "&lt;b&gt;Sanne&lt;/b&gt;" in html and "<b>Sanne" not in html
    assert '<a href="https://example.nl/a?b=1&amp;c=2"' in html
    assert html.count("<p ") == 3  # one paragraph per block of text
