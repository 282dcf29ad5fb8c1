"""Procedure definitions: states, transitions, who may fire them and what they need.

A workflow is data, read from a TOML file (the presets live in participation/workflows/; the
file format is documented at the top of each preset). Rooms of this package:

- definition:   the data types (Workflow, State, Transition, Plan) and the errors;
- toml_format:  reading TOML into a Workflow and writing it back;
- validation:   what a definition means (every problem listed) and the shipped presets;
- transitions:  deciding a step (`plan_transition`) and which steps a role is offered.

Nothing here changes anything: services apply the returned Plan, write the audit event and
run the clock (participation.domain.deadlines). Import from the package, not the modules.
"""
from participation.domain.problems import Problem, locate
from participation.domain.thresholds import Threshold  # part of a definition
from participation.domain.workflow.definition import (
    AUTOMATIC_TRIGGERS,
    INPUT_KINDS,
    MAX_INPUT_DAYS,
    MAX_TERM_DAYS,
    PRESETS,
    REQUEST_TYPES,
    ROLES,
    ClockEffect,
    DecisionClock,
    DefinitionError,
    InputLabel,
    MissingInputs,
    Plan,
    State,
    StateKind,
    StateTerm,
    Transition,
    TransitionNotAllowed,
    Workflow,
    WorkflowError,
)
from participation.domain.workflow.toml_format import (
    parse_workflow,
    to_toml,
)
from participation.domain.workflow.transitions import (
    available_transitions,
    check_inputs,
    is_empty,
    lapse_transition,
    plan_transition,
    step_refusal,
)
from participation.domain.workflow.validation import (
    load_preset,
    load_workflow,
    preset_path,
    validate,
)

__all__ = [
    "Threshold",
    "StateKind",
    "ClockEffect",
    "ROLES",
    "INPUT_KINDS",
    "AUTOMATIC_TRIGGERS",
    "REQUEST_TYPES",
    "PRESETS",
    "MAX_TERM_DAYS",
    "MAX_INPUT_DAYS",
    "StateTerm",
    "State",
    "Transition",
    "InputLabel",
    "DecisionClock",
    "Workflow",
    "Plan",
    "WorkflowError",
    "DefinitionError",
    "TransitionNotAllowed",
    "MissingInputs",
    "Problem",
    "locate",
    "parse_workflow",
    "to_toml",
    "validate",
    "load_workflow",
    "preset_path",
    "load_preset",
    "is_empty",
    "check_inputs",
    "available_transitions",
    "lapse_transition",
    "plan_transition",
    "step_refusal",
]
