"""The officials' workbench: work queue, case page, steps, notes, messages, assignment,
bulk steps, standard texts and the agreement after a grant."""
from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple
from urllib.parse import urlencode

from flask import abort, flash, g, make_response, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from wtforms.form import BaseForm

from participation.challenges import agreement_forms as af
from participation.domain import deadlines
from participation.domain import workflow as wf
from participation.domain.agreements import cents_as_text
from participation.domain.deadlines import dutch_date
from participation.domain.errors import Refusal
from participation.extensions import db
from participation.formrender import fast_render
from participation.htmx import is_htmx, redirect_303, render_page_or_fragment
from participation.models import ProgressReport, ResponseTemplate, User
from participation.models._types import utcnow
from participation.permissions import has_role, load, require_role
from participation.public.queries import cached
from participation.routes import expected_version, show_on_form, take_step
from participation.services import agreements as agreement_service
from participation.services import cases as case_service
from participation.services.cases import Conflict
from participation.workbench import bp, queries
from participation.workbench.forms import (
    AssignForm,
    BulkForm,
    CorrectionForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    TemplateForm,
    choices,
    decision_fields,
    transition_form,
    transition_inputs,
)

STAFF = ("official", "coordinator", "griffie", "admin")
ASSIGNERS = ("coordinator", "admin")


def _locale() -> str:
    return str(get_locale() or "nl")


# --------------------------------------------------------------------------- work queue

def _filters_from_args() -> queries.QueueFilters:
    args = request.args
    page = args.get("pagina", "1")
    return queries.QueueFilters(
        request_type=args.get("type", "") if args.get("type") in queries.TYPE_LABELS else "",
        state=args.get("state", "")[:60], assignee=args.get("assignee", "")[:12],
        overdue=args.get("overdue") in ("y", "1", "on", "true"), text=args.get("q", "")[:100],
        page=int(page) if (page.isascii() and page.isdecimal() and len(page) < 10) else 1)


def _filter_form(data: queries.QueuePage) -> QueueFilterForm:
    form = QueueFilterForm(request.args)
    form.type.choices = choices([("", _("Alle soorten"))] + [
        (key, queries.type_label(key, _locale())) for key in queries.TYPE_LABELS])
    form.state.choices = choices([("", _("Alle fasen"))]
                                 + [(o.value, o.label) for o in data.state_options])
    form.assignee.choices = choices([("", _("Iedereen")), ("mine", _("Aan mij toegewezen")),
                                     ("none", _("Niet toegewezen"))]
                                    + [(o.value, o.label) for o in data.assignees])
    return form


def _bulk_form(data: queries.QueuePage, templates: list[queries.Option],
               formdata: Any = None) -> BulkForm:
    form = BulkForm(formdata=formdata) if formdata is not None else BulkForm(formdata=None)
    form.transition.choices = choices([("", _("Kies een stap"))] + [
        (o.value, o.label) for o in data.bulk_transitions])
    form.template.choices = choices([("", _("Geen sjabloon"))] + [
        (t.value, t.label) for t in templates])
    form.assignee.choices = choices([("", _("Kies een medewerker")), ("none", _("Niemand"))] + [
        (o.value, o.label) for o in data.assignees])
    return form


def _case_url_prefix() -> str:
    # Building a URL per row costs more than the rest of the row; the route ends in the id.
    url = url_for("workbench.case_page", case_id=0)
    return url[:-1]


class QueueLine(NamedTuple):
    """A queue row with what its cells say, worded here: the template called gettext,
    strftime, isoformat or a filter five times per row (50 rows a page). A named tuple: made
    fifty times a page, twice as fast as a frozen dataclass."""

    row: queries.QueueRow
    href: str
    select: str  # the checkbox's label
    assignee: str
    submitted_iso: str
    submitted_text: str
    deadline_iso: str
    deadline_text: str
    badge: str  # "opgeschort", "verlopen", "nog 3 dagen", "vandaag"
    note: str  # "sinds 16-11-2026" when the term has run out; "geen lopende termijn"


class _QueueWords:
    """The queue's words, translated once per request. Markup, as the template's _() gives
    them: the translation as it is, the values put in escaped."""

    def __init__(self) -> None:
        # Formats as plain str, filled with escaped values: Markup's own % is twice as slow.
        self.select = _("Selecteer zaak %(number)s")
        self.since = _("sinds %(date)s")
        self.unassigned = _("Niet toegewezen")
        self.suspended = Markup(_("opgeschort"))
        self.overdue = Markup(_("verlopen"))
        self.today = Markup(_("vandaag"))
        self.no_term = Markup(_("geen lopende termijn"))
        self._days: dict[int, str] = {}

    def days(self, number: int) -> str:
        if number == 0:
            return self.today
        if number not in self._days:
            self._days[number] = Markup(ngettext("nog %(num)s dag", "nog %(num)s dagen", number))
        return self._days[number]

    def badge_and_note(self, row: queries.QueueRow) -> tuple[str, str]:
        if row.suspended:
            return self.suspended, ""
        if row.overdue and row.deadline:
            return self.overdue, Markup(self.since % {"date": _dmy(row.deadline)})
        if row.days_left is not None:
            return self.days(row.days_left), ""
        return "", self.no_term


def _dmy(day: date) -> str:
    """day.strftime("%d-%m-%Y"), in a third of the time."""
    return f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def _queue_lines(rows: list[queries.QueueRow]) -> list[QueueLine]:
    words = _QueueWords()
    prefix = _case_url_prefix()
    lines = []
    for row in rows:
        submitted = dutch_date(row.submitted_at) if row.submitted_at else None
        deadline = row.deadline
        badge, note = words.badge_and_note(row)
        lines.append(QueueLine(
            row=row, href=f"{prefix}{row.id}",
            select=Markup(words.select % {"number": escape(row.number)}),
            assignee=row.assignee_name or words.unassigned,
            submitted_iso=submitted.isoformat() if submitted else "",
            submitted_text=_dmy(submitted) if submitted else "",
            deadline_iso=deadline.isoformat() if deadline else "",
            deadline_text=_dmy(deadline) if deadline else "",
            badge=badge, note=note))
    return lines


def _queue_context() -> dict[str, Any]:
    filters = _filters_from_args()
    data = queries.work_queue(g.org.id, filters, user_id=current_user.id,
                              today=dutch_date(utcnow()), roles=current_user.roles_in(g.org.id),
                              locale=_locale())
    templates = queries.template_options(g.org.id)
    args = {k: v for k, v in request.args.items() if k != "pagina" and v}
    base = url_for("workbench.queue")
    filter_form, bulk_form = _filter_form(data), _bulk_form(data, templates)
    fast_render(filter_form, bulk_form)
    return {"data": data, "filters": filters, "filter_form": filter_form,
            "bulk_form": bulk_form, "page_args": args,
            "page_url": lambda number: _with_query(base, [("pagina", number), *args.items()]),
            "lines": _queue_lines(data.rows),
            "can_assign": has_role(g.org, *ASSIGNERS), "today": dutch_date(utcnow())}


def _state_count_links(counts: list[queries.StateCount]) -> list[tuple[Any, str, str]]:
    """Each count with its link and its type's word: one url_for and three translations for
    the whole list (there are some 36 counts)."""
    base = url_for("workbench.queue")
    # Markup: a translation goes into the page as it is, the way the template's _() puts it.
    words = {"uitdaagrecht": Markup(_("Uitdaagrecht")),
             "burgerinitiatief": Markup(_("Burgerinitiatief"))}
    other = Markup(_("Bewonersinitiatief"))
    return [(count, _with_query(base, [("type", count.request_type), ("state", count.state)]),
             words.get(count.request_type, other)) for count in counts]


def _with_query(base: str, pairs: list[tuple[str, Any]]) -> str:
    """`base` with a query string the way url_for writes one (werkzeug's urlencode with these
    safe characters, in this order), without a url_for per link."""
    query = urlencode([(k, v) for k, v in pairs if v is not None], safe="!$'()*,/:;?@")
    return f"{base}?{query}" if query else base


def _execution_items(data: queries.QueuePage) -> list[queries.ExecutionItem]:
    """Only when the counts per state show a running challenge (no statement otherwise);
    cached until a case changes, per day (overdue moves with the date)."""
    if not any(c.request_type == "uitdaagrecht" and c.state in queries.RUNNING_STATES
               for c in data.counts):
        return []
    today = dutch_date(utcnow())
    return cached("queue_execution", g.org.id, today,
                  lambda: queries.execution_attention(g.org.id, today))[0]


@bp.get("/")
@require_role(*STAFF)
def queue():
    context = _queue_context()
    if not is_htmx():  # the fragment is the case list alone
        context["execution"] = _execution_items(context["data"])
        context["count_links"] = _state_count_links(context["data"].counts)
    return render_page_or_fragment("workbench/queue.html", "workbench/_queue.html", **context)


def _selected_cases() -> list[tuple[int, int]]:
    selected = []
    for raw in request.form.getlist("case"):
        case_id, _sep, version = raw.partition(":")
        if (case_id.isascii() and case_id.isdecimal() and len(case_id) < 10) and (version.isascii() and version.isdecimal() and len(version) < 10):
            selected.append((int(case_id), int(version)))
    return selected


@bp.post("/bulk")
@require_role(*STAFF)
def bulk():
    action = request.form.get("action", "")
    selected = _selected_cases()
    back = url_for("workbench.queue", **{k: v for k, v in request.args.items() if v})
    if not selected:
        flash(_("Kies eerst een of meer zaken."), "warning")
        return redirect_303(back)
    cases = queries.cases_for_bulk(g.org.id, [case_id for case_id, _v in selected])
    form = BulkForm()
    now = utcnow()

    if action == "assign":
        if not has_role(g.org, *ASSIGNERS):
            abort(403)
        assignee = _assignee_from(request.form.get("assignee", ""))
        if assignee is False:
            flash(_("Kies een medewerker om de zaken aan toe te wijzen."), "warning")
            return redirect_303(back)
        try:
            count = case_service.assign_bulk([cases[c] for c, _v in selected if c in cases],
                                             assignee=assignee, actor=current_user, now=now)
        except case_service.CaseworkInvalid as exc:
            db.session.rollback()
            flash(" ".join(exc.errors.values()), "warning")
            return redirect_303(back)
        db.session.commit()
        flash(_("%(count)s zaken toegewezen.", count=count), "success")
        return redirect_303(back)

    transition_name = request.form.get("transition", "")
    if not transition_name:
        flash(_("Kies een stap."), "warning")
        return redirect_303(back)
    text = (form.text.data or "").strip()
    template_id = request.form.get("template", "")
    if (template_id.isascii() and template_id.isdecimal() and len(template_id) < 10):
        template = db.session.get(ResponseTemplate, int(template_id))
        if template is None or template.organisation_id != g.org.id:
            abort(404)
        text = template.body
    term_days = form.term_days.data if form.term_days.validate(form) else None
    selection = [(cases[c], v) for c, v in selected if c in cases]
    try:
        results = case_service.apply_bulk(selection, transition_name, actor=current_user, text=text,
                                          term_days=term_days, now=now)
    except Conflict:
        db.session.rollback()
        flash(_("Een van de zaken werd tegelijk door iemand anders gewijzigd. Er is niets "
                "veranderd. Probeer het opnieuw."), "error")
        return redirect_303(back)
    db.session.commit()
    done = sum(1 for r in results if r.ok)
    flash(_("%(done)s van de %(total)s zaken zijn bijgewerkt.", done=done, total=len(results)),
          "success" if done == len(results) else "warning")
    for result in results:
        if result.ok:
            flash(_("%(number)s (%(title)s): %(message)s", number=result.number,
                    title=result.title, message=result.message), "success")
        else:
            flash(_("%(number)s (%(title)s) overgeslagen: %(message)s", number=result.number,
                    title=result.title, message=result.message), "warning")
    return redirect_303(back)


def _assignee_from(value: str) -> User | None | bool:
    """A User, None for "nobody", or False when nothing usable was chosen."""
    if value == "none":
        return None
    if not (value.isascii() and value.isdecimal() and len(value) < 10):
        return False
    user = db.session.get(User, int(value))
    return user if user is not None else False


# --------------------------------------------------------------------------- case page

def _clock_banner(case, today: date) -> dict[str, str] | None:
    clock = case_service.clock_of(case)
    if not clock.started or clock.stopped:
        return None
    if clock.suspended:
        return {"kind": "info", "text": _(
            "De beslistermijn is opgeschort: we wachten op de aanvrager. De termijn loopt "
            "weer zodra de aanvulling binnen is.")}
    deadline = clock.deadline(today)
    if deadline is None:
        return None
    days_left = (deadline - today).days
    if days_left < 0:
        return {"kind": "error", "text": _("De beslistermijn is verstreken op %(date)s.",
                                           date=deadlines.format_date_nl(deadline))}
    if days_left <= 7:
        return {"kind": "warning", "text": _("Let op: de beslistermijn verloopt op %(date)s.",
                                             date=deadlines.format_date_nl(deadline))}
    return None


def _render_case(case, *, status: int = 200, failed: tuple[str, Any] | None = None,
                 forms: dict[str, Any] | None = None, alert: str | None = None):
    today = dutch_date(utcnow())
    locale = _locale()
    detail = queries.case_detail(case, today=today, locale=locale)
    roles = case_service.roles_for(current_user, case)
    transitions = []
    for t in wf.available_transitions(detail.definition, case.state, roles):
        if failed and failed[0] == t.name:
            form = failed[1]
        else:
            form = transition_form(t, detail.definition, g.org, meetings=detail.meetings,
                                   today=today)
        form.lock_version.data = case.lock_version
        transitions.append({"transition": t, "label": queries.transition_label(t, locale),
                            "form": form, "multipart": "document" in form,
                            "letter": "deciding_body" in form})
    forms = forms or {}
    assign_form = _assign_form(case, forms)
    show_agreement = case.state in case_service.AGREEMENT_STATES
    agreement = agreement_service.overview(case, today) if show_agreement else None
    budget_flag = bool(detail.task and detail.task.current_budget is not None
                       and case.requested_budget is not None
                       and case.requested_budget > detail.task.current_budget)
    context = {
        "detail": detail, "case": case, "transitions": transitions,
        "banner": _clock_banner(case, today), "suspended": case_service.clock_of(case).suspended,
        "note_form": forms.get("note") or NoteForm(formdata=None),
        "message_form": forms.get("message") or MessageForm(formdata=None),
        "assign_form": assign_form, "can_assign": assign_form is not None,
        "show_agreement": show_agreement, "agreement": agreement,
        **(_agreement_forms(agreement, forms) if agreement is not None else {}),
        "budget_flag": budget_flag, "page_alert": alert,
        "attachment_url": lambda a: f"/{g.org.slug}/uitdaagrecht/{case.id}/bijlagen/{a.id}",
        "failed_transition": failed[0] if failed else None,
        "grounds_labels": _grounds_labels(), "today": today,
        "correction_forms": {d.id: forms.get(f"correction-{d.id}") or CorrectionForm(
            formdata=None, prefix=f"c{d.id}", data={
                "reasons": d.reasons, "decision_number": d.decision_number,
                "legal_remedies": d.legal_remedies}) for d in detail.decisions},
        "can_correct": has_role(g.org, *DECIDERS),
        "waiting": queries.waiting_for(detail.definition, case.state,
                                       [item["transition"] for item in transitions], locale),
        "lapse": _lapse(detail.definition, case, locale),
    }
    fast_render(*_forms_of(context))
    return render_template("workbench/case.html", **context), status


def _forms_of(context: dict[str, Any]) -> list[Any]:
    """Every form on the case page: alone, in a dict (per decision or report) or in a step."""
    found = []
    for value in context.values():
        if isinstance(value, BaseForm):
            found.append(value)
        elif isinstance(value, dict):
            found += [v for v in value.values() if isinstance(v, BaseForm)]
        elif isinstance(value, list):
            found += [v["form"] for v in value if isinstance(v, dict) and "form" in v]
    return found


def _assign_form(case, forms: dict[str, Any]) -> AssignForm | None:
    """The assignment form, for those who may assign only: only then are the officials
    looked up (a statement an official's page does not need)."""
    if not has_role(g.org, *ASSIGNERS):
        return None
    form = forms.get("assign") or AssignForm(formdata=None)
    form.assignee.choices = choices([("none", _("Niemand"))] + [
        (o.value, o.label) for o in queries.assignee_options(g.org.id)])
    if "assign" not in forms:
        form.assignee.data = str(case.assignee_id) if case.assignee_id else "none"
    return form


def _agreement_forms(agreement: agreement_service.Overview,
                     forms: dict[str, Any]) -> dict[str, Any]:
    """The agreement panel's forms: the latest version filled in, one review form per
    report that waits, the official's evaluation and the outcome."""
    latest = agreement.latest
    agreement_form = forms.get("agreement")
    if agreement_form is None:
        data: dict[str, Any] = {}
        if latest is not None:
            data = {"task": latest.task, "scope": latest.scope,
                    "budget": cents_as_text(latest.budget_cents), "budget_line": latest.budget_line,
                    "start_date": latest.start_date, "end_date": latest.end_date,
                    "evaluation_date": latest.evaluation_date,
                    "contact_persons": latest.contact_persons,
                    "results": [{"title": r.title, "target_date": r.target_date}
                                for r in agreement_service.results_of(latest)],
                    "instalments": [{"amount": cents_as_text(i.amount_cents),
                                     "planned_on": i.planned_on,
                                     "condition": ", ".join(k.lstrip("r") for k in i.condition)}
                                    for i in agreement_service.instalments_of(latest)]}
        agreement_form = af.AgreementForm(formdata=None, data=data)
    official = agreement.evaluations.get("official")
    evaluation_form = forms.get("evaluation") or af.EvaluationForm(formdata=None, data={
        "results_delivered": official.results_delivered,
        "own_cost": cents_as_text(official.own_cost_cents),
        "cost_comparison": official.cost_comparison, "quality": official.quality,
        "to_continue": official.to_continue} if official else None)
    return {
        "agreement_form": agreement_form,
        "agreement_errors": form_error_pairs(agreement_form),
        "review_forms": {r.id: forms.get(f"review-{r.id}") or af.ReviewForm(
            formdata=None, prefix=f"review{r.id}") for r in agreement.reports
            if r.review == "pending"},
        "release_form": af.ReleaseForm(formdata=None),
        "evaluation_form": evaluation_form,
        "outcome_form": forms.get("outcome") or af.OutcomeForm(
            formdata=None, data={"decided_on": dutch_date(utcnow())}),
        "labels": af,
    }


def form_error_pairs(form) -> list[tuple[str, str]]:
    """(field id, message) for every error, also inside the rows of a list of sub-forms."""
    pairs: list[tuple[str, str]] = []

    def walk(fields) -> None:
        for f in fields:
            if f.type in ("FieldList",):
                for entry in f.entries:
                    walk(entry.form if entry.type == "FormField" else [entry])
            elif f.type != "CSRFTokenField":
                pairs.extend((f.id, message) for message in f.errors
                             if isinstance(message, str))

    walk(form)
    pairs.extend((None, message) for message in form.form_errors)
    return pairs


def place_errors(form, exc: Refusal) -> None:
    """The service's messages at their fields; 'results-0-title' is a field of a row."""
    for name, message in (exc.errors or {}).items():
        kind, _sep, rest = name.partition("-")
        if rest and kind in form and form[kind].type == "FieldList":
            index, _sep, sub = rest.partition("-")
            row = form[kind].entries[int(index)].form
            row[sub].errors = [*row[sub].errors, message]
        elif name != "form" and name in form:
            form[name].errors = [*form[name].errors, message]
        elif name != "form":
            form.form_errors.append(message)


@bp.app_template_filter("money")
def money(value) -> str:
    """An amount as '€ 1.500,00' (a Decimal, a number or a stored string); '—' when empty."""
    return queries.data_value("bedrag", value)


def _lapse(definition, case, locale: str) -> str | None:
    """What happens by itself when the state's term runs out, if anything does."""
    lapse = wf.lapse_transition(definition, case.state)
    if lapse is None or case.state_deadline is None:
        return None
    return _("Als de termijn op %(date)s verloopt, gaat de zaak vanzelf verder: %(step)s.",
             date=deadlines.format_date_nl(case.state_deadline),
             step=queries.transition_label(lapse, locale).lower())


def _grounds_labels() -> dict[str, dict[str, str]]:
    from participation.domain import grounds

    return {"bodies": {k: v.label_nl for k, v in grounds.DECIDING_BODIES.items()},
            "outcomes": {**{k: v.label_nl for k, v in grounds.COUNCIL_OUTCOMES.items()},
                         **{k: v.label_nl for k, v in grounds.OUTCOMES.items()}},
            "refusal": {k: v.label_nl for k, v in grounds.REFUSAL_GROUNDS.items()},
            "partial": {k: v.label_nl for k, v in grounds.PARTIAL_SUBTYPES.items()}}


@bp.get("/zaken/<int:case_id>")
@require_role(*STAFF)
@load(case=queries.load_case)
def case_page(case):
    return _render_case(case)


def _case_url(case) -> str:
    return url_for("workbench.case_page", case_id=case.id)


def _step_of(case, name: str):
    """The case's workflow, its step `name` (404 when there is none) and the user's roles."""
    definition = case_service.workflow_of(case)
    if not definition.has_transition(name):
        abort(404)
    return definition, definition.transition(name), case_service.roles_for(current_user, case)


def _posted_step_form(transition, definition):
    today = dutch_date(utcnow())
    return transition_form(transition, definition, g.org,
                           meetings=queries.upcoming_meetings(g.org.id, today), today=today,
                           submitted=True)


@bp.post("/zaken/<int:case_id>/stappen/<name>")
@require_role(*STAFF)
@load(case=queries.load_case)
def fire(case, name: str):
    definition, transition, roles = _step_of(case, name)
    if transition not in wf.available_transitions(definition, case.state, roles):
        if not transition.roles & roles:
            abort(403)
        return _render_case(case, status=409, alert=_(
            "Deze stap kan nu niet. De zaak staat in een andere fase."))
    form = _posted_step_form(transition, definition)
    if not form.validate():
        return _render_case(case, status=422, failed=(name, form))
    document = form.document.data if "document" in form and form.document.data else None

    def refused(exc: Refusal):
        fresh = queries.load_case(g.org.id, case.id)
        if isinstance(exc, wf.TransitionNotAllowed):
            return _render_case(fresh, status=409, alert=exc.message_nl)
        if isinstance(exc, Conflict):
            return _render_case(fresh, status=409, failed=(name, form), alert=exc.message_nl)
        show_on_form(form, exc)
        return _render_case(fresh, status=422, failed=(name, form))

    return take_step(
        lambda: case_service.fire_transition(
            case, name, actor=current_user, inputs=transition_inputs(form), now=utcnow(),
            decision=decision_fields(form), document=document,
            expected_version=expected_version(form, missing=-1)),
        done=_("Gelukt: %(step)s.", step=queries.transition_label(transition, _locale())),
        to=_case_url(case), refused=refused)


@bp.post("/zaken/<int:case_id>/stappen/<name>/voorbeeldbrief")
@require_role(*STAFF)
@load(case=queries.load_case)
def letter_preview(case, name: str):
    """The decision letter as it would be sent, from the step's form; nothing is stored."""
    definition, transition, roles = _step_of(case, name)
    if not transition.roles & roles:
        abort(403)
    form = _posted_step_form(transition, definition)
    if "deciding_body" not in form:
        abort(404)
    form.confirm.validators = ()  # looking at the letter is not yet taking the decision
    if not form.validate():
        return _render_case(case, status=422, failed=(name, form))
    try:
        pdf = case_service.preview_letter(case, name, inputs=transition_inputs(form),
                                          decision=decision_fields(form), now=utcnow())
    except Refusal as exc:
        show_on_form(form, exc)
        return _render_case(case, status=422, failed=(name, form))
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="voorbeeld-besluitbrief.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _panel_refused(case, key: str, form, exc: Refusal):
    """A panel's form (note, message, assignment, agreement) back with the service's reasons;
    a reason for the whole panel ("form") becomes the page's alert."""
    show_on_form(form, exc, leave_out=("form",))
    return _render_case(queries.load_case(g.org.id, case.id), status=422, forms={key: form},
                        alert=exc.errors.get("form"))


def _panel_post(case, key: str, form, store, *, done: str, anchor: str = ""):
    if not form.validate():
        return _render_case(case, status=422, forms={key: form})
    return take_step(lambda: store(case, form), done=done, to=_case_url(case) + anchor,
                     refused=lambda exc: _panel_refused(case, key, form, exc))


DECIDERS = ("official", "coordinator")


@bp.post("/zaken/<int:case_id>/besluiten/<int:decision_id>/verbeteren")
@require_role(*DECIDERS)
@load(case=queries.load_case)
def correct_decision(case, decision_id: int):
    decision = next((d for d in queries.case_decisions(case) if d.id == decision_id), None)
    if decision is None:
        abort(404)
    form = CorrectionForm(prefix=f"c{decision.id}")
    key = f"correction-{decision.id}"
    return _panel_post(case, key, form, lambda case, f: case_service.correct_decision(
        case, decision, actor=current_user, reasons=f.reasons.data or "",
        decision_number=f.decision_number.data or "", legal_remedies=f.legal_remedies.data or "",
        note=f.note.data or "", now=utcnow()),
        done=_("Het besluit is verbeterd en de nieuwe brief is verstuurd."),
        anchor="#besluiten")


def _text_post(case, key: str):
    """An internal note or a message to the applicant: one text saved the same way."""
    form, save, done, anchor = {
        "note": (NoteForm, case_service.add_note, _("De notitie is opgeslagen."), "#notities"),
        "message": (MessageForm, case_service.send_message, _("Het bericht is verstuurd."),
                    "#berichten"),
    }[key]
    return _panel_post(case, key, form(), lambda case, f: save(
        case, author=current_user, body=f.body.data or "", now=utcnow()), done=done, anchor=anchor)


@bp.post("/zaken/<int:case_id>/notities")
@require_role(*STAFF)
@load(case=queries.load_case)
def add_note(case):
    return _text_post(case, "note")


@bp.post("/zaken/<int:case_id>/berichten")
@require_role(*STAFF)
@load(case=queries.load_case)
def send_message(case):
    return _text_post(case, "message")


@bp.post("/zaken/<int:case_id>/toewijzen")
@require_role(*ASSIGNERS)
@load(case=queries.load_case)
def assign(case):
    form = AssignForm()
    assignee = _assignee_from(request.form.get("assignee", ""))
    if assignee is False:
        form.assignee.errors = [_("Kies een medewerker.")]
        return _render_case(case, status=422, forms={"assign": form})
    return take_step(
        lambda: case_service.assign_case(case, assignee=assignee, actor=current_user,
                                         now=utcnow()),
        done=_("De behandelaar is aangepast."), to=_case_url(case),
        refused=lambda exc: _panel_refused(case, "assign", form, exc))


AGREEMENT_STAFF = ("official", "coordinator", "admin")


def _agreement_post(case, key: str, form, store, *, done: str, anchor: str = "#overeenkomst"):
    """A form of the agreement panel: the service's reasons at the fields (422)."""
    if not form.validate():
        return _render_case(case, status=422, forms={key: form})

    def refused(exc: Refusal):
        place_errors(form, exc)
        return _render_case(queries.load_case(g.org.id, case.id), status=422,
                            forms={key: form}, alert=exc.errors.get("form"))

    return take_step(lambda: store(case, form), done=done, to=_case_url(case) + anchor,
                     refused=refused)


@bp.post("/zaken/<int:case_id>/overeenkomst")
@require_role(*AGREEMENT_STAFF)
@load(case=queries.load_case)
def agreement(case):
    form = af.AgreementForm()
    return _agreement_post(case, "agreement", form, lambda case, f: (
        agreement_service.draft_agreement(
            case, actor=current_user, task=f.task.data or "", scope=f.scope.data or "",
            budget=f.budget.data or "", budget_line=f.budget_line.data or "",
            start_date=f.start_date.data, end_date=f.end_date.data,
            evaluation_date=f.evaluation_date.data,
            results=[agreement_service.ResultLine(row.title.data or "", row.target_date.data)
                     for row in f.results],
            instalments=[agreement_service.InstalmentLine(
                row.amount.data or "", row.planned_on.data, row.condition.data or "")
                for row in f.instalments],
            contact_persons=f.contact_persons.data or "",
            document=f.document.data or None, now=utcnow())),
        done=_("Er is een nieuwe versie van de overeenkomst. De uitdager is gevraagd om "
               "akkoord."))


def find_report(case, report_id: int):
    report = db.session.get(ProgressReport, report_id)
    return report if report is not None and report.case_id == case.id else None


@bp.post("/zaken/<int:case_id>/voortgang/<int:report_id>/beoordelen")
@require_role(*AGREEMENT_STAFF)
@load(case=queries.load_case)
def review_report(case, report_id: int):
    report = find_report(case, report_id) or abort(404)
    form = af.ReviewForm(prefix=f"review{report.id}")
    return _agreement_post(case, f"review-{report.id}", form, lambda case, f: (
        agreement_service.review_report(case, report, actor=current_user,
                                        decision=f.decision.data or "", note=f.note.data or "",
                                        now=utcnow())),
        done=_("De beoordeling is opgeslagen en naar de uitdager gestuurd."))


@bp.post("/zaken/<int:case_id>/termijnen/<key>/vrijgeven")
@require_role(*AGREEMENT_STAFF)
@load(case=queries.load_case)
def release_instalment(case, key: str):
    form = af.ReleaseForm()
    return _agreement_post(case, "release", form, lambda case, f: (
        agreement_service.release_instalment(case, actor=current_user, key=key[:20],
                                             now=utcnow())),
        done=_("De termijn is vrijgegeven voor betaling."))


@bp.post("/zaken/<int:case_id>/evaluatie")
@require_role(*AGREEMENT_STAFF)
@load(case=queries.load_case)
def evaluation(case):
    form = af.EvaluationForm()
    return _agreement_post(case, "evaluation", form, lambda case, f: (
        agreement_service.save_evaluation(
            case, actor=current_user, party="official",
            results_delivered=f.results_delivered.data or "", own_cost=f.own_cost.data or "",
            cost_comparison=f.cost_comparison.data or "", quality=f.quality.data or "",
            to_continue=f.to_continue.data or "", now=utcnow())),
        done=_("De evaluatie van de gemeente is opgeslagen."))


@bp.post("/zaken/<int:case_id>/evaluatie/uitkomst")
@require_role(*AGREEMENT_STAFF)
@load(case=queries.load_case)
def evaluation_outcome(case):
    form = af.OutcomeForm()
    return _agreement_post(case, "outcome", form, lambda case, f: (
        agreement_service.decide_evaluation(
            case, actor=current_user, outcome=f.outcome.data or "", reasons=f.reasons.data or "",
            public_summary=f.public_summary.data or "", decided_on=f.decided_on.data,
            now=utcnow())),
        done=_("De uitkomst van de evaluatie is vastgelegd. De samenvatting staat op de "
               "openbare pagina."))


# --------------------------------------------------------------------------- templates

def _template_choices() -> list[tuple[str, str]]:
    from participation.services import organisations as organisation_service

    names: dict[str, str] = {}
    for request_type in queries.TYPE_LABELS:
        version = organisation_service.current_workflow_version(g.org.id, request_type)
        if version is None:
            continue
        for t in case_service.workflow_for_version(version).transitions:
            if t.automatic is None and set(t.inputs) <= case_service.BULK_INPUTS:
                names.setdefault(t.name, queries.transition_label(t, _locale()))
    return [("", _("Elke stap"))] + sorted(names.items(), key=lambda item: item[1])


@bp.route("/sjablonen", methods=["GET", "POST"])
@require_role(*ASSIGNERS)
def templates():
    form = TemplateForm() if request.method == "POST" else TemplateForm(formdata=None)
    options = _template_choices()
    form.transition.choices = choices(options)
    if request.method == "POST" and form.validate():
        def refused(exc: Refusal):
            show_on_form(form, exc)
            return _render_templates(form, options, 422)

        return take_step(
            lambda: case_service.save_template(
                g.org, transition=form.transition.data or "", title=form.title.data or "",
                body=form.body.data or "", now=utcnow()),
            done=_("Het sjabloon is opgeslagen."), to=url_for("workbench.templates"),
            refused=refused)
    return _render_templates(form, options, 422 if request.method == "POST" else 200)


def _render_templates(form: TemplateForm, options: list[tuple[str, str]], status: int):
    return render_template("workbench/templates.html", form=form,
                           templates=queries.templates_of(g.org.id), labels=dict(options)), status


def find_template(org_id: int, template_id: int) -> ResponseTemplate | None:
    template = db.session.get(ResponseTemplate, template_id)
    return template if template is not None and template.organisation_id == org_id else None


@bp.post("/sjablonen/<int:template_id>/verwijderen")
@require_role(*ASSIGNERS)
@load(template=find_template)
def delete_template(template: ResponseTemplate):
    case_service.delete_template(template)
    db.session.commit()
    flash(_("Het sjabloon is verwijderd."), "success")
    return redirect_303(url_for("workbench.templates"))
