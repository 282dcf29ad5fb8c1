"""Decision letters generated from the decision record (Awb 3:41, 3:45-3:47; Woo 5.1.2e).

The letter is never typed separately from the record: its text is a template with named fields
(participation/domain/letters.py) filled from the case and the decision, laid out as HTML and
turned into a PDF/A-3b, tagged PDF by WeasyPrint. The same record gives the public version, in
which the applicant's personal data is replaced by the Woo ground.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from participation import letters as letter_engine
from participation.domain import grounds
from participation.domain import letters as letter_text
from participation.domain.deadlines import dutch_date
from participation.domain.errors import Refusal
from participation.extensions import db
from participation.models import (
    Attachment,
    Case,
    Decision,
    DecisionLetter,
    LetterTemplate,
    Organisation,
    User,
)
from participation.services import admin as admin_service
from participation.services import attachments, signing

PRESET_DIR = Path(__file__).resolve().parent.parent / "letters"
KINDS: tuple[str, ...] = (*grounds.OUTCOMES, "raadsbesluit", "evaluatie")
LANGUAGES = ("nl", "en")
KIND_LABELS = {**{code: (e.label_nl, e.label_en) for code, e in grounds.OUTCOMES.items()},
               "raadsbesluit": ("Besluit van de raad of het algemeen bestuur",
                                "Decision of the council or general assembly"),
               "evaluatie": ("Besluit na de evaluatie van een overgenomen taak",
                             "Decision after the evaluation of a task taken over")}
TYPE_LABELS = {"uitdaagrecht": ("uitdaagrecht", "right to challenge"),
               "burgerinitiatief": ("burgerinitiatief", "citizens' initiative"),
               "bewonersinitiatief": ("bewonersinitiatief", "residents' initiative")}


class LetterInvalid(Refusal):
    """A template that cannot be saved, or a letter that cannot be made; `errors` maps the
    form field to a Dutch message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors=errors, log="; ".join(errors.values()))


# --------------------------------------------------------------------------- templates

# Outcomes named by other procedures that take the letter of a standard outcome.
KIND_BY_OUTCOME = {"verleend": "toegekend", "geweigerd": "afgewezen",
                   "niet_toegelaten": "niet_ontvankelijk"}


def kind_of(outcome: str) -> str | None:
    """The letter kind of a decision outcome; None for an outcome that gets no letter (an
    extension of a running agreement, the final subsidy account)."""
    if outcome in grounds.COUNCIL_OUTCOMES:
        return "raadsbesluit"
    if outcome in grounds.EVALUATION_OUTCOMES:
        return "evaluatie"
    if outcome in grounds.OUTCOMES:
        return outcome
    return KIND_BY_OUTCOME.get(outcome)


def preset(kind: str, language: str) -> str:
    language = language if language in LANGUAGES else "nl"
    return (PRESET_DIR / language / f"{kind}.txt").read_text(encoding="utf-8")


def own_template(org: Organisation, kind: str, language: str) -> LetterTemplate | None:
    return db.session.scalar(select(LetterTemplate).where(
        LetterTemplate.organisation_id == org.id, LetterTemplate.kind == kind,
        LetterTemplate.language == language))


def template_source(org: Organisation, kind: str, language: str) -> str:
    own = own_template(org, kind, language)
    return own.body if own is not None else preset(kind, language)


def describe_problems(problems: list[letter_text.TemplateProblem]) -> str:
    return " ".join(f"Regel {p.line}: {p.message}" for p in problems)


def save_template(org: Organisation, *, kind: str, language: str, body: str,
                  actor: User | None) -> LetterTemplate:
    """Store the organisation's own text; refused (with the line) when it names an unknown
    field or cannot be read. Raises LetterInvalid."""
    if kind not in KINDS or language not in LANGUAGES:
        raise LetterInvalid({"body": _("Kies een soort brief uit de lijst.")})
    body = body.replace("\r\n", "\n")
    problems = letter_engine.check_template(body)
    if problems:
        raise LetterInvalid({"body": describe_problems(problems)})
    row = own_template(org, kind, language)
    if row is None:
        row = LetterTemplate(organisation_id=org.id, kind=kind, language=language, body=body)
        db.session.add(row)
    row.body = body
    row.updated_by_id = actor.id if actor else None
    db.session.flush()
    current_app.logger.info("letter template %s/%s of %s saved by user %s", kind, language,
                            org.slug, actor.id if actor else "-")
    return row


def reset_template(org: Organisation, *, kind: str, language: str) -> bool:
    row = own_template(org, kind, language)
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    return True


def field_help() -> list[tuple[str, str]]:
    """The fields an admin may use, with their description in the interface language."""
    from flask_babel import get_locale

    en = str(get_locale() or "nl").startswith("en")
    return [(name, texts[1 if en else 0]) for name, texts in letter_text.FIELDS.items()]


# --------------------------------------------------------------------------- fields

def _long_date(value: date | datetime | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = dutch_date(value)
    return format_date(value, "d MMMM y", locale="en" if language == "en" else "nl")


def _applicant_address(case: Case) -> str:
    data = case.data or {}
    street = str(data.get("adres_straat") or "").strip()
    place = " ".join(str(data.get(k) or "").strip() for k in ("adres_postcode", "adres_plaats"))
    return "\n".join(line for line in (street, place.strip()) if line)


def applicant_name(case: Case) -> str:
    data = case.data or {}
    applicant = case.applicant
    return (str(data.get("indiener_naam") or "").strip()
            or (applicant.name if applicant is not None else "")
            or str(data.get("contact_naam") or "").strip())


def letter_fields(case: Case, decision: Decision, language: str) -> dict[str, Any]:
    org = case.organisation
    en = language == "en"
    body = grounds.label(grounds.DECIDING_BODIES, decision.deciding_body, language)
    objection_body = decision.deciding_body
    if objection_body == "gemandateerd_ambtenaar":
        objection_body = grounds.TIERS[org.tier].executive_body if org.tier in grounds.TIERS \
            else "college"
    outcome = grounds.label(grounds.outcome_index(decision.outcome), decision.outcome, language)
    data = case.data or {}
    return {
        "organisatie": org.name,
        "organisatie_adres": org.address or "",
        "organisatie_email": org.email or "",
        "organisatie_telefoon": org.phone or "",
        "bestuursorgaan": body,
        "bezwaar_aan": grounds.label(grounds.DECIDING_BODIES, objection_body, language),
        "aanvrager": applicant_name(case),
        "aanvrager_adres": _applicant_address(case),
        "contactpersoon": str(data.get("contact_naam") or "").strip(),
        "zaaknummer": case.number or "",
        "onderwerp": case.title,
        "soort": TYPE_LABELS.get(case.request_type, (case.request_type,) * 2)[1 if en else 0],
        "datum_aanvraag": _long_date(case.submitted_at, language),
        "datum_besluit": _long_date(decision.decided_on, language),
        "besluitnummer": decision.decision_number or "",
        "uitkomst": outcome.lower() if not en else outcome,
        "deels": (grounds.label(grounds.PARTIAL_SUBTYPES, decision.partial_subtype, language)
                  .lower() if decision.partial_subtype else ""),
        "gronden": [{"code": code,
                     "naam": grounds.label(grounds.REFUSAL_GROUNDS, code, language),
                     "bron": getattr(grounds.REFUSAL_GROUNDS.get(code), "basis", "")}
                    for code in decision.refusal_grounds or []],
        "motivering": decision.reasons,
        "rechtsmiddelen": decision.legal_remedies,
        "bezwaartermijn_weken": 6,
    }


# --------------------------------------------------------------------------- rendering

@dataclass(frozen=True)
class RenderedLetter:
    html: str
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def _logo_uri(org: Organisation) -> str | None:
    found = admin_service.logo_file(org)
    return found[0].resolve().as_uri() if found else None


def _fetcher(allowed: set[str]) -> Any:
    """WeasyPrint may read only the organisation's logo: never the network, never other files."""
    from weasyprint.urls import URLFetcher

    class LogoOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.split("?")[0] not in allowed:
                raise ValueError("resource not allowed in a letter")
            return super().fetch(url, headers)

    return LogoOnly(allowed_protocols={"file"}, allow_redirects=False)


def letter_html(case: Case, decision: Decision, *, language: str, public: bool,
                sent_on: date, kind: str | None = None) -> str:
    kind = kind or kind_of(decision.outcome) or "afgewezen"
    return fields_html(case.organisation, kind, language,
                       letter_fields(case, decision, language), public=public, sent_on=sent_on)


def fields_html(org: Organisation, kind: str, language: str, fields: dict[str, Any], *,
                public: bool, sent_on: date, source: str | None = None) -> str:
    """The letter's HTML from its fields; `source` replaces the stored template (a preview
    of a text not yet saved)."""
    if public:
        fields = letter_text.public_fields(fields)
    text = letter_engine.render(source if source is not None
                                else template_source(org, kind, language), fields)
    with force_locale(language):
        # Without context processors: a letter is the same made in a request or a command.
        return current_app.jinja_env.get_template("letters/letter.html").render(
            org=org, fields=fields, blocks=letter_text.blocks(text), language=language,
            public=public, sent_on=_long_date(sent_on, language), logo_uri=_logo_uri(org),
            kind_label=KIND_LABELS[kind][1 if language == "en" else 0])


def sample_fields(org: Organisation, kind: str, language: str, today: date) -> dict[str, Any]:
    """Made-up fields for the admin's preview of a template."""
    en = language == "en"
    body = grounds.TIERS[org.tier].executive_body if org.tier in grounds.TIERS else "college"
    outcome = {"raadsbesluit": "aangenomen", "evaluatie": "evaluatie_voortzetten"}.get(kind, kind)
    labels = grounds.outcome_index(outcome)
    return {
        "organisatie": org.name, "organisatie_adres": org.address or "",
        "organisatie_email": org.email or "", "organisatie_telefoon": org.phone or "",
        "bestuursorgaan": grounds.label(grounds.DECIDING_BODIES, body, language),
        "bezwaar_aan": grounds.label(grounds.DECIDING_BODIES, body, language),
        "aanvrager": "Stichting Voorbeeld", "aanvrager_adres": "Voorbeeldstraat 1\n1234 AB Voorbeeld",
        "contactpersoon": "J. Jansen", "zaaknummer": "UD-2026-00042",
        "onderwerp": "Onderhoud van het groen in de wijk" if not en else "Maintaining the green "
                     "spaces in the neighbourhood",
        "soort": TYPE_LABELS["uitdaagrecht"][1 if en else 0],
        "datum_aanvraag": _long_date(today, language), "datum_besluit": _long_date(today, language),
        "besluitnummer": "B-2026-001",
        "uitkomst": grounds.label(labels, outcome, language).lower(),
        "deels": grounds.label(grounds.PARTIAL_SUBTYPES, "pilot", language).lower(),
        "gronden": [{"code": "R4", "naam": grounds.label(grounds.REFUSAL_GROUNDS, "R4", language),
                     "bron": getattr(grounds.REFUSAL_GROUNDS.get("R4"), "basis", "")}]
        if kind in ("afgewezen", "deels_toegekend") else [],
        "motivering": "Hier staat de motivering van het besluit." if not en
        else "The reasons for the decision go here.",
        "rechtsmiddelen": default_objection_text(org, language),
        "bezwaartermijn_weken": 6,
    }


def default_objection_text(org: Organisation, language: str) -> str:
    from participation.services.cases import default_legal_remedies

    with force_locale(language):
        return str(default_legal_remedies(org))


def preview_template(org: Organisation, *, kind: str, language: str, body: str,
                     today: date) -> bytes:
    """A saved or unsaved template filled with made-up fields, as PDF; raises LetterInvalid
    with the line of what is wrong."""
    body = body.replace("\r\n", "\n")
    problems = letter_engine.check_template(body)
    if problems:
        raise LetterInvalid({"body": describe_problems(problems)})
    html = fields_html(org, kind, language, sample_fields(org, kind, language, today),
                       public=False, sent_on=today, source=body)
    return render_pdf(html, css=letter_css(org, language), logo_uri=_logo_uri(org))


def letter_css(org: Organisation, language: str) -> str:
    """static/css/letter.css with the organisation's colour and the page numbers' words."""
    base = (Path(current_app.static_folder or "static") / "css" / "letter.css").read_text(
        encoding="utf-8")
    colour = org.primary_color if admin_service.is_hex_colour(org.primary_color) else "#01689b"
    page, of = ("page", "of") if language == "en" else ("pagina", "van")
    return (f":root {{ --letter-primary: {colour}; }}\n"
            f'@page {{ @bottom-right {{ content: "{page} " counter(page) " {of} " '
            f"counter(pages); }} }}\n{base}")


def render_pdf(html: str, *, css: str, logo_uri: str | None = None) -> bytes:
    from weasyprint import CSS, HTML

    allowed = {logo_uri} if logo_uri else set()
    fetcher = _fetcher(allowed)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)], pdf_variant="pdf/a-3b",
        pdf_tags=True)


def render(case: Case, decision: Decision, *, language: str, public: bool,
           sent_on: date) -> RenderedLetter:
    """The letter as HTML and PDF; raises LetterInvalid when it cannot be made."""
    try:
        html = letter_html(case, decision, language=language, public=public, sent_on=sent_on)
        return RenderedLetter(html=html, pdf=render_pdf(
            html, css=letter_css(case.organisation, language),
            logo_uri=_logo_uri(case.organisation)))
    except letter_text.LetterTemplateError as exc:
        raise LetterInvalid({"letter": _(
            "De brief kon niet worden gemaakt: de tekst van de brief bevat een fout (%(problems)s)."
            " Vraag de beheerder de briefsjablonen na te kijken.",
            problems=describe_problems(exc.problems))}) from exc
    except (OSError, ValueError) as exc:  # a layout library or font that is missing
        current_app.logger.exception("letter generation failed for case %s", case.id)
        raise LetterInvalid({"letter": _("De brief kon nu niet worden gemaakt. Er is niets "
                                         "opgeslagen; probeer het over een paar minuten "
                                         "opnieuw.")}) from exc


def applicant_language(case: Case) -> str:
    applicant = case.applicant
    return "en" if applicant is not None and (applicant.locale or "").startswith("en") else "nl"


def _filename(case: Case, version: int, public: bool) -> str:
    base = f"besluit-{(case.number or str(case.id)).replace('/', '-')}"
    suffix = f"-v{version}" if version > 1 else ""
    return f"{base}{suffix}{'-openbaar' if public else ''}.pdf"


def generate(case: Case, decision: Decision, *, actor: User | None,
             now: datetime) -> DecisionLetter:
    """Make the applicant's letter and the public version, store both with the case, and
    record them; the caller puts the SHA-256 in the step's audit event and commits."""
    kind = kind_of(decision.outcome) or "afgewezen"
    language = applicant_language(case)
    sent_on = dutch_date(now)
    private = render(case, decision, language=language, public=False, sent_on=sent_on)
    public = render(case, decision, language="nl", public=True, sent_on=sent_on)
    pdf, signed = private.pdf, False
    signer = signing.signer_for(case.organisation)
    if signer is not None:
        try:
            pdf = signing.sign(pdf, signer, org=case.organisation,
                               reason=f"Besluit {case.number or case.id}")
            signed = True
        except Exception as exc:  # pyHanko and its validator raise many kinds
            current_app.logger.exception("signing the letter of case %s failed", case.id)
            raise LetterInvalid({"letter": _(
                "De brief kon nu niet digitaal worden ondertekend. Er is niets opgeslagen; "
                "probeer het later opnieuw of vraag de beheerder het certificaat na te "
                "kijken.")}) from exc
    version = (db.session.scalar(select(func.max(DecisionLetter.version))
                                 .where(DecisionLetter.case_id == case.id)) or 0) + 1
    stored = attachments.store_bytes(case, pdf, filename=_filename(case, version, False),
                                     content_type="application/pdf", uploader=actor,
                                     purpose="decision_letter")
    stored_public = attachments.store_bytes(
        case, public.pdf, filename=_filename(case, version, True),
        content_type="application/pdf", uploader=actor, purpose="decision_letter_public")
    letter = DecisionLetter(case_id=case.id, decision_id=decision.id, version=version,
                            kind=kind, language=language, attachment_id=stored.id,
                            public_attachment_id=stored_public.id,
                            sha256=hashlib.sha256(pdf).hexdigest(), signed=signed,
                            created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(letter)
    db.session.flush()
    return letter


def letters_of(case: Case) -> list[DecisionLetter]:
    return list(db.session.scalars(select(DecisionLetter).where(DecisionLetter.case_id == case.id)
                                   .order_by(DecisionLetter.version)))


def public_letter(case: Case, letter_id: int) -> tuple[DecisionLetter, Attachment] | None:
    """The public version of a letter whose decision is published; None otherwise."""
    row = db.session.execute(
        select(DecisionLetter, Attachment)
        .join(Decision, Decision.id == DecisionLetter.decision_id)
        .join(Attachment, Attachment.id == DecisionLetter.public_attachment_id)
        .where(DecisionLetter.id == letter_id, DecisionLetter.case_id == case.id,
               Decision.published_at.is_not(None))).first()
    return (row[0], row[1]) if row else None


def public_letters(case: Case) -> dict[int, tuple[DecisionLetter, Attachment]]:
    """The latest public letter of each published decision of `case`, by decision id."""
    found: dict[int, tuple[DecisionLetter, Attachment]] = {}
    for letter, attachment in db.session.execute(
            select(DecisionLetter, Attachment)
            .join(Decision, Decision.id == DecisionLetter.decision_id)
            .join(Attachment, Attachment.id == DecisionLetter.public_attachment_id)
            .where(DecisionLetter.case_id == case.id, Decision.published_at.is_not(None))
            .order_by(DecisionLetter.version)):
        found[letter.decision_id] = (letter, attachment)
    return found


def pdf_stream(attachment: Attachment) -> io.BufferedReader:
    return attachments.open_attachment(attachment)  # type: ignore[return-value]
