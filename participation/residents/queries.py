"""Read side of "Mijn zaken" and "Meldingen"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from participation.domain import grounds
from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import Case, Notification
from participation.services import cases as case_service

TYPE_LABELS = {"uitdaagrecht": ("Uitdaagrecht", "Right to Challenge"),
               "burgerinitiatief": ("Burgerinitiatief", "Citizens' initiative"),
               "bewonersinitiatief": ("Bewonersinitiatief", "Residents' initiative")}


@dataclass(frozen=True)
class CaseRow:
    case: Case
    type_label: str
    state_label: str
    next_step: str
    is_draft: bool
    waits_for_applicant: bool
    deadline: date | None
    days_left: int | None
    suspended: bool
    overdue: bool


def my_cases(user_id: int, today: date, locale: str, next_steps: dict[str, str]) -> list[CaseRow]:
    """Every draft and case the user filed, in any organisation, most recently changed first.
    `next_steps` holds the texts for "draft" and "waiting" (translated by the caller)."""
    english = locale.startswith("en")
    cases = db.session.scalars(
        select(Case).where(Case.applicant_id == user_id)
        .options(selectinload(Case.workflow_version))
        .order_by(Case.updated_at.desc(), Case.id.desc()))
    rows = []
    for case in cases:
        definition = case_service.workflow_of(case)
        state = definition.state(case.state)
        clock = case_service.clock_of(case)
        is_draft = state.kind is wf.StateKind.INITIAL
        waiting = state.kind is wf.StateKind.WAITING
        if is_draft:
            next_step = next_steps["draft"]
        elif waiting:
            next_step = next_steps["waiting"].replace(
                "%(who)s", grounds.organisation_kind(case.organisation.tier, locale))
        else:
            next_step = (state.description_en if english else "") or state.description_nl
        rows.append(CaseRow(
            case=case, type_label=TYPE_LABELS[case.request_type][1 if english else 0],
            state_label=(state.label_en if english else state.label_nl) or state.label_nl,
            next_step=next_step, is_draft=is_draft, waits_for_applicant=waiting,
            deadline=clock.deadline(today) if not clock.stopped else None,
            days_left=clock.days_left(today), suspended=clock.suspended,
            overdue=clock.is_overdue(today)))
    return rows


def notifications(user_id: int, limit: int = 100) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user_id)
                                   .order_by(Notification.created_at.desc(), Notification.id.desc())
                                   .limit(limit)))


def unread_count(user_id: int) -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None))) or 0
