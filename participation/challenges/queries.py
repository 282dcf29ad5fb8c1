"""Read side of the resident's uitdaagrecht pages: what each page shows, nothing more."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select

from participation.extensions import db
from participation.models import Attachment, AuditEvent, Case, CaseMessage, Decision
from participation.services import cases as case_service


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    text: str


@dataclass(frozen=True)
class Term:
    """The statutory decision term as the resident sees it."""

    deadline: date | None
    days_left: int | None
    suspended: bool
    overdue: bool
    stopped: bool


def case_in_org(org_id: int, case_id: int) -> Case | None:
    return db.session.scalar(select(Case).where(Case.id == case_id, Case.organisation_id == org_id,
                                                Case.request_type == "uitdaagrecht"))


def term_of(case: Case, today: date) -> Term:
    clock = case_service.clock_of(case)
    return Term(deadline=clock.deadline(today), days_left=clock.days_left(today),
                suspended=clock.suspended, overdue=clock.is_overdue(today), stopped=clock.stopped)


def state_label(case: Case, locale: str) -> tuple[str, str]:
    """(label, description) of the case's state in `locale`."""
    state = case_service.workflow_of(case).state(case.state)
    if locale.startswith("en"):
        return state.label_en or state.label_nl, state.description_en or state.description_nl
    return state.label_nl, state.description_nl


def timeline(case: Case, locale: str) -> list[TimelineEntry]:
    """Public steps of the case. The text of a step is shown when it was addressed to the
    applicant (the question of an information request, the reasons of a decision) or written
    by the applicant."""
    definition = case_service.workflow_of(case)
    entries = []
    for event in db.session.scalars(select(AuditEvent).where(
            AuditEvent.case_id == case.id, AuditEvent.public.is_(True)).order_by(AuditEvent.seq)):
        label = (event.public_label_en if locale.startswith("en") else event.public_label_nl) \
            or event.public_label_nl or event.transition
        addressed = (definition.has_transition(event.transition)
                     and definition.transition(event.transition).notify_applicant)
        text = event.reason if (addressed or event.actor_role == "applicant") else ""
        entries.append(TimelineEntry(at=event.at, label=label, text=text))
    return entries


def messages(case: Case) -> list[CaseMessage]:
    return list(db.session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)
                                   .order_by(CaseMessage.created_at, CaseMessage.id)))


def _event_ids(case: Case, key: str) -> set[int]:
    found = set()
    for inputs in db.session.scalars(select(AuditEvent.inputs).where(
            AuditEvent.case_id == case.id, AuditEvent.public.is_(True))):
        value = (inputs or {}).get(key)
        if isinstance(value, int) or (isinstance(value, str) and (value.isascii() and value.isdecimal() and len(value) < 10)):
            found.add(int(value))
    return found


def decisions_made_known(case: Case) -> list[Decision]:
    """Decisions sent to the applicant: those a public step of the case refers to."""
    ids = _event_ids(case, "decision")
    if not ids:
        return []
    return list(db.session.scalars(select(Decision).where(Decision.case_id == case.id,
                                                          Decision.id.in_(ids))
                                   .order_by(Decision.decided_on)))


def applicant_attachments(case: Case) -> list[Attachment]:
    """Documents the applicant may see: their own uploads, public documents, and documents
    the organisation sent with a public step or a decision. Internal documents are not."""
    shared = _event_ids(case, "document") | _event_ids(case, "letter")
    shared |= {d.document_id for d in decisions_made_known(case) if d.document_id}
    # The agreement's signed document is the challenger's as much as the municipality's.
    conditions = [Attachment.public.is_(True), Attachment.purpose == "agreement"]
    if case.applicant_id is not None:
        conditions.append(Attachment.uploaded_by_id == case.applicant_id)
    if shared:
        conditions.append(Attachment.id.in_(shared))
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id,
                                                            or_(*conditions))
                                   .order_by(Attachment.created_at, Attachment.id)))


def own_cases_in_org(user_id: int, org_id: int) -> list[Case]:
    return list(db.session.scalars(select(Case).where(
        Case.applicant_id == user_id, Case.organisation_id == org_id,
        Case.request_type == "uitdaagrecht").order_by(Case.updated_at.desc())))

