"""What a definition means: terms, codes, roles, inputs and the state graph checked, every
problem listed; and the shipped presets, loaded validated."""
from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from participation.domain import assurance, grounds, problems
from participation.domain.problems import Problem, at_state_term, at_table, english
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


def _check_term(state: State, wf: Workflow, errors: list[Problem]) -> None:
    term = state.term
    if term is None:
        return
    where = at_state_term(at(state))
    if state.is_terminal:
        errors.append(Problem(english("%(where)s: the state is terminal but has a term (nothing can "
                                 "happen after it)"), where=where))
    if not 1 <= term.days <= MAX_TERM_DAYS:
        errors.append(Problem(english("%(where)s: term of %(days)s days is invalid (must be between 1 "
                                 "and %(most)s days)"), where=where, days=term.days,
                              most=MAX_TERM_DAYS))
    elif not 0 <= term.remind_days_before < term.days:
        errors.append(Problem(english("%(where)s: remind_days_before (%(remind)s) must be at least 0 "
                                 "and less than the term (%(days)s days)"), where=where,
                              remind=term.remind_days_before, days=term.days))
    if term.on_lapse is None:
        return
    if not wf.has_transition(term.on_lapse):
        errors.append(Problem(english("%(where)s: on_lapse names unknown transition '%(name)s'"),
                              where=where, name=term.on_lapse))
        return
    lapse = wf.transition(term.on_lapse)
    if state.name not in lapse.sources:
        errors.append(Problem(english("%(where)s: on_lapse transition '%(name)s' does not leave state "
                                 "'%(state)s' (its 'from' is %(sources)s)"), where=where,
                              name=lapse.name, state=state.name,
                              sources=", ".join(lapse.sources) or "-"))
    if lapse.automatic != "term_lapsed":
        errors.append(Problem(english("%(where)s: on_lapse transition '%(name)s' must have automatic "
                                 "= \"term_lapsed\""), where=where, name=lapse.name))


def at(item: State | Transition) -> Problem:
    return (problems.state(item.name) if isinstance(item, State)
            else problems.transition(item.name))


def _check_codes(wf: Workflow, errors: list[Problem]) -> None:
    head = at_table("workflow")
    for attr, known in (("refusal_grounds", grounds.REFUSAL_GROUNDS),
                        ("exclusions", grounds.EXCLUSIONS)):
        codes: tuple[str, ...] = getattr(wf, attr)
        for code in codes:
            if code not in known:
                errors.append(Problem(english("%(where)s %(list)s: unknown code '%(code)s' (known: "
                                         "%(known)s)"), where=head, key=attr, list=attr, code=code,
                                      known=", ".join(known)))
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            errors.append(Problem(english("%(where)s %(list)s: code '%(code)s' is listed more than "
                                     "once"), where=head, key=attr, list=attr, code=code))
    known_outcomes = {**grounds.OUTCOMES, **grounds.COUNCIL_OUTCOMES}
    for code in wf.outcomes:
        if code not in known_outcomes:
            errors.append(Problem(english("%(where)s outcomes: unknown outcome '%(code)s' (known: "
                                     "%(known)s)"), where=head, key="outcomes", code=code,
                                  known=", ".join(known_outcomes)))


def _check_transition_shape(t: Transition, wf: Workflow, errors: list[Problem]) -> None:
    where = at(t)

    def add(template: str, key: str | None = None, **params: object) -> None:
        errors.append(Problem(template, where=where, key=key, **params))

    if not _NAME.fullmatch(t.name):
        add(english("%(where)s: name must be lowercase snake_case (a-z, 0-9, _)"), "name")
    if not t.sources:
        add(english("%(where)s: 'from' lists no states"), "from")
    for source in t.sources:
        if not wf.has_state(source):
            add(english("%(where)s: unknown source state '%(state)s'"), "from", state=source)
    for source in sorted({s for s in t.sources if t.sources.count(s) > 1}):
        add(english("%(where)s: source state '%(state)s' is listed more than once"), "from",
            state=source)
    if not wf.has_state(t.target):
        add(english("%(where)s: unknown target state '%(state)s'"), "to", state=t.target)
    if not t.roles:
        add(english("%(where)s: no roles may fire it (add roles)"), "roles")
    for role in sorted(t.roles - set(ROLES)):
        add(english("%(where)s: unknown role '%(role)s' (known roles: %(known)s)"), "roles",
            role=role, known=", ".join(ROLES))
    for kind in t.inputs + t.optional_inputs:
        if kind not in INPUT_KINDS:
            add(english("%(where)s: unknown input kind '%(kind)s' (known: %(known)s)"),
                "inputs" if kind in t.inputs else "optional_inputs", kind=kind,
                known=", ".join(INPUT_KINDS))
    for kind in sorted(set(t.inputs) & set(t.optional_inputs)):
        add(english("%(where)s: input '%(kind)s' is both required and optional"), "optional_inputs",
            kind=kind)
    if not t.label_nl.strip() or not t.label_en.strip():
        add(english("%(where)s: needs both label_nl and label_en"))
    if t.public and (not t.public_label_nl.strip() or not t.public_label_en.strip()):
        add(english("%(where)s: is public, so it needs public_label_nl and public_label_en"), "public")
    for label in t.input_labels:
        if label.kind not in t.inputs + t.optional_inputs:
            add(english("%(where)s: input_labels names '%(kind)s', which is not one of its inputs"),
                "input_labels", kind=label.kind)
        if not label.label_nl.strip() or not label.label_en.strip():
            add(english("%(where)s: input_labels.%(kind)s needs both label_nl and label_en"),
                "input_labels", kind=label.kind)
        if bool(label.help_nl.strip()) != bool(label.help_en.strip()):
            add(english("%(where)s: input_labels.%(kind)s needs help_nl and help_en together"),
                "input_labels", kind=label.kind)


def _check_transition(t: Transition, wf: Workflow, errors: list[Problem]) -> None:
    _check_transition_shape(t, wf, errors)
    where = at(t)

    def add(template: str, key: str | None = None, **params: object) -> None:
        errors.append(Problem(template, where=where, key=key, **params))

    if t.clock is not ClockEffect.NONE and wf.decision_clock is None:
        add(english("%(where)s: has clock effect '%(clock)s' but the workflow has no "
               "[decision_clock]"), "clock", clock=t.clock.value)
    if "extension_days" in t.inputs + t.optional_inputs and t.clock is not ClockEffect.EXTEND:
        add(english("%(where)s: takes 'extension_days' but its clock effect is not 'extend'"), "clock")
    for kind, offered in (("refusal_grounds", wf.refusal_grounds),
                          ("exclusions", wf.exclusions)):
        if kind in t.inputs + t.optional_inputs and not offered:
            add(english("%(where)s: takes input '%(kind)s' but [workflow] %(kind)s is empty"),
                "inputs", kind=kind)
    if t.automatic is None:
        return
    if t.automatic not in AUTOMATIC_TRIGGERS:
        add(english("%(where)s: unknown automatic trigger '%(trigger)s' (use \"\", %(known)s)"),
            "automatic", trigger=t.automatic, known=", ".join(AUTOMATIC_TRIGGERS))
    if "system" not in t.roles:
        add(english("%(where)s: is automatic ('%(trigger)s') so its roles must include 'system'"),
            "roles", trigger=t.automatic)
    if t.inputs:
        add(english("%(where)s: is automatic, so it cannot require inputs (%(inputs)s); nobody is "
               "there to give them"), "inputs", inputs=", ".join(t.inputs))
    if t.automatic == "threshold_met" and wf.threshold is None:
        add(english("%(where)s: fires on 'threshold_met' but the workflow has no [threshold]"),
            "automatic")
    if t.automatic == "term_lapsed":
        for source in t.sources:
            if not wf.has_state(source):
                continue
            term = wf.state(source).term
            if term is None or term.on_lapse != t.name:
                add(english("%(where)s: fires on 'term_lapsed' but state '%(state)s' has no term with "
                       "on_lapse = \"%(name)s\", so it would never fire"), "automatic",
                    state=source, name=t.name)


def _check_graph(wf: Workflow, errors: list[Problem]) -> None:
    known = {s.name for s in wf.states}
    initials = [s for s in wf.states if s.kind is StateKind.INITIAL]
    outgoing: dict[str, list[Transition]] = {name: [] for name in known}
    incoming: dict[str, set[str]] = {name: set() for name in known}
    for t in wf.transitions:
        for source in t.sources:
            if source in known and t.target in known:
                outgoing[source].append(t)
                incoming[t.target].add(source)

    # A misspelt state is reported at its transition, not again as every state it cuts off.
    complete = all(source in known for t in wf.transitions for source in t.sources) and all(
        t.target in known for t in wf.transitions)
    terminals = [s for s in wf.states if s.is_terminal]
    if not terminals:
        # The root cause, once: without an end every state would also be reported as stuck.
        errors.append(Problem(english("there is no terminal state: give at least one state kind = "
                                 "\"terminal\" (for example the decision), or cases never end"),
                              subject=("states", 0)))
    for s in wf.states:
        leaving = [t for t in outgoing[s.name] if t.target != s.name]
        if s.is_terminal and outgoing[s.name]:
            errors.append(Problem(english("%(where)s: the state is terminal but has outgoing "
                                     "transitions (%(names)s)"), where=at(s), key="kind",
                                  names=", ".join(t.name for t in outgoing[s.name])))
        elif complete and terminals and not s.is_terminal and not leaving:
            errors.append(Problem(english("%(where)s: the state is not terminal but has no transition "
                                     "out of it (cases would get stuck there)"), where=at(s)))

    if len(initials) != 1 or not complete:
        return
    start = initials[0].name
    reached = {start}
    queue = deque([start])
    while queue:
        for t in outgoing[queue.popleft()]:
            if t.target not in reached:
                reached.add(t.target)
                queue.append(t.target)
    _report_unreached(wf, start, reached, outgoing, incoming, errors)
    if not terminals:
        return
    # Every reachable state must be able to end: walk back from the terminal states.
    can_end = {s.name for s in terminals}
    queue = deque(can_end)
    while queue:
        for source in incoming[queue.popleft()]:
            if source not in can_end:
                can_end.add(source)
                queue.append(source)
    for s in wf.states:
        if s.name in reached and s.name not in can_end and any(
                t.target != s.name for t in outgoing[s.name]):
            errors.append(Problem(english("%(where)s: has no path to a terminal state (cases would go "
                                     "round in circles)"), where=at(s)))


def _report_unreached(wf: Workflow, start: str, reached: set[str],
                      outgoing: dict[str, list[Transition]], incoming: dict[str, set[str]],
                      errors: list[Problem]) -> None:
    """Name the states nothing leads to, with what is cut off after them, once."""
    unreached = [s for s in wf.states if s.name not in reached]
    roots = [s for s in unreached if not incoming[s.name] - {s.name} - reached
             ] or unreached  # a closed loop has no root: name each of its states
    for root in roots:
        after: list[str] = []
        queue = deque([root.name])
        while queue:
            for t in outgoing[queue.popleft()]:
                if t.target not in reached and t.target != root.name and t.target not in after:
                    after.append(t.target)
                    queue.append(t.target)
        if after and roots is not unreached:
            errors.append(Problem(english("%(where)s: cannot be reached from the initial state "
                                     "'%(start)s' (and so neither can %(after)s)"),
                                  where=at(root), start=start,
                                  after=", ".join(f"'{name}'" for name in after)))
        else:
            errors.append(Problem(english("%(where)s: cannot be reached from the initial state "
                                     "'%(start)s'"), where=at(root), start=start))


def _check_head(wf: Workflow, errors: list[Problem]) -> None:
    head, clock = at_table("workflow"), at_table("decision_clock")
    if not wf.key.strip():
        errors.append(Problem(english("%(where)s key must not be empty"), where=head, key="key"))
    if wf.request_type not in REQUEST_TYPES:
        errors.append(Problem(english("%(where)s unknown request_type '%(value)s' (use %(known)s)"),
                              where=head, key="request_type", value=wf.request_type,
                              known=", ".join(REQUEST_TYPES)))
    if not wf.title_nl.strip() or not wf.title_en.strip():
        errors.append(Problem(english("%(where)s needs both title_nl and title_en"), where=head))
    if wf.decision_clock is not None:
        dc = wf.decision_clock
        if not 1 <= dc.days <= MAX_TERM_DAYS:
            errors.append(Problem(english("%(where)s term of %(days)s days is invalid (must be between "
                                     "1 and %(most)s days)"), where=clock, key="days",
                                  days=dc.days, most=MAX_TERM_DAYS))
        if not 0 <= dc.extension_days <= MAX_TERM_DAYS:
            errors.append(Problem(english("%(where)s extension of %(days)s days is invalid (must be "
                                     "between 0 and %(most)s days)"), where=clock,
                                  key="extension_days", days=dc.extension_days,
                                  most=MAX_TERM_DAYS))
    if wf.threshold is not None:
        errors.extend(wf.threshold.problems())
    _check_codes(wf, errors)
    _check_identity(wf, errors)


def _check_identity(wf: Workflow, errors: list[Problem]) -> None:
    where = at_table("identity")
    for action, text in wf.identity.items():
        if action not in assurance.ACTIONS:
            errors.append(Problem(english("%(where)s unknown action '%(action)s' (use %(known)s)"),
                                  where=where, key=action, action=action, known=", ".join(assurance.ACTIONS)))
            continue
        try:
            required = assurance.parse_requirement(text)
        except ValueError:
            errors.append(Problem(english("%(where)s %(action)s: unknown login '%(value)s' (use "
                                          "email, digid:basis|midden|substantieel|hoog or "
                                          "eherkenning:EH1|EH2|EH2+|EH3|EH4)"),
                                  where=where, key=action, action=action, value=text))
            continue
        if action == "file_for_organisation" and required.means == assurance.DIGID:
            errors.append(Problem(english("%(where)s file_for_organisation: an organisation "
                                          "logs in with eHerkenning, not DigiD"),
                                  where=where, key=action))


def _semantic_problems(wf: Workflow) -> list[Problem]:
    errors: list[Problem] = []
    _check_head(wf, errors)
    names = [s.name for s in wf.states]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errors.append(Problem(english("duplicate state name '%(name)s'"),
                              subject=("state", name), key="name", name=name))
    transition_names = [t.name for t in wf.transitions]
    for name in sorted({n for n in transition_names if transition_names.count(n) > 1}):
        errors.append(Problem(english("duplicate transition name '%(name)s'"),
                              subject=("transition", name), key="name", name=name))

    initials = [s.name for s in wf.states if s.kind is StateKind.INITIAL]
    if len(initials) != 1:
        found = ", ".join(f"'{n}'" for n in initials) or "none"
        errors.append(Problem(english("there must be exactly one initial state; found %(count)s "
                                 "(%(found)s)"), subject=("states", 0), count=len(initials),
                              found=found))
    for s in wf.states:
        where = at(s)
        if not _NAME.fullmatch(s.name):
            errors.append(Problem(english("%(where)s: name must be lowercase snake_case (a-z, 0-9, _)"),
                                  where=where, key="name"))
        if not s.label_nl.strip() or not s.label_en.strip():
            errors.append(Problem(english("%(where)s: needs both label_nl and label_en"), where=where))
        if s.kind is StateKind.INITIAL and s.public:
            errors.append(Problem(english("%(where)s: the initial state (a draft) must not be public"),
                                  where=where, key="public"))
        _check_term(s, wf, errors)

    for t in wf.transitions:
        _check_transition(t, wf, errors)
    _check_graph(wf, errors)
    return errors


def validate(wf_or_raw: Workflow | Mapping[str, Any] | str) -> list[Problem]:
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
