"""Deciding a step: which transitions a role may fire, whether the inputs are complete, and
the Plan a service applies (`plan_transition`). Nothing is changed here."""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from participation.domain.workflow.definition import (
    MAX_INPUT_DAYS,
    MissingInputs,
    Plan,
    StateTerm,
    Transition,
    TransitionNotAllowed,
    Workflow,
)

_INPUT_MESSAGES: dict[str, tuple[str, str]] = {
    "reason": ("Geef een toelichting.", "Give a reason."),
    "question": ("Schrijf op wat u wilt vragen.", "Write down the question."),
    "answer": ("Geef een antwoord.", "Give an answer."),
    "term_days": ("Geef een termijn in dagen: een heel getal van 1 tot en met 365.",
                  "Give a term in days: a whole number from 1 to 365."),
    "extension_days": ("Geef het aantal extra dagen: een heel getal van 1 tot en met 365.",
                       "Give the number of extra days: a whole number from 1 to 365."),
    "refusal_grounds": ("Kies minstens één weigeringsgrond.",
                        "Choose at least one refusal ground."),
    "exclusions": ("Kies minstens één reden waarom het onderwerp is uitgesloten.",
                   "Choose at least one exclusion."),
    "outcome": ("Kies een uitkomst uit de lijst.", "Choose an outcome from the list."),
    "decision": ("Voeg het besluit toe.", "Add the decision."),
    "document": ("Voeg een document toe.", "Add a document."),
    "meeting": ("Kies een vergadering.", "Choose a meeting."),
    "agreement": ("De uitdager heeft nog niet ingestemd met de laatste versie van de "
                  "overeenkomst. Stel de overeenkomst op en vraag de uitdager om akkoord.",
                  "The challenger has not yet agreed to the latest version of the agreement. "
                  "Draw it up and ask the challenger to agree."),
}


def is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, frozenset, dict)):
        return not value
    return False


def _as_days(value: object) -> int | None:
    """A whole number of days 1..365 from an int or a form string; None when invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and (value.strip().isascii() and value.strip().isdecimal() and len(value.strip()) < 10):
        value = int(value.strip())
    if isinstance(value, int) and 1 <= value <= MAX_INPUT_DAYS:
        return value
    return None


def _as_codes(value: object) -> list[str] | None:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


def _check_codes_input(value: object, offered: tuple[str, ...], what_nl: str,
                       what_en: str, kind: str) -> tuple[str, str] | None:
    codes = _as_codes(value)
    if not codes:
        return _INPUT_MESSAGES[kind]
    unknown = [c for c in codes if c not in offered]
    if unknown:
        return (f"Kies alleen {what_nl} uit de lijst. Onbekend: {', '.join(unknown)}.",
                f"Choose only {what_en} from the list. Unknown: {', '.join(unknown)}.")
    return None


def _input_problem(kind: str, value: object, wf: Workflow) -> tuple[str, str] | None:
    """(Dutch, English) message when `value` is not acceptable for `kind`, else None."""
    if kind in ("reason", "question", "answer"):
        return None if isinstance(value, str) and value.strip() else _INPUT_MESSAGES[kind]
    if kind in ("term_days", "extension_days"):
        return None if _as_days(value) is not None else _INPUT_MESSAGES[kind]
    if kind == "refusal_grounds":
        return _check_codes_input(value, wf.refusal_grounds, "weigeringsgronden",
                                  "refusal grounds", kind)
    if kind == "exclusions":
        return _check_codes_input(value, wf.exclusions, "uitsluitingsgronden", "exclusions",
                                  kind)
    if kind == "outcome":
        return None if isinstance(value, str) and value in wf.allowed_outcomes \
            else _INPUT_MESSAGES[kind]
    if kind == "agreement":
        # The agreed version's number, which the service looks up (domain.agreements).
        return None if isinstance(value, int) and not isinstance(value, bool) and value > 0 \
            else _INPUT_MESSAGES[kind]
    # decision, document, meeting: a reference the service resolves; it must be there.
    return None if not is_empty(value) else _INPUT_MESSAGES[kind]


def _input_problems(transition: Transition, inputs: Mapping[str, object],
                    wf: Workflow) -> dict[str, tuple[str, str]]:
    problems: dict[str, tuple[str, str]] = {}
    for kind in transition.inputs:
        value = inputs.get(kind)
        problem = _INPUT_MESSAGES.get(kind, ("Vul dit in.", "Fill this in.")) \
            if is_empty(value) else _input_problem(kind, value, wf)
        if problem:
            problems[kind] = problem
    for kind in transition.optional_inputs:
        value = inputs.get(kind)
        if not is_empty(value):  # optional: only checked when given
            problem = _input_problem(kind, value, wf)
            if problem:
                problems[kind] = problem
    return problems


def check_inputs(transition: Transition, inputs: Mapping[str, object], *,
                 wf: Workflow) -> dict[str, str]:
    """Dutch error messages per input kind; empty when the inputs are fine.

    Required inputs must be present and valid; optional ones are checked only when given.
    Inputs the transition does not declare are ignored.
    """
    return {kind: nl for kind, (nl, _en) in _input_problems(transition, inputs, wf).items()}


def available_transitions(wf: Workflow, state_name: str, roles: Iterable[str]) -> list[Transition]:
    """The manual transitions that any of `roles` may fire from `state_name`, in file order
    (these drive the buttons)."""
    role_set = set(roles)
    return [t for t in wf.transitions
            if state_name in t.sources and t.automatic is None and t.roles & role_set]


def lapse_transition(wf: Workflow, state_name: str) -> Transition | None:
    """The transition the system fires when the term of `state_name` lapses, if any."""
    if not wf.has_state(state_name):
        return None
    term = wf.state(state_name).term
    if term is None or term.on_lapse is None or not wf.has_transition(term.on_lapse):
        return None
    return wf.transition(term.on_lapse)


def _not_allowed(message: str, message_nl: str, *, code: str, transition: str,
                 state: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(message, code=code, transition=transition, state=state,
                                message_nl=message_nl)


def plan_transition(wf: Workflow, *, state: str, transition_name: str, roles: Iterable[str],
                    inputs: Mapping[str, object] | None = None,
                    trigger: str | None = None) -> Plan:
    """Decide whether `roles` may fire `transition_name` from `state` with `inputs`.

    Manual transitions need one of their roles. Automatic ones (term_lapsed, threshold_met)
    are refused here unless the caller is the system and passes the matching `trigger`
    (the deadline runner does). Raises TransitionNotAllowed or MissingInputs; returns a
    Plan. The clock is not touched.
    """
    inputs = inputs or {}
    role_set = set(roles)
    if not wf.has_transition(transition_name):
        raise _not_allowed(f"unknown transition '{transition_name}' in workflow '{wf.key}'",
                           "Deze stap bestaat niet.", code="unknown_transition",
                           transition=transition_name, state=state)
    t = wf.transition(transition_name)
    if not wf.has_state(state):
        raise _not_allowed(f"unknown state '{state}' in workflow '{wf.key}'",
                           "Deze stap kan nu niet.", code="wrong_state",
                           transition=t.name, state=state)
    if state not in t.sources:
        raise _not_allowed(f"transition '{t.name}' is not possible in state '{state}'; "
                           f"it is possible from: {', '.join(t.sources)}",
                           "Deze stap kan nu niet. De aanvraag staat in een andere fase.",
                           code="wrong_state", transition=t.name, state=state)
    if t.automatic is not None:
        if trigger != t.automatic or "system" not in role_set:
            raise _not_allowed(f"transition '{t.name}' is automatic ('{t.automatic}'); only the "
                               f"system fires it",
                               "Deze stap gebeurt automatisch.", code="wrong_role",
                               transition=t.name, state=state)
    elif trigger is not None:
        raise _not_allowed(f"transition '{t.name}' is not automatic; trigger '{trigger}' "
                           f"does not apply", "Deze stap gebeurt niet automatisch.",
                           code="wrong_role", transition=t.name, state=state)
    elif not t.roles & role_set:
        given = ", ".join(sorted(role_set)) or "no role"
        raise _not_allowed(f"role(s) {given} may not use transition '{t.name}'; allowed roles: "
                           f"{', '.join(sorted(t.roles))}",
                           "U mag deze stap niet zetten.", code="wrong_role",
                           transition=t.name, state=state)
    problems = _input_problems(t, inputs, wf)
    if problems:
        raise MissingInputs({k: nl for k, (nl, _) in problems.items()},
                            {k: en for k, (_, en) in problems.items()})

    target = wf.state(t.target)
    term = target.term
    declared = t.inputs + t.optional_inputs
    given_days = _as_days(inputs.get("term_days")) if "term_days" in declared else None
    if given_days is not None:
        # The authority sets this term per case (e.g. Awb 4:5: "een door hem gestelde termijn").
        remind = min(term.remind_days_before if term else 3, given_days - 1)
        term = StateTerm(days=given_days, on_lapse=term.on_lapse if term else None,
                         remind_days_before=max(0, remind))
    clock_days = _as_days(inputs.get("extension_days")) if "extension_days" in declared else None
    return Plan(transition=t, source=state, target=t.target, clock=t.clock,
                notify_applicant=t.notify_applicant, public=t.public, term=term,
                clock_days=clock_days)


# --------------------------------------------------------------------------- writing


def step_refusal(wf: Workflow, *, state: str, transition_name: str,
                 roles: Iterable[str]) -> TransitionNotAllowed | None:
    """Why `roles` may not take this step from `state`, or None when they may (inputs
    aside): a page offers a step's form only when this is None."""
    try:
        plan_transition(wf, state=state, transition_name=transition_name, roles=roles)
    except TransitionNotAllowed as exc:
        return exc
    except MissingInputs:
        pass
    return None
