"""Workflow definitions as TOML: reading (collecting every structural problem with where it
is) and writing back (`parse_workflow(to_toml(wf)) == wf`)."""
from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Any

from participation.domain.problems import (
    Problem,
    at_state,
    at_state_term,
    at_table,
    at_transition,
    english,
)
from participation.domain.thresholds import Threshold
from participation.domain.workflow.definition import (
    ClockEffect,
    DecisionClock,
    DefinitionError,
    InputLabel,
    State,
    StateKind,
    StateTerm,
    Transition,
    Workflow,
)

# --------------------------------------------------------------------------- parsing

_TOP_KEYS = frozenset({"workflow", "decision_clock", "threshold", "settings", "identity", "states",
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
                              "public_label_nl", "public_label_en", "clock", "automatic",
                              "input_labels"})
_INPUT_LABEL_KEYS = frozenset({"label_nl", "label_en", "help_nl", "help_en"})

_MISSING = object()


def _type_name(value: object) -> Problem | str:
    return {str: Problem(english("text")), bool: Problem(english("true/false")),
            int: Problem(english("a whole number")), float: Problem(english("a number")),
            list: Problem(english("a list")), dict: Problem(english("a table"))
            }.get(type(value), type(value).__name__)


class _Reader:
    """Reads TOML tables into typed values, collecting every problem instead of stopping."""

    def __init__(self) -> None:
        self.errors: list[Problem] = []

    def table(self, raw: Mapping[str, Any], key: str, where: Problem,
              *, required: bool) -> Mapping[str, Any] | None:
        value = raw.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.errors.append(Problem(english("%(where)s: missing required table [%(table)s]"),
                                           where=where, key=key, table=key))
            return None
        if not isinstance(value, Mapping):
            self.errors.append(Problem(english("%(where)s: [%(table)s] must be a table, not %(type)s"),
                                       where=where, key=key, table=key, type=_type_name(value)))
            return None
        return value

    def unknown_keys(self, table: Mapping[str, Any], allowed: frozenset[str], where: Problem) -> None:
        for key in table:
            if key not in allowed:
                self.errors.append(Problem(
                    english("%(where)s: unknown key '%(name)s' (allowed: %(allowed)s)"), where=where,
                    key=key, name=key, allowed=", ".join(sorted(allowed))))

    def text(self, table: Mapping[str, Any], key: str, where: Problem, *,
             required: bool = True, default: str = "") -> str:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.errors.append(Problem(english("%(where)s: missing required key '%(name)s'"),
                                           where=where, name=key))
            return default
        if not isinstance(value, str):
            self.errors.append(Problem(english("%(where)s: '%(name)s' must be text, not %(type)s"),
                                       where=where, key=key, name=key, type=_type_name(value)))
            return default
        return value

    def flag(self, table: Mapping[str, Any], key: str, where: Problem, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.errors.append(Problem(english("%(where)s: '%(name)s' must be true or false, not "
                                          "%(value)r"), where=where, key=key, name=key,
                                       value=value))
            return default
        return value

    def integer(self, table: Mapping[str, Any], key: str, where: Problem) -> int | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.append(Problem(english("%(where)s: '%(name)s' must be a whole number, not "
                                          "%(value)r"), where=where, key=key, name=key,
                                       value=value))
            return None
        return value

    def names(self, table: Mapping[str, Any], key: str, where: Problem, *,
              required: bool = False, allow_single: bool = False) -> tuple[str, ...]:
        value = table.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.errors.append(Problem(english("%(where)s: missing required key '%(name)s'"),
                                           where=where, name=key))
            return ()
        if allow_single and isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.append(Problem(english("%(where)s: '%(name)s' must be a list of text values, "
                                          "not %(value)r"), where=where, key=key, name=key,
                                       value=value))
            return ()
        return tuple(value)

    def days(self, table: Mapping[str, Any], where: Problem, *, days_key: str = "days",
             weeks_key: str = "weeks", required: bool = True) -> int | None:
        """A length given in days or in weeks (weeks are converted: weeks * 7)."""
        has_days, has_weeks = days_key in table, weeks_key in table
        if has_days and has_weeks:
            self.errors.append(Problem(english("%(where)s: give either '%(days)s' or '%(weeks)s', "
                                          "not both"), where=where, key=weeks_key,
                                       days=days_key, weeks=weeks_key))
            return None
        if has_weeks:
            weeks = self.integer(table, weeks_key, where)
            return None if weeks is None else weeks * 7
        if has_days:
            return self.integer(table, days_key, where)
        if required:
            self.errors.append(Problem(english("%(where)s: missing '%(days)s' (or '%(weeks)s')"),
                                       where=where, days=days_key, weeks=weeks_key))
        return None


TOP, HEAD, CLOCK = at_table("top level"), at_table("workflow"), at_table("decision_clock")


def _read_state(r: _Reader, index: int, raw: Any) -> State | None:
    if not isinstance(raw, Mapping):
        r.errors.append(Problem(english("states[%(index)s] must be a table ([[states]]), not "
                                   "%(type)s"), subject=("states", index), index=index,
                                type=_type_name(raw)))
        return None
    where = at_state(index, raw.get("name"))
    r.unknown_keys(raw, _STATE_KEYS, where)
    name = r.text(raw, "name", where)
    kind_text = r.text(raw, "kind", where)
    kind: StateKind | None = None
    if kind_text:
        try:
            kind = StateKind(kind_text)
        except ValueError:
            r.errors.append(Problem(english("%(where)s: unknown kind '%(kind)s' (use %(known)s)"),
                                    where=where, key="kind", kind=kind_text,
                                    known=", ".join(k.value for k in StateKind)))
    term: StateTerm | None = None
    term_raw = r.table(raw, "term", where, required=False)
    if term_raw is not None:
        term_where = at_state_term(where)
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
        r.errors.append(Problem(english("transitions[%(index)s] must be a table ([[transitions]]), "
                                   "not %(type)s"), subject=("transitions", index), index=index,
                                type=_type_name(raw)))
        return None
    where = at_transition(index, raw.get("name"))
    r.unknown_keys(raw, _TRANSITION_KEYS, where)
    clock_text = r.text(raw, "clock", where, required=False, default="none") or "none"
    try:
        clock = ClockEffect(clock_text)
    except ValueError:
        r.errors.append(Problem(english("%(where)s: unknown clock effect '%(clock)s' (use %(known)s)"),
                                where=where, key="clock", clock=clock_text,
                                known=", ".join(c.value for c in ClockEffect)))
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
        automatic=r.text(raw, "automatic", where, required=False) or None,
        input_labels=_read_input_labels(r, raw, where))


def _read_input_labels(r: _Reader, raw: Mapping[str, Any], where: Problem
                       ) -> tuple[InputLabel, ...]:
    """[transitions.input_labels.<kind>]: the procedure's own label and help for an input."""
    table = r.table(raw, "input_labels", where, required=False) or {}
    labels = []
    for kind, entry in table.items():
        if not isinstance(entry, Mapping):
            r.errors.append(Problem(english("%(where)s: input_labels.%(kind)s must be a table with "
                                       "label_nl and label_en"), where=where,
                                    key="input_labels", kind=kind))
            continue
        r.unknown_keys(entry, _INPUT_LABEL_KEYS, where)
        labels.append(InputLabel(
            kind=kind, label_nl=r.text(entry, "label_nl", where),
            label_en=r.text(entry, "label_en", where),
            help_nl=r.text(entry, "help_nl", where, required=False),
            help_en=r.text(entry, "help_en", where, required=False)))
    return tuple(labels)


def _read_threshold(r: _Reader, raw: Mapping[str, Any]) -> Threshold:
    where = at_table("threshold")
    r.unknown_keys(raw, _THRESHOLD_KEYS, where)
    percentage = raw.get("min_percentage", 0.0)
    if isinstance(percentage, bool) or not isinstance(percentage, (int, float)):
        r.errors.append(Problem(english("%(where)s: 'min_percentage' must be a number, not "
                                   "%(value)r"), where=where, key="min_percentage",
                                value=percentage))
        percentage = 0.0
    absolute = r.integer(raw, "min_absolute", where)
    return Threshold(
        min_absolute=absolute or 0, min_percentage=float(percentage),
        of=r.text(raw, "of", where, required=False, default="inhabitants"),
        combine=r.text(raw, "combine", where, required=False, default="max"),
        collection_days=r.days(raw, where, days_key="collection_days",
                               weeks_key="collection_weeks", required=False),
        min_age=r.integer(raw, "min_age", where))


def _build(raw: Mapping[str, Any]) -> tuple[Workflow | None, list[Problem]]:
    """Turn parsed TOML into a Workflow; structural problems (missing keys, wrong types,
    unknown enum values) are returned instead. Meaning is checked by `validate`."""
    r = _Reader()
    r.unknown_keys(raw, _TOP_KEYS, TOP)
    head = r.table(raw, "workflow", TOP, required=True) or {}
    r.unknown_keys(head, _WORKFLOW_KEYS, HEAD)
    key = r.text(head, "key", HEAD)
    request_type = r.text(head, "request_type", HEAD)
    title_nl = r.text(head, "title_nl", HEAD)
    title_en = r.text(head, "title_en", HEAD)
    refusal_grounds = r.names(head, "refusal_grounds", HEAD)
    exclusions = r.names(head, "exclusions", HEAD)
    outcomes = r.names(head, "outcomes", HEAD)

    decision_clock: DecisionClock | None = None
    clock_raw = r.table(raw, "decision_clock", TOP, required=False)
    if clock_raw is not None:
        r.unknown_keys(clock_raw, _CLOCK_KEYS, CLOCK)
        days = r.days(clock_raw, CLOCK)
        extension = r.days(clock_raw, CLOCK, days_key="extension_days",
                           weeks_key="extension_weeks", required=False)
        if days is not None:
            decision_clock = DecisionClock(days=days, extension_days=extension or 0)

    threshold_raw = r.table(raw, "threshold", TOP, required=False)
    threshold = _read_threshold(r, threshold_raw) if threshold_raw is not None else None
    settings = r.table(raw, "settings", TOP, required=False) or {}
    identity = r.table(raw, "identity", TOP, required=False) or {}
    for action, value in identity.items():
        if not isinstance(value, str):
            r.errors.append(Problem(english("%(where)s: '%(action)s' must be text such as "
                                            "\"digid:midden\", not %(value)r"),
                                    where=at_table("identity"), key=action, action=action, value=value))

    states: list[State] = []
    states_raw = raw.get("states", [])
    if not isinstance(states_raw, list) or not states_raw:
        r.errors.append(Problem(english("top level: no states defined (add [[states]] tables)"),
                                subject=("table", "")))
        states_raw = states_raw if isinstance(states_raw, list) else []
    for index, item in enumerate(states_raw):
        state = _read_state(r, index, item)
        if state is not None:
            states.append(state)

    transitions: list[Transition] = []
    transitions_raw = raw.get("transitions", [])
    if not isinstance(transitions_raw, list):
        r.errors.append(Problem(english("top level: 'transitions' must be a list of "
                                   "[[transitions]] tables"), subject=("table", "")))
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
        settings=MappingProxyType(dict(settings)), outcomes=outcomes,
        identity=MappingProxyType(dict(identity))), []


# A procedure file is a few kilobytes; the limits stop a hostile one before it costs much.
MAX_SOURCE_CHARS = 200_000


def _loads(text: str) -> dict[str, Any]:
    if len(text) > MAX_SOURCE_CHARS:
        raise DefinitionError([Problem(english("the file is too long: at most %(most)s characters "
                                          "(this one has %(has)s)"),
                                       most=f"{MAX_SOURCE_CHARS:,}", has=f"{len(text):,}")])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message ends with "(at line N, column M)".
        raise DefinitionError([Problem(english("TOML syntax error: %(detail)s"),
                                       detail=str(exc))]) from exc
    except RecursionError as exc:
        # tomllib parses nested arrays and inline tables recursively.
        raise DefinitionError([Problem(english("TOML syntax error: arrays or tables are nested too "
                                          "deeply (a procedure needs only a few levels)"))]
                              ) from exc


def parse_workflow(text: str) -> Workflow:
    """TOML text -> Workflow. Raises DefinitionError on syntax errors (with the line) and on
    structural problems; use load_workflow to also check the meaning."""
    workflow, errors = _build(_loads(text))
    if errors or workflow is None:
        raise DefinitionError(errors)
    return workflow


# --------------------------------------------------------------------------- validation


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

    lines.append(HEAD)
    for key in ("key", "request_type", "title_nl", "title_en", "refusal_grounds", "exclusions"):
        put(key, getattr(wf, key))
    if wf.outcomes:
        put("outcomes", wf.outcomes)
    if wf.decision_clock is not None:
        lines += ["", CLOCK]
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
    if wf.identity:
        lines += ["", "[identity]"]
        for key, value in wf.identity.items():
            put(key, value)
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
        for label in t.input_labels:
            lines.append(f"[transitions.input_labels.{_toml_key(label.kind)}]")
            for key in ("label_nl", "label_en", "help_nl", "help_en"):
                if getattr(label, key):
                    put(key, getattr(label, key))
    return "\n".join(lines) + "\n"
