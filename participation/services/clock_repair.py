"""Repair decision terms stored while a lapsed supplement term was handled late (Awb 4:15).

Before the rule in domain.deadlines.suspension_end, a suspension ended on the day the
scheduled job (or a late answer) handled it, not on the day the supplement term lapsed,
so every day the job was late moved the decision term a day. This finds the running cases
affected, corrects their clocks and writes an audit event per case saying what changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from participation.domain import deadlines
from participation.extensions import db
from participation.models import AuditEvent, Case
from participation.services.cases import append_event, clock_of, store_clock, workflow_of

REPAIR_TRANSITION = "beslistermijn_hersteld"


@dataclass(frozen=True)
class Repair:
    case_id: int
    number: str
    old_deadline: date | None
    new_deadline: date | None


def supplement_terms(case: Case) -> dict[date, date]:
    """Start day of each suspension -> last day of the supplement term given that day,
    read from the case's own audit events and procedure version."""
    definition = workflow_of(case)
    terms: dict[date, date] = {}
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.seq))
    for event in events:
        if not definition.has_transition(event.transition):
            continue
        transition = definition.transition(event.transition)
        if str(transition.clock) != "suspend":
            continue
        target = definition.state(transition.target)
        days = (event.inputs or {}).get("term_days") or (target.term.days if target.term else None)
        if days:
            start = deadlines.dutch_date(event.at)
            terms[start] = deadlines.add_term(start, days=int(days))
    return terms


def _spans(clock: deadlines.ClockState) -> list[list[str | None]]:
    return [[s.start.isoformat(), s.end.isoformat() if s.end else None] for s in clock.suspensions]


def _reason(old: date | None, new: date | None) -> str:
    def fmt(d: date | None) -> str:
        return deadlines.format_date_nl(d) if d else "geen"

    return ("Beslistermijn hersteld: de opschorting eindigt op de dag waarop de termijn voor "
            "aanvulling ongebruikt verstreek of de aanvulling binnenkwam, niet op de dag "
            "waarop dat werd verwerkt (art. 4:15 Awb). Einde beslistermijn was "
            f"{fmt(old)}, is nu {fmt(new)}.")


def repair_suspensions(*, now: datetime, dry_run: bool = False) -> list[Repair]:
    """Correct every running case whose stored suspension ended after its supplement term.
    Idempotent: a second run finds nothing. The caller commits (or rolls back a dry run)."""
    today = deadlines.dutch_date(now)
    repairs = []
    cases = db.session.scalars(select(Case).where(
        Case.clock_started_on.is_not(None), Case.clock_stopped_on.is_(None))
        .order_by(Case.id)).all()
    for case in cases:
        if not case.clock_suspensions:
            continue
        clock = clock_of(case)
        fixed = deadlines.correct_suspensions(clock, supplement_terms(case))
        if fixed == clock:
            continue
        old, new = clock.deadline(today), fixed.deadline(today)
        repairs.append(Repair(case.id, case.number or str(case.id), old, new))
        if dry_run:
            continue
        store_clock(case, fixed, today)
        case.overdue_notified = bool(case.overdue_notified and new and new < today)
        append_event(case, transition=REPAIR_TRANSITION, from_state=case.state,
                     to_state=case.state, actor=None, role="system", reason=_reason(old, new),
                     inputs={"old_deadline": old, "new_deadline": new,
                             "suspensions_before": _spans(clock), "suspensions_after": _spans(fixed)},
                     public=False, now=now)
    db.session.flush()
    return repairs
