"""The workflow engine: parsing, lookups, allowed transitions, inputs and plans."""
from __future__ import annotations

import pytest

from participation.domain import workflow as w
from participation.domain.workflow import ClockEffect, StateKind

MINI = """
[workflow]
key = "mini"
request_type = "bewonersinitiatief"
title_nl = "Klein"
title_en = "Small"
refusal_grounds = ["R16"]

[decision_clock]
weeks = 8
extension_weeks = 2

[settings]
max_bedrag_euro = 500
naam = "Wijk \\"Noord\\""

[[states]]
name = "concept"
kind = "initial"
label_nl = "Concept"
label_en = "Draft"

[[states]]
name = "open"
kind = "waiting"
public = true
label_nl = "Open"
label_en = "Open"
[states.term]
weeks = 2
on_lapse = "verlopen"

[[states]]
name = "klaar"
kind = "terminal"
public = true
label_nl = "Klaar"
label_en = "Done"

[[transitions]]
name = "indienen"
from = "concept"
to = "open"
roles = ["applicant"]
label_nl = "Indienen"
label_en = "Submit"
clock = "start"

[[transitions]]
name = "afronden"
from = ["open"]
to = "klaar"
roles = ["official", "coordinator"]
inputs = ["reason"]
label_nl = "Afronden"
label_en = "Finish"
public = true
public_label_nl = "Afgerond"
public_label_en = "Finished"
clock = "stop"

[[transitions]]
name = "verlopen"
from = ["open"]
to = "klaar"
roles = ["system"]
label_nl = "Verlopen"
label_en = "Lapse"
automatic = "term_lapsed"
clock = "stop"
"""


@pytest.fixture(scope="module")
def mini() -> w.Workflow:
    return w.load_workflow(MINI)


@pytest.fixture(scope="module")
def rtc() -> w.Workflow:
    return w.load_preset("uitdaagrecht")


def test_parse_reads_every_part(mini: w.Workflow) -> None:
    assert (mini.key, mini.request_type, mini.title_nl, mini.title_en) == \
        ("mini", "bewonersinitiatief", "Klein", "Small")
    assert mini.decision_clock == w.DecisionClock(days=56, extension_days=14)
    assert mini.refusal_grounds == ("R16",)
    assert dict(mini.settings) == {"max_bedrag_euro": 500, "naam": 'Wijk "Noord"'}
    assert mini.initial_state().name == "concept"
    assert mini.state("open").kind is StateKind.WAITING
    assert mini.state("open").term == w.StateTerm(days=14, on_lapse="verlopen",
                                                  remind_days_before=3)
    assert mini.state("concept").public is False  # public defaults to false
    indienen = mini.transition("indienen")
    assert indienen.sources == ("concept",) and indienen.clock is ClockEffect.START
    assert indienen.automatic is None and indienen.roles == frozenset({"applicant"})
    assert [t.name for t in mini.transitions_from("open")] == ["afronden", "verlopen"]
    assert [s.name for s in mini.public_states()] == ["open", "klaar"]
    assert [s.name for s in mini.terminal_states()] == ["klaar"]


def test_settings_are_read_only(mini: w.Workflow) -> None:
    with pytest.raises(TypeError):
        mini.settings["max_bedrag_euro"] = 1  # type: ignore[index]


def test_unknown_names_raise_key_error(mini: w.Workflow) -> None:
    with pytest.raises(KeyError, match="nergens"):
        mini.state("nergens")
    with pytest.raises(KeyError, match="vliegen"):
        mini.transition("vliegen")
    assert not mini.has_state("nergens") and not mini.has_transition("vliegen")


def test_toml_syntax_error_names_the_line() -> None:
    with pytest.raises(w.DefinitionError) as caught:
        w.parse_workflow("[workflow]\nkey = \n")
    assert "line 2" in caught.value.messages[0]


@pytest.mark.parametrize(("source", "message"), [
    ("a = " + "[" * 5000 + "]" * 5000, "nested too deeply"),
    ("a = " + "{b = " * 3000 + "1" + "}" * 3000, "nested too deeply"),
    ("[workflow]\n" + "# filler\n" * 30_000, "too long"),
])
def test_hostile_files_are_refused_with_a_message(source: str, message: str) -> None:
    """Found by hostile testing: a deeply nested file crashed the parser (a 500)."""
    with pytest.raises(w.DefinitionError) as caught:
        w.parse_workflow(source)
    assert message in caught.value.messages[0]
    assert message in w.validate(source)[0]


def test_parse_only_checks_structure_and_load_checks_meaning() -> None:
    broken = MINI.replace('to = "klaar"\nroles = ["official"',
                          'to = "nergens"\nroles = ["official"')
    wf = w.parse_workflow(broken)
    assert wf.transition("afronden").target == "nergens"
    with pytest.raises(w.DefinitionError) as caught:
        w.load_workflow(broken)
    assert any("nergens" in m for m in caught.value.messages)
    assert "nergens" in str(caught.value)


@pytest.mark.parametrize("form", ["workflow", "dict", "text"])
def test_validate_accepts_every_form(form: str, mini: w.Workflow) -> None:
    import tomllib
    value = {"workflow": mini, "dict": tomllib.loads(MINI), "text": MINI}[form]
    assert w.validate(value) == []


def test_validate_reports_syntax_errors_as_messages() -> None:
    assert "TOML syntax error" in w.validate("[[states]\n")[0]


def test_definition_error_accepts_one_message() -> None:
    assert w.DefinitionError("kapot").messages == ["kapot"]


def test_to_toml_round_trips(mini: w.Workflow) -> None:
    assert w.parse_workflow(w.to_toml(mini)) == mini


@pytest.mark.parametrize("request_type", w.PRESETS)
def test_presets_round_trip_through_to_toml(request_type: str) -> None:
    wf = w.load_preset(request_type)
    assert w.load_workflow(w.to_toml(wf)) == wf


def test_workflow_is_hashable(rtc: w.Workflow) -> None:
    assert hash(rtc) == hash(w.load_preset("uitdaagrecht"))


def test_preset_path_rejects_unknown_types() -> None:
    with pytest.raises(ValueError, match="agendering"):
        w.preset_path("agendering")


@pytest.mark.parametrize(("request_type", "outcomes"), [
    ("uitdaagrecht", ("toegekend", "deels_toegekend", "afgewezen", "buiten_behandeling",
                      "niet_ontvankelijk")),
    ("burgerinitiatief", ("aangenomen", "aangenomen_geamendeerd", "verworpen", "ingetrokken")),
])
def test_allowed_outcomes(request_type: str, outcomes: tuple[str, ...]) -> None:
    assert w.load_preset(request_type).allowed_outcomes == outcomes


# ---------------------------------------------------------------- available transitions

@pytest.mark.parametrize(("state", "roles", "expected"), [
    ("concept", {"applicant"}, ["indienen"]),
    ("concept", {"official", "coordinator"}, []),
    ("ingediend", {"system"}, ["ontvangst_bevestigen"]),
    ("intake", {"coordinator"}, ["aanvulling_vragen", "in_behandeling_nemen",
                                 "buiten_behandeling_stellen", "doorverwijzen", "afwijzen"]),
    ("intake", {"applicant"}, ["intrekken"]),
    ("aanvulling_gevraagd", {"applicant"}, ["aanvulling_ontvangen", "intrekken"]),
    ("aanvulling_gevraagd", {"system"}, []),       # the lapse is automatic, not a button
    ("raadsbetrokkenheid", {"griffie"}, ["raad_terugmelden", "raadsbehandeling_afronden"]),
    ("besluitvorming", {"official"}, ["verdagen_besluitvorming", "terug_naar_behandeling",
                                      "toekennen", "deels_toekennen", "afwijzen"]),
    ("afgewezen", set(w.ROLES), []),
    ("bestaat_niet", set(w.ROLES), []),
])
def test_available_transitions(rtc: w.Workflow, state: str, roles: set[str],
                               expected: list[str]) -> None:
    assert [t.name for t in w.available_transitions(rtc, state, roles)] == expected


@pytest.mark.parametrize(("state", "expected"), [
    ("aanvulling_gevraagd", "aanvullingstermijn_verlopen"),
    ("zienswijze", "zienswijzetermijn_verlopen"),
    ("overeenkomst", "overeenkomst_vervallen"),
    ("intake", None),        # a term that only reminds
    ("concept", None),
    ("bestaat_niet", None),
])
def test_lapse_transition(rtc: w.Workflow, state: str, expected: str | None) -> None:
    found = w.lapse_transition(rtc, state)
    assert (found.name if found else None) == expected


# ------------------------------------------------------------------------------- inputs

@pytest.mark.parametrize(("request_type", "transition", "inputs", "errors"), [
    ("uitdaagrecht", "afwijzen", {}, {"refusal_grounds", "reason", "decision"}),
    ("uitdaagrecht", "afwijzen", {"refusal_grounds": ["R4"], "reason": "Te duur.",
                                  "decision": "besluit-1"}, set()),
    ("uitdaagrecht", "afwijzen", {"refusal_grounds": "R4", "reason": "Te duur.",
                                  "decision": 12}, set()),
    ("uitdaagrecht", "afwijzen", {"refusal_grounds": ["R4", "R99"], "reason": "x",
                                  "decision": "b"}, {"refusal_grounds"}),
    ("uitdaagrecht", "afwijzen", {"refusal_grounds": [], "reason": "   ", "decision": ""},
     {"refusal_grounds", "reason", "decision"}),
    ("uitdaagrecht", "afwijzen", {"refusal_grounds": [1], "reason": "x", "decision": "b"},
     {"refusal_grounds"}),
    ("uitdaagrecht", "aanvulling_vragen", {"question": "Begroting?", "term_days": 14}, set()),
    ("uitdaagrecht", "aanvulling_vragen", {"question": "Begroting?", "term_days": "21"}, set()),
    ("uitdaagrecht", "aanvulling_vragen", {"question": "Begroting?", "term_days": 0},
     {"term_days"}),
    ("uitdaagrecht", "aanvulling_vragen", {"question": "Begroting?", "term_days": 366},
     {"term_days"}),
    ("uitdaagrecht", "aanvulling_vragen", {"question": "Begroting?", "term_days": True},
     {"term_days"}),
    ("uitdaagrecht", "aanvulling_vragen", {"question": "", "term_days": "drie"},
     {"question", "term_days"}),
    ("uitdaagrecht", "verdagen", {"reason": "Advies nodig."}, set()),
    ("uitdaagrecht", "verdagen", {"reason": "Advies nodig.", "extension_days": ""}, set()),
    ("uitdaagrecht", "verdagen", {"reason": "Advies nodig.", "extension_days": "x"},
     {"extension_days"}),
    ("uitdaagrecht", "aanvulling_ontvangen", {"answer": "Bijgevoegd.", "onbekend": 1}, set()),
    ("burgerinitiatief", "besluiten", {"outcome": "verworpen", "decision": "b-1"}, set()),
    ("burgerinitiatief", "besluiten", {"outcome": "aangehouden", "decision": "b-1"},
     {"outcome"}),
    ("burgerinitiatief", "besluiten", {"outcome": "toegekend", "decision": "b-1"}, {"outcome"}),
    ("burgerinitiatief", "niet_toelaten", {"exclusions": ["X3"], "reason": "Belasting."},
     set()),
    ("burgerinitiatief", "niet_toelaten", {"exclusions": ["R1"], "reason": "x"},
     {"exclusions"}),
    ("burgerinitiatief", "in_raad_behandelen", {"meeting": []}, {"meeting"}),
])
def test_check_inputs(request_type: str, transition: str, inputs: dict[str, object],
                      errors: set[str]) -> None:
    wf = w.load_preset(request_type)
    found = w.check_inputs(wf.transition(transition), inputs, wf=wf)
    assert set(found) == errors
    assert all(isinstance(m, str) and m.endswith(".") for m in found.values())


def test_unknown_codes_are_named_in_the_message(rtc: w.Workflow) -> None:
    found = w.check_inputs(rtc.transition("afwijzen"),
                           {"refusal_grounds": ["R99"], "reason": "x", "decision": "b"}, wf=rtc)
    assert "R99" in found["refusal_grounds"]


def test_missing_inputs_carry_dutch_and_english(rtc: w.Workflow) -> None:
    with pytest.raises(w.MissingInputs) as caught:
        w.plan_transition(rtc, state="besluitvorming", transition_name="afwijzen",
                          roles={"official"}, inputs={"decision": "b-1"})
    assert caught.value.errors == {"refusal_grounds": "Kies minstens één weigeringsgrond.",
                                   "reason": "Geef een toelichting."}
    assert caught.value.errors_en == {"refusal_grounds": "Choose at least one refusal ground.",
                                      "reason": "Give a reason."}
    assert "Give a reason." in str(caught.value)


# -------------------------------------------------------------------------------- plans

def test_plan_carries_what_the_service_needs(rtc: w.Workflow) -> None:
    plan = w.plan_transition(rtc, state="concept", transition_name="indienen",
                             roles={"applicant"}, inputs={})
    assert (plan.source, plan.target, plan.clock, plan.notify_applicant, plan.public) == \
        ("concept", "ingediend", ClockEffect.START, False, True)
    assert plan.transition is rtc.transition("indienen")
    assert plan.term is None and plan.clock_days is None


@pytest.mark.parametrize(("term_days", "term"), [
    (10, w.StateTerm(10, "aanvullingstermijn_verlopen", 5)),
    ("28", w.StateTerm(28, "aanvullingstermijn_verlopen", 5)),
    (2, w.StateTerm(2, "aanvullingstermijn_verlopen", 1)),   # the reminder fits in the term
    (1, w.StateTerm(1, "aanvullingstermijn_verlopen", 0)),
])
def test_term_days_input_sets_the_term(rtc: w.Workflow, term_days: object,
                                       term: w.StateTerm) -> None:
    plan = w.plan_transition(rtc, state="intake", transition_name="aanvulling_vragen",
                             roles={"coordinator"},
                             inputs={"question": "Begroting?", "term_days": term_days})
    assert plan.term == term and plan.clock is ClockEffect.SUSPEND


def test_state_term_applies_without_term_days(rtc: w.Workflow) -> None:
    plan = w.plan_transition(rtc, state="in_behandeling", transition_name="zienswijze_vragen",
                             roles={"official"}, inputs={"question": "Reactie?"})
    assert plan.term == w.StateTerm(14, "zienswijzetermijn_verlopen", 3)


@pytest.mark.parametrize(("extension_days", "clock_days"), [(None, None), ("21", 21), (30, 30)])
def test_extension_days_reach_the_plan(rtc: w.Workflow, extension_days: object,
                                       clock_days: int | None) -> None:
    plan = w.plan_transition(rtc, state="in_behandeling", transition_name="verdagen",
                             roles={"official"},
                             inputs={"reason": "Advies van de raad nodig.",
                                     "extension_days": extension_days})
    assert plan.clock is ClockEffect.EXTEND and plan.clock_days == clock_days
    assert plan.target == "in_behandeling" and plan.notify_applicant


@pytest.mark.parametrize(("state", "transition", "roles", "trigger", "code"), [
    ("intake", "vliegen", {"coordinator"}, None, "unknown_transition"),
    ("nergens", "afwijzen", {"coordinator"}, None, "wrong_state"),
    ("concept", "afwijzen", {"coordinator"}, None, "wrong_state"),
    ("intake", "afwijzen", {"applicant"}, None, "wrong_role"),
    ("intake", "afwijzen", set(), None, "wrong_role"),
    ("aanvulling_gevraagd", "aanvullingstermijn_verlopen", {"system"}, None, "wrong_role"),
    ("aanvulling_gevraagd", "aanvullingstermijn_verlopen", {"coordinator"}, "term_lapsed",
     "wrong_role"),
    ("aanvulling_gevraagd", "aanvullingstermijn_verlopen", {"system"}, "threshold_met",
     "wrong_role"),
    ("ingediend", "ontvangst_bevestigen", {"system"}, "term_lapsed", "wrong_role"),
])
def test_refusals_have_a_code(rtc: w.Workflow, state: str, transition: str, roles: set[str],
                              trigger: str | None, code: str) -> None:
    with pytest.raises(w.TransitionNotAllowed) as caught:
        w.plan_transition(rtc, state=state, transition_name=transition, roles=roles,
                          inputs={}, trigger=trigger)
    error = caught.value
    assert error.code == code
    assert (error.transition, error.state) == (transition, state)
    assert error.message_nl and isinstance(error, w.WorkflowError)


def test_refusal_messages_name_state_roles_and_transition(rtc: w.Workflow) -> None:
    with pytest.raises(w.TransitionNotAllowed, match="'afwijzen' is not possible in state "
                                                     "'concept'; it is possible from: intake"):
        w.plan_transition(rtc, state="concept", transition_name="afwijzen",
                          roles={"official"}, inputs={})
    with pytest.raises(w.TransitionNotAllowed, match="applicant may not use transition "
                                                     "'afwijzen'; allowed roles: coordinator, "
                                                     "official"):
        w.plan_transition(rtc, state="intake", transition_name="afwijzen",
                          roles={"applicant"}, inputs={})


def test_system_fires_an_automatic_transition_with_its_trigger(rtc: w.Workflow) -> None:
    plan = w.plan_transition(rtc, state="overeenkomst", transition_name="overeenkomst_vervallen",
                             roles={"system"}, inputs={}, trigger="term_lapsed")
    assert plan.target == "vervallen" and plan.clock is ClockEffect.NONE


def test_inputs_are_checked_after_permissions(rtc: w.Workflow) -> None:
    # A resident without the role learns nothing about which inputs are missing.
    with pytest.raises(w.TransitionNotAllowed):
        w.plan_transition(rtc, state="besluitvorming", transition_name="afwijzen",
                          roles={"applicant"}, inputs={})
