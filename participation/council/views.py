"""The griffie: desk, meetings, agenda placement, the council's decision and publication."""
from __future__ import annotations

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from participation.council import bp, queries
from participation.council.forms import (
    MAX_PARTY_ROWS,
    PARTY_ROWS,
    AgendaItemForm,
    CouncilDecisionForm,
    MeetingForm,
    PlaceCaseForm,
    choices,
    meeting_options,
    transition_form,
)
from participation.domain import grounds
from participation.domain import workflow as wf
from participation.domain.errors import Refusal
from participation.extensions import db
from participation.formrender import fast_render
from participation.htmx import redirect_303
from participation.models._types import utcnow
from participation.permissions import load, require_role
from participation.public.queries import Page
from participation.routes import expected_version, flash_refusal, show_on_form, take_step
from participation.services import cases as case_service
from participation.services import council as council_service
from participation.services import organisations as organisation_service

STAFF = ("griffie", "admin")
# Steps taken on an agenda item (decision, postponement, publication), not on the desk.
ITEM_STEPS = ("besluiten", "aanhouden", "publiceren")


def _conflict() -> str:
    return _("Deze zaak is intussen gewijzigd. Bekijk de nieuwe stand en probeer het opnieuw.")


def label_of(entry) -> str:
    """The Dutch or English label of a workflow state or transition."""
    return entry.label_en if str(get_locale()).startswith("en") else entry.label_nl


def _case_state_label(case) -> str:
    return label_of(case_service.workflow_of(case).state(case.state))


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- desk

def _desk_steps(case, meetings: list[tuple[int, str]], items):
    """(transition, form or None, agenda item or None) for every step the user may take."""
    definition = case_service.workflow_of(case)
    roles = case_service.roles_for(current_user, case)
    steps = []
    latest = items[-1] if items else None
    for transition in wf.available_transitions(definition, case.state, roles):
        if transition.name in ITEM_STEPS and latest is not None:
            steps.append((transition, None, latest))
            continue
        if transition.name == "besluiten":
            steps.append((transition, None, None))
            continue
        form = transition_form(definition, transition, meeting_options=meetings, formdata=None,
                               prefix=f"c{case.id}-{transition.name}")
        form.lock_version.data = case.lock_version
        steps.append((transition, form, None))
    return steps


def _desk_filter() -> tuple[str | None, int]:
    """?fase=<state> (one state, in pages) and ?pagina=<n>; anything else: the overview."""
    state = request.args.get("fase")
    page = request.args.get("pagina", "")
    return (state if state in queries.DESK_STATES else None,
            int(page) if page.isascii() and page.isdecimal() and len(page) < 6 else 1)


@bp.get("/")
@require_role(*STAFF)
def desk():
    now = utcnow()
    state, page = _desk_filter()
    sections, challenges, page = queries.desk(g.org.id, state, page)
    meetings = meeting_options(queries.meeting_choices(g.org.id, now))
    cases = [c for s in sections for c in s.cases] + challenges.cases
    items = queries.agenda_items_by_case([c.id for c in cases])
    steps = {c.id: _desk_steps(c, meetings, items.get(c.id, [])) for c in cases}
    fast_render(*(form for case_steps in steps.values() for _step, form, _item in case_steps))
    version = organisation_service.current_workflow_version(g.org.id, "burgerinitiatief")
    definition = case_service.workflow_for_version(version) if version else None
    section_labels = {s.state: label_of(definition.state(s.state)) if definition and
                      definition.has_state(s.state) else s.state for s in sections}
    paged = None
    if state is not None:
        shown = challenges if state == queries.CHALLENGE_STATE else next(
            s for s in sections if s.state == state)
        paged = Page(page=page, per_page=queries.DESK_PAGE_SIZE, total=shown.total)
    return render_template("council/desk.html", desk_sections=sections, challenges=challenges,
                           steps=steps, items=items, section_labels=section_labels,
                           state_label=_case_state_label, label_of=label_of, state=state,
                           paged=paged, page_url=lambda n: url_for("council.desk", fase=state,
                                                                   pagina=n),
                           upcoming=queries.upcoming_meetings(g.org.id, now))


@bp.route("/zaken/<int:case_id>/stap/<name>", methods=["GET", "POST"])
@require_role(*STAFF)
@load(case=queries.case_for_org)
def case_step(case, name: str):
    definition = case_service.workflow_of(case)
    if not definition.has_transition(name) or name in ITEM_STEPS:
        abort(404)
    transition = definition.transition(name)
    refusal = wf.step_refusal(definition, state=case.state, transition_name=name,
                              roles=case_service.roles_for(current_user, case))
    if refusal is not None:
        # No form for a step this user cannot take now; a POST changes nothing.
        return _render_step(case, transition, None, 200 if request.method == "GET" else 422,
                            refusal=refusal.message_nl)
    meetings = queries.meeting_choices(g.org.id, utcnow())
    prefix = f"c{case.id}-{name}"
    if request.method == "GET":
        form = transition_form(definition, transition, meeting_options=meeting_options(meetings),
                               prefix=prefix)
        form.lock_version.data = case.lock_version
        return _render_step(case, transition, form)
    form = transition_form(definition, transition, meeting_options=meeting_options(meetings),
                           formdata=request.form, prefix=prefix)
    if not form.validate():
        return _render_step(case, transition, form, 422)
    inputs = {kind: getattr(form, kind).data for kind in form.kinds
              if getattr(form, kind).data not in (None, "", [])}
    meeting = None
    if "meeting" in inputs:
        meeting = queries.meeting_for_org(g.org.id, _int_or_none(inputs["meeting"]) or 0)
        if meeting is None:
            form.add_errors({"meeting": _("Kies een vergadering uit de lijst.")})
            return _render_step(case, transition, form, 422)
        inputs["meeting"] = meeting.id

    def refused(exc: Refusal):
        fresh = queries.case_for_org(g.org.id, case.id) or abort(404)
        show_on_form(form, exc)
        if isinstance(exc, case_service.Conflict):
            form.lock_version.data = fresh.lock_version
        return _render_step(fresh, transition, form, exc.status)

    return take_step(
        lambda: council_service.fire_case_transition(
            case, name, actor=current_user, inputs=inputs, now=utcnow(), meeting=meeting,
            expected_version=expected_version(form)),
        done=_("Gedaan: %(step)s (%(case)s).", step=label_of(transition),
               case=case.number or case.title),
        to=url_for("council.desk"), refused=refused)


def _render_step(case, transition, form, status=200, refusal: str | None = None):
    return render_template("council/step.html", case=case, transition=transition, form=form,
                           refusal=refusal, state_label=_case_state_label(case),
                           label_of=label_of), status


# --------------------------------------------------------------------------- meetings

def _meeting_form(meeting=None, formdata=None):
    form = MeetingForm(formdata=formdata, tier=g.org.tier)
    if meeting is not None and formdata is None:
        local = meeting.starts_at.astimezone(council_service.LOCAL_TZ)
        form.title.data, form.meeting_type.data = meeting.title, meeting.meeting_type
        form.gremium.data, form.location.data = meeting.gremium, meeting.location
        form.status.data = meeting.status
        form.day.data, form.time.data = local.date(), local.time().replace(second=0,
                                                                             microsecond=0)
    return form


@bp.get("/vergaderingen/")
@require_role(*STAFF)
def meetings():
    upcoming, past = queries.meetings(g.org.id, utcnow())
    return render_template("council/meetings.html", upcoming=upcoming, past=past)


@bp.route("/vergaderingen/nieuw", methods=["GET", "POST"])
@require_role(*STAFF)
def new_meeting():
    form = _meeting_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.status.data = "gepland"
    return _meeting_page(form, None, lambda fields: council_service.create_meeting(g.org, **fields),
                         done=_("De vergadering is aangemaakt."))


@bp.route("/vergaderingen/<int:meeting_id>/bewerken", methods=["GET", "POST"])
@require_role(*STAFF)
@load(meeting=queries.meeting_for_org)
def edit_meeting(meeting):
    form = _meeting_form(meeting, formdata=request.form if request.method == "POST" else None)
    return _meeting_page(form, meeting, lambda fields: council_service.update_meeting(
        meeting, g.org, **fields), done=_("De vergadering is bijgewerkt."))


def _meeting_page(form: MeetingForm, meeting, save, *, done: str):
    """The meeting form (GET, or invalid), or the saved meeting's page."""
    def render(status: int = 200):
        return render_template("council/meeting_form.html", form=form, meeting=meeting), status

    if request.method == "GET":
        return render()
    if not form.validate():
        return render(422)
    saved = []

    def refused(exc: Refusal):
        show_on_form(form, exc)
        return render(422)

    return take_step(
        lambda: saved.append(save(dict(
            title=form.title.data, meeting_type=form.meeting_type.data,
            starts_at=council_service.to_utc(form.day.data, form.time.data),
            location=form.location.data or "", gremium=form.gremium.data or "",
            status=form.status.data, now=utcnow()))),
        done=done, to=lambda: url_for("council.meeting", meeting_id=saved[0].id),
        refused=refused)


def _place_form(formdata=None):
    form = PlaceCaseForm(formdata=formdata, prefix="place")
    cases = queries.placeable_cases(g.org.id)
    form.case_id.choices = choices([("", _("Kies een initiatief of verzoek"))] + [
        (c.id, f"{c.number or '-'}: {c.title}") for c in cases])
    return form


def _render_meeting(meeting, place_form=None, item_form=None, status=200):
    place_form = place_form or _place_form()
    item_form = item_form or AgendaItemForm(formdata=None, prefix="item")
    return render_template("council/meeting.html", meeting=meeting, place_form=place_form,
                           item_form=item_form, can_record=council_service.can_record_decision,
                           can_publish=council_service.can_publish,
                           result_label=council_service.result_label,
                           state_label=_case_state_label), status


@bp.get("/vergaderingen/<int:meeting_id>")
@require_role(*STAFF)
@load(meeting=queries.meeting_with_items)
def meeting(meeting):
    return _render_meeting(meeting)


@bp.post("/vergaderingen/<int:meeting_id>/agenderen")
@require_role(*STAFF)
@load(meeting=queries.meeting_with_items)
def place_case(meeting):
    form = _place_form(request.form)
    if not form.validate():
        return _render_meeting(meeting, place_form=form, status=422)
    case = queries.case_for_org(g.org.id, _int_or_none(form.case_id.data) or 0)
    if case is None:
        form.add_errors({"case_id": _("Kies een initiatief of verzoek uit de lijst.")})
        return _render_meeting(meeting, place_form=form, status=422)
    placed = []

    def refused(exc: Refusal):
        form = _place_form(request.form)
        form.add_errors({"case_id": exc.message_nl})
        fresh = queries.meeting_with_items(g.org.id, meeting.id) or abort(404)
        return _render_meeting(fresh, place_form=form, status=422)

    return take_step(
        lambda: placed.append(council_service.place_on_agenda(case, meeting, actor=current_user,
                                                              now=utcnow())),
        done=lambda: _("%(title)s staat op de agenda.", title=placed[0].title),
        to=url_for("council.meeting", meeting_id=meeting.id), refused=refused)


@bp.post("/vergaderingen/<int:meeting_id>/agendapunten")
@require_role(*STAFF)
@load(meeting=queries.meeting_with_items)
def add_item(meeting):
    form = AgendaItemForm(formdata=request.form, prefix="item")
    if not form.validate():
        return _render_meeting(meeting, item_form=form, status=422)
    council_service.add_agenda_item(meeting, title=form.title.data,
                                    reference=form.reference.data or "",
                                    description=form.description.data or "",
                                    position=form.position.data, now=utcnow())
    db.session.commit()
    flash(_("Het agendapunt is toegevoegd."), "success")
    return redirect_303(url_for("council.meeting", meeting_id=meeting.id))


@bp.route("/agendapunten/<int:item_id>/bewerken", methods=["GET", "POST"])
@require_role(*STAFF)
@load(item=queries.agenda_item_for_org)
def edit_item(item):
    if request.method == "GET":
        form = AgendaItemForm(formdata=None, obj=item)
        return render_template("council/item_form.html", form=form, item=item)
    form = AgendaItemForm(formdata=request.form)
    if not form.validate():
        return render_template("council/item_form.html", form=form, item=item), 422
    council_service.update_agenda_item(item, title=form.title.data,
                                       reference=form.reference.data or "",
                                       description=form.description.data or "",
                                       position=form.position.data or item.position, now=utcnow())
    db.session.commit()
    flash(_("Het agendapunt is bijgewerkt."), "success")
    return redirect_303(url_for("council.meeting", meeting_id=item.meeting_id))


@bp.get("/vergaderingen/<int:meeting_id>/besluitenlijst")
@require_role(*STAFF)
@load(meeting=queries.meeting_with_items)
def decision_list(meeting):
    return render_template("council/besluitenlijst.html", meeting=meeting,
                           result_label=council_service.result_label,
                           body_label=grounds.label(
                               grounds.DECIDING_BODIES,
                               council_service.representative_body(g.org.tier)))


# --------------------------------------------------------------------------- the decision

def _decision_form(item, formdata=None):
    rows = PARTY_ROWS
    if formdata is not None:
        asked = _int_or_none(formdata.get("rows")) or PARTY_ROWS
        rows = max(PARTY_ROWS, min(asked, MAX_PARTY_ROWS))
    form = CouncilDecisionForm(formdata=formdata)
    while len(form.parties) < rows:
        form.parties.append_entry()
    if formdata is None:
        form.lock_version.data = item.case.lock_version if item.case else ""
    return form


def _render_decision(item, form, status=200):
    return render_template("council/decision.html", item=item, form=form,
                           can_record=council_service.can_record_decision(item),
                           result_label=council_service.result_label), status


@bp.route("/agendapunten/<int:item_id>/besluit", methods=["GET", "POST"])
@require_role(*STAFF)
@load(item=queries.agenda_item_for_org)
def record_decision(item):
    if request.method == "GET":
        return _render_decision(item, _decision_form(item))
    if not council_service.can_record_decision(item):
        form = _decision_form(item, request.form)
        form.form_errors.append(_("Voor dit agendapunt kunt u nu geen besluit vastleggen."))
        return _render_decision(item, form, 422)
    form = _decision_form(item, request.form)
    if request.form.get("more_rows"):
        # Ten more empty rows; nothing is checked or saved yet.
        form.parties.errors = []
        for _i in range(PARTY_ROWS):
            if len(form.parties) < MAX_PARTY_ROWS:
                form.parties.append_entry()
        return _render_decision(item, form)
    if not form.validate():
        return _render_decision(item, form, 422)

    def refused(exc: Refusal):
        fresh = queries.agenda_item_for_org(g.org.id, item.id) or abort(404)
        if isinstance(exc, case_service.Conflict):
            form.lock_version.data = fresh.case.lock_version if fresh.case else ""
        show_on_form(form, exc)
        return _render_decision(fresh, form, exc.status)

    return take_step(
        lambda: council_service.record_council_decision(
            item, actor=current_user, result=form.result.data, hamerstuk=form.hamerstuk.data,
            votes_for=form.votes_for.data, votes_against=form.votes_against.data,
            votes_abstained=form.votes_abstained.data, parties=form.party_votes(),
            note=form.note.data or "", now=utcnow(), expected_version=expected_version(form)),
        done=_("Het besluit is vastgelegd. Publiceer het als de besluitenlijst klaar is."),
        to=url_for("council.meeting", meeting_id=item.meeting_id), refused=refused)


@bp.post("/agendapunten/<int:item_id>/publiceren")
@require_role(*STAFF)
@load(item=queries.agenda_item_for_org)
def publish(item):
    back = url_for("council.meeting", meeting_id=item.meeting_id)
    return take_step(
        lambda: council_service.publish_decision(
            item, actor=current_user, now=utcnow(),
            expected_version=expected_version(request.form.get("lock_version"))),
        done=_("Het besluit is gepubliceerd."), to=back,
        refused=lambda exc: flash_refusal(exc, back))


@bp.context_processor
def council_helpers():
    locale = str(get_locale())
    return {
        "type_label": lambda code: grounds.label(grounds.ORI_VERGADERINGSTYPE, code, locale),
        "status_label": lambda code: grounds.label(grounds.ORI_VERGADERSTATUS, code, locale),
        "choice_label": lambda code: {"voor": _("Voor"), "tegen": _("Tegen"),
                                      "verdeeld": _("Verdeeld")}.get(code, code),
        "result_label": council_service.result_label,
        "state_label": _case_state_label,
        "label_of": label_of,
    }
