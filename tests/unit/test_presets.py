"""The shipped presets: valid, faithful to procedures.md, and every (state, transition, role)
cell of each one behaves as its definition says. Plus broken definitions that must be
rejected with a message naming the problem."""
from __future__ import annotations

from collections import deque
from datetime import date, timedelta

import pytest

from participation.domain import deadlines as dl
from participation.domain import workflow as w
from participation.domain.workflow import ClockEffect, StateKind

PRESETS = {name: w.load_preset(name) for name in w.PRESETS}


def valid_inputs(wf: w.Workflow) -> dict[str, object]:
    """A value for every input kind that passes check_inputs, so inputs never interfere."""
    return {
        "reason": "Zo is het besloten.", "question": "Kunt u de begroting sturen?",
        "answer": "Zie de bijlage.", "term_days": 14, "extension_days": 10,
        "refusal_grounds": list(wf.refusal_grounds[:1]), "exclusions": list(wf.exclusions[:1]),
        "outcome": wf.allowed_outcomes[0], "decision": "besluit-1", "document": "document-1",
        "meeting": "vergadering-1", "agreement": 1,
    }


INPUTS = {name: valid_inputs(wf) for name, wf in PRESETS.items()}

# Every (state, transition) pair of every preset is one test; each checks all roles. (One
# test per role as well would triple the suite's run time for no extra coverage.)
MATRIX = [
    pytest.param(name, state.name, transition.name, id=f"{name}-{state.name}-{transition.name}")
    for name, wf in PRESETS.items()
    for state in wf.states
    for transition in wf.transitions
]


@pytest.mark.parametrize(("preset", "state", "transition"), MATRIX)
def test_every_state_transition_role_cell(preset: str, state: str, transition: str) -> None:
    """plan_transition succeeds exactly when the state is a source, the role may fire the
    transition and it is not automatic; otherwise it raises TransitionNotAllowed."""
    wf = PRESETS[preset]
    t = wf.transition(transition)
    wrong: list[str] = []
    for role in w.ROLES:
        allowed = state in t.sources and role in t.roles and t.automatic is None
        try:
            plan = w.plan_transition(wf, state=state, transition_name=transition, roles={role},
                                     inputs=INPUTS[preset])
        except w.TransitionNotAllowed as refused:
            expected_code = "wrong_state" if state not in t.sources else "wrong_role"
            if allowed or refused.code != expected_code:
                wrong.append(f"{role}: refused with {refused.code}")
        else:
            if not allowed:
                wrong.append(f"{role}: allowed but should be refused")
            elif (plan.source, plan.target, plan.clock) != (state, t.target, t.clock):
                wrong.append(f"{role}: wrong plan {plan}")
    assert not wrong, wrong


@pytest.mark.parametrize("preset", w.PRESETS)
def test_preset_is_valid(preset: str) -> None:
    wf = PRESETS[preset]
    assert w.validate(wf) == []
    assert w.validate(w.preset_path(preset).read_text(encoding="utf-8")) == []
    assert wf.request_type == preset


@pytest.mark.parametrize("preset", w.PRESETS)
def test_automatic_transitions_fire_only_for_the_system_with_their_trigger(preset: str) -> None:
    wf = PRESETS[preset]
    for t in (t for t in wf.transitions if t.automatic):
        for source in t.sources:
            plan = w.plan_transition(wf, state=source, transition_name=t.name,
                                     roles={"system"}, inputs={}, trigger=t.automatic)
            assert plan.target == t.target


@pytest.mark.parametrize("preset", w.PRESETS)
def test_drafts_are_private_and_submitted_requests_public(preset: str) -> None:
    wf = PRESETS[preset]
    assert wf.initial_state().public is False
    assert all(s.public for s in wf.states if s.kind is not StateKind.INITIAL)


@pytest.mark.parametrize("preset", w.PRESETS)
def test_every_text_is_bilingual(preset: str) -> None:
    wf = PRESETS[preset]
    for s in wf.states:
        assert s.label_nl and s.label_en and bool(s.description_nl) == bool(s.description_en)
    for t in wf.transitions:
        assert t.label_nl and t.label_en
        assert bool(t.public_label_nl) == bool(t.public_label_en) == t.public


@pytest.mark.parametrize("preset", w.PRESETS)
def test_clock_effects_never_fail_on_any_path(preset: str) -> None:
    """Walk every path (one day per step) and apply each clock effect to a real clock: no
    transition may suspend a stopped clock, stop an unstarted one, extend twice, etc."""
    wf = PRESETS[preset]
    dc = wf.decision_clock
    start = dl.ClockState(None, dc.days if dc else 0, dc.extension_days if dc else 0)
    seen: set[tuple[str, bool, bool, bool, bool]] = set()
    queue = deque([(wf.initial_state().name, start, date(2025, 1, 6))])
    while queue:
        state, clock, today = queue.popleft()
        key = (state, clock.started, clock.suspended, clock.stopped, clock.extended)
        if key in seen:
            continue
        seen.add(key)
        for t in wf.transitions_from(state):
            if t.clock is ClockEffect.EXTEND and clock.extended:
                continue  # a second extension is refused by the clock, on purpose
            after = dl.apply_effect(clock, t.clock.value, today)
            queue.append((t.target, after, today + timedelta(days=1)))
    assert {k[0] for k in seen} == {s.name for s in wf.states}


# ------------------------------------------------------------------ faithful to the spec

RTC = PRESETS["uitdaagrecht"]
BI = PRESETS["burgerinitiatief"]
BEW = PRESETS["bewonersinitiatief"]


@pytest.mark.parametrize(("wf", "name", "sources", "target", "roles", "inputs", "clock"), [
    (RTC, "indienen", ("concept",), "ingediend", {"applicant"}, (), "start"),
    (RTC, "ontvangst_bevestigen", ("ingediend",), "intake",
     {"system", "coordinator", "official"}, (), "none"),
    (RTC, "in_behandeling_nemen", ("intake",), "in_behandeling", {"coordinator", "official"}, (),
     "none"),
    (RTC, "aanvulling_vragen", ("intake",), "aanvulling_gevraagd", {"coordinator", "official"},
     ("question", "term_days"), "suspend"),
    (RTC, "aanvulling_ontvangen", ("aanvulling_gevraagd",), "intake",
     {"applicant", "coordinator"}, ("answer",), "resume"),
    (RTC, "aanvullingstermijn_verlopen", ("aanvulling_gevraagd",), "intake", {"system"}, (),
     "resume"),
    (RTC, "buiten_behandeling_stellen", ("intake", "aanvulling_gevraagd"), "buiten_behandeling",
     {"coordinator", "official"}, ("reason", "decision"), "stop"),
    (RTC, "doorverwijzen", ("intake",), "doorverwezen", {"coordinator"}, ("reason",), "stop"),
    (RTC, "verdagen", ("in_behandeling",), "in_behandeling", {"official", "coordinator"},
     ("reason",), "extend"),
    (RTC, "raadsbehandeling_afronden", ("raadsbetrokkenheid",), "besluitvorming",
     {"griffie", "coordinator"}, ("meeting",), "none"),
    (RTC, "toekennen", ("besluitvorming",), "toegekend", {"official", "coordinator"},
     ("reason", "decision"), "stop"),
    (RTC, "deels_toekennen", ("besluitvorming",), "deels_toegekend",
     {"official", "coordinator"}, ("reason", "decision"), "stop"),
    (RTC, "afwijzen", ("intake", "besluitvorming"), "afgewezen", {"official", "coordinator"},
     ("refusal_grounds", "reason", "decision"), "stop"),
    (RTC, "overeenkomst_vervallen", ("overeenkomst",), "vervallen", {"system"}, (), "none"),
    (RTC, "intrekken", ("ingediend", "intake", "aanvulling_gevraagd", "in_behandeling",
                        "zienswijze", "raadsbetrokkenheid"), "ingetrokken", {"applicant"}, (),
     "stop"),
    (BI, "indienen", ("concept", "steun_verzamelen"), "ingediend", {"applicant"}, (), "none"),
    (BI, "verzamelperiode_verlopen", ("steun_verzamelen",), "verlopen", {"system"}, (), "none"),
    (BI, "niet_toelaten", ("toetsing",), "niet_toegelaten", {"griffie"},
     ("exclusions", "reason"), "none"),
    (BI, "besluiten", ("raadsbehandeling",), "besloten", {"griffie"}, ("outcome", "decision"),
     "none"),
    (BEW, "indienen", ("aanvraag",), "beoordeling", {"applicant"}, (), "start"),
    (BEW, "weigeren", ("beoordeling",), "geweigerd", {"official", "coordinator"},
     ("refusal_grounds", "reason", "decision"), "stop"),
])
def test_key_transitions(wf: w.Workflow, name: str, sources: tuple[str, ...], target: str,
                         roles: set[str], inputs: tuple[str, ...], clock: str) -> None:
    t = wf.transition(name)
    assert (t.sources, t.target, t.roles, t.inputs, t.clock.value) == \
        (sources, target, frozenset(roles), inputs, clock)


@pytest.mark.parametrize(("wf", "state", "kind", "days", "on_lapse"), [
    (RTC, "aanvulling_gevraagd", "waiting", 21, "aanvullingstermijn_verlopen"),
    (RTC, "zienswijze", "waiting", 14, "zienswijzetermijn_verlopen"),
    (RTC, "overeenkomst", "active", 56, "overeenkomst_vervallen"),
    (RTC, "intake", "active", 14, None),
    (BI, "steun_verzamelen", "active", 182, "verzamelperiode_verlopen"),
    (BI, "toetsing", "active", 14, None),
    (BI, "herstel", "waiting", 28, "hersteltermijn_verlopen"),
])
def test_state_terms(wf: w.Workflow, state: str, kind: str, days: int,
                     on_lapse: str | None) -> None:
    s = wf.state(state)
    assert s.kind.value == kind and s.term is not None
    assert (s.term.days, s.term.on_lapse) == (days, on_lapse)


def test_uitdaagrecht_specifics() -> None:
    assert RTC.decision_clock == w.DecisionClock(days=56, extension_days=56)
    assert RTC.refusal_grounds == tuple(f"R{n}" for n in range(1, 17))
    assert {s.name for s in RTC.terminal_states()} == {
        "buiten_behandeling", "doorverwezen", "afgewezen", "vervallen", "afgerond", "beeindigd",
        "ingetrokken"}
    assert RTC.transition("verdagen").optional_inputs == ("extension_days",)
    assert RTC.transition("verdagen").notify_applicant is True
    assert "griffie" in RTC.transition("raad_terugmelden").roles


def test_burgerinitiatief_specifics() -> None:
    assert BI.decision_clock is None
    assert BI.threshold == w.Threshold(min_absolute=100, min_percentage=0.0, of="inhabitants",
                                       combine="max", collection_days=182, min_age=16)
    assert BI.exclusions == tuple(f"X{n}" for n in range(1, 10))
    # Reaching the threshold only enables submitting; nothing submits automatically.
    assert not [t for t in BI.transitions if t.automatic == "threshold_met"]


def test_bewonersinitiatief_specifics() -> None:
    assert BEW.decision_clock is not None and BEW.decision_clock.days == 56
    assert [s.name for s in BEW.states[:2]] == ["aanvraag", "beoordeling"]
    assert {"verleend", "geweigerd", "uitvoering", "verantwoording", "vastgesteld"} <= \
        {s.name for s in BEW.states}


# ------------------------------------------------------------------- broken definitions

HEAD = """
[workflow]
key = "kapot"
request_type = "uitdaagrecht"
title_nl = "Kapot"
title_en = "Broken"
refusal_grounds = ["R1"]
"""

CLOCK = """
[decision_clock]
days = 56
"""

STATE = """
[[states]]
name = "{name}"
kind = "{kind}"
public = {public}
label_nl = "{name}"
label_en = "{name}"
"""

TRANSITION = """
[[transitions]]
name = "{name}"
from = {sources}
to = "{target}"
roles = {roles}
label_nl = "{name}"
label_en = "{name}"
"""


def state(name: str, kind: str = "active", public: str = "true", term: str = "") -> str:
    if kind == "initial" and public == "true":
        public = "false"
    return STATE.format(name=name, kind=kind, public=public) + term


def move(name: str, sources: str, target: str, roles: str = '["official"]',
         extra: str = "") -> str:
    return TRANSITION.format(name=name, sources=sources, target=target, roles=roles) + extra


def definition(*parts: str, head: str = HEAD, clock: str = CLOCK) -> str:
    return head + clock + "".join(parts)


BASE_STATES = (state("concept", "initial") + state("open") + state("klaar", "terminal"))
BASE_MOVES = (move("indienen", '["concept"]', "open", '["applicant"]')
              + move("afronden", '["open"]', "klaar"))

BROKEN = [
    ("unknown target state", definition(
        BASE_STATES, BASE_MOVES, move("weg", '["open"]', "nergens")), ["weg", "nergens"]),
    ("unknown source state", definition(
        BASE_STATES, BASE_MOVES, move("terug", '["ergens"]', "open")), ["terug", "ergens"]),
    ("unknown role", definition(
        BASE_STATES, move("indienen", '["concept"]', "open", '["burgemeester"]'),
        move("afronden", '["open"]', "klaar")), ["burgemeester", "unknown role"]),
    ("no roles", definition(
        BASE_STATES, move("indienen", '["concept"]', "open", "[]"),
        move("afronden", '["open"]', "klaar")), ["indienen", "no roles"]),
    ("unknown input kind", definition(
        BASE_STATES, move("indienen", '["concept"]', "open", '["applicant"]',
                          'inputs = ["handtekening"]\n'),
        move("afronden", '["open"]', "klaar")), ["indienen", "handtekening"]),
    ("input both required and optional", definition(
        BASE_STATES, BASE_MOVES.replace('label_nl = "afronden"',
                                        'inputs = ["reason"]\noptional_inputs = ["reason"]\n'
                                        'label_nl = "afronden"')),
     ["afronden", "reason", "both required and optional"]),
    ("unreachable state", definition(
        BASE_STATES, state("wees"), BASE_MOVES, move("van_wees", '["wees"]', "klaar")),
     ["wees", "cannot be reached"]),
    ("dead end", definition(
        BASE_STATES, state("vast"), BASE_MOVES, move("vastlopen", '["open"]', "vast")),
     ["vast", "no transition out"]),
    ("only a self-loop out", definition(
        BASE_STATES, state("rondje"), BASE_MOVES, move("erin", '["open"]', "rondje"),
        move("draaien", '["rondje"]', "rondje")), ["rondje", "no transition out"]),
    ("no path to a terminal state", definition(
        BASE_STATES, state("heen"), state("weer"), BASE_MOVES,
        move("naar_heen", '["open"]', "heen"), move("naar_weer", '["heen"]', "weer"),
        move("terug_heen", '["weer"]', "heen")), ["heen", "no path to a terminal"]),
    ("terminal with outgoing transitions", definition(
        BASE_STATES, BASE_MOVES, move("heropenen", '["klaar"]', "open")),
     ["klaar", "heropenen", "outgoing"]),
    ("two initial states", definition(
        BASE_STATES, state("concept2", "initial"), BASE_MOVES,
        move("indienen2", '["concept2"]', "open", '["applicant"]')),
     ["exactly one initial", "concept", "concept2"]),
    ("no initial state", definition(
        state("open") + state("klaar", "terminal"), move("afronden", '["open"]', "klaar")),
     ["exactly one initial", "none"]),
    ("duplicate state", definition(BASE_STATES, state("open"), BASE_MOVES),
     ["duplicate state", "open"]),
    ("duplicate transition", definition(
        BASE_STATES, BASE_MOVES, move("afronden", '["open"]', "klaar")),
     ["duplicate transition", "afronden"]),
    ("unknown state kind", definition(
        BASE_STATES, state("half", "halfklaar"), BASE_MOVES), ["half", "halfklaar"]),
    ("term of zero days", definition(
        state("concept", "initial"), state("open", term="[states.term]\ndays = 0\n"),
        state("klaar", "terminal"), BASE_MOVES), ["open", "0 days"]),
    ("absurd term", definition(
        state("concept", "initial"), state("open", term="[states.term]\ndays = 4000\n"),
        state("klaar", "terminal"), BASE_MOVES), ["open", "4000 days"]),
    ("negative term in weeks", definition(
        state("concept", "initial"), state("open", term="[states.term]\nweeks = -2\n"),
        state("klaar", "terminal"), BASE_MOVES), ["open", "-14 days"]),
    ("days and weeks", definition(
        state("concept", "initial"), state("open", term="[states.term]\ndays = 3\nweeks = 1\n"),
        state("klaar", "terminal"), BASE_MOVES), ["open", "either 'days' or 'weeks'"]),
    ("reminder longer than the term", definition(
        state("concept", "initial"),
        state("open", term="[states.term]\ndays = 2\nremind_days_before = 3\n"),
        state("klaar", "terminal"), BASE_MOVES), ["open", "remind_days_before"]),
    ("terminal state with a term", definition(
        state("concept", "initial"), state("open"),
        state("klaar", "terminal", term="[states.term]\ndays = 5\n"), BASE_MOVES),
     ["klaar", "terminal but has a term"]),
    ("on_lapse names an unknown transition", definition(
        state("concept", "initial"),
        state("open", term='[states.term]\ndays = 5\non_lapse = "verlopen_x"\n'),
        state("klaar", "terminal"), BASE_MOVES), ["open", "verlopen_x"]),
    ("on_lapse transition does not leave the state", definition(
        state("concept", "initial"),
        state("open", term='[states.term]\ndays = 5\non_lapse = "indienen"\n'),
        state("klaar", "terminal"), BASE_MOVES), ["open", "indienen", "does not leave"]),
    ("on_lapse transition is not automatic", definition(
        state("concept", "initial"),
        state("open", term='[states.term]\ndays = 5\non_lapse = "afronden"\n'),
        state("klaar", "terminal"), BASE_MOVES), ["open", "afronden", "term_lapsed"]),
    ("automatic without the system role", definition(
        state("concept", "initial"),
        state("open", term='[states.term]\ndays = 5\non_lapse = "verlopen"\n'),
        state("klaar", "terminal"), BASE_MOVES,
        move("verlopen", '["open"]', "klaar", '["official"]', 'automatic = "term_lapsed"\n')),
     ["verlopen", "'system'"]),
    ("term_lapsed without a term", definition(
        BASE_STATES, BASE_MOVES,
        move("verlopen", '["open"]', "klaar", '["system"]', 'automatic = "term_lapsed"\n')),
     ["verlopen", "open", "never fire"]),
    ("automatic with required inputs", definition(
        state("concept", "initial"),
        state("open", term='[states.term]\ndays = 5\non_lapse = "verlopen"\n'),
        state("klaar", "terminal"), BASE_MOVES,
        move("verlopen", '["open"]', "klaar", '["system"]',
             'automatic = "term_lapsed"\ninputs = ["reason"]\n')),
     ["verlopen", "cannot require inputs"]),
    ("unknown automatic trigger", definition(
        BASE_STATES, BASE_MOVES,
        move("vanzelf", '["open"]', "klaar", '["system"]', 'automatic = "elke_dag"\n')),
     ["vanzelf", "elke_dag"]),
    ("threshold_met without a threshold", definition(
        BASE_STATES, BASE_MOVES,
        move("genoeg", '["open"]', "klaar", '["system"]', 'automatic = "threshold_met"\n')),
     ["genoeg", "no [threshold]"]),
    ("unknown clock effect", definition(
        BASE_STATES, BASE_MOVES, move("pauzeren", '["open"]', "klaar", extra='clock = "pauze"\n')),
     ["pauzeren", "pauze"]),
    ("clock effect without decision clock", definition(
        BASE_STATES, move("indienen", '["concept"]', "open", '["applicant"]', 'clock = "start"\n'),
        move("afronden", '["open"]', "klaar"), clock=""), ["indienen", "[decision_clock]"]),
    ("extension_days without extend", definition(
        BASE_STATES, BASE_MOVES,
        move("langer", '["open"]', "klaar", extra='optional_inputs = ["extension_days"]\n')),
     ["langer", "extension_days"]),
    ("unknown refusal ground", definition(
        BASE_STATES, BASE_MOVES, head=HEAD.replace('["R1"]', '["R1", "R99"]')), ["R99"]),
    ("duplicate refusal ground", definition(
        BASE_STATES, BASE_MOVES, head=HEAD.replace('["R1"]', '["R1", "R1"]')),
     ["R1", "more than once"]),
    ("unknown exclusion", definition(
        BASE_STATES, BASE_MOVES, head=HEAD + 'exclusions = ["X10"]\n'), ["X10"]),
    ("unknown outcome", definition(
        BASE_STATES, BASE_MOVES, head=HEAD + 'outcomes = ["gewonnen"]\n'), ["gewonnen"]),
    ("refusal input with no grounds offered", definition(
        BASE_STATES, BASE_MOVES,
        move("weigeren", '["open"]', "klaar", extra='inputs = ["refusal_grounds"]\n'),
        head=HEAD.replace('refusal_grounds = ["R1"]', "refusal_grounds = []")),
     ["weigeren", "refusal_grounds", "empty"]),
    ("public draft", definition(
        STATE.format(name="concept", kind="initial", public="true"), state("open"),
        state("klaar", "terminal"), BASE_MOVES), ["concept", "must not be public"]),
    ("missing label", definition(
        BASE_STATES.replace('label_en = "open"\n', ""), BASE_MOVES),
     ["open", "missing required key 'label_en'"]),
    ("public transition without public labels", definition(
        BASE_STATES, BASE_MOVES.replace('label_nl = "afronden"', 'public = true\n'
                                        'label_nl = "afronden"')),
     ["afronden", "public_label_nl"]),
    ("name not snake_case", definition(
        BASE_STATES.replace('"open"', '"InBehandeling"'),
        BASE_MOVES.replace('"open"', '"InBehandeling"')), ["InBehandeling", "snake_case"]),
    ("unknown request type", definition(
        BASE_STATES, BASE_MOVES, head=HEAD.replace('"uitdaagrecht"', '"petitie"')),
     ["request_type", "petitie"]),
    ("typo in a key", definition(
        BASE_STATES, BASE_MOVES.replace("roles =", "roels =", 1)), ["indienen", "roels"]),
    ("empty from", definition(
        BASE_STATES, BASE_MOVES, move("nergens_vandaan", "[]", "klaar")),
     ["nergens_vandaan", "'from' lists no states"]),
    ("decision clock of zero days", definition(
        BASE_STATES, BASE_MOVES, clock="[decision_clock]\ndays = 0\n"),
     ["[decision_clock]", "0 days"]),
    ("invalid threshold", definition(
        BASE_STATES, BASE_MOVES, clock='[threshold]\nmin_absolute = 10\ncombine = "gemiddeld"\n'),
     ["[threshold]", "gemiddeld"]),
    ("no states", HEAD + CLOCK, ["no states defined"]),
    ("missing [workflow]", CLOCK + BASE_STATES + BASE_MOVES, ["missing required table [workflow]"]),
    ("TOML syntax error", definition(BASE_STATES, "[[transitions]\nname = 1\n"),
     ["TOML syntax error", "line"]),
]


def test_the_base_of_the_broken_definitions_is_valid() -> None:
    assert w.validate(definition(BASE_STATES, BASE_MOVES)) == []


@pytest.mark.parametrize(("text", "fragments"), [
    pytest.param(text, fragments, id=name) for name, text, fragments in BROKEN])
def test_broken_definition_is_rejected(text: str, fragments: list[str]) -> None:
    problems = w.validate(text)
    assert any(all(f in message for f in fragments) for message in problems), problems
    with pytest.raises(w.DefinitionError) as caught:
        w.load_workflow(text)
    assert caught.value.messages == problems
