"""Everything that changes a case, around the one way to move it: apply_transition().

apply_transition asks domain.workflow whether the move is allowed, updates the state and the
statutory clock, appends the hash-chained audit event and queues the notifications, all in the
caller's transaction; `Case.lock_version` turns a stale concurrent attempt into a Conflict.
Around it: the officials' side of a case (a step with its decision record, internal notes,
messages to the applicant, assignment, bulk steps, response templates); the agreement after
a grant is in services/agreements.py. Everything here flushes and never commits (the view
commits once).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from participation.domain import agreements as agreement_rules
from participation.domain import audit as audit_chain
from participation.domain import deadlines, grounds
from participation.domain import organisations as organisation_rules
from participation.domain import workflow as wf
from participation.domain.deadlines import ClockError, dutch_date
from participation.domain.errors import Refusal
from participation.domain.grounds import OUTCOMES
from participation.extensions import db
from participation.models import (
    AgreementVersion,
    Attachment,
    AuditEvent,
    Case,
    CaseMessage,
    Decision,
    InternalNote,
    Notification,
    Organisation,
    ResponseTemplate,
    User,
    WorkflowVersion,
)
from participation.services import attachments, letters, mail, transparency
from participation.services import organisations as organisation_service

NUMBER_PREFIX = {"uitdaagrecht": "UD", "burgerinitiatief": "BI", "bewonersinitiatief": "BW"}
ROLE_ORDER = ("applicant", "coordinator", "official", "griffie", "admin", "system")


class Conflict(Refusal):
    """The case changed since the user loaded it; nothing was written."""

    status = 409

    def __init__(self, case_id: int | None = None) -> None:
        super().__init__(_("Deze zaak is intussen gewijzigd. Bekijk de nieuwe stand en probeer "
                           "het opnieuw."), log=f"case {case_id} changed since it was loaded")
        self.case_id = case_id


@dataclass(frozen=True)
class Outcome:
    case: Case
    event: AuditEvent
    plan: wf.Plan


@lru_cache(maxsize=256)
def _parse(version_id: int, source: str) -> wf.Workflow:
    return wf.load_workflow(source)


def workflow_of(case: Case) -> wf.Workflow:
    version = case.workflow_version or db.session.get(WorkflowVersion, case.workflow_version_id)
    return _parse(version.id, version.source)


def workflow_for_version(version: WorkflowVersion) -> wf.Workflow:
    return _parse(version.id, version.source)


def roles_for(user: User | None, case: Case) -> set[str]:
    if user is None:
        return set()
    roles = set(user.roles_in(case.organisation_id))
    if case.applicant_id is not None and case.applicant_id == user.id:
        roles.add("applicant")
    return roles


def clock_of(case: Case) -> deadlines.ClockState:
    suspensions = tuple(
        deadlines.Suspension(date.fromisoformat(start), date.fromisoformat(end) if end else None)
        for start, end in (case.clock_suspensions or []))
    return deadlines.ClockState(
        started_on=case.clock_started_on, term_days=case.clock_term_days,
        extension_days_allowed=case.clock_extension_days, extended_days=case.clock_extended_days,
        extended_on=case.clock_extended_on, suspensions=suspensions,
        stopped_on=case.clock_stopped_on)


def store_clock(case: Case, clock: deadlines.ClockState, today: date) -> None:
    case.clock_started_on = clock.started_on
    case.clock_extended_days = clock.extended_days
    case.clock_extended_on = clock.extended_on
    case.clock_suspensions = [[s.start.isoformat(), s.end.isoformat() if s.end else None]
                              for s in clock.suspensions]
    case.clock_stopped_on = clock.stopped_on
    case.deadline = None if clock.stopped_on else clock.deadline(today)
    case.urgency = 2 if case.deadline is None else 1 if clock.suspended else 0


def start_case(org: Organisation, request_type: str, *, applicant: User | None, title: str = "",
               data: Mapping[str, Any] | None = None, now: datetime) -> Case:
    """A new case in the initial state of the organisation's current procedure version."""
    version = organisation_service.current_workflow_version(org.id, request_type)
    if version is None:
        raise LookupError(f"{org.slug} has no procedure for {request_type}")
    definition = workflow_for_version(version)
    clock = definition.decision_clock
    case = Case(organisation_id=org.id, organisation=org, request_type=request_type,
                workflow_version_id=version.id, workflow_version=version,
                state=definition.initial_state().name, applicant_id=applicant.id if applicant else None,
                title=title, data=dict(data or {}), clock_term_days=clock.days if clock else 0,
                clock_extension_days=clock.extension_days if clock else 0,
                clock_suspensions=[], state_entered_at=now, created_at=now, updated_at=now)
    db.session.add(case)
    db.session.flush()
    return case


def _next_number(case: Case, year: int) -> str:
    prefix = f"{NUMBER_PREFIX[case.request_type]}-{year}-"
    count = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.organisation_id == case.organisation_id, Case.number.like(prefix + "%")))
    return f"{prefix}{(count or 0) + 1:05d}"


def _acting_role(transition: wf.Transition, roles: set[str]) -> str:
    for role in ROLE_ORDER:
        if role in roles and role in transition.roles:
            return role
    return "system"


def apply_transition(case: Case, transition_name: str, *, actor: User | None,
                     inputs: Mapping[str, Any] | None = None, now: datetime,
                     expected_version: int | None = None, roles: set[str] | None = None,
                     trigger: str | None = None) -> Outcome:
    """Move `case` along `transition_name`. `actor=None` means the system (timers).

    Raises wf.TransitionNotAllowed, wf.MissingInputs, deadlines.ClockError or Conflict;
    on any of them the caller rolls back.
    """
    inputs = dict(inputs or {})
    if expected_version is not None and case.lock_version != expected_version:
        raise Conflict(case.id)
    definition = workflow_of(case)
    inputs = with_agreement(case, definition, transition_name, inputs)
    if roles is None:
        roles = {"system"} if actor is None else roles_for(actor, case)
    plan = wf.plan_transition(definition, state=case.state, transition_name=transition_name,
                              roles=roles, inputs=inputs, trigger=trigger)
    today = deadlines.dutch_date(now)
    target = definition.state(plan.target)

    clock = clock_of(case)
    was_suspended = clock.suspended
    extension = inputs.get("extension_days")
    # While suspended, the state's term is the applicant's supplement term (Awb 4:15).
    clock = deadlines.apply_effect(clock, str(plan.clock), today,
                                   days=int(extension) if extension else None,
                                   supplement_term_last_day=case.state_deadline
                                   if was_suspended else None)
    if was_suspended and not clock.suspended and clock.suspensions[-1].end != today:
        inputs["suspension_ended_on"] = clock.suspensions[-1].end
    store_clock(case, clock, today)

    if plan.target != case.state or target.term is not None:
        case.state_entered_at = now
        case.state_reminded = False
        term_days = inputs.get("term_days") or (target.term.days if target.term else None)
        case.state_deadline = deadlines.add_term(today, days=int(term_days)) if term_days else None
    case.state = plan.target
    case.updated_at = now
    case.is_public = case.is_public or target.public
    if case.submitted_at is None and plan.source == definition.initial_state().name:
        case.submitted_at = now
    if case.number is None and case.submitted_at is not None:
        case.number = _next_number(case, now.year)
    outcome = inputs.get("outcome") or (plan.target if plan.target in OUTCOMES else None)
    if outcome and str(plan.clock) == "stop":
        case.outcome = str(outcome)
        case.decided_at = now

    try:
        db.session.flush()  # the stale-version check happens here, before the event is written
        reason = str(inputs.get("reason") or inputs.get("question") or inputs.get("answer") or "")
        event = append_event(case, transition=plan.transition.name, from_state=plan.source,
                             to_state=plan.target, actor=actor,
                             role=_acting_role(plan.transition, roles), reason=reason,
                             inputs=inputs, public=plan.public,
                             public_labels=(plan.transition.public_label_nl,
                                            plan.transition.public_label_en), now=now)
        if plan.notify_applicant:
            notify_applicant(case, event)
        db.session.flush()
    except (StaleDataError, IntegrityError, OperationalError) as exc:
        db.session.rollback()
        raise Conflict(case.id) from exc
    return Outcome(case=case, event=event, plan=plan)


def with_agreement(case: Case, definition: wf.Workflow, transition_name: str,
                   inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The input `agreement` is never typed: it is the version of the agreement the
    challenger agreed to, when that is the latest one (domain.agreements.agreed_version)."""
    inputs = dict(inputs)
    if not definition.has_transition(transition_name):
        return inputs
    transition = definition.transition(transition_name)
    if "agreement" in transition.inputs + transition.optional_inputs:
        inputs.pop("agreement", None)
        states = [agreement_rules.VersionState(number, agreed_at is not None)
                  for number, agreed_at in db.session.execute(
                      select(AgreementVersion.version, AgreementVersion.agreed_at)
                      .where(AgreementVersion.case_id == case.id))]
        number = agreement_rules.agreed_version(states)
        if number is not None:
            inputs["agreement"] = number
    return inputs


def _jsonable(inputs: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in inputs.items():
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, (set, tuple)):
            value = sorted(value)
        clean[key] = value
    return clean


def append_event(case: Case, *, transition: str, from_state: str, to_state: str,
                 actor: User | None, role: str, reason: str, inputs: Mapping[str, Any],
                 public: bool, public_labels: tuple[str, str] = ("", ""),
                 now: datetime) -> AuditEvent:
    """Append the next event to the case's hash chain (the caller commits)."""
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, audit_chain.GENESIS)
    event = AuditEvent(
        case_id=case.id, seq=seq, at=now, actor_id=actor.id if actor else None, actor_role=role,
        transition=transition, from_state=from_state, to_state=to_state,
        reason=reason, inputs=_jsonable(inputs), public=public,
        public_label_nl=public_labels[0], public_label_en=public_labels[1],
        prev_hash=prev_hash, hash="", hash_version=audit_chain.KEYED)
    key = audit_key()
    event.hash = audit_chain.event_hash(prev_hash, event.payload(), key)
    case.audit_seq, case.audit_head = seq, audit_chain.chain_head(key, case.id, seq, event.hash)
    db.session.add(event)
    return event


def audit_key() -> bytes:
    """The key of the audit chains: from the environment, never in the database."""
    return current_app.config["AUDIT_KEY"].encode("utf-8")


def case_path(case: Case) -> str:
    section = {"uitdaagrecht": "uitdaagrecht", "burgerinitiatief": "initiatieven",
               "bewonersinitiatief": "register"}[case.request_type]
    return f"/{case.organisation.slug}/{section}/{case.id}"


def notify_applicant(case: Case, event: AuditEvent) -> None:
    """In-app notification and an email through the outbox, in the applicant's language."""
    applicant = case.applicant or (db.session.get(User, case.applicant_id) if case.applicant_id else None)
    if applicant is None or not applicant.is_active:
        return
    url = current_app.config["BASE_URL"] + case_path(case)
    with force_locale(applicant.locale or "nl"):
        label = event.public_label_en if applicant.locale == "en" else event.public_label_nl
        label = label or event.to_state
        subject = _("%(number)s: %(label)s", number=case.number or case.title, label=label)
        lines = [_("Beste %(name)s,", name=applicant.name), "",
                 _("Er is een nieuwe stap gezet in uw zaak \"%(title)s\" (%(number)s): %(label)s.",
                   title=case.title, number=case.number or "-", label=label)]
        if event.reason:
            lines += ["", _("Toelichting:"), event.reason]
        if case.deadline and not case.clock_stopped_on:
            lines += ["", _("Uiterste beslisdatum: %(date)s", date=case.deadline.strftime("%d-%m-%Y"))]
        lines += ["", _("Bekijk uw zaak: %(url)s", url=url), "", _("Met vriendelijke groet,"),
                  case.organisation.name]
        letter = event.inputs.get("letter") if event.inputs else None
        if letter:
            lines[-5:-5] = ["", _("Het besluit staat in de brief in de bijlage (PDF). U vindt de "
                                  "brief ook bij uw zaak.")]
        body = "\n".join(lines)
    db.session.add(Notification(user_id=applicant.id, case_id=case.id, text=subject[:300],
                                url=case_path(case)))
    with force_locale(applicant.locale or "nl"):
        action = (_("Bekijk uw zaak"), url)
    mail.queue_email(applicant.email, subject, body,
                     attachment_id=int(letter) if letter else None, org=case.organisation,
                     language=applicant.locale or "nl", action=action)


def verify_all_chains() -> dict[int, list[audit_chain.ChainProblem]]:
    """Every case's chain, against the head the case keeps; returns only the broken ones."""
    problems: dict[int, list[audit_chain.ChainProblem]] = {}
    key = audit_key()
    heads = {case_id: (seq, head) for case_id, seq, head in db.session.execute(
        select(Case.id, Case.audit_seq, Case.audit_head))}
    current: int | None = None
    batch: list[tuple] = []

    def flush_batch() -> None:
        if current is not None:
            found = audit_chain.verify_chain(batch, key=key, case_id=current,
                                             head=heads.pop(current, (0, "")))
            if found:
                problems[current] = found

    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.case_id, AuditEvent.seq)
                                    .execution_options(yield_per=1000)):
        if event.case_id != current:
            flush_batch()
            current, batch = event.case_id, []
        batch.append((event.seq, event.prev_hash, event.hash, event.payload(),
                      event.hash_version))
    flush_batch()
    # A case whose head counts events that are all gone.
    for case_id, head in heads.items():
        found = audit_chain.verify_chain([], key=key, case_id=case_id, head=head)
        if found:
            problems[case_id] = found
    return problems


def rekey_chains() -> int:
    """Chains from before the audit key: check each unkeyed chain, then hash it again with the
    key (public texts included) and give its case a head. Returns how many cases changed; a
    chain that does not verify as it is is left alone (and `audit verify` keeps saying so)."""
    key = audit_key()
    changed = 0
    case_ids = db.session.scalars(select(AuditEvent.case_id).where(
        AuditEvent.hash_version < audit_chain.KEYED).distinct()).all()
    for case_id in case_ids:
        events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                         .order_by(AuditEvent.seq)))
        if audit_chain.verify_chain([(e.seq, e.prev_hash, e.hash, e.payload(), e.hash_version)
                                     for e in events], key=key):
            continue
        prev = audit_chain.GENESIS
        for event in events:
            event.hash_version = audit_chain.KEYED
            event.prev_hash = prev
            event.hash = prev = audit_chain.event_hash(prev, event.payload(), key)
        case = db.session.get(Case, case_id)
        case.audit_seq = events[-1].seq
        case.audit_head = audit_chain.chain_head(key, case_id, case.audit_seq, prev)
        changed += 1
    db.session.flush()
    return changed

# --------------------------------------------------------------------------- casework

ASSIGNABLE_ROLES = frozenset({"official", "coordinator"})
# Inputs a bulk step can fill from one text (and a default term); anything else needs the
# case page (a decision record, refusal grounds, a document, a meeting).
BULK_TEXT_INPUTS = ("reason", "question", "answer")
BULK_INPUTS = frozenset(BULK_TEXT_INPUTS + ("term_days", "extension_days"))
DEFAULT_INFORMATION_TERM_DAYS = 21
# States after acceptance in which the agreement panel applies (procedures.md §2.6).
AGREEMENT_STATES = frozenset({"overeenkomst", "in_uitvoering", "evaluatie", "verlengd",
                              "afgerond", "beeindigd", "vervallen"})


class CaseworkInvalid(Refusal):
    """Input that cannot be stored: `errors` maps a field name to a Dutch message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(errors=errors, log="; ".join(f"{k}: {v}" for k, v in errors.items()))


# --------------------------------------------------------------------------- decision record

def deciding_bodies(org: Organisation) -> list[grounds.Body]:
    """The bodies that can decide in `org`: those its record names, else all of its tier."""
    return organisation_rules.chosen_bodies(org.tier, org.deciding_bodies)


def default_deciding_body(org: Organisation) -> str:
    return organisation_rules.default_body(org.tier, org.deciding_bodies)


def default_legal_remedies(org: Organisation, deciding_body: str | None = None) -> str:
    """The standard bezwaar notice (Awb 6:7): six weeks, to the body that decided. A mandated
    official decides on behalf of the executive, so the objection goes there."""
    body = deciding_body or default_deciding_body(org)
    if body == "gemandateerd_ambtenaar":
        body = organisation_rules.default_body(org.tier)  # the executive gave the mandate
    body_label = grounds.label(grounds.DECIDING_BODIES, body, "nl")
    return _("Bent u het niet eens met dit besluit? Dan kunt u bezwaar maken. Dat doet u binnen "
             "6 weken na de dag waarop wij dit besluit bekend hebben gemaakt (artikel 6:7 van "
             "de Algemene wet bestuursrecht). Stuur uw bezwaar aan: %(body)s van %(org)s. "
             "Schrijf in uw brief uw naam en adres, de datum, om welk besluit het gaat en "
             "waarom u het er niet mee eens bent. Zet uw handtekening eronder.",
             body=body_label, org=org.name)


def _decision_problems(org: Organisation, *, deciding_body: str, decided_on: date | None,
                       outcome: str, reasons: str, refusal_grounds: Iterable[str],
                       partial_subtype: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if deciding_body not in {b.code for b in deciding_bodies(org)}:
        errors["deciding_body"] = _("Kies wie het besluit neemt.")
    if decided_on is None:
        errors["decided_on"] = _("Geef de datum van het besluit.")
    if not outcome:
        errors["outcome"] = _("Kies een uitkomst uit de lijst.")
    if not (reasons or "").strip():
        errors["reason"] = _("Schrijf op waarom dit besluit is genomen.")
    unknown = [code for code in refusal_grounds if code not in grounds.REFUSAL_GROUNDS]
    if unknown:
        errors["refusal_grounds"] = _("Kies alleen weigeringsgronden uit de lijst.")
    if partial_subtype and partial_subtype not in grounds.PARTIAL_SUBTYPES:
        errors["partial_subtype"] = _("Kies een soort gedeeltelijke toekenning uit de lijst.")
    if outcome == "deels_toegekend" and not partial_subtype:
        errors["partial_subtype"] = _("Kies wat voor gedeeltelijke toekenning het is.")
    return errors


def record_decision(case: Case, *, actor: User | None, deciding_body: str, decided_on: date,
                    outcome: str, reasons: str, refusal_grounds: Iterable[str] = (),
                    legal_remedies: str = "", decision_number: str = "",
                    partial_subtype: str = "", document_id: int | None = None,
                    now: datetime) -> Decision:
    """Store the structured decision record (procedures.md §4.3); raises CaseworkInvalid."""
    refusal_grounds = list(refusal_grounds or [])
    errors = _decision_problems(case.organisation, deciding_body=deciding_body,
                                decided_on=decided_on, outcome=outcome, reasons=reasons,
                                refusal_grounds=refusal_grounds, partial_subtype=partial_subtype)
    if errors:
        raise CaseworkInvalid(errors)
    decision = Decision(
        case_id=case.id, deciding_body=deciding_body, decided_on=decided_on, outcome=outcome,
        partial_subtype=partial_subtype or "", reasons=reasons.strip(),
        refusal_grounds=refusal_grounds,
        legal_remedies=(legal_remedies or "").strip() or default_legal_remedies(
            case.organisation, deciding_body),
        decision_number=(decision_number or "").strip(), document_id=document_id,
        created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(decision)
    db.session.flush()
    return decision


def attach_letter(case: Case, record: Decision, *, actor: User | None,
                  now: datetime) -> dict[str, Any]:
    """Generate the decision letter in the decision's transaction; returns the inputs that
    put it in the step's audit event (and in the applicant's email). Raises
    wf.MissingInputs with the reason under "letter" when it cannot be made."""
    if letters.kind_of(record.outcome) is None:
        return {}
    try:
        letter = letters.generate(case, record, actor=actor, now=now)
    except letters.LetterInvalid as exc:
        raise wf.MissingInputs(exc.errors, exc.errors) from exc
    return {"letter": letter.attachment_id, "letter_version": letter.version,
            "letter_sha256": letter.sha256}


DECISION_CORRECTED = "besluit_gecorrigeerd"
DECISION_CORRECTED_LABELS = ("Besluit verbeterd (nieuwe brief)", "Decision corrected (new letter)")
CORRECTABLE = ("reasons", "decision_number", "legal_remedies")


def correct_decision(case: Case, decision: Decision, *, actor: User, reasons: str,
                     decision_number: str, legal_remedies: str, note: str,
                     now: datetime) -> AuditEvent:
    """Correct a recorded decision's text: the record changes, a new version of the letter is
    made and sent, the earlier letter stays, and the audit event names every change (old and
    new). Raises CaseworkInvalid."""
    errors: dict[str, str] = {}
    if decision.case_id != case.id:
        errors["form"] = _("Dit besluit hoort niet bij deze zaak.")
    if not reasons.strip():
        errors["reasons"] = _("Schrijf op waarom dit besluit is genomen.")
    if not note.strip():
        errors["note"] = _("Schrijf op wat er is verbeterd.")
    new = {"reasons": reasons.strip(), "decision_number": decision_number.strip(),
           "legal_remedies": legal_remedies.strip() or default_legal_remedies(
               case.organisation, decision.deciding_body)}
    changed = {k: [getattr(decision, k), v] for k, v in new.items() if getattr(decision, k) != v}
    if not errors and not changed:
        errors["reasons"] = _("Er is niets veranderd. Pas de tekst aan die verbeterd moet worden.")
    if errors:
        raise CaseworkInvalid(errors)
    for key, (_old, value) in changed.items():
        setattr(decision, key, value)
    try:
        letter = letters.generate(case, decision, actor=actor, now=now)
    except letters.LetterInvalid as exc:
        raise CaseworkInvalid(exc.errors) from exc
    case.updated_at = now
    event = append_event(
        case, transition=DECISION_CORRECTED, from_state=case.state, to_state=case.state,
        actor=actor, role=_acting_role_for(actor, case), reason=note.strip(),
        inputs={"decision": decision.id, "changed": changed, "letter": letter.attachment_id,
                "letter_version": letter.version, "letter_sha256": letter.sha256},
        public=decision.published_at is not None, public_labels=DECISION_CORRECTED_LABELS,
        now=now)
    notify_applicant(case, event)
    db.session.flush()
    return event


def _acting_role_for(actor: User, case: Case) -> str:
    roles = roles_for(actor, case)
    return next((role for role in ROLE_ORDER if role in roles), "system")


LETTER_SENT = "besluit_verzonden"
LETTER_SENT_LABELS = ("Besluit verzonden", "Decision sent")


def record_letter_sent(case: Case, step: AuditEvent, *, actor: User | None,
                       now: datetime) -> AuditEvent | None:
    """After a step that made a letter: an event "besluit verzonden" in the case's history
    (public when the step is), naming the letter's version and fingerprint."""
    letter = (step.inputs or {}).get("letter")
    if not letter:
        return None
    return append_event(case, transition=LETTER_SENT, from_state=step.to_state,
                        to_state=step.to_state, actor=actor, role=step.actor_role, reason="",
                        inputs={"letter": letter, "letter_version": step.inputs.get("letter_version"),
                                "letter_sha256": step.inputs.get("letter_sha256")},
                        public=step.public, public_labels=LETTER_SENT_LABELS, now=now)


def decision_outcome(definition: wf.Workflow, transition: wf.Transition,
                     inputs: Mapping[str, Any]) -> str:
    """The outcome a decision on this transition records: the chosen outcome, else the
    target state when it is an outcome (toegekend, afgewezen…), else the target state."""
    chosen = inputs.get("outcome")
    if chosen:
        return str(chosen)
    return transition.target


# --------------------------------------------------------------------------- documents

def store_document(case: Case, upload: Any, *, actor: User | None, purpose: str) -> Attachment:
    """Store an uploaded file (a werkzeug FileStorage) through the attachments service,
    which checks it by content; raises CaseworkInvalid with the reason under "document"."""
    try:
        return attachments.store_upload(case, upload, uploader=actor, purpose=purpose)
    except attachments.UploadRejected as exc:
        raise CaseworkInvalid({"document": exc.message_nl}) from exc


# --------------------------------------------------------------------------- transitions

@dataclass(frozen=True)
class DecisionFields:
    """What the official fills in for the decision record; reasons come from the step's
    "reason" input and the refusal grounds from its "refusal_grounds" input."""

    deciding_body: str
    decided_on: date | None
    legal_remedies: str = ""
    decision_number: str = ""
    partial_subtype: str = ""


def needs_decision(transition: wf.Transition) -> bool:
    return "decision" in transition.inputs


def fire_transition(case: Case, transition_name: str, *, actor: User, inputs: Mapping[str, Any],
                    now: datetime, expected_version: int | None = None,
                    decision: DecisionFields | None = None, document: Any = None) -> Outcome:
    """One step from the workbench: check everything first (one list of errors), then store
    the document and the decision record, then move the case.

    Raises Conflict, wf.TransitionNotAllowed, ClockError, or wf.MissingInputs whose
    `errors` map a form field (an input kind or a decision field) to a Dutch message.
    """
    if expected_version is not None and case.lock_version != expected_version:
        raise Conflict(case.id)
    definition = workflow_of(case)
    roles = roles_for(actor, case)
    inputs = {k: v for k, v in inputs.items() if not wf.is_empty(v)}
    transition = definition.transition(transition_name) if definition.has_transition(
        transition_name) else None
    declared = (transition.inputs + transition.optional_inputs) if transition else ()
    with_decision = transition is not None and "decision" in declared and (
        needs_decision(transition) or decision is not None)
    probe = with_agreement(case, definition, transition_name, inputs)
    if with_decision:
        probe["decision"] = "pending"
    if document is not None and "document" in declared:
        probe["document"] = "pending"

    errors: dict[str, str] = {}
    try:
        wf.plan_transition(definition, state=case.state, transition_name=transition_name,
                           roles=roles, inputs=probe)
    except wf.MissingInputs as exc:
        errors.update(exc.errors)
    if with_decision:
        fields = decision or DecisionFields(deciding_body="", decided_on=None)
        assert transition is not None
        for key, message in _decision_problems(
                case.organisation, deciding_body=fields.deciding_body,
                decided_on=fields.decided_on,
                outcome=decision_outcome(definition, transition, inputs),
                reasons=str(inputs.get("reason") or ""),
                refusal_grounds=inputs.get("refusal_grounds") or [],
                partial_subtype=fields.partial_subtype).items():
            errors.setdefault(key, message)
        if (transition.target == "deels_toegekend" and not fields.partial_subtype):
            errors.setdefault("partial_subtype",
                              _("Kies wat voor gedeeltelijke toekenning het is."))
    if errors:
        raise wf.MissingInputs(errors, errors)

    inputs = dict(inputs)
    if document is not None and "document" in declared:
        try:
            attachment = store_document(case, document, actor=actor,
                                        purpose="decision" if with_decision else "document")
        except CaseworkInvalid as exc:
            raise wf.MissingInputs(exc.errors, exc.errors) from exc
        inputs["document"] = attachment.id
    record: Decision | None = None
    if with_decision:
        assert transition is not None and decision is not None
        record = record_decision(
            case, actor=actor, deciding_body=decision.deciding_body,
            decided_on=decision.decided_on or dutch_date(now),
            outcome=decision_outcome(definition, transition, inputs),
            reasons=str(inputs.get("reason") or ""),
            refusal_grounds=inputs.get("refusal_grounds") or [],
            legal_remedies=decision.legal_remedies, decision_number=decision.decision_number,
            partial_subtype=decision.partial_subtype, document_id=inputs.get("document"),
            now=now)
        inputs["decision"] = record.id
        inputs.update(attach_letter(case, record, actor=actor, now=now))
    outcome = apply_transition(case, transition_name, actor=actor,
                                                inputs=inputs, now=now,
                                                expected_version=expected_version, roles=roles)
    record_letter_sent(case, outcome.event, actor=actor, now=now)
    if record is not None and definition.state(outcome.plan.target).public:
        record.published_at = now
        db.session.flush()
        transparency.sequence(now)  # a publication gets its signed checkpoint at once
    return outcome


def preview_letter(case: Case, transition_name: str, *, inputs: Mapping[str, Any],
                   decision: DecisionFields, now: datetime) -> bytes:
    """The letter this step would send, as PDF; nothing is added to the session. Raises
    CaseworkInvalid (the decision's fields) or letters.LetterInvalid."""
    definition = workflow_of(case)
    transition = definition.transition(transition_name)
    inputs = {k: v for k, v in inputs.items() if not wf.is_empty(v)}
    outcome = decision_outcome(definition, transition, inputs)
    reasons = str(inputs.get("reason") or "")
    refusal_grounds = list(inputs.get("refusal_grounds") or [])
    errors = _decision_problems(case.organisation, deciding_body=decision.deciding_body,
                                decided_on=decision.decided_on or dutch_date(now),
                                outcome=outcome, reasons=reasons,
                                refusal_grounds=refusal_grounds,
                                partial_subtype=decision.partial_subtype)
    if errors:
        raise CaseworkInvalid(errors)
    record = Decision(case_id=case.id, deciding_body=decision.deciding_body,
                      decided_on=decision.decided_on or dutch_date(now), outcome=outcome,
                      partial_subtype=decision.partial_subtype or "",
                      reasons=reasons.strip(),
                      refusal_grounds=refusal_grounds,
                      legal_remedies=(decision.legal_remedies or "").strip()
                      or default_legal_remedies(case.organisation, decision.deciding_body),
                      decision_number=(decision.decision_number or "").strip())
    return letters.render(case, record, language=letters.applicant_language(case), public=False,
                          sent_on=dutch_date(now)).pdf


# --------------------------------------------------------------------------- bulk

@dataclass(frozen=True)
class BulkResult:
    case_id: int
    number: str
    title: str
    ok: bool
    message: str


def bulk_inputs(transition: wf.Transition, text: str, term_days: int | None) -> dict[str, Any]:
    declared = transition.inputs + transition.optional_inputs
    inputs: dict[str, Any] = {}
    for kind in BULK_TEXT_INPUTS:
        if kind in declared and text.strip():
            inputs[kind] = text.strip()
    if "term_days" in declared:
        if term_days:
            inputs["term_days"] = term_days
        elif "term_days" in transition.inputs:
            inputs["term_days"] = DEFAULT_INFORMATION_TERM_DAYS
    return inputs


def apply_bulk(selection: Iterable[tuple[Case, int]], transition_name: str, *, actor: User,
               text: str, term_days: int | None = None, now: datetime) -> list[BulkResult]:
    """Fire one step on several cases, each in its own SAVEPOINT so that a case that cannot
    take the step leaves the others alone. `selection` pairs a case with the lock version
    the user saw. Nothing is committed here.

    Every refusal (stale version, wrong state or role, missing inputs, clock) is detected
    before anything is written, so a failed case leaves nothing to undo. A write conflict
    that only shows at flush time (a simultaneous edit) makes apply_transition roll back
    the whole transaction: then Conflict propagates and nothing at all is changed.
    """
    results: list[BulkResult] = []
    for case, seen_version in selection:
        label = case.number or str(case.id)
        if case.lock_version != seen_version:
            results.append(BulkResult(case.id, label, case.title, False,
                                      _("Deze zaak is intussen gewijzigd. Bekijk de nieuwe "
                                        "stand en probeer het opnieuw.")))
            continue
        definition = workflow_of(case)
        transition = (definition.transition(transition_name)
                      if definition.has_transition(transition_name) else None)
        inputs = bulk_inputs(transition, text, term_days) if transition else {}
        savepoint = db.session.begin_nested()
        try:
            outcome = apply_transition(
                case, transition_name, actor=actor, inputs=inputs, now=now,
                expected_version=seen_version)
        except wf.TransitionNotAllowed as exc:
            savepoint.rollback()
            results.append(BulkResult(case.id, label, case.title, False, exc.message_nl))
            continue
        except wf.MissingInputs as exc:
            savepoint.rollback()
            results.append(BulkResult(case.id, label, case.title, False,
                                      " ".join(exc.errors.values())))
            continue
        except ClockError as exc:
            savepoint.rollback()
            results.append(BulkResult(case.id, label, case.title, False, exc.message_nl))
            continue
        savepoint.commit()
        state_label = definition.state(outcome.plan.target).label_nl
        results.append(BulkResult(case.id, outcome.case.number or label, case.title, True,
                                  _("Gelukt: nu %(state)s.", state=state_label)))
    return results


def assign_bulk(cases: Iterable[Case], *, assignee: User | None, actor: User,
                now: datetime) -> int:
    count = 0
    for case in cases:
        assign_case(case, assignee=assignee, actor=actor, now=now)
        count += 1
    return count


# --------------------------------------------------------------------------- assignment

def assign_case(case: Case, *, assignee: User | None, actor: User, now: datetime) -> None:
    """Give the case to an official of its organisation (None: nobody)."""
    if assignee is not None and not (assignee.roles_in(case.organisation_id) & ASSIGNABLE_ROLES):
        raise CaseworkInvalid({"assignee": _("Kies een medewerker van deze organisatie.")})
    case.assignee_id = assignee.id if assignee else None
    case.updated_at = now
    db.session.flush()


# --------------------------------------------------------------------------- notes, messages

def add_note(case: Case, *, author: User, body: str, now: datetime) -> InternalNote:
    """An internal note: staff only, never shown to the applicant or the public."""
    if not (body or "").strip():
        raise CaseworkInvalid({"body": _("Schrijf een notitie.")})
    note = InternalNote(case_id=case.id, author_id=author.id, body=body.strip(), created_at=now)
    db.session.add(note)
    db.session.flush()
    return note


def send_message(case: Case, *, author: User, body: str, now: datetime) -> CaseMessage:
    """A message from the organisation to the applicant, in the app and by email."""
    if not (body or "").strip():
        raise CaseworkInvalid({"body": _("Schrijf een bericht.")})
    message = CaseMessage(case_id=case.id, author_id=author.id, from_organisation=True,
                          kind="message", body=body.strip(), created_at=now)
    db.session.add(message)
    applicant = db.session.get(User, case.applicant_id) if case.applicant_id else None
    if applicant is not None and applicant.is_active:
        path = case_path(case)
        url = current_app.config["BASE_URL"] + path
        with force_locale(applicant.locale or "nl"):
            subject = _("%(number)s: nieuw bericht over uw aanvraag",
                        number=case.number or case.title)
            text = "\n".join([
                _("Beste %(name)s,", name=applicant.name), "",
                _("U heeft een bericht gekregen over uw aanvraag \"%(title)s\" (%(number)s):",
                  title=case.title, number=case.number or "-"), "",
                message.body, "",
                _("Bekijk uw zaak: %(url)s", url=url), "",
                _("Met vriendelijke groet,"), case.organisation.name])
            action = (_("Bekijk uw zaak"), url)
        db.session.add(Notification(user_id=applicant.id, case_id=case.id, text=subject[:300],
                                    url=path))
        mail.queue_email(applicant.email, subject, text, org=case.organisation,
                         language=applicant.locale or "nl", action=action)
    db.session.flush()
    return message


# The agreement, progress and evaluation after a grant: services/agreements.py.


# --------------------------------------------------------------------------- templates

def save_template(org: Organisation, *, transition: str, title: str, body: str,
                  now: datetime, template: ResponseTemplate | None = None) -> ResponseTemplate:
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = _("Geef het sjabloon een naam.")
    if not body.strip():
        errors["body"] = _("Schrijf de tekst van het sjabloon.")
    if errors:
        raise CaseworkInvalid(errors)
    if template is None:
        template = ResponseTemplate(organisation_id=org.id, created_at=now)
        db.session.add(template)
    template.transition = transition or ""
    template.title = title.strip()[:120]
    template.body = body.strip()
    template.updated_at = now
    db.session.flush()
    return template


def delete_template(template: ResponseTemplate) -> None:
    db.session.delete(template)
    db.session.flush()
