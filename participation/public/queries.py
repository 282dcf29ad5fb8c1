"""Read-only queries behind the public register, open data, the JSON API and statistics.

Every public page and export is built from these functions, so what is public is decided
in one place: only cases with `is_public`, only decisions with `published_at`, only public
audit events and attachments, only published agenda items. Each function runs a fixed
number of statements, whatever the number of cases (tests count them).
"""
from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy import Select, and_, bindparam, event, extract, func, or_, select
from sqlalchemy.orm import Session, aliased

from participation import search
from participation.domain import workflow as wf
from participation.domain.deadlines import dutch_date
from participation.domain.grounds import (
    COUNCIL_OUTCOMES,
    OUTCOMES,
    REFUSAL_GROUNDS,
    label,
    outcome_index,
)
from participation.extensions import db
from participation.models import (
    AgendaItem,
    Attachment,
    AuditEvent,
    Case,
    Decision,
    Meeting,
    Organisation,
    Vote,
    WorkflowVersion,
)
from participation.models.cases import REQUEST_TYPES
from participation.services.cases import workflow_for_version

PER_PAGE = 25
MAX_PAGE = 100_000
CACHE_SECONDS = 60
CACHE_ENTRIES = 1_000


# ---------------------------------------------------------------- figures cache

# Facets, counts, statistics, the work queue's counts per state and whole public pages
# (participation.pagecache) read every case in scope; they are cached per process and
# recomputed when a case in scope changed (its `updated_at`) or a decision was published
# (one statement of index lookups), when this process wrote anything, or after CACHE_SECONDS.
_generation = 0
_lock = threading.Lock()


def _bump_generation(*_args) -> None:
    global _generation
    _generation += 1


def _bump_on_changes(session, _flush_context) -> None:
    if session.new or session.dirty or session.deleted:
        _bump_generation()


# After a flush (the same session reads its own changes) and after every commit (raw SQL too).
if not event.contains(Session, "after_flush", _bump_on_changes):
    event.listen(Session, "after_flush", _bump_on_changes)
    event.listen(Session, "after_commit", _bump_generation)


def marker_columns(org_id) -> tuple[Any, Any]:
    """The latest `updated_at` of the organisation's cases (`org_id` None: all cases; it may
    also be a column to correlate with) and the latest decision publication: two index
    lookups (ix_cases_org_updated / ix_cases_updated, ix_decisions_published_at)."""
    cases = select(func.max(Case.updated_at))
    if org_id is not None:
        cases = cases.where(Case.organisation_id == org_id)
    return (cases.scalar_subquery().label("cases_changed"),
            select(func.max(Decision.published_at)).scalar_subquery().label("decisions_changed"))


def cases_changed_at(org_id: int | None) -> tuple[Any, Any]:
    return tuple(plain_rows(_marker_statement(org_id is not None), {"org_id": org_id})[0])


@lru_cache(maxsize=2)
def _marker_statement(scoped: bool) -> Select:
    return select(*marker_columns(bindparam("org_id") if scoped else None))


def plain_rows(statement: Select, values: Mapping[str, Any]) -> list[Any]:
    """The rows of a statement of columns only, through the session's connection: without the
    ORM's result handling, a third of a small statement's time. Public pages only read, so
    there is nothing to flush first."""
    return list(db.session.connection().execute(statement, values))


def remember_marker(org_id: int, values: tuple[Any, Any]) -> None:
    """Marker values read along with something else (tenancy reads them with the organisation)."""
    g.setdefault("change_markers", {})[(org_id, _generation)] = (tuple(values), _generation)


def change_marker(org_id: int | None) -> tuple[Any, ...]:
    """What cached figures and pages of this scope are valid for; read once per request."""
    markers = g.setdefault("change_markers", {})
    key = (org_id, _generation)
    if key not in markers:
        markers[key] = (cases_changed_at(org_id), _generation)
    return markers[key]


def cached(name: str, org_id: int | None, key: Any, compute: Callable[[], Any]
           ) -> tuple[Any, float]:
    """`compute()` or a copy from the last `CACHE_SECONDS`; returns (value, computed at)."""
    store = current_app.extensions.setdefault("participation.figures_cache", {})
    marker = (change_marker(org_id), key)
    now = time.time()
    with _lock:
        hit = store.get((name, org_id))
    if hit is not None and hit[0] == marker and now - hit[1] < CACHE_SECONDS:
        return hit[2], hit[1]
    value = compute()
    with _lock:
        if len(store) >= CACHE_ENTRIES:  # counts are kept per filter combination
            store.clear()
        store[(name, org_id)] = (marker, now, value)
    return value, now


def type_labels() -> dict[str, str]:
    return {"uitdaagrecht": _("Uitdaagrecht"), "burgerinitiatief": _("Burgerinitiatief"),
            "bewonersinitiatief": _("Bewonersinitiatief")}


def outcome_label(code: str, locale: str = "nl") -> str:
    if not code:
        return ""
    return label(outcome_index(code), code, locale)


def all_outcomes() -> list[str]:
    return list(OUTCOMES) + [code for code in COUNCIL_OUTCOMES if code not in OUTCOMES]


# ---------------------------------------------------------------- filters

@dataclass
class Filters:
    """The register filters; the same names in the HTML form, the CSV and the JSON API."""

    type: str = ""
    state: str = ""
    year: int | None = None
    outcome: str = ""
    organisation: str = ""
    q: str = ""
    page: int = 1

    def as_args(self, **overrides: Any) -> dict[str, Any]:
        values = {"type": self.type, "state": self.state, "year": self.year or "",
                  "outcome": self.outcome, "organisation": self.organisation, "q": self.q,
                  "page": self.page}
        values.update(overrides)
        return {k: v for k, v in values.items() if v not in ("", None) and not (k == "page" and v == 1)}


def parse_filters(args: Mapping[str, str], *, names: Mapping[str, str] | None = None
                  ) -> tuple[Filters, dict[str, str]]:
    """Read filters from query arguments. Returns the filters and, per argument, why a value
    was refused (the HTML register ignores refused values; the API answers 400).
    `names` maps our names to the caller's argument names (the API speaks Dutch)."""
    names = dict(names or {})
    get = lambda key: (args.get(names.get(key, key)) or "").strip()
    errors: dict[str, str] = {}
    filters = Filters()
    value = get("type")
    if value:
        if value in REQUEST_TYPES:
            filters.type = value
        else:
            errors[names.get("type", "type")] = "unknown type"
    value = get("state")
    if value:
        if len(value) <= 60 and value.replace("_", "").isalnum() and value.isascii():
            filters.state = value
        else:
            errors[names.get("state", "state")] = "unknown state"
    value = get("year")
    if value:
        if (value.isascii() and value.isdecimal() and len(value) < 10) and 1900 <= int(value) <= 2999:
            filters.year = int(value)
        else:
            errors[names.get("year", "year")] = "year must be a four-digit number"
    value = get("outcome")
    if value:
        if value in OUTCOMES or value in COUNCIL_OUTCOMES:
            filters.outcome = value
        else:
            errors[names.get("outcome", "outcome")] = "unknown outcome"
    value = get("organisation")
    if value:
        if valid_slug(value):
            filters.organisation = value
        else:
            errors[names.get("organisation", "organisation")] = "unknown organisation"
    raw_q = args.get(names.get("q", "q")) or ""
    if len(raw_q) > search.MAX_QUERY_LENGTH:
        errors[names.get("q", "q")] = f"at most {search.MAX_QUERY_LENGTH} characters"
    filters.q = search.normalise_query(raw_q)
    value = get("page")
    if value:
        if (value.isascii() and value.isdecimal() and len(value) < 10) and 1 <= int(value) <= MAX_PAGE:
            filters.page = int(value)
        else:
            errors[names.get("page", "page")] = "page must be a whole number from 1"
    return filters, errors


def valid_slug(value: str) -> bool:
    return 0 < len(value) <= 40 and value.replace("-", "").isalnum() and value.isascii()


def _latest_decision(column):
    return (select(column).where(Decision.case_id == Case.id, Decision.published_at.is_not(None))
            .order_by(Decision.decided_on.desc(), Decision.id.desc()).limit(1)
            .correlate(Case).scalar_subquery())


def _year(column):
    return extract("year", column)


def public_cases(filters: Filters, org: Organisation | None = None) -> Select:
    """Public cases matching `filters`, newest submission first (no columns beyond Case).
    The values are named parameters (FILTER_PARAMETERS), so that a statement built for one
    combination of filters can run with the values of another (see _page_statement)."""
    # `= true`, not `IS true`: PostgreSQL only uses an index for the former.
    query = select(Case).where(Case.is_public == True)
    if org is not None:
        query = query.where(Case.organisation_id == bindparam("org_id", org.id))
    elif filters.organisation:
        query = query.join(Organisation, Organisation.id == Case.organisation_id).where(
            Organisation.slug == bindparam("organisation", filters.organisation))
    if filters.type:
        query = query.where(Case.request_type == bindparam("type", filters.type))
    if filters.state:
        query = query.where(Case.state == bindparam("state", filters.state))
    if filters.year:
        query = query.where(_year(Case.submitted_at) == bindparam("year", filters.year))
    if filters.outcome:
        outcome = bindparam("outcome", filters.outcome)
        query = query.where(or_(Case.outcome == outcome,
                                and_(Case.outcome == "",
                                     _latest_decision(Decision.outcome) == outcome)))
    if filters.q:
        query = query.where(search.match_condition(
            filters.q, organisation_id=org.id if org is not None else None, public_only=True))
    # No NULLS LAST: a public case always has a submission date (services.cases sets it on
    # the first step), and plain DESC is the backward order of ix_cases_org_public_submitted
    # on PostgreSQL too, so a page is an index scan instead of a sort of every public case.
    return query.order_by(Case.submitted_at.desc(), Case.id.desc())


# ---------------------------------------------------------------- workflow labels

class Labels:
    """State labels from each case's own procedure version (versions never change)."""

    def __init__(self, versions: Iterable[WorkflowVersion], locale: str = "nl") -> None:
        self.locale = locale
        self.workflows: dict[int, wf.Workflow] = {v.id: workflow_for_version(v) for v in versions}
        self._memo: dict[tuple[int, str], str] = {}

    @classmethod
    def load(cls, version_ids: Iterable[int], locale: str = "nl") -> Labels:
        ids = sorted(set(version_ids))
        versions = db.session.scalars(select(WorkflowVersion).where(WorkflowVersion.id.in_(ids))).all() \
            if ids else []
        return cls(versions, locale)

    def state(self, version_id: int, state: str) -> str:
        # Memoised: a register page asks for the same few labels once per row.
        key = (version_id, state)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._state(version_id, state)
        return found

    def _state(self, version_id: int, state: str) -> str:
        definition = self.workflows.get(version_id)
        if definition is None:
            return state
        try:
            found = definition.state(state)
        except (KeyError, LookupError):
            return state
        return found.label_en if self.locale.startswith("en") else found.label_nl

    def term_days(self, version_id: int) -> int | None:
        definition = self.workflows.get(version_id)
        clock = definition.decision_clock if definition else None
        return clock.days if clock else None


def public_labels(locale: str = "nl", org: Organisation | None = None) -> Labels:
    """The state labels of every procedure version a public case of `org` (None: of any
    organisation) uses: from the figures cache (no statement once the scope's change marker
    is read, which tenancy and the JSON API do anyway), or two statements. Loading the
    versions with their sources (up to 27 kB each) per request cost a third of an API page."""
    def load() -> Labels:
        query = select(Case.workflow_version_id).where(Case.is_public.is_(True)).distinct()
        if org is not None:
            query = query.where(Case.organisation_id == org.id)
        return Labels.load(db.session.scalars(query), locale)

    return cached("labels", org.id if org is not None else None, locale, load)[0]


# ---------------------------------------------------------------- register

@dataclass
class Row:
    case: Case
    decision_outcome: str
    decision_date: date | None

    @property
    def outcome(self) -> str:
        return self.case.outcome or self.decision_outcome or ""

    @property
    def decided_on(self) -> date | None:
        """The legal date: the date on the decision, not the day the step was taken."""
        if self.decision_date is not None:
            return self.decision_date
        return made_known_on(self.case)

    @property
    def made_known_on(self) -> date | None:
        return made_known_on(self.case)


def made_known_on(case: Case) -> date | None:
    """The day the decision was made known to the applicant (Awb 3:41): the day the step
    that sent it was taken. A separate field from the decision's own date."""
    return dutch_date(case.decided_at) if case.decided_at is not None else None


@dataclass
class Page:
    """What the pagination macro needs, for rows that are not plain ORM entities."""

    page: int
    per_page: int
    total: int
    items: list[Any] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, *, left_edge: int = 2, left_current: int = 2, right_current: int = 4,
                   right_edge: int = 2):
        pages_end = self.pages + 1
        if pages_end == 1:
            return
        left_end = min(1 + left_edge, pages_end)
        yield from range(1, left_end)
        if left_end == pages_end:
            return
        mid_start = max(left_end, self.page - left_current)
        mid_end = min(self.page + right_current + 1, pages_end)
        if mid_start - left_end > 0:
            yield None
        yield from range(mid_start, mid_end)
        if mid_end == pages_end:
            return
        right_start = max(mid_end, pages_end - right_edge)
        if right_start - mid_end > 0:
            yield None
        yield from range(right_start, pages_end)


# What a register row (page and JSON API) shows of a case, with its organisation's slug and name.
REGISTER_COLUMNS = (Case.id, Case.number, Case.title, Case.request_type, Case.workflow_version_id,
                    Case.state, Case.submitted_at, Case.decided_at, Case.outcome,
                    Case.signature_count, Case.organisation_id,
                    Organisation.slug.label("org_slug"), Organisation.name.label("org_name"))


def paged_rows(filters: Filters, org: Organisation | None, *, per_page: int = PER_PAGE) -> Page:
    """One page of register rows: two statements (the latest change or the count, rows).
    The count reads every matching case, so it is cached until a case changes. A row's
    `case` holds REGISTER_COLUMNS, not a Case."""
    scope = tuple(sorted(filters.as_args(page=1).items()))
    total = cached(f"count {scope}", org.id if org is not None else None, None, lambda: db.session.scalar(
        select(func.count()).select_from(public_cases(filters, org).order_by(None).subquery())))[0]
    values = {"org_id": org.id if org is not None else None, "organisation": filters.organisation,
              "type": filters.type, "state": filters.state, "year": filters.year,
              "outcome": filters.outcome, "limit": per_page, "offset": (filters.page - 1) * per_page}
    if filters.q:  # the full-text condition depends on the words: built for each search
        statement = _build_page_statement(public_cases(filters, org))
    else:
        statement = _page_statement(org is not None, *(bool(getattr(filters, name)) for name in (
            "organisation", "type", "state", "year", "outcome")))
    result = plain_rows(statement, values)
    items = [Row(case=r, decision_outcome=r.decision_outcome or "",
                 decision_date=r.decision_date) for r in result]
    return Page(page=filters.page, per_page=per_page, total=total or 0, items=items)


def _build_page_statement(query: Select) -> Select:
    # The page's ids first (an index-only scan past the offset), then only those rows with
    # their latest decision: otherwise every skipped row would be fetched and decided too.
    page_ids = (query.with_only_columns(Case.id).limit(bindparam("limit"))
                .offset(bindparam("offset")).subquery())
    # Plain columns, not ORM objects: the register and the API only display them.
    return (select(*REGISTER_COLUMNS, *_latest_decision_columns())
            .join(page_ids, page_ids.c.id == Case.id)
            .join(Organisation, Organisation.id == Case.organisation_id)
            .order_by(Case.submitted_at.desc(), Case.id.desc()))


@lru_cache(maxsize=1)
def _latest_decision_columns() -> tuple[Any, Any]:
    # Built once: a search builds its page statement on every request.
    return (_latest_decision(Decision.outcome).label("decision_outcome"),
            _latest_decision(Decision.decided_on).label("decision_date"))


@lru_cache(maxsize=64)
def _page_statement(scoped: bool, *used: bool) -> Select:
    """The page statement for one combination of filters (without search words), built
    once: building it cost more than running it. Which filters are used decides its shape;
    their values are passed when it runs."""
    organisation, type_, state, year, outcome = used
    shape = Filters(organisation="x" if organisation else "", type="x" if type_ else "",
                    state="x" if state else "", year=1 if year else None,
                    outcome="x" if outcome else "")
    return _build_page_statement(public_cases(shape, SimpleNamespace(id=0) if scoped else None))


@dataclass
class Facets:
    """Filter options present in the (unfiltered) public register, with labels."""

    types: list[tuple[str, str]]
    states: list[tuple[str, str]]
    years: list[int]
    outcomes: list[tuple[str, str]]
    labels: Labels


def facets(org: Organisation | None, locale: str = "nl") -> Facets:
    """From the cache (one statement), or three: the distinct (version, type, state, year)
    and their procedure versions."""
    return cached("facets", org.id if org is not None else None, locale,
                  lambda: _facets(org, locale))[0]


def _facets(org: Organisation | None, locale: str) -> Facets:
    year = _year(Case.submitted_at)
    query = (select(Case.workflow_version_id, Case.request_type, Case.state, year.label("year"))
             .where(Case.is_public.is_(True))
             .group_by(Case.workflow_version_id, Case.request_type, Case.state, year))
    if org is not None:
        query = query.where(Case.organisation_id == org.id)
    rows = db.session.execute(query).all()
    labels = Labels.load((r.workflow_version_id for r in rows), locale)
    names = type_labels()
    states: dict[str, str] = {}
    for r in rows:
        states.setdefault(r.state, labels.state(r.workflow_version_id, r.state))
    present_types = {r.request_type for r in rows}
    return Facets(
        types=[(code, names[code]) for code in REQUEST_TYPES if code in present_types],
        states=sorted(states.items(), key=lambda item: item[1].lower()),
        years=sorted({int(r.year) for r in rows if r.year is not None}, reverse=True),
        outcomes=[(code, outcome_label(code, locale)) for code in all_outcomes()],
        labels=labels)


def organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


@lru_cache(maxsize=1)
def _organisation_options_statement() -> Select:
    return select(Organisation.slug, Organisation.name).order_by(Organisation.name)


def organisation_options() -> list[Any]:
    """(slug, name) of every organisation by name: the register's filter, without ORM objects."""
    return plain_rows(_organisation_options_statement(), {})


# ---------------------------------------------------------------- one case

# The one-case statements are built once, with named parameters: building one cost about
# as much as running it.

@lru_cache(maxsize=1)
def _public_case_statement():
    from sqlalchemy.orm import lazyload

    # Without its procedure version (the labels come from public_labels()) and without
    # joining its organisation: the caller has loaded that one, so `case.organisation`
    # comes from the session without a statement.
    return (select(Case).options(lazyload(Case.organisation))
            .where(Case.id == bindparam("case_id"), Case.organisation_id == bindparam("org_id"),
                   Case.is_public.is_(True)))


def public_case(org: Organisation, case_id: int) -> Case | None:
    return db.session.scalar(_public_case_statement(), {"case_id": case_id, "org_id": org.id})


def _in_ids(key, *conditions, order_by, columns=None) -> Select:
    """The rows of key's table (or those `columns` of it) whose `key` is one of the parameter
    `ids`, in key order."""
    return (select(*(columns or (key.class_,))).where(key.in_(bindparam("ids", expanding=True)),
                                                     *conditions)
            .order_by(key, *order_by))


def _grouped(statement: Select, key: str, ids: Iterable[int], *, plain: bool = False
             ) -> dict[int, list]:
    """The rows of an `_in_ids` statement grouped by `key` (one statement; none for no ids):
    ORM objects, or with `plain` the rows of a statement of columns."""
    wanted = list(ids)
    found: dict[int, list] = defaultdict(list)
    if wanted:
        rows = (plain_rows(statement, {"ids": wanted}) if plain
                else db.session.scalars(statement, {"ids": wanted}))
        for row in rows:
            found[getattr(row, key)].append(row)
    return found


# The public case page and the API read these as plain rows (attribute names as on the
# models): what they show, without ORM objects or, for events, their hashes and inputs.

@lru_cache(maxsize=1)
def _timeline_statement() -> Select:
    return _in_ids(AuditEvent.case_id, AuditEvent.public.is_(True), order_by=(AuditEvent.seq,),
                   columns=(AuditEvent.case_id, AuditEvent.at, AuditEvent.to_state,
                            AuditEvent.public_label_nl, AuditEvent.public_label_en))


@lru_cache(maxsize=1)
def _decisions_statement() -> Select:
    return _in_ids(Decision.case_id, Decision.published_at.is_not(None),
                   order_by=(Decision.decided_on, Decision.id), columns=tuple(Decision.__table__.c))


@lru_cache(maxsize=1)
def _attachments_statement() -> Select:
    return (select(*Attachment.__table__.c).where(Attachment.case_id == bindparam("case_id"),
                                                  Attachment.public.is_(True))
            .order_by(Attachment.created_at, Attachment.id))


def timeline(case_ids: Iterable[int]) -> dict[int, list[Any]]:
    """Public events per case: rows with case_id, at, to_state and the public labels."""
    return _grouped(_timeline_statement(), "case_id", case_ids, plain=True)


def published_decisions(case_ids: Iterable[int]) -> dict[int, list[Any]]:
    """Published decisions per case: rows with the columns of Decision."""
    return _grouped(_decisions_statement(), "case_id", case_ids, plain=True)


def public_attachments(case: Case) -> list[Any]:
    """The case's public attachments: rows with the columns of Attachment."""
    return plain_rows(_attachments_statement(), {"case_id": case.id})


def event_label(event: AuditEvent, labels: Labels, version_id: int, locale: str) -> str:
    text = event.public_label_en if locale.startswith("en") else event.public_label_nl
    return text or event.public_label_nl or labels.state(version_id, event.to_state)


def refusal_ground_labels(decision: Decision, locale: str = "nl") -> list[tuple[str, str]]:
    return [(code, label(REFUSAL_GROUNDS, code, locale)) for code in decision.refusal_grounds or []]


def public_applicant_name(case: Case) -> str:
    """The applicant's organisation name, only when they agreed to publication."""
    data = case.data or {}
    consent = data.get("publish_names") or data.get("toestemming_publicatie_naam") \
        or data.get("names_public")
    if not consent:
        return ""
    return str(data.get("organisation_name") or data.get("indiener_naam") or "")


# ---------------------------------------------------------------- exports

EXPORT_BATCH = 1000


def export_versions(filters: Filters, org: Organisation | None) -> list[int]:
    """The procedure versions of the cases an export will hold (for their labels)."""
    query = public_cases(filters, org)
    return list(db.session.scalars(query.with_only_columns(Case.workflow_version_id)
                                   .order_by(None).distinct()))


def organisations_by_id() -> dict[int, Organisation]:
    return {o.id: o for o in db.session.scalars(select(Organisation))}


# What the CSV export reads of a case: columns, not ORM objects (91,000 cases in seconds).
EXPORT_COLUMNS = (Case.id, Case.number, Case.request_type, Case.workflow_version_id, Case.state,
                  Case.submitted_at, Case.decided_at, Case.outcome, Case.policy_area, Case.data,
                  Case.requested_budget, Case.organisation_id)


def export_rows(filters: Filters, org: Organisation | None, *, batch: int = EXPORT_BATCH
                ) -> Iterator[tuple[Row, list[str]]]:
    """Every row of the CSV register with the refusal grounds of its published decisions,
    streamed: the cases come from one server-side cursor `batch` at a time as plain columns
    (a Row's `case` has the attributes the export reads), each batch's grounds in one
    statement, so memory stays flat however many cases there are."""
    query = public_cases(filters, org).with_only_columns(
        *EXPORT_COLUMNS, _latest_decision(Decision.outcome).label("decision_outcome"),
        _latest_decision(Decision.decided_on).label("decision_date"))
    result = db.session.execute(query.execution_options(yield_per=batch, stream_results=True))
    for chunk in result.partitions():
        rows = [Row(case=r, decision_outcome=r.decision_outcome or "",
                    decision_date=r.decision_date) for r in chunk]
        grounds: dict[int, set[str]] = {}
        for case_id, codes in db.session.execute(
                select(Decision.case_id, Decision.refusal_grounds).where(
                    Decision.case_id.in_([row.case.id for row in rows]),
                    Decision.published_at.is_not(None))):
            grounds.setdefault(case_id, set()).update(codes or [])
        for row in rows:
            yield row, sorted(grounds.get(row.case.id, ()))


# What an Atom entry shows: columns, not a Decision and a Case (with its organisation and
# JSON columns) per entry.
FEED_COLUMNS = (Decision.id, Decision.published_at, Decision.outcome, Decision.deciding_body,
                Decision.decided_on, Decision.reasons, Case.id.label("case_id"), Case.number,
                Case.title, Case.decided_at)


@lru_cache(maxsize=1)
def _feed_statement():
    # The case test is an EXISTS on the primary key, so that SQLite walks the decisions by
    # ix_decisions_published_at and stops after `limit` instead of sorting all the
    # organisation's decisions (a plain join makes it start from the cases). Built once:
    # making the aliased statement cost more than running it.
    in_scope = aliased(Case)
    return (select(*FEED_COLUMNS).join(Case, Case.id == Decision.case_id)
            .where(Decision.published_at.is_not(None),
                   select(in_scope.id).where(in_scope.id == Decision.case_id,
                                             in_scope.organisation_id == bindparam("org_id"),
                                             in_scope.is_public.is_(True)).exists())
            .order_by(Decision.published_at.desc(), Decision.id.desc())
            .limit(bindparam("limit")))


def feed_decisions(org: Organisation, limit: int = 50) -> list[Any]:
    """The organisation's latest published decisions with their case: rows of FEED_COLUMNS."""
    return plain_rows(_feed_statement(), {"org_id": org.id, "limit": limit})


def api_decisions(org: Organisation | None, *, page: int, per_page: int
                  ) -> tuple[int, list[tuple[Decision, Case]]]:
    base = (select(Decision, Case).join(Case, Case.id == Decision.case_id)
            .where(Case.is_public.is_(True), Decision.published_at.is_not(None)))
    if org is not None:
        base = base.where(Case.organisation_id == org.id)
    total = db.session.scalar(select(func.count()).select_from(
        base.with_only_columns(Decision.id).subquery()))
    rows = db.session.execute(base.order_by(Decision.published_at.desc(), Decision.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return total or 0, list(rows)


# ---------------------------------------------------------------- council (ORI)

def meetings(*, org: Organisation | None = None, changed_since: datetime | None = None,
             page: int = 1, per_page: int = 50, meeting_id: int | None = None
             ) -> tuple[int, list[Meeting], dict[int, list[AgendaItem]]]:
    """Meetings with their published agenda items: three statements."""
    query = _ori_filters(select(Meeting), org, changed_since, meeting_id,
                         changed=Meeting.updated_at, id_column=Meeting.id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = list(db.session.scalars(query.order_by(Meeting.starts_at.desc(), Meeting.id.desc())
                                     .limit(per_page).offset((page - 1) * per_page)))
    items = _grouped(_in_ids(AgendaItem.meeting_id, AgendaItem.published_at.is_not(None),
                             order_by=(AgendaItem.position, AgendaItem.id)),
                     "meeting_id", (m.id for m in found))
    return total, found, items


def _ori_filters(query, org: Organisation | None, changed_since: datetime | None,
                 wanted_id: int | None, *, changed, id_column):
    """The ORI lists' common filters: the organisation (of the meeting), changed since, and
    one object by id."""
    if org is not None:
        query = query.where(Meeting.organisation_id == org.id)
    if changed_since is not None:
        query = query.where(changed >= changed_since)
    if wanted_id is not None:
        query = query.where(id_column == wanted_id)
    return query


def agenda_items(*, decided_only: bool = False, changed_since: datetime | None = None,
                 page: int = 1, per_page: int = 50, item_id: int | None = None,
                 org: Organisation | None = None) -> tuple[int, list[tuple[AgendaItem, Meeting]]]:
    """Published agenda items with their meeting: two statements."""
    query = (select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
             .where(AgendaItem.published_at.is_not(None)))
    if decided_only:
        query = query.where(AgendaItem.result != "")
    query = _ori_filters(query, org, changed_since, item_id, changed=AgendaItem.updated_at,
                         id_column=AgendaItem.id)
    total = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(AgendaItem.id).subquery())) or 0
    rows = db.session.execute(query.order_by(Meeting.starts_at.desc(), AgendaItem.position,
                                             AgendaItem.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return total, list(rows)


def votes_for_items(item_ids: Iterable[int]) -> dict[int, list[Vote]]:
    return _grouped(_in_ids(Vote.agenda_item_id, order_by=(Vote.id,)), "agenda_item_id", item_ids)


def _published_votes():
    return (select(Vote, AgendaItem, Meeting)
            .join(AgendaItem, AgendaItem.id == Vote.agenda_item_id)
            .join(Meeting, Meeting.id == AgendaItem.meeting_id)
            .where(AgendaItem.published_at.is_not(None), AgendaItem.result != ""))


def party_votes(*, page: int = 1, per_page: int = 50, vote_id: int | None = None,
                org: Organisation | None = None, changed_since: datetime | None = None
                ) -> tuple[int, list[tuple[Vote, AgendaItem, Meeting]]]:
    """Published results per party group, with their agenda item and meeting: two statements."""
    query = _ori_filters(_published_votes(), org, changed_since, vote_id,
                         changed=AgendaItem.updated_at, id_column=Vote.id)
    total = db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(Vote.id).subquery())) or 0
    rows = db.session.execute(query.order_by(Vote.id).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    return total, list(rows)


def parties(org: Organisation | None = None) -> list[tuple[int, str]]:
    """(organisation id, party name as first written) of every party group in a published
    vote, once per organisation whatever its spelling of spaces and capitals."""
    query = _published_votes().with_only_columns(Meeting.organisation_id, Vote.party)
    if org is not None:
        query = query.where(Meeting.organisation_id == org.id)
    seen: dict[tuple[int, str], str] = {}
    for org_id, party in db.session.execute(query.order_by(Vote.id)):
        seen.setdefault((org_id, " ".join(party.split()).casefold()), party)
    return sorted(((org_id, name) for (org_id, _key), name in seen.items()),
                  key=lambda row: (row[0], row[1].casefold()))


def cases_by_id(case_ids: Iterable[int]) -> dict[int, Case]:
    ids = [i for i in set(case_ids) if i is not None]
    if not ids:
        return {}
    return {case.id: case for case in db.session.scalars(
        select(Case).where(Case.id.in_(ids), Case.is_public.is_(True)))}


# ---------------------------------------------------------------- statistics

@dataclass
class Stats:
    by_state: list[dict[str, Any]]            # organisation, type, state label, year, count
    outcomes: list[dict[str, Any]]            # organisation, type, outcome, year, count
    lead_times: list[dict[str, Any]]          # organisation, type, year, days, term, within
    signatures: list[dict[str, Any]]          # organisation, year, initiatives, signatures
    organisations: dict[int, Organisation]


def statistics(org: Organisation | None, locale: str = "nl") -> Stats:
    """All figures from four statements (plus the organisation names install-wide)."""
    from participation.services.cases import clock_of

    scope = [Case.is_public.is_(True)]
    if org is not None:
        scope.append(Case.organisation_id == org.id)
    year = _year(Case.submitted_at)
    state_rows = db.session.execute(
        select(Case.organisation_id, Case.request_type, Case.workflow_version_id, Case.state,
               year.label("year"), func.count().label("n"),
               func.coalesce(func.sum(Case.signature_count), 0).label("signatures"))
        .where(*scope)
        .group_by(Case.organisation_id, Case.request_type, Case.workflow_version_id, Case.state,
                  year)).all()
    labels = Labels.load((r.workflow_version_id for r in state_rows), locale)
    outcome = func.coalesce(func.nullif(Case.outcome, ""), _latest_decision(Decision.outcome))
    decided = func.coalesce(_latest_decision(Decision.decided_on), func.date(Case.decided_at))
    # Decided cases one by one (columns only): lead time needs the clock's suspensions.
    decided_rows = db.session.execute(
        select(Case.organisation_id, Case.request_type, Case.workflow_version_id,
               Case.submitted_at, Case.decided_at, Case.clock_started_on, Case.clock_term_days,
               Case.clock_extension_days, Case.clock_extended_days, Case.clock_extended_on,
               Case.clock_suspensions, Case.clock_stopped_on,
               outcome.label("outcome_code"), decided.label("decided_on"))
        .where(*scope, or_(Case.decided_at.is_not(None), Case.outcome != "",
                           _latest_decision(Decision.id).is_not(None)))).all()
    if org is not None:
        names = {org.id: org}
    else:
        names = {o.id: o for o in organisations()}

    by_state = [{"organisation": r.organisation_id, "type": r.request_type,
                     "state": labels.state(r.workflow_version_id, r.state), "state_code": r.state,
                     "year": int(r.year) if r.year is not None else None, "count": r.n}
                for r in state_rows]
    signatures = [{"organisation": r.organisation_id, "year": int(r.year) if r.year is not None else None,
                       "initiatives": r.n, "signatures": int(r.signatures or 0)}
                  for r in state_rows if r.request_type == "burgerinitiatief"]
    outcomes: list[dict[str, Any]] = []
    lead_times: list[dict[str, Any]] = []
    for r in decided_rows:
        decided_on = r.decided_on
        if isinstance(decided_on, str):
            decided_on = date.fromisoformat(decided_on[:10])
        elif isinstance(decided_on, datetime):
            decided_on = decided_on.date()
        outcomes.append({"organisation": r.organisation_id, "type": r.request_type,
                             "outcome": r.outcome_code or "",
                             "year": decided_on.year if decided_on else None})
        if r.submitted_at is None or decided_on is None:
            continue
        days = (decided_on - dutch_date(r.submitted_at)).days
        within = None
        if r.clock_started_on is not None and r.clock_term_days:
            clock = clock_of(SimpleNamespace(  # clock_of only reads these columns
                clock_started_on=r.clock_started_on, clock_term_days=r.clock_term_days,
                clock_extension_days=r.clock_extension_days,
                clock_extended_days=r.clock_extended_days, clock_extended_on=r.clock_extended_on,
                clock_suspensions=r.clock_suspensions or [], clock_stopped_on=r.clock_stopped_on))
            deadline = clock.deadline(decided_on)
            within = deadline is not None and decided_on <= deadline
        lead_times.append({"organisation": r.organisation_id, "type": r.request_type,
                               "year": decided_on.year, "days": days, "within": within,
                               "term": labels.term_days(r.workflow_version_id)})
    return Stats(by_state=by_state, outcomes=outcomes, lead_times=lead_times,
                 signatures=signatures, organisations=names)
