"""Read side of the griffie: what the desk, the meeting pages and the besluitenlijst show.

`meeting_with_items` and `published_decisions` are shared with the public register, which
shows only the published rows of the same tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from participation.extensions import db
from participation.models import AgendaItem, Case, Meeting
from participation.services.council import INITIATIVE_STATES, PLACEABLE

# The desk shows the longest-waiting cases of each state; the rest are a page of their own.
DESK_PER_STATE = 5
DESK_PAGE_SIZE = 25
CHALLENGE_STATE = "raadsbetrokkenheid"  # uitdaagrecht cases the council is involved in
DESK_STATES = (*INITIATIVE_STATES, CHALLENGE_STATE)


@dataclass
class DeskSection:
    state: str
    cases: list[Case] = field(default_factory=list)
    total: int = 0


def _item_options():
    return (selectinload(AgendaItem.votes), selectinload(AgendaItem.case),
            selectinload(AgendaItem.decision))


def meeting_for_org(org_id: int, meeting_id: int) -> Meeting | None:
    return db.session.scalar(select(Meeting).where(Meeting.id == meeting_id,
                                                   Meeting.organisation_id == org_id))


def meeting_with_items(org_id: int, meeting_id: int) -> Meeting | None:
    """The meeting with its agenda items (by position), their votes, cases and decisions."""
    return db.session.scalar(
        select(Meeting).where(Meeting.id == meeting_id, Meeting.organisation_id == org_id)
        .options(selectinload(Meeting.agenda_items).options(*_item_options())))


def agenda_item_for_org(org_id: int, item_id: int) -> AgendaItem | None:
    return db.session.scalar(
        select(AgendaItem).join(Meeting).where(AgendaItem.id == item_id,
                                               Meeting.organisation_id == org_id)
        .options(*_item_options()))


def published_decisions(org_id: int, limit: int | None = None) -> list[AgendaItem]:
    """Published council decisions, newest meeting first (each with its meeting and votes)."""
    query = (select(AgendaItem).join(Meeting)
             .where(Meeting.organisation_id == org_id, AgendaItem.published_at.is_not(None))
             .order_by(Meeting.starts_at.desc(), AgendaItem.position)
             .options(selectinload(AgendaItem.meeting), *_item_options()))
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def meetings(org_id: int, now: datetime) -> tuple[list[Meeting], list[Meeting]]:
    """(upcoming, past) meetings; upcoming soonest first, past newest first."""
    rows = list(db.session.scalars(select(Meeting).where(Meeting.organisation_id == org_id)
                                   .order_by(Meeting.starts_at)))
    upcoming = [m for m in rows if m.starts_at >= now]
    past = [m for m in reversed(rows) if m.starts_at < now]
    return upcoming, past


def upcoming_meetings(org_id: int, now: datetime, limit: int = 5) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).where(Meeting.organisation_id == org_id, Meeting.starts_at >= now)
        .order_by(Meeting.starts_at).limit(limit)))


def meeting_choices(org_id: int, now: datetime) -> list[Meeting]:
    """Meetings a case can be placed on: not cancelled, from a month ago on (a meeting held
    last week may still need its agenda completed)."""
    return list(db.session.scalars(
        select(Meeting).where(Meeting.organisation_id == org_id, Meeting.status != "geannuleerd",
                              Meeting.starts_at >= now - timedelta(days=31))
        .order_by(Meeting.starts_at)))


def _desk_scope(org_id: int, state: str | None = None):
    if state == CHALLENGE_STATE:
        return (Case.organisation_id == org_id, Case.request_type == "uitdaagrecht",
                Case.state == CHALLENGE_STATE)
    if state is not None:
        return (Case.organisation_id == org_id, Case.request_type == "burgerinitiatief",
                Case.state == state)
    return (Case.organisation_id == org_id, or_(
        (Case.request_type == "burgerinitiatief") & Case.state.in_(INITIATIVE_STATES),
        (Case.request_type == "uitdaagrecht") & (Case.state == CHALLENGE_STATE)))


def desk(org_id: int, state: str | None = None, page: int = 1
         ) -> tuple[list[DeskSection], DeskSection, int]:
    """Initiatives in the council procedure per state (in procedure order) and the
    uitdaagrecht cases the council is involved in, each with its total: the
    DESK_PER_STATE longest waiting of every state, or with `state` (one of DESK_STATES)
    only that state, DESK_PAGE_SIZE per `page`. Returns (sections, challenges, page)."""
    sections = {name: DeskSection(name) for name in DESK_STATES}
    order = (Case.state_entered_at, Case.id)
    if state is None:
        # One statement: every state's first cases, each row with its state's total.
        partition = (Case.request_type, Case.state)
        ranked = select(Case.id, func.row_number().over(partition_by=partition, order_by=order)
                        .label("rank"), func.count().over(partition_by=partition).label("total")
                        ).where(*_desk_scope(org_id)).subquery()
        rows = db.session.execute(
            select(Case, ranked.c.total).join(ranked, ranked.c.id == Case.id)
            .where(ranked.c.rank <= DESK_PER_STATE)
            .options(selectinload(Case.workflow_version)).order_by(*order))
    else:
        total = db.session.scalar(select(func.count()).where(*_desk_scope(org_id, state)))
        page = min(max(1, page), max(1, -(-total // DESK_PAGE_SIZE)))
        rows = ((case, total) for case in db.session.scalars(
            select(Case).where(*_desk_scope(org_id, state))
            .options(selectinload(Case.workflow_version)).order_by(*order)
            .limit(DESK_PAGE_SIZE).offset((page - 1) * DESK_PAGE_SIZE)))
    for case, total in rows:
        sections[case.state].cases.append(case)
        sections[case.state].total = total
    challenges = sections.pop(CHALLENGE_STATE)
    return list(sections.values()), challenges, page


def agenda_items_by_case(case_ids: list[int]) -> dict[int, list[AgendaItem]]:
    """Every agenda item of these cases, oldest meeting first."""
    if not case_ids:
        return {}
    found: dict[int, list[AgendaItem]] = {}
    for item in db.session.scalars(
            select(AgendaItem).join(Meeting).where(AgendaItem.case_id.in_(case_ids))
            .order_by(Meeting.starts_at).options(selectinload(AgendaItem.meeting))):
        found.setdefault(item.case_id, []).append(item)
    return found


def placeable_cases(org_id: int) -> list[Case]:
    """Cases the griffie can put on a meeting's agenda now."""
    pairs = [(Case.request_type == kind) & (Case.state == state) for kind, state in PLACEABLE]
    return list(db.session.scalars(select(Case).where(Case.organisation_id == org_id, or_(*pairs))
                                   .order_by(Case.number)))


def case_for_org(org_id: int, case_id: int) -> Case | None:
    """A submitted case of this organisation: a draft is its author's alone (a 404 here)."""
    return db.session.scalar(select(Case).where(Case.id == case_id,
                                                Case.organisation_id == org_id,
                                                Case.submitted_at.is_not(None)))
