"""What a definition means: terms, codes, roles, inputs and the state graph checked, every
problem listed; and the shipped presets, loaded validated."""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from participation.domain import grounds
from participation.domain.workflow.definition import (
    _NAME,
    _PRESET_DIR,
    AUTOMATIC_TRIGGERS,
    INPUT_KINDS,
    MAX_TERM_DAYS,
    PRESETS,
    REQUEST_TYPES,
    ROLES,
    ClockEffect,
    DefinitionError,
    State,
    StateKind,
    Transition,
    Workflow,
)
from participation.domain.workflow.toml_format import _build, _loads, parse_workflow


def _check_term(state: State, wf: Workflow, errors: list[str]) -> None:
    term = state.term
    if term is None:
        return
    where = f"state '{state.name}'"
    if state.is_terminal:
        errors.append(f"{where} is terminal but has a term (nothing can happen after it)")
    if not 1 <= term.days <= MAX_TERM_DAYS:
        errors.append(f"{where}: term of {term.days} days is invalid "
                      f"(must be between 1 and {MAX_TERM_DAYS} days)")
    elif not 0 <= term.remind_days_before < term.days:
        errors.append(f"{where}: remind_days_before ({term.remind_days_before}) must be at least "
                      f"0 and less than the term ({term.days} days)")
    if term.on_lapse is None:
        return
    if not wf.has_transition(term.on_lapse):
        errors.append(f"{where}: on_lapse names unknown transition '{term.on_lapse}'")
        return
    lapse = wf.transition(term.on_lapse)
    if state.name not in lapse.sources:
        errors.append(f"{where}: on_lapse transition '{lapse.name}' does not leave state "
                      f"'{state.name}' (its 'from' is {', '.join(lapse.sources) or 'empty'})")
    if lapse.automatic != "term_lapsed":
        errors.append(f"{where}: on_lapse transition '{lapse.name}' must have "
                      f"automatic = \"term_lapsed\"")


def _check_codes(wf: Workflow, errors: list[str]) -> None:
    for attr, known, what in (("refusal_grounds", grounds.REFUSAL_GROUNDS, "refusal ground"),
                              ("exclusions", grounds.EXCLUSIONS, "exclusion")):
        codes: tuple[str, ...] = getattr(wf, attr)
        for code in codes:
            if code not in known:
                errors.append(f"[workflow] {attr}: unknown {what} code '{code}' "
                              f"(known: {', '.join(known)})")
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            errors.append(f"[workflow] {attr}: code '{code}' is listed more than once")
    known_outcomes = {**grounds.OUTCOMES, **grounds.COUNCIL_OUTCOMES}
    for code in wf.outcomes:
        if code not in known_outcomes:
            errors.append(f"[workflow] outcomes: unknown outcome '{code}' "
                          f"(known: {', '.join(known_outcomes)})")


def _check_transition(t: Transition, wf: Workflow, errors: list[str]) -> None:
    where = f"transition '{t.name}'"
    if not _NAME.fullmatch(t.name):
        errors.append(f"{where}: name must be lowercase snake_case (a-z, 0-9, _)")
    if not t.sources:
        errors.append(f"{where}: 'from' lists no states")
    for source in t.sources:
        if not wf.has_state(source):
            errors.append(f"{where}: unknown source state '{source}'")
    for source in sorted({s for s in t.sources if t.sources.count(s) > 1}):
        errors.append(f"{where}: source state '{source}' is listed more than once")
    if not wf.has_state(t.target):
        errors.append(f"{where}: unknown target state '{t.target}'")
    if not t.roles:
        errors.append(f"{where}: no roles may fire it (add roles)")
    for role in sorted(t.roles - set(ROLES)):
        errors.append(f"{where}: unknown role '{role}' (known roles: {', '.join(ROLES)})")
    for kind in t.inputs + t.optional_inputs:
        if kind not in INPUT_KINDS:
            errors.append(f"{where}: unknown input kind '{kind}' "
                          f"(known: {', '.join(INPUT_KINDS)})")
    for kind in sorted(set(t.inputs) & set(t.optional_inputs)):
        errors.append(f"{where}: input '{kind}' is both required and optional")
    if not t.label_nl.strip() or not t.label_en.strip():
        errors.append(f"{where}: needs both label_nl and label_en")
    if t.public and (not t.public_label_nl.strip() or not t.public_label_en.strip()):
        errors.append(f"{where}: is public, so it needs public_label_nl and public_label_en")
    if t.clock is not ClockEffect.NONE and wf.decision_clock is None:
        errors.append(f"{where}: has clock effect '{t.clock.value}' but the workflow has no "
                      f"[decision_clock]")
    if "extension_days" in t.inputs + t.optional_inputs and t.clock is not ClockEffect.EXTEND:
        errors.append(f"{where}: takes 'extension_days' but its clock effect is not 'extend'")
    for kind, offered, what in (("refusal_grounds", wf.refusal_grounds, "refusal_grounds"),
                                ("exclusions", wf.exclusions, "exclusions")):
        if kind in t.inputs + t.optional_inputs and not offered:
            errors.append(f"{where}: takes input '{kind}' but [workflow] {what} is empty")
    if t.automatic is None:
        return
    if t.automatic not in AUTOMATIC_TRIGGERS:
        errors.append(f"{where}: unknown automatic trigger '{t.automatic}' "
                      f"(use \"\", {', '.join(AUTOMATIC_TRIGGERS)})")
    if "system" not in t.roles:
        errors.append(f"{where}: is automatic ('{t.automatic}') so its roles must include "
                      f"'system'")
    if t.inputs:
        errors.append(f"{where}: is automatic, so it cannot require inputs "
                      f"({', '.join(t.inputs)}); nobody is there to give them")
    if t.automatic == "threshold_met" and wf.threshold is None:
        errors.append(f"{where}: fires on 'threshold_met' but the workflow has no [threshold]")
    if t.automatic == "term_lapsed":
        for source in t.sources:
            if not wf.has_state(source):
                continue
            term = wf.state(source).term
            if term is None or term.on_lapse != t.name:
                errors.append(f"{where}: fires on 'term_lapsed' but state '{source}' has no term "
                              f"with on_lapse = \"{t.name}\", so it would never fire")


def _check_graph(wf: Workflow, errors: list[str]) -> None:
    known = {s.name for s in wf.states}
    initials = [s for s in wf.states if s.kind is StateKind.INITIAL]
    outgoing: dict[str, list[Transition]] = {name: [] for name in known}
    incoming: dict[str, set[str]] = {name: set() for name in known}
    for t in wf.transitions:
        for source in t.sources:
            if source in known and t.target in known:
                outgoing[source].append(t)
                incoming[t.target].add(source)

    for s in wf.states:
        leaving = [t for t in outgoing[s.name] if t.target != s.name]
        if s.is_terminal and outgoing[s.name]:
            names = ", ".join(t.name for t in outgoing[s.name])
            errors.append(f"terminal state '{s.name}' has outgoing transitions ({names})")
        elif not s.is_terminal and not leaving:
            errors.append(f"state '{s.name}' is not terminal but has no transition out of it "
                          f"(cases would get stuck there)")

    if len(initials) != 1:
        return
    start = initials[0].name
    reached = {start}
    queue = deque([start])
    while queue:
        for t in outgoing[queue.popleft()]:
            if t.target not in reached:
                reached.add(t.target)
                queue.append(t.target)
    for s in wf.states:
        if s.name not in reached:
            errors.append(f"state '{s.name}' cannot be reached from the initial state '{start}'")

    # Every reachable state must be able to end: walk back from the terminal states.
    can_end = {s.name for s in wf.states if s.is_terminal}
    queue = deque(can_end)
    while queue:
        for source in incoming[queue.popleft()]:
            if source not in can_end:
                can_end.add(source)
                queue.append(source)
    for s in wf.states:
        if s.name in reached and s.name not in can_end and any(
                t.target != s.name for t in outgoing[s.name]):
            errors.append(f"state '{s.name}' has no path to a terminal state "
                          f"(cases would go round in circles)")


def _semantic_problems(wf: Workflow) -> list[str]:
    errors: list[str] = []
    if not wf.key.strip():
        errors.append("[workflow] key must not be empty")
    if wf.request_type not in REQUEST_TYPES:
        errors.append(f"[workflow] unknown request_type '{wf.request_type}' "
                      f"(use {', '.join(REQUEST_TYPES)})")
    if not wf.title_nl.strip() or not wf.title_en.strip():
        errors.append("[workflow] needs both title_nl and title_en")
    if wf.decision_clock is not None:
        dc = wf.decision_clock
        if not 1 <= dc.days <= MAX_TERM_DAYS:
            errors.append(f"[decision_clock] term of {dc.days} days is invalid "
                          f"(must be between 1 and {MAX_TERM_DAYS} days)")
        if not 0 <= dc.extension_days <= MAX_TERM_DAYS:
            errors.append(f"[decision_clock] extension of {dc.extension_days} days is invalid "
                          f"(must be between 0 and {MAX_TERM_DAYS} days)")
    if wf.threshold is not None:
        errors.extend(f"[threshold] {p}" for p in wf.threshold.problems())
    _check_codes(wf, errors)

    names = [s.name for s in wf.states]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(f"duplicate state name '{name}'")
    transition_names = [t.name for t in wf.transitions]
    for name in sorted({n for n in transition_names if transition_names.count(n) > 1}):
        errors.append(f"duplicate transition name '{name}'")

    initials = [s.name for s in wf.states if s.kind is StateKind.INITIAL]
    if len(initials) != 1:
        found = ", ".join(f"'{n}'" for n in initials) or "none"
        errors.append(f"there must be exactly one initial state; found {len(initials)} ({found})")
    for s in wf.states:
        where = f"state '{s.name}'"
        if not _NAME.fullmatch(s.name):
            errors.append(f"{where}: name must be lowercase snake_case (a-z, 0-9, _)")
        if not s.label_nl.strip() or not s.label_en.strip():
            errors.append(f"{where}: needs both label_nl and label_en")
        if s.kind is StateKind.INITIAL and s.public:
            errors.append(f"{where} is the initial state (a draft) and must not be public")
        _check_term(s, wf, errors)

    for t in wf.transitions:
        _check_transition(t, wf, errors)
    _check_graph(wf, errors)
    return errors


def validate(wf_or_raw: Workflow | Mapping[str, Any] | str) -> list[str]:
    """Every problem with a definition, as clear English messages; empty when valid.

    Accepts a Workflow, parsed TOML (a dict) or TOML text.
    """
    if isinstance(wf_or_raw, Workflow):
        return _semantic_problems(wf_or_raw)
    if isinstance(wf_or_raw, str):
        try:
            raw: Mapping[str, Any] = _loads(wf_or_raw)
        except DefinitionError as exc:
            return exc.messages
    else:
        raw = wf_or_raw
    workflow, errors = _build(raw)
    if errors or workflow is None:
        return errors
    return _semantic_problems(workflow)


def load_workflow(text: str) -> Workflow:
    """Parse and validate; raises DefinitionError listing every problem."""
    workflow = parse_workflow(text)
    problems = _semantic_problems(workflow)
    if problems:
        raise DefinitionError(problems)
    return workflow


def preset_path(request_type: str) -> Path:
    if request_type not in PRESETS:
        raise ValueError(f"no preset for request type {request_type!r} "
                         f"(known: {', '.join(PRESETS)})")
    return _PRESET_DIR / f"{request_type}.toml"


@lru_cache(maxsize=len(PRESETS))
def load_preset(request_type: str) -> Workflow:
    """The shipped definition for a request type (validated; cached, it is immutable)."""
    return load_workflow(preset_path(request_type).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- deciding
