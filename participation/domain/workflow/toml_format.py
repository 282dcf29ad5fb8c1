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

from participation.domain.thresholds import Threshold
from participation.domain.workflow.definition import (
    ClockEffect,
    DecisionClock,
    DefinitionError,
    State,
    StateKind,
    StateTerm,
    Transition,
    Workflow,
)

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


# A procedure file is a few kilobytes; the limits stop a hostile one before it costs much.
MAX_SOURCE_CHARS = 200_000


def _loads(text: str) -> dict[str, Any]:
    if len(text) > MAX_SOURCE_CHARS:
        raise DefinitionError([f"the file is too long: at most {MAX_SOURCE_CHARS:,} characters "
                               f"(this one has {len(text):,})"])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message ends with "(at line N, column M)".
        raise DefinitionError([f"TOML syntax error: {exc}"]) from exc
    except RecursionError as exc:
        # tomllib parses nested arrays and inline tables recursively.
        raise DefinitionError(["TOML syntax error: arrays or tables are nested too deeply "
                               "(a procedure needs only a few levels)"]) from exc


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
