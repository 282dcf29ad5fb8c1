"""Timers: reminders before a term lapses, overdue flags, automatic transitions.

Safe to run every minute and with two runners at once: each case is claimed with
SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, and every action is guarded by a flag or
by the state it expects, so a second run finds nothing left to do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from participation.domain import deadlines
from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import Case, Membership, User
from participation.services import mail
from participation.services.cases import Conflict, apply_transition, workflow_of


@dataclass
class TimerReport:
    reminders: int = 0
    overdue: int = 0
    automatic: int = 0
    conflicts: int = 0


def _claim(query):
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=Case)
    return query


def _staff_emails(case: Case) -> list[tuple[str, str]]:
    if case.assignee_id:
        assignee = db.session.get(User, case.assignee_id)
        if assignee and assignee.is_active:
            return [(assignee.email, assignee.locale)]
    rows = db.session.execute(
        select(User.email, User.locale).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == case.organisation_id, Membership.role == "coordinator",
               User.deleted_at.is_(None))).all()
    return [(row.email, row.locale) for row in rows]


def _mail_staff(case: Case, kind: str) -> None:
    url = current_app.config["BASE_URL"] + f"/{case.organisation.slug}/werkbak/zaken/{case.id}"
    number = case.number or str(case.id)
    for email, locale in _staff_emails(case):
        with force_locale(locale or "nl"):
            if kind == "reminder":
                subject = _("Herinnering: termijn van zaak %(number)s loopt bijna af", number=number)
                detail = _("Termijn tot en met %(date)s.", date=case.state_deadline.strftime("%d-%m-%Y"))
            else:
                subject = _("Zaak %(number)s: de beslistermijn is verstreken", number=number)
                detail = _("De beslistermijn liep tot en met %(date)s.",
                           date=case.deadline.strftime("%d-%m-%Y"))
            body = "\n".join([subject, "", case.title, detail, "", url])
        mail.queue_email(email, subject, body, org=case.organisation, language=locale or "nl")


def run_timers(*, now: datetime) -> TimerReport:
    report = TimerReport()
    today = deadlines.dutch_date(now)

    # 1. A term on the current state lapsed: fire its automatic transition, if it has one.
    lapsed = db.session.scalars(_claim(select(Case).where(
        Case.state_deadline.is_not(None), Case.state_deadline < today)
        .order_by(Case.id))).all()
    for case in lapsed:
        definition = workflow_of(case)
        state = definition.state(case.state)
        if state.term is None or not state.term.on_lapse:
            continue
        try:
            apply_transition(case, state.term.on_lapse, actor=None, roles={"system"},
                             inputs={"reason": _("De termijn is verstreken.")}, now=now,
                             trigger="term_lapsed")
            report.automatic += 1
        except (wf.WorkflowError, Conflict):
            report.conflicts += 1
            db.session.rollback()

    # 2. Reminders before a state term lapses (e.g. the applicant's supplement term).
    soon = db.session.scalars(_claim(select(Case).where(
        Case.state_deadline.is_not(None), Case.state_deadline >= today,
        Case.state_reminded.is_(False)).order_by(Case.id))).all()
    for case in soon:
        state = workflow_of(case).state(case.state)
        remind = state.term.remind_days_before if state.term else 3
        if case.state_deadline - timedelta(days=remind) > today:
            continue
        case.state_reminded = True
        _mail_staff(case, "reminder")
        report.reminders += 1

    # 3. The statutory decision term is over (a suspended clock is not overdue).
    running = db.session.scalars(_claim(select(Case).where(
        Case.deadline.is_not(None), Case.deadline < today, Case.clock_stopped_on.is_(None),
        Case.overdue_notified.is_(False)).order_by(Case.id))).all()
    for case in running:
        from participation.services.cases import clock_of

        clock = clock_of(case)
        if clock.suspended:
            continue
        case.deadline = clock.deadline(today)
        if case.deadline < today:
            case.overdue_notified = True
            _mail_staff(case, "overdue")
            report.overdue += 1
    db.session.flush()
    return report
