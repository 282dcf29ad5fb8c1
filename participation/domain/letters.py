"""Decision letters as text with named fields (Awb 3:41, 3:45-3:47): the fields a template
may name, the public version's redaction (Woo 5.1.2e) and the split of the rendered text into
blocks (headings, lists, paragraphs) that the letter layout turns into HTML; no HTML is ever
taken from a template. The template engine itself is in participation/letters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_TEMPLATE_CHARS = 20_000
WOO_PERSONAL_DATA = "[5.1.2e]"  # Woo art. 5.1 lid 2 sub e: respect for privacy

# Field name -> (Dutch description, English description). The letter's whole vocabulary.
FIELDS: dict[str, tuple[str, str]] = {
    "organisatie": ("Naam van de organisatie", "Name of the organisation"),
    "organisatie_adres": ("Postadres van de organisatie", "Postal address of the organisation"),
    "organisatie_email": ("E-mailadres van de organisatie", "Email address of the organisation"),
    "organisatie_telefoon": ("Telefoonnummer van de organisatie", "Phone number of the organisation"),
    "bestuursorgaan": ("Wie besluit (bijvoorbeeld het college van burgemeester en wethouders)",
                       "The body that decides"),
    "bezwaar_aan": ("Aan wie de aanvrager bezwaar richt", "Who objections go to"),
    "aanvrager": ("Naam van de aanvrager", "Name of the applicant"),
    "aanvrager_adres": ("Adres van de aanvrager (regels)", "Address of the applicant (lines)"),
    "contactpersoon": ("Naam van de contactpersoon", "Name of the contact person"),
    "zaaknummer": ("Zaaknummer", "Case number"),
    "onderwerp": ("Titel van het verzoek", "Title of the request"),
    "soort": ("Soort verzoek (uitdaagrecht, initiatief)", "Kind of request"),
    "datum_aanvraag": ("Datum waarop het verzoek is ingediend", "Date the request was filed"),
    "datum_besluit": ("Datum van het besluit", "Date of the decision"),
    "besluitnummer": ("Nummer van het besluit", "Decision number"),
    "uitkomst": ("Uitkomst (toegekend, afgewezen, …)", "Outcome"),
    "deels": ("Wat deels is toegekend (bij gedeeltelijke toekenning)", "What was partly granted"),
    "gronden": ("Weigeringsgronden: lijst met code, naam en bron", "Refusal grounds: list with "
                "code, naam (name) and bron (source)"),
    "motivering": ("Motivering van het besluit", "Reasons for the decision"),
    "rechtsmiddelen": ("Bezwaarclausule", "Notice of objection"),
    "bezwaartermijn_weken": ("Bezwaartermijn in weken (6)", "Objection term in weeks (6)"),
}
# What a loop variable over `gronden` may show.
GROUND_ATTRIBUTES = frozenset({"code", "naam", "bron"})
# Fields that identify the applicant; blanked in the public version (Woo 5.1.2e).
PERSONAL_FIELDS = ("aanvrager", "aanvrager_adres", "contactpersoon")


@dataclass(frozen=True)
class TemplateProblem:
    line: int
    message: str


class LetterTemplateError(ValueError):
    """A template that cannot be used; `problems` are shown at the field, with their line."""

    def __init__(self, problems: list[TemplateProblem]) -> None:
        super().__init__("; ".join(f"regel {p.line}: {p.message}" for p in problems))
        self.problems = problems


def public_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of the version for the public register: the applicant's personal data is
    replaced by the Woo ground, also where it appears in free text (the reasons)."""
    personal: list[str] = []
    for key in PERSONAL_FIELDS:
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            personal.extend(line.strip() for line in value.splitlines() if line.strip())
    public = dict(fields)
    for key in PERSONAL_FIELDS:
        if fields.get(key):
            public[key] = WOO_PERSONAL_DATA
    for key, value in public.items():
        if key not in PERSONAL_FIELDS and isinstance(value, str):
            public[key] = redact(value, personal)
    return public


def redact(text: str, personal: list[str]) -> str:
    """Replace each personal value (longest first, case-insensitive) by the Woo ground."""
    for value in sorted({p for p in personal if len(p) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(value), WOO_PERSONAL_DATA, text, flags=re.IGNORECASE)
    return text


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "list" or "paragraph"
    lines: tuple[str, ...]


def blocks(text: str) -> list[Block]:
    """Split rendered text: blank lines separate blocks, '# ' starts a heading, '- ' a list
    item; other lines of a block form one paragraph (its line breaks kept)."""
    found: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        while lines and lines[0].startswith("# "):
            found.append(Block("heading", (lines.pop(0)[2:].strip(),)))
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            found.append(Block("list", tuple(line[2:].strip() for line in lines)))
        else:
            found.append(Block("paragraph", tuple(lines)))
    return found
