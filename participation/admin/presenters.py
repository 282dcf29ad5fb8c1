"""A procedure definition in words: the rows of the states and transitions tables."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from participation.domain.assurance import ACTIONS
from participation.domain.workflow import ClockEffect, StateKind, Transition, Workflow

ACTION_NAMES = {
    "file": _l("Indienen"),
    "file_for_organisation": _l("Indienen namens een organisatie"),
    "sign": _l("Steunen (ondertekenen)"),
    "answer": _l("Vragen beantwoorden"),
}
ROLE_NAMES = {
    "applicant": _l("aanvrager"),
    "official": _l("behandelaar"),
    "coordinator": _l("coördinator"),
    "griffie": _l("griffie"),
    "admin": _l("beheerder"),
    "system": _l("systeem"),
}
KIND_NAMES = {
    StateKind.INITIAL: _l("begin (concept)"),
    StateKind.ACTIVE: _l("in behandeling"),
    StateKind.WAITING: _l("wacht op de aanvrager"),
    StateKind.TERMINAL: _l("eindfase"),
}
CLOCK_EFFECTS = {
    ClockEffect.NONE: "",
    ClockEffect.START: _l("start de beslistermijn"),
    ClockEffect.SUSPEND: _l("schort op"),
    ClockEffect.RESUME: _l("hervat"),
    ClockEffect.EXTEND: _l("verlengt"),
    ClockEffect.STOP: _l("stopt"),
}
INPUT_NAMES = {
    "reason": _l("toelichting"),
    "question": _l("vraag"),
    "answer": _l("antwoord"),
    "term_days": _l("termijn in dagen"),
    "extension_days": _l("aantal extra dagen"),
    "refusal_grounds": _l("weigeringsgronden"),
    "exclusions": _l("uitsluitingsgronden"),
    "outcome": _l("uitkomst"),
    "decision": _l("besluit"),
    "document": _l("document"),
    "meeting": _l("vergadering"),
    "agreement": _l("overeenkomst waarmee de uitdager instemde"),
}
AUTOMATIC = {
    "term_lapsed": _l("automatisch als de termijn voorbij is"),
    "threshold_met": _l("automatisch als er genoeg steun is"),
}
REQUEST_TYPE_NAMES = {
    "uitdaagrecht": _l("Uitdaagrecht"),
    "burgerinitiatief": _l("Burgerinitiatief"),
    "bewonersinitiatief": _l("Bewonersinitiatief"),
}


def euro(amount) -> str:
    """Decimal('12500.5') -> '€ 12.500,50'."""
    text = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def days_text(days: int) -> str:
    """'5 dagen', '2 weken (14 dagen)'."""
    text = ngettext("%(num)s dag", "%(num)s dagen", days)
    if days and days % 7 == 0:
        weeks = ngettext("%(num)s week", "%(num)s weken", days // 7)
        return f"{weeks} ({text})"
    return text


def _names(mapping, keys) -> str:
    return ", ".join(str(mapping.get(k, k)) for k in keys)


def _input_names(t: Transition, kinds: tuple[str, ...]) -> str:
    """Input kinds, each with the procedure's own label where it gives one."""
    names = []
    for kind in kinds:
        custom = t.input_label(kind)
        name = str(INPUT_NAMES.get(kind, kind))
        names.append(f"{name} (\u201c{custom.label_nl}\u201d)" if custom else name)
    return ", ".join(names)


@dataclass(frozen=True)
class StateRow:
    name: str
    label: str
    kind: str
    public: bool
    term: str
    description: str


@dataclass(frozen=True)
class TransitionRow:
    name: str
    label: str
    sources: str
    target: str
    roles: str
    inputs: str
    optional_inputs: str
    clock: str
    notifies: bool
    public_label: str


@dataclass(frozen=True)
class ProcedureView:
    title: str
    decision_clock: str
    threshold: str
    states: list[StateRow]
    transitions: list[TransitionRow]
    # (what the person does, the login it needs), for the actions the file names.
    logins: list[tuple[str, str]] = field(default_factory=list)


def describe(wf: Workflow) -> ProcedureView:
    def label(name: str) -> str:
        return wf.state(name).label_nl if wf.has_state(name) else name

    states = []
    for s in wf.states:
        term = ""
        if s.term is not None:
            term = days_text(s.term.days)
            if s.term.on_lapse and wf.has_transition(s.term.on_lapse):
                lapse = wf.transition(s.term.on_lapse)
                term = _("%(term)s; daarna automatisch: %(step)s", term=term,
                         step=lapse.label_nl)
            else:
                term = _("%(term)s; daarna een herinnering", term=term)
        states.append(StateRow(s.name, s.label_nl, str(KIND_NAMES[s.kind]), s.public, term,
                               s.description_nl))
    transitions = []
    for t in wf.transitions:
        roles = _names(ROLE_NAMES, sorted(t.roles, key=lambda r: list(ROLE_NAMES).index(r)
                                          if r in ROLE_NAMES else 99))
        if t.automatic:
            roles = str(AUTOMATIC.get(t.automatic, t.automatic))
        transitions.append(TransitionRow(
            t.name, t.label_nl, ", ".join(label(s) for s in t.sources), label(t.target), roles,
            _input_names(t, t.inputs), _input_names(t, t.optional_inputs),
            str(CLOCK_EFFECTS[t.clock]), t.notify_applicant,
            t.public_label_nl if t.public else ""))
    clock = ""
    if wf.decision_clock is not None:
        clock = days_text(wf.decision_clock.days)
        if wf.decision_clock.extension_days:
            clock = _("%(term)s, één keer te verlengen met %(extension)s", term=clock,
                      extension=days_text(wf.decision_clock.extension_days))
    threshold = ""
    if wf.threshold is not None:
        t = wf.threshold
        base = _("inwoners") if t.of == "inhabitants" else _("kiesgerechtigden")
        parts = []
        if t.min_absolute:
            parts.append(_("minstens %(n)s steunbetuigingen", n=t.min_absolute))
        if t.min_percentage:
            pct = f"{t.min_percentage:g}".replace(".", ",")
            parts.append(_("%(pct)s%% van de %(base)s", pct=pct, base=base))
        if len(parts) == 2:
            # "max": the stricter of the two applies, so both must be met.
            threshold = (_("%(first)s en %(second)s", first=parts[0], second=parts[1])
                         if t.combine == "max"
                         else _("%(first)s of %(second)s", first=parts[0], second=parts[1]))
        else:
            threshold = parts[0] if parts else ""
        if t.collection_days:
            threshold += "; " + _("verzamelen binnen %(term)s", term=days_text(t.collection_days))
        if t.min_age:
            threshold += "; " + _("vanaf %(age)s jaar", age=t.min_age)
    logins = [(str(ACTION_NAMES[action]), wf.requirement(action).label())
              for action in ACTIONS if wf.identity.get(action)]
    return ProcedureView(wf.title_nl, clock, threshold, states, transitions, logins)
