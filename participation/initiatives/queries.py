"""Read side of the initiatives pages: exactly what a page shows, in a few statements."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.models import AuditEvent, Case, Comment, Organisation, User
from participation.services import cases as case_service
from participation.services import initiatives as service

PER_PAGE = 20


@dataclass(frozen=True)
class InitiativeRow:
    case: Case
    state_label: str
    required: int

    @property
    def reached(self) -> bool:
        return self.case.signature_count >= self.required


@dataclass
class Thread:
    """A question with the organisation's answers. No names: asking a question publicly
    should not reveal who supports or opposes an initiative."""

    question: Comment
    answers: list[Comment] = field(default_factory=list)


def state_label(case: Case, locale: str = "nl") -> str:
    state = case_service.workflow_of(case).state(case.state)
    return state.label_en if locale == "en" and state.label_en else state.label_nl


def _row(case: Case, locale: str) -> InitiativeRow:
    return InitiativeRow(case=case, state_label=state_label(case, locale),
                         required=service.procedure_for_case(case).required)


def public_initiatives(org: Organisation, page: int, locale: str = "nl"):
    """Public initiatives (collecting support or further along), newest activity first;
    returns (pagination, rows)."""
    query = (select(Case)
             .options(selectinload(Case.workflow_version))
             .where(Case.organisation_id == org.id, Case.request_type == service.REQUEST_TYPE,
                    Case.is_public.is_(True))
             .order_by((Case.state == service.COLLECTING).desc(), Case.updated_at.desc(),
                       Case.id.desc()))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    return pagination, [_row(case, locale) for case in pagination.items]


def own_initiatives(org: Organisation, user: User, locale: str = "nl") -> list[InitiativeRow]:
    """The signed-in user's own initiatives here, drafts included."""
    cases = db.session.scalars(
        select(Case).options(selectinload(Case.workflow_version))
        .where(Case.organisation_id == org.id, Case.request_type == service.REQUEST_TYPE,
               Case.applicant_id == user.id)
        .order_by(Case.created_at.desc(), Case.id.desc())).all()
    return [_row(case, locale) for case in cases]


def public_timeline(case: Case) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == case.id, AuditEvent.public.is_(True))
        .order_by(AuditEvent.seq)).all())


def threads(case: Case) -> list[Thread]:
    """Questions in the order they were asked, each with its answers."""
    comments = db.session.scalars(
        select(Comment).where(Comment.case_id == case.id)
        .order_by(Comment.created_at, Comment.id)).all()
    by_id = {c.id: Thread(question=c) for c in comments if c.parent_id is None}
    for comment in comments:
        if comment.parent_id is not None and comment.parent_id in by_id:
            by_id[comment.parent_id].answers.append(comment)
    return list(by_id.values())
