"""Read side of the council's monitor: aggregate statements only (GROUP BY), so the number of
statements and of rows returned does not grow with the number of cases.

Only public cases count (public.queries.public_cases, the register's rule), only published
decisions and only published agenda items. Everything is grouped per organisation, so the
same functions serve one organisation's monitor and the installation-wide comparison.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Integer,
    Numeric,
    Text,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    select,
    text,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from participation.domain import monitor as figures
from participation.domain import thresholds
from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import (
    AgendaItem,
    AgreementVersion,
    Case,
    Decision,
    Meeting,
    Organisation,
    WorkflowVersion,
)
from participation.public.queries import Filters, public_cases
from participation.services.cases import workflow_for_version


def agreement_budget() -> ColumnElement:
    """The budget taken over with a granted challenge, per case, in euros: that of the latest
    agreement version the challenger agreed to (a draft nobody agreed to binds no one)."""
    return (select(cast(AgreementVersion.budget_cents, Numeric(14, 2)) / 100)
            .where(AgreementVersion.case_id == Case.id, AgreementVersion.agreed_at.is_not(None))
            .order_by(AgreementVersion.version.desc()).limit(1)
            .correlate(Case).scalar_subquery())


@dataclass
class Procedures:
    """The procedure versions in scope: their definitions and what an initiative needs."""

    workflows: dict[int, wf.Workflow]
    required: dict[int, int]            # version id -> signatures needed (initiatives)
    state_labels: dict[tuple[str, str], tuple[str, str]]  # (type, state) -> (nl, en)

    def closed(self, version_id: int, state: str) -> bool:
        definition = self.workflows.get(version_id)
        if definition is None:
            return False
        try:
            return definition.state(state).is_terminal
        except (KeyError, LookupError):
            return False


def procedures(org: Organisation | None) -> Procedures:
    """One statement: every procedure version of the organisation (or all) with what its
    threshold needs to know about the organisation."""
    query = (select(WorkflowVersion, Organisation.inhabitants, Organisation.electorate)
             .join(Organisation, Organisation.id == WorkflowVersion.organisation_id)
             .order_by(WorkflowVersion.version))
    if org is not None:
        query = query.where(WorkflowVersion.organisation_id == org.id)
    workflows: dict[int, wf.Workflow] = {}
    required: dict[int, int] = {}
    state_labels: dict[tuple[str, str], tuple[str, str]] = {}
    for version, inhabitants, electorate in db.session.execute(query):
        definition = workflow_for_version(version)
        workflows[version.id] = definition
        if definition.threshold is not None:
            required[version.id] = thresholds.required_signatures(
                definition.threshold, inhabitants=inhabitants, electorate=electorate)
        for state in definition.states:
            state_labels[(version.request_type, state.name)] = (state.label_nl, state.label_en)
    return Procedures(workflows, required, state_labels)


def _scope(org: Organisation | None):
    """Public cases of `org` (all organisations: None), the register's rule."""
    return public_cases(Filters(), org).order_by(None)


def _year(column) -> ColumnElement:
    return type_coerce(extract("year", column), Integer)


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _days(later, earlier) -> ColumnElement:
    """Whole days from `earlier` to `later` (both dates)."""
    if _dialect() == "postgresql":
        return type_coerce(later - earlier, Integer)
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


_SUSPENDED_DAYS = {
    # Awb 4:15, as ClockState.suspended_days: end - start per suspension; an open one up to
    # the stop day (stop() closes it anyway).
    "sqlite": "(SELECT coalesce(sum(julianday(coalesce(json_extract(s.value, '$[1]'), "
              "cases.clock_stopped_on)) - julianday(json_extract(s.value, '$[0]'))), 0) "
              "FROM json_each(cases.clock_suspensions) AS s)",
    "postgresql": "(SELECT coalesce(sum(coalesce((s.value ->> 1)::date, cases.clock_stopped_on)"
                  " - (s.value ->> 0)::date), 0) FROM json_array_elements(CASE WHEN "
                  "json_typeof(cases.clock_suspensions) = 'array' THEN cases.clock_suspensions "
                  "END) AS s)",
}
_SUSPENSIONS = {
    "sqlite": "coalesce(json_array_length(cases.clock_suspensions), 0)",
    "postgresql": "coalesce(json_array_length(CASE WHEN json_typeof(cases.clock_suspensions) "
                  "= 'array' THEN cases.clock_suspensions END), 0)",
}


def _sql(snippets: dict[str, str]) -> ColumnElement:
    return type_coerce(text(snippets[_dialect()]), Integer)


def _latest_decision(column) -> ColumnElement:
    return (select(column).where(Decision.case_id == Case.id, Decision.published_at.is_not(None))
            .order_by(Decision.decided_on.desc(), Decision.id.desc()).limit(1)
            .correlate(Case).scalar_subquery())


# ---------------------------------------------------------------- statements

def case_groups(org: Organisation | None, known: Procedures, today: date
                ) -> list[figures.CaseGroup]:
    """Received, outcomes, open overdue, thresholds and tasks taken over: one statement."""
    required = case(*[(Case.workflow_version_id == vid, n) for vid, n in known.required.items()],
                    else_=None) if known.required else literal(None, Integer)
    per_case = _scope(org).with_only_columns(
        Case.organisation_id.label("org"), Case.request_type.label("kind"),
        Case.workflow_version_id.label("version"), Case.state.label("state"),
        func.coalesce(func.nullif(Case.outcome, ""), _latest_decision(Decision.outcome), "")
        .label("outcome"),
        _year(Case.submitted_at).label("submitted_year"),
        _year(func.coalesce(Case.decided_at, Case.state_entered_at)).label("closed_year"),
        case((and_(Case.urgency == 0, Case.deadline < today), 1), else_=0).label("overdue"),
        case((Case.signature_count >= required, 1), else_=0).label("reached"),
        # Read only where it counts: a granted challenge (the data column can be large).
        case((and_(Case.request_type == "uitdaagrecht", Case.outcome.in_(figures.GRANTED)),
              agreement_budget()), else_=None).label("budget")).subquery()
    keys = [per_case.c.org, per_case.c.kind, per_case.c.version, per_case.c.state,
            per_case.c.outcome, per_case.c.submitted_year, per_case.c.closed_year]
    rows = db.session.execute(select(*keys, func.count().label("n"),
                                     func.sum(per_case.c.overdue).label("overdue"),
                                     func.sum(per_case.c.reached).label("reached"),
                                     func.sum(per_case.c.budget).label("budget"))
                              .group_by(*keys))
    return [figures.CaseGroup(
        organisation_id=r.org, procedure=r.kind, state=r.state, outcome=r.outcome or "",
        closed=known.closed(r.version, r.state), submitted_year=_int(r.submitted_year),
        closed_year=_int(r.closed_year), count=r.n, open_overdue=int(r.overdue or 0),
        threshold_reached=int(r.reached or 0),
        budget=Decimal(str(r.budget)) if r.budget is not None else None) for r in rows]


def _decided_clocks(org: Organisation | None):
    """Per decided clock: lead days, term and slack against the raw end of the term."""
    total = (Case.clock_term_days + Case.clock_extended_days + _sql(_SUSPENDED_DAYS))
    lead = _days(Case.clock_stopped_on, Case.clock_started_on)
    return _scope(org).where(Case.clock_started_on.is_not(None),
                             Case.clock_stopped_on.is_not(None)).with_only_columns(
        Case.organisation_id.label("org"), Case.request_type.label("kind"),
        _year(Case.clock_stopped_on).label("year"), lead.label("days"),
        Case.clock_term_days.label("term"), total.label("total"),
        (lead - total).label("slack"), Case.clock_started_on.label("started_on"),
        Case.clock_stopped_on.label("stopped_on"),
        case((Case.clock_extended_on.is_not(None), 1), else_=0).label("extended"),
        case((_sql(_SUSPENSIONS) > 0, 1), else_=0).label("suspended")).subquery()


def lead_groups(org: Organisation | None) -> list[figures.LeadGroup]:
    """The lead-time histogram per organisation, procedure and year: one statement."""
    clocks = _decided_clocks(org)
    keys = [clocks.c.org, clocks.c.kind, clocks.c.year, clocks.c.days, clocks.c.term]
    late = case((clocks.c.slack > figures.MARGIN_DAYS, 1), else_=0)
    rows = db.session.execute(select(*keys, func.count().label("n"),
                                     func.sum(clocks.c.extended).label("extended"),
                                     func.sum(clocks.c.suspended).label("suspended"),
                                     func.sum(late).label("late")).group_by(*keys))
    return [figures.LeadGroup(organisation_id=r.org, procedure=r.kind, year=int(r.year),
                              days=int(r.days), term_days=int(r.term or 0), count=r.n,
                              extended=int(r.extended or 0), suspended=int(r.suspended or 0),
                              late=int(r.late or 0)) for r in rows]


def margin_groups(org: Organisation | None) -> list[figures.MarginGroup]:
    """Clocks stopped just after the raw end of their term, for the exact calendar check:
    one statement; its rows are bounded by the calendar, not by the number of cases."""
    clocks = _decided_clocks(org)
    keys = [clocks.c.org, clocks.c.kind, clocks.c.year, clocks.c.started_on, clocks.c.total,
            clocks.c.stopped_on]
    rows = db.session.execute(select(*keys, func.count().label("n"))
                              .where(clocks.c.slack > 0, clocks.c.slack <= figures.MARGIN_DAYS)
                              .group_by(*keys))
    return [figures.MarginGroup(organisation_id=r.org, procedure=r.kind, year=int(r.year),
                                started_on=_date(r.started_on), total_days=int(r.total),
                                stopped_on=_date(r.stopped_on), count=r.n) for r in rows]


def ground_groups(org: Organisation | None) -> list[figures.GroundGroup]:
    """Refusal grounds of published decisions, grouped by the set used: one statement."""
    scope = _scope(org).with_only_columns(Case.id).subquery()
    grounds = cast(Decision.refusal_grounds, Text)
    keys = [Case.organisation_id, Case.request_type, _year(Decision.decided_on), grounds]
    rows = db.session.execute(
        select(*keys, func.count()).join(Case, Case.id == Decision.case_id)
        .where(Decision.case_id.in_(select(scope.c.id)), Decision.published_at.is_not(None))
        .group_by(*keys))
    found = []
    for org_id, kind, year, raw, n in rows:
        codes = tuple(json.loads(raw) or ()) if raw else ()
        if codes:
            found.append(figures.GroundGroup(org_id, kind, int(year), codes, n))
    return found


def council_groups(org: Organisation | None) -> list[figures.CouncilGroup]:
    """Published council decisions on agenda items of public cases: one statement."""
    scope = _scope(org).with_only_columns(Case.id).subquery()
    year = _year(func.coalesce(AgendaItem.decided_at, Meeting.starts_at))
    keys = [Meeting.organisation_id, Case.request_type, year, AgendaItem.result]
    rows = db.session.execute(
        select(*keys, func.count()).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Case, Case.id == AgendaItem.case_id)
        .where(AgendaItem.case_id.in_(select(scope.c.id)), AgendaItem.published_at.is_not(None),
               AgendaItem.result != "")
        .group_by(*keys))
    return [figures.CouncilGroup(org_id, kind, int(y), result, n)
            for org_id, kind, y, result, n in rows]


def facts(org: Organisation | None, today: date) -> tuple[figures.Facts, Procedures]:
    """Everything the monitor shows: six statements, whatever the number of cases."""
    known = procedures(org)
    return figures.Facts(cases=case_groups(org, known, today), lead=lead_groups(org),
                         margin=margin_groups(org), grounds=ground_groups(org),
                         council=council_groups(org)), known


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _date(value: Any) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value
