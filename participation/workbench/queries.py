"""Read side of the workbench: what the work queue and the case page show, in a bounded
number of SQL statements (the queue: five, whatever the number of cases)."""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import Row, bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from participation.challenges.forms import euro
from participation.domain import agreements as rules
from participation.domain import deadlines, grounds
from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import (
    AgreementVersion,
    Attachment,
    AuditEvent,
    Case,
    CaseMessage,
    Decision,
    InternalNote,
    Meeting,
    Membership,
    ProgressReport,
    ResponseTemplate,
    Task,
    User,
    WorkflowVersion,
)
from participation.public.queries import cached
from participation.services import agreements as agreement_events
from participation.services import cases as case_service
from participation.services.cases import ASSIGNABLE_ROLES, BULK_INPUTS

PER_PAGE = 50
TYPE_LABELS = {"uitdaagrecht": ("Uitdaagrecht", "Right to Challenge"),
               "burgerinitiatief": ("Burgerinitiatief", "Citizens' initiative"),
               "bewonersinitiatief": ("Bewonersinitiatief", "Residents' initiative")}


def type_label(request_type: str, locale: str = "nl") -> str:
    nl, en = TYPE_LABELS.get(request_type, (request_type, request_type))
    return en if locale.startswith("en") else nl


def state_label(definition: wf.Workflow | None, state: str, locale: str = "nl") -> str:
    if definition is None or not definition.has_state(state):
        return state.replace("_", " ")
    s = definition.state(state)
    return s.label_en if locale.startswith("en") else s.label_nl


def transition_label(t: wf.Transition, locale: str = "nl") -> str:
    return (t.label_en if locale.startswith("en") else t.label_nl) or t.name.replace("_", " ")


# Who a step waits for, as the case page says it ("Wacht op de coördinator: …").
WAITING_FOR = {"coordinator": _l("de coördinator"), "official": _l("de behandelend ambtenaar"),
               "griffie": _l("de griffie"), "admin": _l("de beheerder"),
               "applicant": _l("de aanvrager")}
WAIT_ORDER = ("applicant", "official", "coordinator", "griffie", "admin")
# The role in which someone took a step, as the timeline names it.
ACTOR_ROLES = {"applicant": _l("aanvrager"), "coordinator": _l("coördinator"),
               "official": _l("behandelaar"), "griffie": _l("griffie"),
               "admin": _l("beheerder"), "system": _l("systeem")}


def actor_role_label(role: str) -> str:
    return str(ACTOR_ROLES.get(role, role.replace("_", " ")))


@dataclass(frozen=True)
class Waiting:
    who: str
    steps: list[str]


def waiting_for(definition: wf.Workflow, state: str, mine: list[wf.Transition],
                locale: str) -> list[Waiting]:
    """The steps others can take now, grouped by who may take them (the first role named),
    leaving out what the viewer can do themselves."""
    grouped: dict[str, list[str]] = {}
    for t in wf.available_transitions(definition, state, WAIT_ORDER):
        if t in mine:
            continue
        role = next(r for r in WAIT_ORDER if r in t.roles)
        grouped.setdefault(role, []).append(transition_label(t, locale))
    return [Waiting(str(WAITING_FOR[r]), grouped[r]) for r in WAIT_ORDER if r in grouped]


# --------------------------------------------------------------------------- work queue

@dataclass(frozen=True)
class QueueFilters:
    request_type: str = ""
    state: str = ""
    assignee: str = ""  # "", "mine", "none" or a user id
    overdue: bool = False
    text: str = ""
    page: int = 1


class QueueRow(NamedTuple):
    """One case in the queue (a named tuple: made fifty times a page, twice as fast as a
    frozen dataclass)."""

    id: int
    number: str
    title: str
    request_type: str
    type_label: str
    state: str
    state_label: str
    assignee_id: int | None
    assignee_name: str
    submitted_at: datetime | None
    deadline: date | None
    days_left: int | None
    suspended: bool
    overdue: bool
    lock_version: int


@dataclass(frozen=True)
class StateCount:
    request_type: str
    state: str
    label: str
    count: int


@dataclass
class Page:
    """Just what the pagination macro needs (the shape of Flask-SQLAlchemy's Pagination)."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge: int = 1, left_current: int = 1, right_current: int = 2,
                   right_edge: int = 1) -> Iterator[int | None]:
        last = 0
        for number in range(1, self.pages + 1):
            if (number <= left_edge or self.page - left_current <= number <= self.page
                    + right_current or number > self.pages - right_edge):
                if last and number - last > 1:
                    yield None
                yield number
                last = number


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass
class QueuePage:
    rows: list[QueueRow]
    page: Page
    counts: list[StateCount]
    total_open: int
    state_options: list[Option]
    assignees: list[Option]
    bulk_transitions: list[Option] = field(default_factory=list)


def columns(stmt: Any, params: dict[str, Any] | None = None) -> Sequence[Row[Any]]:
    """The rows of a statement that selects columns only, through the session's connection
    (its transaction): the ORM layer adds nothing to plain columns but costs about as much
    as running the statement (0.5 against 0.23 ms for the queue's rows)."""
    return db.session.connection().execute(stmt, params).all()


def _base_conditions(org_id: int) -> list[Any]:
    return [Case.organisation_id == org_id, Case.submitted_at.is_not(None)]


def _filter_conditions(filters: QueueFilters, *, user_id: int, today: date) -> list[Any]:
    conditions: list[Any] = []
    if filters.request_type:
        conditions.append(Case.request_type == filters.request_type)
    if filters.state:
        conditions.append(Case.state == filters.state)
    if filters.assignee == "mine":
        conditions.append(Case.assignee_id == user_id)
    elif filters.assignee == "none":
        conditions.append(Case.assignee_id.is_(None))
    elif (filters.assignee.isascii() and filters.assignee.isdecimal() and len(filters.assignee) < 10):
        conditions.append(Case.assignee_id == int(filters.assignee))
    if filters.overdue:
        conditions += [Case.urgency == 0, Case.deadline < today]
    text = filters.text.strip().lower()
    if text:
        pattern = "%" + re.sub(r"([%_\\])", r"\\\1", text) + "%"
        conditions.append(or_(func.lower(Case.title).like(pattern, escape="\\"),
                              func.lower(Case.number).like(pattern, escape="\\")))
    return conditions


@cache
def _versions_statement() -> Any:
    return (select(WorkflowVersion.id, WorkflowVersion.source)
            .where(WorkflowVersion.id.in_(bindparam("ids", expanding=True))))


def _definitions(version_ids: set[int]) -> dict[int, wf.Workflow]:
    if not version_ids:
        return {}
    # Two columns (a Row reads like the version object): no ORM objects to build.
    versions = columns(_versions_statement(), {"ids": list(version_ids)})
    return {v.id: case_service.workflow_for_version(v) for v in versions}


def work_queue(org_id: int, filters: QueueFilters, *, user_id: int, today: date,
               roles: set[str], locale: str = "nl") -> QueuePage:
    """The organisation's submitted cases, most urgent first: overdue, then fewest days
    left, suspended clocks after the running ones, cases without a running clock last;
    then by submission. At most six statements: the latest change (the cache key), counts
    per state (when a case changed), the count (only when filtered), rows, procedure
    versions, assignable officials."""
    base = _base_conditions(org_id)
    narrowed = _filter_conditions(filters, user_id=user_id, today=today)
    conditions = base + narrowed

    # Counts per state read every submitted case: cached until a case changes (see
    # public.queries.cached); without filters they also give the total.
    count_rows = cached("queue_counts", org_id, None, lambda: [tuple(r) for r in columns(
        select(Case.request_type, Case.state, func.min(Case.workflow_version_id),
               func.count(Case.id))
        .where(*base).group_by(Case.request_type, Case.state))])[0]
    if not narrowed:
        total = sum(count for _, _, _, count in count_rows)
    else:
        total = columns(select(func.count(Case.id)).where(*conditions))[0][0] or 0
    page = Page(page=max(1, filters.page), per_page=PER_PAGE, total=total)
    page.page = min(page.page, page.pages)

    stmt = (_rows_statement().where(*narrowed)
            .limit(PER_PAGE).offset((page.page - 1) * PER_PAGE))
    fetched = columns(stmt, {"org_id": org_id})

    version_ids = {case.workflow_version_id for case in fetched}
    version_ids |= {version_id for _, _, version_id, _ in count_rows}
    definitions = _definitions(version_ids)

    rows = [_queue_row(case, case.assignee_name, definitions.get(case.workflow_version_id),
                       today, locale) for case in fetched]
    counts = sorted(
        (StateCount(request_type, state, state_label(definitions.get(version_id), state, locale),
                    count)
         for request_type, state, version_id, count in count_rows),
        key=lambda c: (c.request_type, c.label))
    state_options = sorted({Option(c.state, c.label) for c in counts},
                           key=lambda o: (o.label, o.value))  # the value: a set has no order
    if filters.state and filters.state not in {o.value for o in state_options}:
        state_options.append(Option(filters.state, filters.state.replace("_", " ")))
    return QueuePage(rows=rows, page=page, counts=counts,
                     total_open=sum(c.count for c in counts), state_options=state_options,
                     assignees=assignee_options(org_id),
                     bulk_transitions=_bulk_transitions(definitions.values(), roles, locale))


# What a queue row shows and its clock needs: plain columns, not Case objects (an object
# carries the request's JSON data and the identity map's bookkeeping, for 50 rows a page).
QUEUE_COLUMNS = (Case.id, Case.number, Case.title, Case.request_type, Case.state,
                 Case.workflow_version_id, Case.assignee_id, Case.submitted_at, Case.lock_version,
                 Case.clock_started_on, Case.clock_term_days, Case.clock_extension_days,
                 Case.clock_extended_days, Case.clock_extended_on, Case.clock_suspensions,
                 Case.clock_stopped_on)


def _queue_row(case: Any, assignee_name: str | None, definition: wf.Workflow | None,
               today: date, locale: str) -> QueueRow:
    clock = case_service.clock_of(case)
    is_suspended = clock.suspended and not clock.stopped
    deadline = clock.deadline(today) if clock.started and not clock.stopped else None
    days_left = (deadline - today).days if deadline else None
    return QueueRow(
        id=case.id, number=case.number or "", title=case.title,
        request_type=case.request_type, type_label=type_label(case.request_type, locale),
        state=case.state, state_label=state_label(definition, case.state, locale),
        assignee_id=case.assignee_id, assignee_name=assignee_name or "",
        submitted_at=case.submitted_at, deadline=deadline, days_left=days_left,
        suspended=is_suspended,
        overdue=bool(days_left is not None and days_left < 0 and not is_suspended),
        lock_version=case.lock_version)


@cache
def _rows_statement() -> Any:
    """The queue's rows before the filters (made once; the organisation a bound parameter).
    Urgency (stored by the workflow service) then deadline: the order of ix_cases_org_queue."""
    return (select(*QUEUE_COLUMNS, User.name.label("assignee_name"))
            .outerjoin(User, User.id == Case.assignee_id)
            .where(Case.organisation_id == bindparam("org_id"), Case.submitted_at.is_not(None))
            .order_by(Case.urgency, Case.deadline.asc(), Case.submitted_at.asc(), Case.id.asc()))


@cache
def _assignees_statement() -> Any:
    return (select(User.id, User.name).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == bindparam("org_id"),
                   Membership.role.in_(ASSIGNABLE_ROLES), User.deleted_at.is_(None))
            .group_by(User.id, User.name).order_by(User.name))


def assignee_options(org_id: int) -> list[Option]:
    return [Option(str(uid), name)
            for uid, name in columns(_assignees_statement(), {"org_id": org_id})]


def _bulk_transitions(definitions: Iterable[wf.Workflow], roles: set[str],
                      locale: str) -> list[Option]:
    """Steps that fit a bulk action: one text (and a term) is all they need."""
    bulk: dict[str, str] = {}
    for definition in definitions:
        for t in definition.transitions:
            if (t.automatic is None and t.roles & roles and set(t.inputs) <= BULK_INPUTS
                    and t.name not in bulk):
                bulk[t.name] = transition_label(t, locale)
    return [Option(k, v) for k, v in sorted(bulk.items(), key=lambda i: i[1])]


def template_options(org_id: int) -> list[Option]:
    """The standard texts as the bulk form offers them: two columns, not the texts."""
    return [Option(str(tid), title) for tid, title in columns(_templates_statement(),
                                                                {"org_id": org_id})]


@cache
def _templates_statement() -> Any:
    return (select(ResponseTemplate.id, ResponseTemplate.title)
            .where(ResponseTemplate.organisation_id == bindparam("org_id"))
            .order_by(ResponseTemplate.title))


def templates_of(org_id: int) -> list[ResponseTemplate]:
    return list(db.session.scalars(select(ResponseTemplate)
                                   .where(ResponseTemplate.organisation_id == org_id)
                                   .order_by(ResponseTemplate.title)))


def cases_for_bulk(org_id: int, ids: list[int]) -> dict[int, Case]:
    if not ids:
        return {}
    cases = db.session.scalars(select(Case).where(Case.organisation_id == org_id,
                                                  Case.id.in_(ids),
                                                  Case.submitted_at.is_not(None))).all()
    return {c.id: c for c in cases}


# --------------------------------------------------------------------------- case page

# Dutch labels for the request's form fields (case.data); unknown keys get a humanised name.
DATA_LABELS = {
    "task": _l("Taak"), "task_code": _l("Taak"), "task_id": _l("Taak"), "task_title": _l("Taak"),
    "task_description": _l("Beschrijving van de taak"), "description": _l("Beschrijving"),
    "summary": _l("Samenvatting"), "plan": _l("Plan"), "approach": _l("Aanpak"), "goal": _l("Doel"),
    "goals": _l("Doelen"), "results": _l("Resultaten"), "quality": _l("Kwaliteit"),
    "quality_guarantees": _l("Kwaliteit en continuïteit"), "continuity": _l("Continuïteit"),
    "budget": _l("Begroting"), "requested_budget": _l("Gevraagd budget"),
    "budget_explanation": _l("Toelichting op de begroting"), "cost_comparison": _l("Kostenvergelijking"),
    "support": _l("Draagvlak"), "support_evidence": _l("Bewijs van draagvlak"), "draagvlak": _l("Draagvlak"),
    "added_value": _l("Maatschappelijke meerwaarde"), "social_value": _l("Maatschappelijke meerwaarde"),
    "organisation": _l("Organisatie"), "organisation_name": _l("Naam van de organisatie"),
    "applicant_name": _l("Naam aanvrager"), "group_name": _l("Naam van de groep"),
    "legal_form": _l("Rechtsvorm"), "kvk_number": _l("KvK-nummer"), "kvk": _l("KvK-nummer"),
    "contact_name": _l("Contactpersoon"), "contact_email": _l("E-mailadres contactpersoon"),
    "contact_phone": _l("Telefoonnummer contactpersoon"), "email": _l("E-mailadres"),
    "phone": _l("Telefoonnummer"), "address": _l("Adres"), "postcode": _l("Postcode"),
    "area": _l("Gebied"), "neighbourhood": _l("Wijk of buurt"), "location": _l("Locatie"),
    "policy_area": _l("Beleidsveld"), "start_date": _l("Gewenste startdatum"),
    "end_date": _l("Gewenste einddatum"), "duration": _l("Looptijd"), "term": _l("Looptijd"),
    "risks": _l("Risico's"), "safety": _l("Veiligheid"), "insurance": _l("Verzekering"),
    "privacy": _l("Privacy"), "partners": _l("Samenwerkingspartners"), "members": _l("Leden"),
    "previous_case": _l("Eerdere aanvraag"), "consent": _l("Toestemming"),
    "privacy_consent": _l("Toestemming voor gebruik van gegevens"),
    "agreement": _l("Overeenkomst"), "progress_reports": _l("Voortgangsverslagen"),
    "evaluation": _l("Evaluatie"),
    "ondertekend_door": _l("Ondertekend door"), "ondertekend_op": _l("Ondertekend op"),
    "flags": _l("Aandachtspunten voor de behandelaar"),
    "budget_totaal": _l("Totaal van de begroting"),
}
# Keys the case page shows in their own panel, not in the request's field list.
PANEL_KEYS = frozenset({"agreement", "progress_reports", "evaluation"})


@cache
def _form_labels() -> dict[str, Any]:
    """The request form's labels: lazy strings (translated when shown), so one dict serves
    every locale. Made once: finding them walks every form step and, to see that a label is
    there, translates it (some 50 translations per data field on each case page)."""
    from participation.challenges.forms import field_labels

    return field_labels()


def data_label(key: str) -> str:
    form_labels = _form_labels()
    if key in form_labels:
        return str(form_labels[key])
    if key in DATA_LABELS:
        return str(DATA_LABELS[key])
    text = re.sub(r"[_\-]+", " ", key).strip()
    return text[:1].upper() + text[1:] if text else key


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?")
DECIMAL_AMOUNT = re.compile(r"-?\d+\.\d{2}")
# Keys whose values are money even when typed as a whole number.
AMOUNT_KEYS = re.compile(r"bedrag|budget|kosten|bijdrage_geld|gevraagd|amount", re.IGNORECASE)
# Parts of a stored value that only the database needs (a person is shown by name).
INTERNAL_KEYS = frozenset({"user_id", "id", "email"})


# The platform's one Dutch long date ('3 juni 2027') and one amount notation ('€ 1.500,00').
long_date_nl = deadlines.format_date_nl
euro_nl = euro


def _text_value(key: str, value: str) -> str:
    text = value.strip()
    if ISO_MOMENT.fullmatch(text):
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = deadlines.dutch_time(moment)
        return f"{long_date_nl(local.date())} om {local:%H:%M}"
    if ISO_DATE.fullmatch(text):
        try:
            return long_date_nl(date.fromisoformat(text))
        except ValueError:
            return text
    if DECIMAL_AMOUNT.fullmatch(text) or (AMOUNT_KEYS.search(key) and text.isdecimal()):
        try:
            return euro_nl(Decimal(text))
        except InvalidOperation:
            return text
    return text


def data_value(key: str, value: Any) -> str:
    """A stored request field as an official reads it: names, Dutch dates, € 1.500,00."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Ja" if value else "Nee"
    if key in ("legal_form", "rechtsvorm") and isinstance(value, str):
        return grounds.label(grounds.LEGAL_FORMS, value, "nl")
    if key == "flags" and isinstance(value, (list, tuple)):
        # Refusal grounds to look at first, by their words (R4: "Het plan kost meer …").
        return "; ".join(f"{code}: {grounds.REFUSAL_GROUNDS[code].label_nl}"
                         if code in grounds.REFUSAL_GROUNDS else str(code)
                         for code in value) or str(_l("Geen"))
    if key == "taak" and value == "anders":
        return str(_l("Een andere taak"))
    if value in ("ja", "nee"):  # a yes/no question's stored choice
        return "Ja" if value == "ja" else "Nee"
    if isinstance(value, (int, float, Decimal)) and AMOUNT_KEYS.search(key):
        return euro_nl(Decimal(str(value)))
    if isinstance(value, (list, tuple)):
        return ", ".join(data_value(key, v) for v in value) or "—"
    if isinstance(value, dict):
        shown = {k: v for k, v in value.items() if k not in INTERNAL_KEYS}
        if set(shown) <= {"naam", "name"} and shown:
            return str(next(iter(shown.values())))
        if set(shown) == {"post", "bedrag"}:
            return f"{data_value('post', shown['post'])}: {data_value('bedrag', shown['bedrag'])}"
        return "; ".join(f"{data_label(k)}: {data_value(k, v)}" for k, v in shown.items())
    if isinstance(value, datetime):
        return _text_value(key, value.isoformat())
    if isinstance(value, date):
        return long_date_nl(value)
    return _text_value(key, str(value))


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    seq: int
    transition: str
    label: str
    from_label: str
    to_label: str
    actor_name: str
    actor_role: str
    reason: str
    public: bool
    public_label: str
    short_hash: str


@dataclass(frozen=True)
class NoteView:
    at: datetime
    author_name: str
    body: str


@dataclass(frozen=True)
class MessageView:
    at: datetime
    author_name: str
    from_organisation: bool
    kind: str
    body: str


@dataclass
class CaseDetail:
    case: Case
    definition: wf.Workflow
    state_label: str
    type_label: str
    applicant: User | None
    assignee: User | None
    task: Task | None
    data_items: list[tuple[str, str]]
    attachments: list[Attachment]
    timeline: list[TimelineEntry]
    notes: list[NoteView]
    messages: list[MessageView]
    decisions: list[Decision]
    meetings: list[Meeting]


# Audit events the system writes outside the procedure's transitions: (Dutch, English).
SYSTEM_EVENTS = {
    "beslistermijn_hersteld": ("Beslistermijn hersteld (Awb 4:15)",
                               "Decision term corrected (Awb 4:15)"),
    "besluit_verzonden": ("Besluit verzonden (brief)", "Decision sent (letter)"),
    "besluit_gecorrigeerd": ("Besluit verbeterd (nieuwe brief)", "Decision corrected (new letter)"),
}
# The agreement's own events (services/agreements.py) read the same way.
SYSTEM_EVENTS.update(agreement_events.EVENTS)


def _event_label(definition, name: str, locale: str) -> str:
    if definition.has_transition(name):
        return transition_label(definition.transition(name), locale)
    nl, en = SYSTEM_EVENTS.get(name, (name, name))
    return en if locale.startswith("en") else nl


@cache
def _case_statement() -> Any:
    return (select(Case, Task).outerjoin(Task, Task.id == Case.task_id)
            .options(joinedload(Case.workflow_version), joinedload(Case.applicant),
                     joinedload(Case.assignee))
            .where(Case.id == bindparam("case_id")))


def load_case(org_id: int, case_id: int) -> Case | None:
    """A submitted case of this organisation (drafts are the applicant's own business), with
    what its page shows of it in the same statement: its procedure version, applicant,
    assignee and task (the task lands in the session, where case_detail finds it)."""
    row = db.session.execute(_case_statement(), {"case_id": case_id}).first()
    case = row[0] if row else None
    if case is None or case.organisation_id != org_id or case.submitted_at is None:
        return None
    return case


def _shown_above(case: Case, task: Task | None, key: str, value: Any) -> bool:
    """A request field that the page already shows from the case itself (title, summary,
    policy area, the task by its title, the requested amount): not twice, and a task never by
    its database id."""
    if key == "taak":
        return task is not None or value != "anders"
    column = {"naam_initiatief": case.title, "taak_omschrijving": case.summary,
              "beleidsveld": case.policy_area}
    if key in column:
        return bool(column[key]) and str(value or "").strip() == column[key]
    return key == "gevraagd_budget" and case.requested_budget is not None


def case_detail(case: Case, *, today: date, locale: str = "nl") -> CaseDetail:
    definition = case_service.workflow_of(case)

    timeline = []
    for event in columns(_timeline_statement(), {"case_id": case.id}):
        timeline.append(TimelineEntry(
            at=event.at, seq=event.seq, transition=event.transition,
            label=_event_label(definition, event.transition, locale),
            from_label=state_label(definition, event.from_state, locale),
            to_label=state_label(definition, event.to_state, locale),
            actor_name=event.actor_name or "", actor_role=actor_role_label(event.actor_role),
            reason=event.reason,
            public=event.public,
            public_label=(event.public_label_en if locale.startswith("en")
                          else event.public_label_nl),
            short_hash=event.hash[:12]))

    notes, messages = _notes_and_messages(case.id)
    attachments = list(db.session.scalars(_attachments_statement(), {"case_id": case.id}))
    decisions = case_decisions(case)
    # Only a step that names a meeting needs the list (the council's steps).
    meetings = upcoming_meetings(case.organisation_id, today) if any(
        "meeting" in t.inputs + t.optional_inputs for t in definition.transitions
        if case.state in t.sources) else []
    applicant = db.session.get(User, case.applicant_id) if case.applicant_id else None
    assignee = db.session.get(User, case.assignee_id) if case.assignee_id else None
    task = db.session.get(Task, case.task_id) if case.task_id else None
    data_items = [(data_label(k), task.title if k == "taak" and task is not None
                   and str(v) == str(task.id) else data_value(k, v))
                  for k, v in (case.data or {}).items()
                  if k not in PANEL_KEYS and not _shown_above(case, task, k, v)]
    return CaseDetail(case=case, definition=definition,
                      state_label=state_label(definition, case.state, locale),
                      type_label=type_label(case.request_type, locale), applicant=applicant,
                      assignee=assignee, task=task, data_items=data_items,
                      attachments=attachments, timeline=timeline, notes=notes,
                      messages=messages, decisions=decisions, meetings=meetings)


# The case page's statements are the same for every case but for its id (a bound
# parameter): made once, not per request (making one costs about as much as running it).

@cache
def _timeline_statement() -> Any:
    """The audit trail as the timeline shows it: columns (not its inputs) and who acted."""
    return (select(AuditEvent.at, AuditEvent.seq, AuditEvent.transition, AuditEvent.from_state,
                   AuditEvent.to_state, AuditEvent.actor_role, AuditEvent.reason,
                   AuditEvent.public, AuditEvent.public_label_nl, AuditEvent.public_label_en,
                   AuditEvent.hash, User.name.label("actor_name"))
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.case_id == bindparam("case_id")).order_by(AuditEvent.seq))


@cache
def _attachments_statement() -> Any:
    return (select(Attachment).where(Attachment.case_id == bindparam("case_id"))
            .order_by(Attachment.created_at, Attachment.id))


@cache
def _notes_and_messages_statement() -> Any:
    notes = (select(literal("note").label("source"), InternalNote.id, InternalNote.created_at,
                    User.name, InternalNote.body, literal(True).label("from_organisation"),
                    literal("").label("kind"))
             .outerjoin(User, User.id == InternalNote.author_id)
             .where(InternalNote.case_id == bindparam("case_id")))
    messages = (select(literal("message"), CaseMessage.id, CaseMessage.created_at, User.name,
                       CaseMessage.body, CaseMessage.from_organisation, CaseMessage.kind)
                .outerjoin(User, User.id == CaseMessage.author_id)
                .where(CaseMessage.case_id == bindparam("case_id")))
    return union_all(notes, messages)


def _notes_and_messages(case_id: int) -> tuple[list[NoteView], list[MessageView]]:
    """The internal notes (newest first) and the messages with the applicant (in order) of a
    case, in one statement: the official's case page stays within eight."""
    rows = columns(_notes_and_messages_statement(), {"case_id": case_id})
    note_rows = sorted((r for r in rows if r.source == "note"),
                       key=lambda r: (r.created_at, r.id), reverse=True)
    message_rows = sorted((r for r in rows if r.source == "message"),
                          key=lambda r: (r.created_at, r.id))
    return ([NoteView(r.created_at, r.name or "", r.body) for r in note_rows],
            [MessageView(r.created_at, r.name or "", bool(r.from_organisation), r.kind, r.body)
             for r in message_rows])


@cache
def _decisions_statement() -> Any:
    return (select(Decision).where(Decision.case_id == bindparam("case_id"))
            .order_by(Decision.created_at.desc(), Decision.id.desc()))


def case_decisions(case: Case) -> list[Decision]:
    return list(db.session.scalars(_decisions_statement(), {"case_id": case.id}))


@cache
def _meetings_statement() -> Any:
    return (select(Meeting).where(Meeting.organisation_id == bindparam("org_id"),
                                  Meeting.status == "gepland",
                                  Meeting.starts_at >= bindparam("since"))
            .order_by(Meeting.starts_at))


def upcoming_meetings(org_id: int, today: date) -> list[Meeting]:
    return list(db.session.scalars(_meetings_statement(), {
        "org_id": org_id, "since": datetime.combine(today, time.min, tzinfo=UTC)}))


def user_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


# --------------------------------------------------------------------------- execution terms

@dataclass(frozen=True)
class ExecutionItem:
    """A granted challenge that needs the official: a result past its target date, or a
    progress report that waits for review."""

    case_id: int
    number: str
    title: str
    kind: str            # "overdue" | "report"
    what: str            # the result's title
    since: date


RUNNING_STATES = ("in_uitvoering", "verlengd", "evaluatie")


def execution_attention(org_id: int, today: date, limit: int = 50) -> list[ExecutionItem]:
    """Overdue results and reports to review, oldest first; two statements whatever the
    number of cases (the agreements of running challenges with their case, the reports)."""
    versions: dict[int, tuple[AgreementVersion, str, str]] = {}
    for version, number, title in db.session.execute(
            select(AgreementVersion, Case.number, Case.title)
            .join(Case, Case.id == AgreementVersion.case_id)
            .where(Case.organisation_id == org_id, Case.request_type == "uitdaagrecht",
                   Case.state.in_(RUNNING_STATES))
            .order_by(AgreementVersion.case_id, AgreementVersion.version)):
        versions[version.case_id] = (version, number or "", title)  # the latest wins
    if not versions:
        return []
    reports = db.session.scalars(select(ProgressReport).where(
        ProgressReport.case_id.in_(versions)).order_by(ProgressReport.id)).all()
    by_case: dict[int, list[rules.Report]] = {}
    for report in reports:
        by_case.setdefault(report.case_id, []).append(
            rules.Report(report.result_key, report.status, report.review))
    items: list[ExecutionItem] = []
    for case_id, (version, number, title) in versions.items():
        results = [rules.Result(r["key"], r["title"], date.fromisoformat(r["target_date"])
                                if r.get("target_date") else None)
                   for r in version.results or []]
        accepted = rules.accepted_results(by_case.get(case_id, []))
        items += [ExecutionItem(case_id, number, title, "overdue", result.title,
                                result.target_date)
                  for result in rules.overdue_results(results, accepted, today)]
    for report in reports:
        if report.review == rules.REVIEW_PENDING:
            version, number, title = versions[report.case_id]
            what = next((r["title"] for r in version.results or []
                         if r["key"] == report.result_key), report.result_key)
            items.append(ExecutionItem(report.case_id, number, title, "report", what,
                                       deadlines.dutch_date(report.created_at)))
    items.sort(key=lambda item: (item.since, item.case_id))
    return items[:limit]
