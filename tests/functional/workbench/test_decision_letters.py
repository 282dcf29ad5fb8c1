"""Decision letters: recording a decision in the workbench makes the letter (PDF/A-3b, tagged,
fonts embedded, text from the record), attaches it to the case, mails it to the applicant and
publishes a version without personal data; the official can look at it first."""
from __future__ import annotations

import hashlib
import io
import re
import subprocess
import zipfile

import pikepdf
import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import (
    Attachment,
    AuditEvent,
    Decision,
    DecisionLetter,
    OutboxMessage,
)
from participation.services import attachments
from participation.services import cases as service
from participation.services import letters as letter_service
from tests.functional.workbench.conftest import days_ago
from tests.functional.workbench.test_case_page import step, url

PERSONAL = ("Stichting Groen Parkwijk", "Lindelaan 4", "1234 AB", "Sanne de Vries",
            "sanne@example.nl", "06 12345678")
TO_DECISION = (("ontvangst_bevestigen", {}), ("in_behandeling_nemen", {}),
               ("naar_besluitvorming", {}))
TO_INTAKE = (("ontvangst_bevestigen", {}),)

# transition, steps before it, extra form fields, letter kind, a sentence of the preset
DECISIONS = [
    ("toekennen", TO_DECISION, {}, "toegekend", "Wij kennen uw verzoek toe."),
    ("deels_toekennen", TO_DECISION, {"partial_subtype": "pilot"}, "deels_toegekend",
     "Wij kennen uw verzoek gedeeltelijk toe: eerst een proef (pilot)."),
    ("afwijzen", TO_DECISION, {"refusal_grounds": ["R4"]}, "afgewezen",
     "Wij wijzen uw verzoek af."),
    ("buiten_behandeling_stellen", TO_INTAKE, {}, "buiten_behandeling",
     "Wij nemen uw verzoek niet in behandeling"),
]


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True, timeout=30)
    # Words hyphenated at a line end (Dutch hyphenation) are joined again.
    return re.sub(r"(\w)\u2010 (\w)", r"\1\2", " ".join(done.stdout.decode("utf-8").split()))


def stored(attachment_id: int) -> bytes:
    return attachments.attachment_path(db.session.get(Attachment, attachment_id)).read_bytes()


def decide(client, login, official, case, transition: str = "toekennen",
           reason: str = "Goed plan.", **fields) -> DecisionLetter:
    """The official records the decision through the workbench; returns its (latest) letter."""
    login(official)
    target, data = step(case, transition, reason=reason, deciding_body="college",
                        decided_on=days_ago(1).date().isoformat(), **fields)
    response = client.post(target, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    return db.session.scalars(select(DecisionLetter).where(DecisionLetter.case_id == case.id)
                              .order_by(DecisionLetter.version.desc())).first()


def assert_archival_and_accessible(data: bytes, language: str = "nl") -> None:
    """PDF/A-3b identification, a tag tree, the language, and every font embedded."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata() as meta:
            assert meta.get("pdfaid:part") == "3" and meta.get("pdfaid:conformance") == "B"
        assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked)
        # The tag tree carries the letter's structure: headings, paragraphs, the table.
        kinds: set[str] = set()
        todo = [pdf.Root.StructTreeRoot]
        while todo:
            node = todo.pop()
            if isinstance(node, pikepdf.Dictionary):
                if "/S" in node:
                    kinds.add(str(node.S))
                kids = node.get("/K")
                if kids is not None:
                    todo.extend(kids if isinstance(kids, pikepdf.Array) else [kids])
            elif isinstance(node, pikepdf.Array):
                todo.extend(node)
        assert {"/H2", "/P", "/Table"} <= kinds, kinds
        assert str(pdf.Root.Lang) == language
        assert "/OutputIntents" in pdf.Root
        fonts = 0
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                fonts += 1
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                    f"font not embedded: {descendant.get('/BaseFont')}"
        assert fonts > 0


@pytest.mark.parametrize(("transition", "steps", "extra", "kind", "sentence"), DECISIONS,
                         ids=[d[0] for d in DECISIONS])
def test_recording_a_decision_makes_sends_and_publishes_the_letter(
        client, login, official, resident, case_at, transition, steps, extra, kind, sentence):
    case = case_at(steps)
    login(official)
    reason = "Het plan past bij het beleid voor de wijk. Wij spraken met Sanne de Vries."
    target, data = step(case, transition, reason=reason, deciding_body="college",
                        decided_on=days_ago(1).date().isoformat(), decision_number="B-2026-7",
                        **extra)
    response = client.post(target, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]

    letter = db.session.scalar(select(DecisionLetter).where(DecisionLetter.case_id == case.id))
    decision = db.session.get(Decision, letter.decision_id)
    assert (letter.kind, letter.version, letter.language) == (kind, 1, "nl")
    private = stored(letter.attachment_id)
    assert_archival_and_accessible(private)
    text = pdf_text(private)
    for expected in (sentence, case.number, "Stichting Groen Parkwijk", "Lindelaan 4",
                     "Het plan past bij het beleid voor de wijk.", "Gemeente Zonnedal",
                     "Postbus 10", "6 weken", "B-2026-7", "pagina 1 van"):
        assert expected in text, (expected, text)
    if extra.get("refusal_grounds"):
        assert "De gevraagde taak kost meer" in text or decision.refusal_grounds == ["R4"]

    # The audit event of the step carries the letter's fingerprint (same transaction).
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                       AuditEvent.transition == transition))
    assert event.inputs["letter_sha256"] == hashlib.sha256(private).hexdigest() == letter.sha256

    # Mailed to the applicant with the PDF attached, through the outbox.
    mail = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.recipient == resident.email, OutboxMessage.attachment_id.is_not(None)))
    assert mail is not None and mail.attachment_id == letter.attachment_id
    assert "brief in de bijlage" in mail.body

    # The public version: same decision, no personal data.
    public = stored(letter.public_attachment_id)
    assert_archival_and_accessible(public)
    public_text = pdf_text(public)
    assert "Het plan past bij het beleid voor de wijk." in public_text and "[5.1.2e]" in public_text
    for value in PERSONAL:
        assert value.lower() not in public_text.lower(), value


def test_the_applicant_finds_the_letter_with_the_case(client, login, official, resident,
                                                        case_at):
    case = case_at(TO_DECISION)
    letter = decide(client, login, official, case, reason="Goed plan.")
    login(resident)
    page = client.get(f"/zonnedal/uitdaagrecht/{case.id}").get_data(as_text=True)
    link = f"/zonnedal/uitdaagrecht/{case.id}/bijlagen/{letter.attachment_id}"
    assert link in page and "besluitbrief" in page
    with client.get(link) as download:
        assert download.status_code == 200 and download.mimetype == "application/pdf"
        assert download.get_data() == stored(letter.attachment_id)
    # The public version is not the applicant's document; it is on the register.
    assert f"/bijlagen/{letter.public_attachment_id}" not in page
    # The letter is in the applicant's data export too.
    with client.get("/account/mijn-gegevens.zip") as export:
        with zipfile.ZipFile(io.BytesIO(export.get_data())) as zipped:
            assert zipped.read(f"brieven/{case.number}/besluit-{case.number}.pdf") == \
                stored(letter.attachment_id)


def test_the_public_register_links_the_public_version_only_once_published(
        client, login, official, case_at):
    case = case_at(TO_DECISION)
    letter = decide(client, login, official, case, "afwijzen", reason="Te duur.",
                    refusal_grounds=["R4"])
    page = client.get(f"/zonnedal/register/{case.id}").get_data(as_text=True)
    href = f"/zonnedal/register/{case.id}/besluitbrief/{letter.id}"
    assert href in page and "Besluitbrief, openbare versie" in page
    # The public history says the decision was sent, with the date; the chain still holds.
    sent = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                      AuditEvent.transition == "besluit_verzonden"))
    assert sent.public and sent.inputs["letter_sha256"] == letter.sha256
    assert "Besluit verzonden" in page
    assert service.verify_all_chains() == {}
    with client.get(href) as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.get_data() == stored(letter.public_attachment_id)
        assert "Stichting Groen Parkwijk" not in pdf_text(response.get_data())
    # Unpublished: the decision is withdrawn from publication, the letter is gone too.
    db.session.get(Decision, letter.decision_id).published_at = None
    db.session.commit()
    assert client.get(href).status_code == 404
    assert client.get(f"/zonnedal/register/{case.id}/besluitbrief/{letter.id + 99}").status_code \
        == 404


def test_the_official_sees_the_letter_before_recording_and_nothing_is_stored(
        client, login, official, case_at):
    case = case_at(TO_DECISION)
    version = case.lock_version
    login(official)
    target, data = step(case, "toekennen", confirm=False,  # looking is not yet deciding
                        reason="Een heel goed plan voor Parkwijk.",
                        deciding_body="college", decided_on=days_ago(1).date().isoformat())
    html = client.get(url(case)).get_data(as_text=True)
    preview = f"{url(case)}/stappen/toekennen/voorbeeldbrief"
    assert f'formaction="{preview}"' in html and "Bekijk eerst de brief" in html
    response = client.post(preview, data=data)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Een heel goed plan voor Parkwijk." in pdf_text(response.get_data())
    db.session.expire_all()
    assert db.session.get(type(case), case.id).lock_version == version
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    assert db.session.scalar(select(func.count()).select_from(DecisionLetter)) == 0
    # Missing inputs come back at the form, not as a broken PDF.
    del data["toekennen-reason"]
    response = client.post(preview, data=data)
    assert response.status_code == 422 and "application/pdf" not in response.content_type


def test_a_letter_that_cannot_be_made_stores_nothing_and_keeps_the_input(
        client, login, official, case_at, monkeypatch):
    case = case_at(TO_DECISION)
    login(official)

    def broken(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(letter_service, "render_pdf", broken)
    target, data = step(case, "toekennen", reason="Mijn zorgvuldige motivering.",
                        deciding_body="college", decided_on=days_ago(1).date().isoformat())
    response = client.post(target, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "De brief kon nu niet worden gemaakt" in html and "Mijn zorgvuldige motivering." in html
    db.session.expire_all()
    assert db.session.get(type(case), case.id).state == "besluitvorming"
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.attachment_id.is_not(None))) == 0


def test_a_new_letter_for_the_same_case_is_a_new_version_and_keeps_the_old(
        client, login, official, case_at):
    case = case_at(TO_DECISION)
    first = decide(client, login, official, case, reason="Goed plan.")
    decision = db.session.get(Decision, first.decision_id)
    decision.reasons = "Goed plan. (Verbeterd: de datum van de start stond er verkeerd in.)"
    second = letter_service.generate(case, decision, actor=official, now=days_ago(0))
    db.session.commit()
    assert (first.version, second.version) == (1, 2)
    assert "-v2" in db.session.get(Attachment, second.attachment_id).filename
    assert "Verbeterd" in pdf_text(stored(second.attachment_id))
    assert "Verbeterd" not in pdf_text(stored(first.attachment_id))
    page = client.get(f"/zonnedal/register/{case.id}").get_data(as_text=True)
    assert f"/besluitbrief/{second.id}" in page and "versie 2" in page


def test_the_organisations_own_text_is_used_for_its_letters(client, login, official, org,
                                                             case_at):
    from participation.services import letters

    letters.save_template(org, kind="toegekend", language="nl", actor=None, body=(
        "Geachte {{ aanvrager }},\n\nMet genoegen delen wij mee dat {{ organisatie }} uw "
        "verzoek {{ zaaknummer }} toekent.\n\n{{ motivering }}\n\n{{ rechtsmiddelen }}\n"))
    db.session.commit()
    case = case_at(TO_DECISION)
    letter = decide(client, login, official, case, reason="Goed plan.")
    text = pdf_text(stored(letter.attachment_id))
    assert f"Met genoegen delen wij mee dat Gemeente Zonnedal uw verzoek {case.number} " \
           "toekent." in text
    assert "Wij kennen uw verzoek toe." not in text


def test_correcting_a_decision_sends_a_new_letter_and_keeps_the_old(client, login, official,
                                                                    resident, case_at):
    case = case_at(TO_DECISION)
    first = decide(client, login, official, case, reason="Goed plan voor de wijk.")
    decision = db.session.get(Decision, first.decision_id)
    page = client.get(f"/zonnedal/werkbak/zaken/{case.id}").get_data(as_text=True)
    assert f'id="besluit-{decision.id}-verbeteren"' in page and "Besluit verbeteren" in page
    correct = f"/zonnedal/werkbak/zaken/{case.id}/besluiten/{decision.id}/verbeteren"
    p = f"c{decision.id}-"

    # Without saying what changed, nothing happens and the text comes back.
    response = client.post(correct, data={p + "reasons": "Goed plan voor Parkwijk-Noord.",
                                          p + "confirm": "y"})
    assert response.status_code == 422
    assert "Goed plan voor Parkwijk-Noord." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(DecisionLetter)) == 1

    response = client.post(correct, data={
        p + "reasons": "Goed plan voor Parkwijk-Noord.", p + "decision_number": "B-2026-9",
        p + "note": "De wijk stond er verkeerd in.", p + "confirm": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    letters = db.session.scalars(select(DecisionLetter).where(DecisionLetter.case_id == case.id)
                                 .order_by(DecisionLetter.version)).all()
    assert [letter.version for letter in letters] == [1, 2]
    assert "Goed plan voor de wijk." in pdf_text(stored(letters[0].attachment_id))
    assert "Goed plan voor Parkwijk-Noord." in pdf_text(stored(letters[1].attachment_id))
    decision = db.session.get(Decision, decision.id)
    assert (decision.reasons, decision.decision_number) == ("Goed plan voor Parkwijk-Noord.",
                                                            "B-2026-9")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.case_id == case.id, AuditEvent.transition == "besluit_gecorrigeerd"))
    assert event.reason == "De wijk stond er verkeerd in." and event.public
    assert event.inputs["changed"]["reasons"] == ["Goed plan voor de wijk.",
                                                  "Goed plan voor Parkwijk-Noord."]
    assert event.inputs["letter_sha256"] == letters[1].sha256
    mail = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == resident.email).order_by(OutboxMessage.id.desc())).first()
    assert mail.attachment_id == letters[1].attachment_id
    assert "Besluit verbeterd" in mail.subject
    public = client.get(f"/zonnedal/register/{case.id}").get_data(as_text=True)
    assert f"/besluitbrief/{letters[1].id}" in public and "Besluit verbeterd" in public
    assert service.verify_all_chains() == {}


def test_only_those_who_decide_may_correct_and_only_decisions_of_the_case(
        client, login, official, griffie, case_at, submit_case, org):
    case = case_at(TO_DECISION)
    decision = db.session.get(Decision, decide(client, login, official, case).decision_id)
    other = submit_case(org, title="Ander verzoek")
    assert client.post(f"/zonnedal/werkbak/zaken/{other.id}/besluiten/{decision.id}/verbeteren",
                       data={}).status_code == 404
    login(griffie)
    assert client.post(f"/zonnedal/werkbak/zaken/{case.id}/besluiten/{decision.id}/verbeteren",
                       data={}).status_code == 403
