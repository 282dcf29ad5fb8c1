"""What a procedure author reads: each problem with its line and its state or transition, in
Dutch and English, a root cause once, and the procedure's own labels for inputs."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from participation.domain import problems as p
from participation.domain import workflow as w

CHALLENGE = w.preset_path("uitdaagrecht").read_text(encoding="utf-8")
INITIATIVE = w.preset_path("burgerinitiatief").read_text(encoding="utf-8")


def _problems(text: str) -> list[w.Problem]:
    return w.locate(text, w.validate(text))


# (name, preset, (old, new) replaced once, English fragment, Dutch fragment, the line pointed to)
CASES = [
    ("unknown target", CHALLENGE, ('to = "aanvulling_gevraagd"', 'to = "aanvulling_gevrahgd"'),
     "transition 'aanvulling_vragen': unknown target state 'aanvulling_gevrahgd'",
     "stap 'aanvulling_vragen': onbekende eindstatus 'aanvulling_gevrahgd'",
     'to = "aanvulling_gevrahgd"'),
    ("unknown role", CHALLENGE, ('roles = ["coordinator", "official"]', 'roles = ["baas"]'),
     "unknown role 'baas'", "onbekende rol 'baas'", 'roles = ["baas"]'),
    ("unknown key in a state", CHALLENGE, ('name = "ingediend"\n', 'name = "ingediend"\ncolour = 1\n'),
     "state 'ingediend': unknown key 'colour'", "status 'ingediend': onbekende sleutel 'colour'",
     "colour = 1"),
    ("wrong type", CHALLENGE, ('name = "intake"\nkind = "active"\npublic = true',
                               'name = "intake"\nkind = "active"\npublic = "ja"'),
     "state 'intake': 'public' must be true or false", "status 'intake': 'public' moet true of false",
     'public = "ja"'),
    ("threshold", INITIATIVE, ("min_percentage = 0.0", "min_percentage = 140.0"),
     "[threshold] min_percentage must be between 0 and 100",
     "[threshold] min_percentage moet tussen 0 en 100 liggen", "min_percentage = 140.0"),
    ("syntax", CHALLENGE, ("\n[workflow]\n", "\n[workflow\n"),
     "TOML syntax error", "Fout in de TOML-opmaak", "[workflow"),
    ("unknown refusal code", CHALLENGE, ('"R15", "R16"]', '"R15", "R99"]'),
     "[workflow] refusal_grounds: unknown code 'R99'",
     "[workflow] refusal_grounds: onbekende code 'R99'", 'refusal_grounds = ["R1"'),
]


@pytest.mark.parametrize(("name", "text", "change", "english", "dutch", "line"),
                         CASES, ids=[c[0] for c in CASES])
def test_each_problem_says_where_it_is_in_english_and_dutch(name, text, change, english, dutch,
                                                            line):
    old, new = change
    assert text.count(old) >= 1
    broken = text.replace(old, new, 1)
    try:
        found = _problems(broken)
    except w.DefinitionError as exc:  # a syntax error stops before validation
        found = w.locate(broken, exc.messages)
    matching = [problem for problem in found if english in problem]
    assert matching, found
    problem = matching[0]
    assert dutch in problem.translated("nl")
    assert english in problem.translated("en")
    assert problem.line is not None
    assert broken.splitlines()[problem.line - 1].startswith(line)


def test_a_missing_terminal_state_is_reported_once_not_once_per_state():
    broken = CHALLENGE.replace('kind = "terminal"', 'kind = "active"')
    found = _problems(broken)
    assert [str(f) for f in found] == [
        ('there is no terminal state: give at least one state kind = "terminal" (for example the '
         'decision), or cases never end')]
    assert found[0].translated("nl").startswith("er is geen eindstatus")
    assert broken.splitlines()[found[0].line - 1] == 'name = "concept"'  # the first state


def test_a_misspelt_state_is_reported_at_its_transition_only():
    broken = CHALLENGE.replace('to = "aanvulling_gevraagd"', 'to = "aanvulling_gevrahgd"', 1)
    assert [str(f) for f in _problems(broken)] == [
        "transition 'aanvulling_vragen': unknown target state 'aanvulling_gevrahgd'"]


def test_states_cut_off_are_named_at_the_first_one_with_what_follows():
    # No step leads to the decisions any more: report the three decisions, not all ten states
    # that can no longer be reached after them.
    broken = CHALLENGE
    for target in ("toegekend", "deels_toegekend", "afgewezen"):
        broken = broken.replace(f'to = "{target}"', 'to = "in_behandeling"')
    found = _problems(broken)
    assert [f.subject for f in found] == [
        ("state", "toegekend"), ("state", "deels_toegekend"), ("state", "afgewezen")]
    assert "(and so neither can 'overeenkomst', 'vervallen'" in found[0]
    assert "(en daardoor 'overeenkomst', 'vervallen'" in found[0].translated("nl")
    assert broken.splitlines()[found[0].line - 1] == 'name = "toegekend"'


def test_a_loop_with_no_way_out_is_named():
    broken = CHALLENGE.replace('to = "afgerond"', 'to = "in_uitvoering"') \
                      .replace('to = "beeindigd"', 'to = "evaluatie"')
    stuck = [f.subject for f in _problems(broken) if "has no path to a terminal state" in f]
    assert ("state", "in_uitvoering") in stuck and ("state", "evaluatie") in stuck


def test_every_english_message_has_a_dutch_text_with_the_same_placeholders():
    templates = set()
    for path in Path("participation").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "english":
                templates.add(node.args[0].value)
    assert len(templates) > 70
    placeholders = re.compile(r"%\(\w+\)[sr]")
    for template in templates:
        assert template in p.DUTCH, template
        assert sorted(placeholders.findall(p.DUTCH[template])) == \
            sorted(placeholders.findall(template)), template


def test_input_labels_are_read_checked_and_written_back():
    preset = w.load_preset("uitdaagrecht")
    label = preset.transition("zienswijze_vragen").input_label("question")
    assert label.label("nl").startswith("Het voorgenomen besluit")
    assert label.help("en").endswith("(Awb 4:7).")
    assert w.parse_workflow(w.to_toml(preset)) == preset

    anchor = '[transitions.input_labels.question]\n'
    wrong_kind = CHALLENGE.replace(anchor, '[transitions.input_labels.answer]\n')
    assert any("input_labels names 'answer', which is not one of its inputs" in m
               for m in w.validate(wrong_kind))
    one_language = CHALLENGE.replace(
        'label_en = "The intended decision and what the applicant can respond to"\n', "")
    found = _problems(one_language)
    assert any("missing required key 'label_en'" in m for m in found)
    assert all(f.line is not None for f in found)
