"""The one way to change a case: apply_transition().

It asks domain.workflow whether the move is allowed, updates the state and the statutory
clock, appends the hash-chained audit event and queues the notifications, all in the
caller's transaction. `Case.lock_version` turns a stale concurrent attempt into a Conflict.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Mapping

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from participation.domain import audit as audit_chain
from participation.domain import deadlines
from participation.domain import workflow as wf
from participation.domain.grounds import OUTCOMES
from participation.extensions import db
from participation.models import AuditEvent, Case, Notification, Organisation, User, WorkflowVersion
from participation.services import organisations as organisation_service

NUMBER_PREFIX = {"uitdaagrecht": "UD", "burgerinitiatief": "BI", "bewonersinitiatief": "BW"}
ROLE_ORDER = ("applicant", "coordinator", "official", "griffie", "admin", "system")


class Conflict(Exception):
    """The case changed since the user loaded it; nothing was written."""


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


def _store_clock(case: Case, clock: deadlines.ClockState, today: date) -> None:
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
    if roles is None:
        roles = {"system"} if actor is None else roles_for(actor, case)
    plan = wf.plan_transition(definition, state=case.state, transition_name=transition_name,
                              roles=roles, inputs=inputs, trigger=trigger)
    today = deadlines.dutch_date(now)
    target = definition.state(plan.target)

    clock = clock_of(case)
    extension = inputs.get("extension_days")
    clock = deadlines.apply_effect(clock, str(plan.clock), today,
                                   days=int(extension) if extension else None)
    _store_clock(case, clock, today)

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
        event = _append_event(case, plan, actor=actor, role=_acting_role(plan.transition, roles),
                              inputs=inputs, now=now)
        if plan.notify_applicant:
            notify_applicant(case, event)
        db.session.flush()
    except (StaleDataError, IntegrityError, OperationalError) as exc:
        db.session.rollback()
        raise Conflict(case.id) from exc
    return Outcome(case=case, event=event, plan=plan)


def _jsonable(inputs: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in inputs.items():
        if isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, (set, tuple)):
            value = sorted(value)
        clean[key] = value
    return clean


def _append_event(case: Case, plan: wf.Plan, *, actor: User | None, role: str,
                  inputs: Mapping[str, Any], now: datetime) -> AuditEvent:
    last = db.session.execute(
        select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.case_id == case.id)
        .order_by(AuditEvent.seq.desc()).limit(1)).first()
    seq, prev_hash = (last.seq + 1, last.hash) if last else (1, audit_chain.GENESIS)
    reason = str(inputs.get("reason") or inputs.get("question") or inputs.get("answer") or "")
    event = AuditEvent(
        case_id=case.id, seq=seq, at=now, actor_id=actor.id if actor else None, actor_role=role,
        transition=plan.transition.name, from_state=plan.source, to_state=plan.target,
        reason=reason, inputs=_jsonable(inputs), public=plan.public,
        public_label_nl=plan.transition.public_label_nl, public_label_en=plan.transition.public_label_en,
        prev_hash=prev_hash, hash="")
    event.hash = audit_chain.event_hash(prev_hash, event.payload())
    db.session.add(event)
    return event


def case_path(case: Case) -> str:
    section = {"uitdaagrecht": "uitdaagrecht", "burgerinitiatief": "initiatieven",
               "bewonersinitiatief": "register"}[case.request_type]
    return f"/{case.organisation.slug}/{section}/{case.id}"


def notify_applicant(case: Case, event: AuditEvent) -> None:
    """In-app notification and an email through the outbox, in the applicant's language."""
    from participation.services import mail

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
        body = "\n".join(lines)
    db.session.add(Notification(user_id=applicant.id, case_id=case.id, text=subject[:300],
                                url=case_path(case)))
    mail.queue_email(applicant.email, subject, body)


def verify_all_chains() -> dict[int, list[audit_chain.ChainProblem]]:
    """Every case's chain; returns only the broken ones."""
    problems: dict[int, list[audit_chain.ChainProblem]] = {}
    current: int | None = None
    batch: list[tuple[int, str, str, dict]] = []

    def flush_batch() -> None:
        if current is not None:
            found = audit_chain.verify_chain(batch)
            if found:
                problems[current] = found

    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.case_id, AuditEvent.seq)
                                    .execution_options(yield_per=1000)):
        if event.case_id != current:
            flush_batch()
            current, batch = event.case_id, []
        batch.append((event.seq, event.prev_hash, event.hash, event.payload()))
    flush_batch()
    return problems
