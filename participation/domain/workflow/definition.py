"""The shape of a procedure definition: states, transitions, the decision clock, what firing
a transition will do (Plan), and the errors this package raises on purpose."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

from participation.domain import grounds
from participation.domain.assurance import NO_REQUIREMENT, Requirement, parse_requirement
from participation.domain.errors import Refusal
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
               "outcome", "decision", "document", "meeting", "extension_days", "agreement")
AUTOMATIC_TRIGGERS = ("term_lapsed", "threshold_met")
REQUEST_TYPES = ("uitdaagrecht", "burgerinitiatief", "bewonersinitiatief")
PRESETS = REQUEST_TYPES
MAX_TERM_DAYS = 3650  # ten years: anything longer is a typo, not a term
MAX_INPUT_DAYS = 365

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PRESET_DIR = Path(__file__).resolve().parent.parent.parent / "workflows"


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
class InputLabel:
    """The procedure's own words for one input of a transition, e.g. a question that goes to
    an advisory group rather than to the applicant."""

    kind: str
    label_nl: str
    label_en: str
    help_nl: str = ""
    help_en: str = ""

    def label(self, locale: str) -> str:
        return self.label_en if locale.lower().startswith("en") else self.label_nl

    def help(self, locale: str) -> str:
        return self.help_en if locale.lower().startswith("en") else self.help_nl


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
    input_labels: tuple[InputLabel, ...] = ()

    def input_label(self, kind: str) -> InputLabel | None:
        return next((label for label in self.input_labels if label.kind == kind), None)


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
    # The login each action needs ([identity]: action -> "email" | "digid:midden" | ...).
    identity: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), hash=False)
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
        if not isinstance(self.identity, MappingProxyType):
            object.__setattr__(self, "identity", MappingProxyType(dict(self.identity)))

    def requirement(self, action: str) -> Requirement:
        """The login an action needs; a confirmed email account when the file names none (a
        definition with a bad value never gets this far: validate() refuses it)."""
        text = self.identity.get(action)
        return parse_requirement(text) if text else NO_REQUIREMENT

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


class TransitionNotAllowed(WorkflowError, Refusal):
    """The transition cannot be fired here. `code` is "wrong_state", "wrong_role" or
    "unknown_transition"; str() is English, `message_nl` is for the user."""

    def __init__(self, message: str, *, code: str, transition: str, state: str,
                 message_nl: str) -> None:
        Refusal.__init__(self, message_nl, log=message)
        self.code = code
        self.transition = transition
        self.state = state


class MissingInputs(WorkflowError, Refusal):
    """Required inputs are missing or invalid: `errors` maps input kind -> Dutch message,
    `errors_en` the same in English."""

    def __init__(self, errors: Mapping[str, str], errors_en: Mapping[str, str]) -> None:
        self.errors_en = dict(errors_en)
        Refusal.__init__(self, errors=errors, log="missing or invalid inputs: " + "; ".join(
            f"{k}: {v}" for k, v in self.errors_en.items()))
