"""Letter templates: what an admin may write (named fields only, refused with the line), how
the text is split into blocks, and what the public version leaves out (Woo 5.1.2e)."""
from __future__ import annotations

from pathlib import Path

import pytest

from participation import letters as engine
from participation.domain import letters

PRESETS = sorted((Path(engine.__file__).parent).glob("*/*.txt"))
KINDS = ("toegekend", "deels_toegekend", "afgewezen", "niet_ontvankelijk",
         "buiten_behandeling", "raadsbesluit", "evaluatie")


def fields(**overrides):
    base = {name: f"<{name}>" for name in letters.FIELDS}
    base["gronden"] = [{"code": "R4", "naam": "Te duur", "bron": "verordening"}]
    base.update(overrides)
    return base


def test_there_is_a_preset_for_every_kind_in_dutch_and_english() -> None:
    assert {(p.parent.name, p.stem) for p in PRESETS} == {
        (language, kind) for language in ("nl", "en") for kind in KINDS}


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_preset_is_valid_and_names_the_legal_remedies_and_reasons(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert engine.check_template(source) == []
    text = engine.render(source, fields())
    assert "<rechtsmiddelen>" in text and "<motivering>" in text and "<zaaknummer>" in text
    assert "{{" not in text and "{%" not in text


@pytest.mark.parametrize(("source", "line", "fragment"), [
    ("Beste {{ naam }},", 1, "Onbekend veld ‘naam’"),
    ("Beste {{ aanvrager }},\n\n{{ aanvrager.__class__ }}", 3, "Onbekend onderdeel ‘__class__’"),
    ("{% for g in gronden %}\n{{ g.code }} {{ g.wachtwoord }}\n{% endfor %}", 2,
     "Onbekend onderdeel ‘wachtwoord’"),
    ("{{ gronden['__init__'] }}", 1, "Onbekend onderdeel ‘__init__’"),
    ("Regel een\nRegel twee {% if motivering %}", 2, "Fout in de opmaak"),
    ("{% macro x() %}{% endmacro %}", 1, "niet toegestaan"),
    ("{% include 'base.html' %}", 1, "niet toegestaan"),
    ("   \n", 1, "leeg"),
    ("x" * (letters.MAX_TEMPLATE_CHARS + 1), 1, "te lang"),
])
def test_a_template_naming_anything_else_is_refused_with_its_line(source, line, fragment) -> None:
    problems = engine.check_template(source)
    assert problems, source
    assert problems[0].line == line
    assert fragment in problems[0].message


@pytest.mark.parametrize("source", [
    "Beste {{ aanvrager }},\n{% for grond in gronden %}- {{ grond.naam }} ({{ grond.bron }})\n{% endfor %}",
    "{% if deels %}Deels: {{ deels }}{% endif %}",
    "{% for grond in gronden %}{{ loop.index }}. {{ grond.code }}{% endfor %}",
])
def test_fields_loops_and_conditions_are_allowed(source) -> None:
    assert engine.check_template(source) == []


def test_rendering_a_refused_template_raises_with_the_problems() -> None:
    with pytest.raises(letters.LetterTemplateError) as caught:
        engine.render("{{ bsn }}", fields())
    assert caught.value.problems[0].message == "Onbekend veld ‘bsn’."


@pytest.mark.parametrize(("text", "expected"), [
    ("Beste Sanne,\n\n# Ons besluit\nWij kennen uw verzoek toe.",
     [("paragraph", ("Beste Sanne,",)), ("heading", ("Ons besluit",)),
      ("paragraph", ("Wij kennen uw verzoek toe.",))]),
    ("Gronden:\n\n- Te duur\n- Al geregeld\n\n\n\nSlot",
     [("paragraph", ("Gronden:",)), ("list", ("Te duur", "Al geregeld")),
      ("paragraph", ("Slot",))]),
    ("Regel een\nregel twee", [("paragraph", ("Regel een", "regel twee"))]),
    ("", []),
])
def test_text_is_split_into_headings_lists_and_paragraphs(text, expected) -> None:
    assert [(b.kind, b.lines) for b in letters.blocks(text)] == expected


def test_the_public_version_replaces_the_applicants_data_also_in_free_text() -> None:
    private = fields(aanvrager="Stichting Groen Parkwijk", contactpersoon="Sanne de Vries",
                     aanvrager_adres="Lindelaan 4\n1234 AB Zonnedal",
                     motivering="Wij spraken met sanne de vries over de Lindelaan 4.",
                     onderwerp="Groenbeheer Parkwijk")
    public = letters.public_fields(private)
    assert public["aanvrager"] == public["contactpersoon"] == public["aanvrager_adres"] \
        == letters.WOO_PERSONAL_DATA
    assert public["motivering"] == "Wij spraken met [5.1.2e] over de [5.1.2e]."
    assert public["onderwerp"] == "Groenbeheer Parkwijk"  # not personal data
    assert public["gronden"] == private["gronden"]


@pytest.mark.parametrize(("text", "personal", "expected"), [
    ("Jan en Jansen", ["Jan", "Jansen"], "[5.1.2e] en [5.1.2e]"),  # longest first
    ("Ab en Abel", ["Ab"], "Ab en Abel"),  # values under three characters are left alone
    ("Niets", [], "Niets"),
])
def test_redaction(text, personal, expected) -> None:
    assert letters.redact(text, personal) == expected
