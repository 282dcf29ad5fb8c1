"""Procedure definitions: states, transitions, who may fire them and what they need.

A workflow is data, read from a TOML file (the presets live in participation/workflows/;
the file format is documented at the top of each preset). This module parses and validates
definitions and decides whether a transition is allowed (`plan_transition`). It does not
change anything: services apply the returned Plan, write the audit event and run the clock
(participation.domain.deadlines).
"""
from __future__ import annotations

import json
import re
import tomllib
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from participation.domain import grounds
from participation.domain.thresholds import Threshold


class StateKind(StrEnum):
    INITIAL = "initial"
    ACTIVE = "active"
    WAITING = "waiting"  # waiting on the applicant (or third parties) to act
    TERMINAL = "terminal"


class ClockEffect(StrEnum):
    """What a transition does to the decision clock (beslistermijn)."""

    NONE = "none"
    START = "start"
    SUSPEND = "suspend"
    RESUME = "resume"
    EXTEND = "extend"
    STOP = "stop"


ROLES = ("applicant", "official", "coordinator", "griffie", "admin", "system")
INPUT_KINDS = ("reason", "question", "answer", "term_days", "refusal_grounds", "exclusions",
               "outcome", "decision", "document", "meeting", "extension_days")
AUTOMATIC_TRIGGERS = ("term_lapsed", "threshold_met")
REQUEST_TYPES = ("uitdaagrecht", "burgerinitiatief", "bewonersinitiatief")
PRESETS = REQUEST_TYPES
MAX_TERM_DAYS = 3650  # ten years: anything longer is a typo, not a term
MAX_INPUT_DAYS = 365

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PRESET_DIR = Path(__file__).resolve().parent.parent / "workflows"


# --------------------------------------------------------------------------- data types

@dataclass(frozen=True)
class StateTerm:
    """A term on a state, e.g. the supplement term. When it lapses the system fires the
    transition named `on_lapse`; with None it only reminds the people handling the case."""

    days: int
    on_lapse: str | None = None
    remind_days_before: int = 3


@dataclass(frozen=True)
class State:
    name: str
    kind: StateKind
    public: bool
    label_nl: str
    label_en: str
    description_nl: str = ""
    description_en: str = ""
    term: StateTerm | None = None

    @property
    def is_terminal(self) -> bool:
        return self.kind is StateKind.TERMINAL


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    inputs: tuple[str, ...] = ()
    optional_inputs: tuple[str, ...] = ()
    notify_applicant: bool = False
    public: bool = False
    label_nl: str = ""
    label_en: str = ""
    public_label_nl: str = ""
    public_label_en: str = ""
    clock: ClockEffect = ClockEffect.NONE
    automatic: str | None = None  # None, "term_lapsed" or "threshold_met"


@dataclass(frozen=True)
class DecisionClock:
    """The beslistermijn in days and the one extension (verdaging) allowed, in days."""

    days: int
    extension_days: int = 0


@dataclass(frozen=True)
class Workflow:
    key: str
    request_type: str
    title_nl: str
    title_en: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    decision_clock: DecisionClock | None = None
    refusal_grounds: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    threshold: Threshold | None = None
    settings: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}),
                                           hash=False)
    # Allowed values of the "outcome" input; empty = the default for the request type.
    outcomes: tuple[str, ...] = ()
    _states: dict[str, State] = field(init=False, repr=False, compare=False, hash=False)
    _transitions: dict[str, Transition] = field(init=False, repr=False, compare=False,
                                                hash=False)

    def __post_init__(self) -> None:
        # First definition wins for lookups; validate() reports the duplicates.
        states: dict[str, State] = {}
        for s in self.states:
            states.setdefault(s.name, s)
        transitions: dict[str, Transition] = {}
        for t in self.transitions:
            transitions.setdefault(t.name, t)
        object.__setattr__(self, "_states", states)
        object.__setattr__(self, "_transitions", transitions)
        if not isinstance(self.settings, MappingProxyType):
            object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))

    def has_state(self, name: str) -> bool:
        return name in self._states

    def state(self, name: str) -> State:
        try:
            return self._states[name]
        except KeyError:
            raise KeyError(f"unknown state {name!r} in workflow {self.key!r}") from None

    def initial_state(self) -> State:
        for s in self.states:
            if s.kind is StateKind.INITIAL:
                return s
        raise DefinitionError([f"workflow {self.key!r} has no initial state"])

    def has_transition(self, name: str) -> bool:
        return name in self._transitions

    def transition(self, name: str) -> Transition:
        try:
            return self._transitions[name]
        except KeyError:
            raise KeyError(f"unknown transition {name!r} in workflow {self.key!r}") from None

    def transitions_from(self, state_name: str) -> list[Transition]:
        """Every transition (manual and automatic) that leaves `state_name`, in file order."""
        return [t for t in self.transitions if state_name in t.sources]

    def public_states(self) -> tuple[State, ...]:
        return tuple(s for s in self.states if s.public)

    def terminal_states(self) -> tuple[State, ...]:
        return tuple(s for s in self.states if s.is_terminal)

    @property
    def allowed_outcomes(self) -> tuple[str, ...]:
        if self.outcomes:
            return self.outcomes
        if self.request_type == "burgerinitiatief":
            # "aangehouden" is a state of its own, not an outcome of the vote.
            return tuple(c for c in grounds.COUNCIL_OUTCOMES if c != "aangehouden")
        return tuple(grounds.OUTCOMES)


@dataclass(frozen=True)
class Plan:
    """What firing a transition will do; the service applies it.

    `term` is the term of the target state (its days replaced by a `term_days` input when
    the transition takes one); `clock_days` the number of days for an EXTEND effect, when
    given as `extension_days` (None = the workflow's default extension).
    """

    transition: Transition
    source: str
    target: str
    clock: ClockEffect
    notify_applicant: bool
    public: bool
    term: StateTerm | None = None
    clock_days: int | None = None


# --------------------------------------------------------------------------- errors

class WorkflowError(Exception):
    """Base class of everything this module raises on purpose."""


class DefinitionError(WorkflowError):
    """A workflow definition is invalid. `messages` lists every problem found, in English."""

    def __init__(self, messages: Iterable[str] | str) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("invalid workflow definition:\n"
                         + "\n".join(f"- {m}" for m in self.messages))


class TransitionNotAllowed(WorkflowError):
    """The transition cannot be fired here. `code` is "wrong_state", "wrong_role" or
    "unknown_transition"; str() is English, `message_nl` is for the user."""

    def __init__(self, message: str, *, code: str, transition: str, state: str,
                 message_nl: str) -> None:
        super().__init__(message)
        self.code = code
        self.transition = transition
        self.state = state
        self.message_nl = message_nl


class MissingInputs(WorkflowError):
    """Required inputs are missing or invalid: `errors` maps input kind -> Dutch message,
    `errors_en` the same in English."""

    def __init__(self, errors: Mapping[str, str], errors_en: Mapping[str, str]) -> None:
        self.errors = dict(errors)
        self.errors_en = dict(errors_en)
        super().__init__("missing or invalid inputs: "
                         + "; ".join(f"{k}: {v}" for k, v in self.errors_en.items()))


# --------------------------------------------------------------------------- parsing

_TOP_KEYS = frozenset({"workflow", "decision_clock", "threshold", "settings", "states",
                       "transitions"})
_WORKFLOW_KEYS = frozenset({"key", "request_type", "title_nl", "title_en", "refusal_grounds",
                            "exclusions", "outcomes"})
_CLOCK_KEYS = frozenset({"days", "weeks", "extension_days", "extension_weeks"})
_THRESHOLD_KEYS = frozenset({"min_absolute", "min_percentage", "of", "combine",
                             "collection_days", "collection_weeks", "min_age"})
_STATE_KEYS = frozenset({"name", "kind", "public", "label_nl", "label_en", "description_nl",
                         "description_en", "term"})
_TERM_KEYS = frozenset({"days", "weeks", "on_lapse", "remind_days_before"})
_TRANSITION_KEYS = frozenset({"name", "from", "to", "roles", "inputs", "optional_inputs",
                              "notify_applicant", "public", "label_nl", "label_en",
                              "public_label_nl", "public_label_en", "clock", "automatic"})

_MISSING = object()


def _type_name(value: object) -> str:
    return {str: "text", bool: "true/false", int: "a whole number", float: "a number",
            list: "a list", dict: "a table"}.get(type(value), type(value).__name__)


class _Reader:
    """Reads TOML tables into typed values, collecting every problem instead of stopping."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def table(self, raw: Mapping[str, Any], key: str, where: str,
              *, required: bool) -> Mapping[str, Any] | None:
        value = raw.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.errors.append(f"{where}: missing required table [{key}]")
            return None
        if not isinstance(value, Mapping):
            self.errors.append(f"{where}: [{key}] must be a table, not {_type_name(value)}")
            return None
        return value

    def unknown_keys(self, table: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                self.errors.append(f"{where}: unknown key '{key}' "
                                   f"(allowed: {', '.join(sorted(allowed))})")

    def text(self, table: Mapping[str, Any], key: str, where: str, *,
             required: bool = True, default: str = "") -> str:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.errors.append(f"{where}: missing required key '{key}'")
            return default
        if not isinstance(value, str):
            self.errors.append(f"{where}: '{key}' must be text, not {_type_name(value)}")
            return default
        return value

    def flag(self, table: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.errors.append(f"{where}: '{key}' must be true or false, not {value!r}")
            return default
        return value

    def integer(self, table: Mapping[str, Any], key: str, where: str) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.append(f"{where}: '{key}' must be a whole number, not {value!r}")
            return None
        return value

    def names(self, table: Mapping[str, Any], key: str, where: str, *,
              required: bool = False, allow_single: bool = False) -> tuple[str, ...]:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.errors.append(f"{where}: missing required key '{key}'")
            return ()
        if allow_single and isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.append(f"{where}: '{key}' must be a list of text values, not {value!r}")
            return ()
        return tuple(value)

    def days(self, table: Mapping[str, Any], where: str, *, days_key: str = "days",
             weeks_key: str = "weeks", required: bool = True) -> int | None:
        """A length given in days or in weeks (weeks are converted: weeks * 7)."""
        has_days, has_weeks = days_key in table, weeks_key in table
        if has_days and has_weeks:
            self.errors.append(f"{where}: give either '{days_key}' or '{weeks_key}', not both")
            return None
        if has_weeks:
            weeks = self.integer(table, weeks_key, where)
            return None if weeks is None else weeks * 7
        if has_days:
            return self.integer(table, days_key, where)
        if required:
            self.errors.append(f"{where}: missing '{days_key}' (or '{weeks_key}')")
        return None


def _where_state(index: int, raw: Mapping[str, Any]) -> str:
    name = raw.get("name")
    return f"state '{name}'" if isinstance(name, str) and name else f"states[{index}]"


def _where_transition(index: int, raw: Mapping[str, Any]) -> str:
    name = raw.get("name")
    return f"transition '{name}'" if isinstance(name, str) and name else f"transitions[{index}]"


def _read_state(r: _Reader, index: int, raw: Any) -> State | None:
    if not isinstance(raw, Mapping):
        r.errors.append(f"states[{index}] must be a table ([[states]]), not {_type_name(raw)}")
        return None
    where = _where_state(index, raw)
    r.unknown_keys(raw, _STATE_KEYS, where)
    name = r.text(raw, "name", where)
    kind_text = r.text(raw, "kind", where)
    kind: StateKind | None = None
    if kind_text:
        try:
            kind = StateKind(kind_text)
        except ValueError:
            r.errors.append(f"{where}: unknown kind '{kind_text}' "
                            f"(use {', '.join(k.value for k in StateKind)})")
    term: StateTerm | None = None
    term_raw = r.table(raw, "term", where, required=False)
    if term_raw is not None:
        term_where = f"{where} term"
        r.unknown_keys(term_raw, _TERM_KEYS, term_where)
        days = r.days(term_raw, term_where)
        on_lapse = r.text(term_raw, "on_lapse", term_where, required=False) or None
        remind = r.integer(term_raw, "remind_days_before", term_where)
        if days is not None:
            term = StateTerm(days=days, on_lapse=on_lapse,
                             remind_days_before=3 if remind is None else remind)
    state = State(
        name=name, kind=kind or StateKind.ACTIVE, public=r.flag(raw, "public", where, False),
        label_nl=r.text(raw, "label_nl", where), label_en=r.text(raw, "label_en", where),
        description_nl=r.text(raw, "description_nl", where, required=False),
        description_en=r.text(raw, "description_en", where, required=False), term=term)
    return state if kind is not None else None


def _read_transition(r: _Reader, index: int, raw: Any) -> Transition | None:
    if not isinstance(raw, Mapping):
        r.errors.append(f"transitions[{index}] must be a table ([[transitions]]), "
                        f"not {_type_name(raw)}")
        return None
    where = _where_transition(index, raw)
    r.unknown_keys(raw, _TRANSITION_KEYS, where)
    clock_text = r.text(raw, "clock", where, required=False, default="none") or "none"
    try:
        clock = ClockEffect(clock_text)
    except ValueError:
        r.errors.append(f"{where}: unknown clock effect '{clock_text}' "
                        f"(use {', '.join(c.value for c in ClockEffect)})")
        clock = ClockEffect.NONE
    return Transition(
        name=r.text(raw, "name", where),
        sources=r.names(raw, "from", where, required=True, allow_single=True),
        target=r.text(raw, "to", where),
        roles=frozenset(r.names(raw, "roles", where, required=True)),
        inputs=r.names(raw, "inputs", where),
        optional_inputs=r.names(raw, "optional_inputs", where),
        notify_applicant=r.flag(raw, "notify_applicant", where, False),
        public=r.flag(raw, "public", where, False),
        label_nl=r.text(raw, "label_nl", where), label_en=r.text(raw, "label_en", where),
        public_label_nl=r.text(raw, "public_label_nl", where, required=False),
        public_label_en=r.text(raw, "public_label_en", where, required=False),
        clock=clock,
        automatic=r.text(raw, "automatic", where, required=False) or None)


def _read_threshold(r: _Reader, raw: Mapping[str, Any]) -> Threshold:
    where = "[threshold]"
    r.unknown_keys(raw, _THRESHOLD_KEYS, where)
    percentage = raw.get("min_percentage", 0.0)
    if isinstance(percentage, bool) or not isinstance(percentage, (int, float)):
        r.errors.append(f"{where}: 'min_percentage' must be a number, not {percentage!r}")
        percentage = 0.0
    absolute = r.integer(raw, "min_absolute", where)
    return Threshold(
        min_absolute=absolute or 0, min_percentage=float(percentage),
        of=r.text(raw, "of", where, required=False, default="inhabitants"),
        combine=r.text(raw, "combine", where, required=False, default="max"),
        collection_days=r.days(raw, where, days_key="collection_days",
                               weeks_key="collection_weeks", required=False),
        min_age=r.integer(raw, "min_age", where))


def _build(raw: Mapping[str, Any]) -> tuple[Workflow | None, list[str]]:
    """Turn parsed TOML into a Workflow; structural problems (missing keys, wrong types,
    unknown enum values) are returned instead. Meaning is checked by `validate`."""
    r = _Reader()
    r.unknown_keys(raw, _TOP_KEYS, "top level")
    head = r.table(raw, "workflow", "top level", required=True) or {}
    r.unknown_keys(head, _WORKFLOW_KEYS, "[workflow]")
    key = r.text(head, "key", "[workflow]")
    request_type = r.text(head, "request_type", "[workflow]")
    title_nl = r.text(head, "title_nl", "[workflow]")
    title_en = r.text(head, "title_en", "[workflow]")
    refusal_grounds = r.names(head, "refusal_grounds", "[workflow]")
    exclusions = r.names(head, "exclusions", "[workflow]")
    outcomes = r.names(head, "outcomes", "[workflow]")

    decision_clock: DecisionClock | None = None
    clock_raw = r.table(raw, "decision_clock", "top level", required=False)
    if clock_raw is not None:
        r.unknown_keys(clock_raw, _CLOCK_KEYS, "[decision_clock]")
        days = r.days(clock_raw, "[decision_clock]")
        extension = r.days(clock_raw, "[decision_clock]", days_key="extension_days",
                           weeks_key="extension_weeks", required=False)
        if days is not None:
            decision_clock = DecisionClock(days=days, extension_days=extension or 0)

    threshold_raw = r.table(raw, "threshold", "top level", required=False)
    threshold = _read_threshold(r, threshold_raw) if threshold_raw is not None else None
    settings = r.table(raw, "settings", "top level", required=False) or {}

    states: list[State] = []
    states_raw = raw.get("states", [])
    if not isinstance(states_raw, list) or not states_raw:
        r.errors.append("top level: no states defined (add [[states]] tables)")
        states_raw = states_raw if isinstance(states_raw, list) else []
    for index, item in enumerate(states_raw):
        state = _read_state(r, index, item)
        if state is not None:
            states.append(state)

    transitions: list[Transition] = []
    transitions_raw = raw.get("transitions", [])
    if not isinstance(transitions_raw, list):
        r.errors.append("top level: 'transitions' must be a list of [[transitions]] tables")
        transitions_raw = []
    for index, item in enumerate(transitions_raw):
        transition = _read_transition(r, index, item)
        if transition is not None:
            transitions.append(transition)

    if r.errors:
        return None, r.errors
    return Workflow(
        key=key, request_type=request_type, title_nl=title_nl, title_en=title_en,
        states=tuple(states), transitions=tuple(transitions), decision_clock=decision_clock,
        refusal_grounds=refusal_grounds, exclusions=exclusions, threshold=threshold,
        settings=MappingProxyType(dict(settings)), outcomes=outcomes), []


def _loads(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message ends with "(at line N, column M)".
        raise DefinitionError([f"TOML syntax error: {exc}"]) from exc


def parse_workflow(text: str) -> Workflow:
    """TOML text -> Workflow. Raises DefinitionError on syntax errors (with the line) and on
    structural problems; use load_workflow to also check the meaning."""
    workflow, errors = _build(_loads(text))
    if errors or workflow is None:
        raise DefinitionError(errors)
    return workflow


# --------------------------------------------------------------------------- validation

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
}


def _is_empty(value: object) -> bool:
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
    # decision, document, meeting: a reference the service resolves; it must be there.
    return None if not _is_empty(value) else _INPUT_MESSAGES[kind]


def _input_problems(transition: Transition, inputs: Mapping[str, object],
                    wf: Workflow) -> dict[str, tuple[str, str]]:
    problems: dict[str, tuple[str, str]] = {}
    for kind in transition.inputs:
        value = inputs.get(kind)
        problem = _INPUT_MESSAGES.get(kind, ("Vul dit in.", "Fill this in.")) \
            if _is_empty(value) else _input_problem(kind, value, wf)
        if problem:
            problems[kind] = problem
    for kind in transition.optional_inputs:
        value = inputs.get(kind)
        if not _is_empty(value):  # optional: only checked when given
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

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        # JSON string escapes are a subset of TOML basic-string escapes.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        inner = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return "[" + ", ".join(_toml_value(v) for v in items) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(wf: Workflow) -> str:
    """Write a Workflow back as TOML; parse_workflow(to_toml(wf)) == wf."""
    lines: list[str] = []

    def put(key: str, value: object) -> None:
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")

    lines.append("[workflow]")
    for key in ("key", "request_type", "title_nl", "title_en", "refusal_grounds", "exclusions"):
        put(key, getattr(wf, key))
    if wf.outcomes:
        put("outcomes", wf.outcomes)
    if wf.decision_clock is not None:
        lines += ["", "[decision_clock]"]
        put("days", wf.decision_clock.days)
        put("extension_days", wf.decision_clock.extension_days)
    if wf.threshold is not None:
        t = wf.threshold
        lines += ["", "[threshold]"]
        put("min_absolute", t.min_absolute)
        put("min_percentage", float(t.min_percentage))
        put("of", t.of)
        put("combine", t.combine)
        if t.collection_days is not None:
            put("collection_days", t.collection_days)
        if t.min_age is not None:
            put("min_age", t.min_age)
    if wf.settings:
        lines += ["", "[settings]"]
        for key, value in wf.settings.items():
            put(key, value)
    for s in wf.states:
        lines += ["", "[[states]]"]
        put("name", s.name)
        put("kind", s.kind.value)
        put("public", s.public)
        put("label_nl", s.label_nl)
        put("label_en", s.label_en)
        if s.description_nl:
            put("description_nl", s.description_nl)
        if s.description_en:
            put("description_en", s.description_en)
        if s.term is not None:
            lines.append("[states.term]")
            put("days", s.term.days)
            if s.term.on_lapse:
                put("on_lapse", s.term.on_lapse)
            put("remind_days_before", s.term.remind_days_before)
    for t in wf.transitions:
        lines += ["", "[[transitions]]"]
        put("name", t.name)
        put("from", t.sources)
        put("to", t.target)
        put("roles", sorted(t.roles))
        put("inputs", t.inputs)
        put("optional_inputs", t.optional_inputs)
        put("notify_applicant", t.notify_applicant)
        put("public", t.public)
        for key in ("label_nl", "label_en", "public_label_nl", "public_label_en"):
            put(key, getattr(t, key))
        put("clock", t.clock.value)
        put("automatic", t.automatic or "")
    return "\n".join(lines) + "\n"
