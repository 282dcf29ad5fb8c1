"""The resident's uitdaagrecht: the guided request form, submission with a receipt, the case
page (answer, withdraw, documents) and attachment downloads."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, flash, g, make_response, render_template, request, send_file, url_for
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from participation import ratelimits
from participation.challenges import agreement_forms, bp, forms, queries
from participation.domain import grounds
from participation.domain import workflow as wf
from participation.domain.agreements import cents_as_text, format_cents
from participation.domain.deadlines import dutch_date
from participation.domain.errors import Refusal
from participation.domain.grounds import LEGAL_ENTITY_FORMS
from participation.extensions import db, limiter
from participation.htmx import is_htmx, redirect_303
from participation.identity.guard import level_refusal, needs_level
from participation.models import Attachment, Case, Task
from participation.models._types import utcnow
from participation.permissions import STAFF_ROLES, load, login_required, starting_a_request
from participation.routes import expected_version, flash_refusal, take_step
from participation.services import agreements as agreement_service
from participation.services import attachments as attachment_service
from participation.services import cases as case_service
from participation.services import challenges as challenge_service

# --------------------------------------------------------------------------- loading

def _is_staff(case: Case) -> bool:
    return bool(current_user.roles_in(case.organisation_id) & STAFF_ROLES)


def find_own_case(org_id: int, case_id: int) -> Case | None:
    """The case of this organisation, for its applicant only: to anyone else it does not
    exist (404)."""
    case = queries.case_in_org(org_id, case_id)
    return case if case is not None and case.applicant_id == current_user.id else None


def _is_draft(case: Case) -> bool:
    """False once submitted: the draft's pages then redirect to the case page."""
    return case.state == case_service.workflow_of(case).initial_state().name


def _context(case: Case, now: datetime) -> forms.StepContext:
    settings = challenge_service.settings_of(case)
    tasks = challenge_service.active_tasks(case.organisation_id)
    task = db.session.get(Task, case.task_id) if case.task_id else None
    return forms.StepContext(
        today=dutch_date(now), settings=settings, tasks=tasks,
        policy_areas=challenge_service.policy_areas(case.organisation_id, settings, tasks),
        attachments_by_purpose=challenge_service.attachment_counts(case),
        current_budget=task.current_budget if task is not None else None)


def _attachments(case: Case) -> list[Attachment]:
    return list(db.session.scalars(select(Attachment).where(Attachment.case_id == case.id)
                                   .order_by(Attachment.id)))


def _locale() -> str:
    return str(get_locale() or "nl")


# --------------------------------------------------------------------------- start

@bp.get("/")
def index():
    cases = []
    if current_user.is_authenticated:
        cases = queries.own_cases_in_org(current_user.id, g.org.id)
    today = dutch_date(utcnow())
    rows = [(case, queries.state_label(case, _locale())[0], queries.term_of(case, today))
            for case in cases]
    return render_template("challenges/index.html", rows=rows,
                           tasks=challenge_service.active_tasks(g.org.id))


@bp.route("/nieuw", methods=["GET", "POST"])
@starting_a_request("challenges/verify_first.html")
def new():
    form = forms.ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("challenges/new.html", form=form)
    case = challenge_service.start_challenge(g.org, applicant=current_user, now=utcnow())
    db.session.commit()
    return redirect_303(url_for(".step", case_id=case.id, step=1))


# --------------------------------------------------------------------------- steps

def _store_files(case: Case, form: forms.StepForm) -> dict[str, str]:
    """Store the files posted with a step; returns field name -> why a file was refused."""
    refused: dict[str, str] = {}
    for name, purpose in form.file_purposes.items():
        upload = request.files.get(name)
        if upload is None or not upload.filename:
            continue
        try:
            attachment_service.store_upload(case, upload, uploader=current_user, purpose=purpose)
        except attachment_service.UploadRejected as exc:
            refused[name] = exc.message_nl
    return refused


def _step_links(case: Case, ctx: forms.StepContext) -> list[dict[str, Any]]:
    links = []
    for number, cls in enumerate(forms.STEPS, start=1):
        complete = None
        if number < forms.LAST_STEP:
            complete = forms.load_step(number, case.data or {}, ctx).validate()
        links.append({"number": number, "title": str(cls.title), "complete": complete,
                      "url": url_for(".step", case_id=case.id, step=number)})
    return links


def _summary(case: Case, ctx: forms.StepContext) -> list[dict[str, Any]]:
    """Every step's answers as label/value pairs, for the review step."""
    by_purpose: dict[str, list[Attachment]] = {}
    for attachment in _attachments(case):
        by_purpose.setdefault(attachment.purpose, []).append(attachment)
    sections = []
    for number, cls in enumerate(forms.STEPS[:-1], start=1):
        form = forms.load_step(number, case.data or {}, ctx)
        complete = form.validate()
        rows: list[tuple[str, Any]] = []
        for f in form:
            if f.name == "csrf_token":
                continue
            if f.type == "FileField":
                files = by_purpose.get(form.file_purposes.get(f.name, ""), [])
                rows.append((str(f.label.text), ", ".join(a.filename for a in files) or "—"))
            elif f.name == "begroting":
                lines = [f"{e.post.data}: {forms.euro(forms.parse_amount(e.bedrag.data)) if not e.bedrag.errors and e.bedrag.data else e.bedrag.data or ''}"
                         for e in f if e.post.data or e.bedrag.data]
                rows.append((str(f.label.text), lines or "—"))
            elif f.name == "indicatoren":
                rows.append((str(f.label.text), [e.tekst.data for e in f if e.tekst.data] or "—"))
            elif f.type in ("SelectField", "RadioField"):
                choice = next((str(option.label.text) for option in f
                               if option.data == (f.data or "")), "")
                rows.append((str(f.label.text), choice or "—"))
            elif f.type == "BooleanField":
                rows.append((str(f.label.text), _("Ja") if f.data else _("Nee")))
            else:
                rows.append((str(f.label.text), f.data or "—"))
        sections.append({"number": number, "title": str(cls.title), "rows": rows,
                         "complete": complete, "errors": form.error_list(),
                         "url": url_for(".step", case_id=case.id, step=number)})
    return sections


def _render_step(case: Case, number: int, form: forms.StepForm, ctx: forms.StepContext,
                 status: int = 200, incomplete: list[dict[str, Any]] | None = None):
    template = "challenges/review.html" if number == forms.LAST_STEP else "challenges/step.html"
    purposes = set(form.file_purposes.values())
    context = {"case": case, "number": number, "form": form, "steps": _step_links(case, ctx),
                   "last_step": forms.LAST_STEP, "warnings": form.warnings(), "errors": form.error_list(),
                   "uploaded": [a for a in _attachments(case) if a.purpose in purposes],
                   "total": forms.euro(form.total()) if isinstance(form, forms.BudgetForm) else None,
                   "ask": form.amount_to_ask() if isinstance(form, forms.BudgetForm) else None,
                   "incomplete": incomplete or []}
    if number == forms.LAST_STEP:
        context["summary"] = _summary(case, ctx)
    return render_template(template, **context), status


@bp.route("/<int:case_id>/stap/<int:step>", methods=["GET", "POST"])
@login_required
@load(case=find_own_case)
def step(case: Case, step: int):
    if not _is_draft(case):
        return redirect_303(url_for(".case", case_id=case.id))
    if not 1 <= step <= forms.LAST_STEP:
        abort(404)
    now = utcnow()
    ctx = _context(case, now)
    if request.method == "GET":
        return _render_step(case, step, forms.load_step(step, case.data or {}, ctx), ctx)

    action = request.form.get("action", "next")
    form = forms.load_step(step, case.data or {}, ctx, formdata=request.form,
                           extra_rows=1 if action == "regel_toevoegen" else 0)
    # What was typed is kept, valid or not: the resident never loses work.
    challenge_service.save_draft(case, form.typed(), now=now)
    refused = _store_files(case, form)
    ctx.attachments_by_purpose = challenge_service.attachment_counts(case)
    if action == "regel_toevoegen":
        db.session.commit()
        return _render_step(case, step, form, ctx)
    valid = form.validate()
    for name, message in refused.items():
        form[name].errors = [*form[name].errors, message]
    if not valid or refused:
        db.session.commit()
        return _render_step(case, step, form, ctx, status=422)
    challenge_service.save_draft(case, form.cleaned(), now=now)
    if step < forms.LAST_STEP:
        db.session.commit()
        return redirect_303(url_for(".step", case_id=case.id, step=step + 1))

    # The last step submits: every step is checked again, on the server, as it is stored now.
    incomplete = [s for s in _summary(case, ctx) if not s["complete"]]
    if incomplete:
        db.session.commit()
        return _render_step(case, step, form, ctx, status=422, incomplete=incomplete)
    # Filing is a legal act: the login the procedure asks for (the draft is saved already).
    db.session.commit()
    action, kvk = _filing_action(case)
    refusal = level_refusal(case, action, kvk=kvk, back=request.path)
    if refusal is not None:
        return refusal
    challenge_service.submit_challenge(case, actor=current_user, now=now)
    db.session.commit()
    return redirect_303(url_for(".receipt", case_id=case.id))


def _filing_action(case: Case) -> tuple[str, str]:
    """Filing on behalf of a legal entity needs the organisation's login for its KvK number."""
    data = case.data or {}
    if data.get("rechtsvorm") in LEGAL_ENTITY_FORMS:
        return "file_for_organisation", str(data.get("kvk_nummer") or "")
    return "file", ""


@bp.post("/<int:case_id>/stap/<int:step>/opslaan")
@login_required
@load(case=find_own_case)
def autosave(case: Case, step: int):
    """Save the step as typed, without checking it (htmx, on change)."""
    if not _is_draft(case) or not 1 <= step <= forms.LAST_STEP:
        if not _is_draft(case) and is_htmx():
            return render_template("challenges/_saved.html", saved_at=None), 200
        abort(404)
    now = utcnow()
    form = forms.load_step(step, case.data or {}, _context(case, now), formdata=request.form)
    challenge_service.save_draft(case, form.typed(), now=now)
    db.session.commit()
    if not is_htmx():
        return redirect_303(url_for(".step", case_id=case.id, step=step))
    return render_template("challenges/_saved.html", saved_at=format_time(now, "HH:mm"))


@bp.get("/<int:case_id>/ontvangen")
@login_required
@load(case=find_own_case)
def receipt(case: Case):
    if case.submitted_at is None:
        return redirect_303(url_for(".case", case_id=case.id))
    return render_template("challenges/receipt.html", case=case)


# --------------------------------------------------------------------------- drafts

@bp.route("/<int:case_id>/verwijderen", methods=["GET", "POST"])
@login_required
@load(case=find_own_case)
def delete(case: Case):
    if not _is_draft(case):
        return redirect_303(url_for(".case", case_id=case.id))
    form = forms.ConfirmForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("challenges/delete.html", case=case, form=form)
    stored = challenge_service.delete_draft(case)
    db.session.commit()
    attachment_service.delete_files(stored)
    flash(_("Uw concept is verwijderd."), "success")
    return redirect_303(url_for(".index"))


# --------------------------------------------------------------------------- case page

def _agreement_context(case: Case, now: datetime, forms_: dict[str, Any]) -> dict[str, Any]:
    """The agreement panel of the challenger: the version to agree to, progress per result
    and the evaluation."""
    if case.state not in case_service.AGREEMENT_STATES:
        return {"agreement": None}
    overview = agreement_service.overview(case, dutch_date(now))
    report_form = forms_.get("report_form") or agreement_forms.ProgressReportForm(formdata=None)
    report_form.result_key.choices = agreement_forms.choices([("", _("Kies een resultaat"))] + [
        (r.key, f"{r.number}. {r.title}") for r in overview.results])
    own = overview.evaluations.get("applicant")
    evaluation_form = forms_.get("evaluation_form") or agreement_forms.EvaluationForm(
        formdata=None, data={"results_delivered": own.results_delivered,
                             "own_cost": cents_as_text(own.own_cost_cents),
                             "cost_comparison": own.cost_comparison, "quality": own.quality,
                             "to_continue": own.to_continue} if own else None)
    del evaluation_form.own_cost  # the municipality's own cost is the municipality's to say
    return {"agreement": overview, "labels": agreement_forms,
            "agree_form": forms_.get("agree_form") or agreement_forms.AgreeForm(formdata=None),
            "report_form": report_form, "evaluation_form": evaluation_form,
            "can_report": (overview.agreed is not None
                           and case.state in agreement_service.REPORTING_STATES)}


def _case_context(case: Case, *, answer_form=None, upload_form=None,
                  **agreement_forms_: Any) -> dict[str, Any]:
    now = utcnow()
    locale = _locale()
    definition = case_service.workflow_of(case)
    available = {t.name for t in wf.available_transitions(definition, case.state, {"applicant"})}
    label, description = queries.state_label(case, locale)
    return {
        "case": case, "state_label": label, "state_description": description,
        "term": queries.term_of(case, dutch_date(now)), "timeline": queries.timeline(case, locale),
        "messages": queries.messages(case), "decisions": queries.decisions_made_known(case),
        "documents": queries.applicant_attachments(case),
        "can_answer": bool(available & {"aanvulling_ontvangen", "zienswijze_geven"}),
        "can_withdraw": "intrekken" in available,
        "can_upload": not definition.state(case.state).is_terminal,
        "answer_form": answer_form or forms.AnswerForm(formdata=None, lock_version=case.lock_version),
        "upload_form": upload_form or forms.UploadForm(formdata=None),
        "is_draft": case.state == definition.initial_state().name,
        "state_deadline": case.state_deadline, "locale": locale,
        "decision_label": lambda code: grounds.label(grounds.OUTCOMES, code, locale),
        **_agreement_context(case, now, agreement_forms_)}


@bp.get("/<int:case_id>")
@login_required
def case(case_id: int):
    found = queries.case_in_org(g.org.id, case_id)
    if found is not None and found.applicant_id != current_user.id \
            and found.submitted_at is not None and _is_staff(found):
        # Officials handle cases in the work queue; this page is the applicant's view.
        return render_template("challenges/staff_link.html", case=found)
    case = find_own_case(g.org.id, case_id) or abort(404)
    if _is_draft(case):
        return render_template("challenges/draft.html", case=case,
                               steps=_step_links(case, _context(case, utcnow())))
    return render_template("challenges/case.html", **_case_context(case))


def _render_case(case: Case, status: int, **forms_):
    return render_template("challenges/case.html", **_case_context(case, **forms_)), status


@bp.post("/<int:case_id>/antwoord")
@login_required
@load(case=find_own_case)
@needs_level("answer")
def answer(case: Case):
    form = forms.AnswerForm()
    if not form.validate():
        return _render_case(case, 422, answer_form=form)
    document = None
    upload = request.files.get(form.document.name)
    if upload is not None and upload.filename:
        try:
            document = attachment_service.store_upload(case, upload, uploader=current_user,
                                                       purpose="aanvulling")
        except attachment_service.UploadRejected as exc:
            form.document.errors = [exc.message_nl]
            db.session.rollback()
            return _render_case(case, 422, answer_form=form)
    back = url_for(".case", case_id=case.id)

    def refused(exc: Refusal):
        if not isinstance(exc, wf.MissingInputs):
            return flash_refusal(exc, back)
        form.answer.errors = [exc.errors.get("answer") or next(iter(exc.errors.values()))]
        return _render_case(case, 422, answer_form=form)

    return take_step(
        lambda: challenge_service.answer_request(
            case, actor=current_user, answer=form.answer.data, document=document, now=utcnow(),
            expected_version=expected_version(form)),
        done=_("Dank u wel. Uw antwoord is verstuurd."), to=back, refused=refused)


@bp.route("/<int:case_id>/intrekken", methods=["GET", "POST"])
@login_required
@load(case=find_own_case)
def withdraw(case: Case):
    form = forms.WithdrawForm(lock_version=case.lock_version) if request.method == "GET" \
        else forms.WithdrawForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 200 if request.method == "GET" else 422
        return render_template("challenges/withdraw.html", case=case, form=form), status
    back = url_for(".case", case_id=case.id)
    return take_step(
        lambda: challenge_service.withdraw_challenge(
            case, actor=current_user, reason=form.reason.data or "",
            expected_version=expected_version(form), now=utcnow()),
        done=_("Uw verzoek is ingetrokken."), to=back,
        refused=lambda exc: flash_refusal(exc, back))


@bp.post("/<int:case_id>/bijlagen")
@login_required
@limiter.limit(ratelimits.UPLOAD_LIMIT, key_func=ratelimits.account_or_address)
@load(case=find_own_case)
def upload(case: Case):
    form = forms.UploadForm()
    definition = case_service.workflow_of(case)
    if definition.state(case.state).is_terminal:
        abort(409)
    if not form.validate_on_submit():
        abort(400)
    try:
        attachment_service.store_upload(case, request.files.get(form.document.name),
                                        uploader=current_user, purpose="bijlage")
    except attachment_service.UploadRejected as exc:
        db.session.rollback()
        form.document.errors = [exc.message_nl]
        return _render_case(case, 422, upload_form=form)
    db.session.commit()
    flash(_("Het document is toegevoegd."), "success")
    return redirect_303(url_for(".case", case_id=case.id))


def _agreement_refused(case: Case, key: str, form):
    def refused(exc: Refusal):
        for name, message in (exc.errors or {}).items():
            if name != "form" and name in form:
                form[name].errors = [*form[name].errors, message]
            else:
                form.form_errors.append(message)
        return _render_case(queries.case_in_org(g.org.id, case.id), 422, **{key: form})
    return refused


@bp.post("/<int:case_id>/overeenkomst/akkoord")
@login_required
@load(case=find_own_case)
def agree(case: Case):
    form = agreement_forms.AgreeForm()
    version = form.version.data or ""
    back = url_for(".case", case_id=case.id) + "#overeenkomst"
    return take_step(
        lambda: agreement_service.agree(
            case, actor=current_user,
            version=int(version) if version.isascii() and version.isdecimal() and len(version) < 6
            else 0, now=utcnow()),
        done=_("U heeft ingestemd met de overeenkomst."), to=back,
        refused=_agreement_refused(case, "agree_form", form))


@bp.post("/<int:case_id>/voortgang")
@login_required
@limiter.limit(ratelimits.UPLOAD_LIMIT, key_func=ratelimits.account_or_address)
@load(case=find_own_case)
def report_progress(case: Case):
    form = agreement_forms.ProgressReportForm()
    form.result_key.choices = None  # any value: the service checks it against the agreement
    return take_step(
        lambda: agreement_service.report_progress(
            case, actor=current_user, result_key=form.result_key.data or "",
            status=form.status.data or "", text=form.text.data or "",
            spent=form.spent.data or "", files=request.files.getlist(form.files.name),
            now=utcnow()),
        done=_("Dank u wel. Uw verslag is verstuurd; de gemeente beoordeelt het."),
        to=url_for(".case", case_id=case.id) + "#voortgang",
        refused=_agreement_refused(case, "report_form", form))


@bp.post("/<int:case_id>/evaluatie")
@login_required
@load(case=find_own_case)
def evaluate(case: Case):
    form = agreement_forms.EvaluationForm()
    return take_step(
        lambda: agreement_service.save_evaluation(
            case, actor=current_user, party="applicant",
            results_delivered=form.results_delivered.data or "", own_cost="",
            cost_comparison=form.cost_comparison.data or "", quality=form.quality.data or "",
            to_continue=form.to_continue.data or "", now=utcnow()),
        done=_("Dank u wel. Uw evaluatie is opgeslagen."),
        to=url_for(".case", case_id=case.id) + "#evaluatie",
        refused=_agreement_refused(case, "evaluation_form", form))


@bp.get("/<int:case_id>/bijlagen/<int:attachment_id>")
@login_required
def download(case_id: int, attachment_id: int):
    case = queries.case_in_org(g.org.id, case_id)
    if case is None:
        abort(404)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.case_id != case.id:
        abort(404)
    if case.submitted_at is None or not _is_staff(case):
        # Until it is submitted a draft and its files are its author's alone.
        is_applicant = case.applicant_id == current_user.id
        if not is_applicant or attachment not in queries.applicant_attachments(case):
            abort(404)
    try:
        handle = attachment_service.open_attachment(attachment)
    except FileNotFoundError:
        abort(404)
    response = make_response(send_file(handle, mimetype=attachment.content_type, as_attachment=True,
                                       download_name=attachment.filename, max_age=0))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.app_template_filter("cents")
def cents_filter(value) -> str:
    """Whole cents as '€ 12.500,00'."""
    return format_cents(value)


@bp.app_template_filter("euro")
def euro_filter(value) -> str:
    return forms.euro(value)

