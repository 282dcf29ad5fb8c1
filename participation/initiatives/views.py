"""Burgerinitiatieven: the public list, drafting, the public page with support (signing),
submission to the griffie, questions with moderation, and the griffie's supporter list."""
from __future__ import annotations

import csv
import io

from flask import Response, abort, flash, g, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from participation import ratelimits
from participation.domain.assurance import parse_requirement
from participation.domain.errors import Refusal
from participation.extensions import db, limiter
from participation.htmx import is_htmx, redirect_303, render_page_or_fragment
from participation.identity.guard import needs_level
from participation.initiatives import bp, queries
from participation.initiatives.forms import (
    AnswerForm,
    HideForm,
    InitiativeForm,
    QuestionForm,
    SignForm,
    VersionForm,
)
from participation.models import Attachment, Case, Comment
from participation.models._types import utcnow
from participation.permissions import (
    STAFF_ROLES,
    has_role,
    is_applicant,
    load,
    login_required,
    require_applicant,
    require_role,
    starting_a_request,
)
from participation.routes import expected_version, take_step
from participation.services import attachments as attachment_service
from participation.services import cases as case_service
from participation.services import identity
from participation.services import initiatives as service

ATTACHMENT_PURPOSE = "initiative"


def _locale() -> str:
    return str(get_locale() or "nl")


def find_initiative(org_id: int, case_id: int) -> Case | None:
    """The initiative, if this visitor may see it. A draft is visible to its initiator and
    the organisation's staff only; to anyone else it does not exist (404)."""
    case = db.session.get(Case, case_id)
    if case is None or case.request_type != service.REQUEST_TYPE or case.organisation_id != org_id:
        return None
    if not case.is_public and not is_applicant(case) and not has_role(g.org, *STAFF_ROLES):
        return None
    return case


def _case_url(case: Case, **values) -> str:
    return url_for("initiatives.detail", case_id=case.id, **values)


def _attachments(case: Case, *, public_only: bool) -> list[Attachment]:
    query = select(Attachment).where(Attachment.case_id == case.id,
                                     Attachment.purpose == ATTACHMENT_PURPOSE)
    if public_only:
        query = query.where(Attachment.public.is_(True))
    return list(db.session.scalars(query.order_by(Attachment.id)).all())


# --- Pages --------------------------------------------------------------------------------


@bp.get("/")
def index():
    page = request.args.get("pagina", 1, type=int)
    pagination, rows = queries.public_initiatives(g.org, max(page, 1), _locale())
    own = (queries.own_initiatives(g.org, current_user, _locale())
           if current_user.is_authenticated else [])
    return render_template("initiatives/index.html", page_info=pagination, rows=rows, own=own,
                           page_url=lambda number: url_for("initiatives.index", pagina=number))


def _draft_from(form: InitiativeForm) -> service.InitiativeDraft:
    return service.InitiativeDraft(
        title=form.title.data or "", summary=form.summary.data or "",
        proposal=form.proposal.data or "", motivation=form.motivation.data or "",
        deputy_name=form.deputy_name.data or "", deputy_email=form.deputy_email.data or "",
        financial_consequences=form.financial_consequences.data or "",
        names_public=bool(form.names_public.data), not_excluded=bool(form.not_excluded.data))


def _uploads(form: InitiativeForm):
    return [f for f in (form.attachments.data or []) if getattr(f, "filename", "")]


def _store_uploads(case: Case, form: InitiativeForm) -> bool:
    """Store the chosen files; False (with the reason next to the field) when one is refused."""
    for upload in _uploads(form):
        try:
            attachment_service.store_upload(case, upload, uploader=current_user,
                                            purpose=ATTACHMENT_PURPOSE, public=True)
        except attachment_service.UploadRejected as exc:
            form.add_error("attachments", exc.message_nl)
            return False
    return True


def _render_form(form: InitiativeForm, *, case: Case | None, status: int = 200):
    procedure = (service.procedure_for_case(case, _locale()) if case is not None
                 else service.procedure_for_org(g.org, _locale()))
    return render_template("initiatives/form.html", form=form, case=case, procedure=procedure,
                           attachments=_attachments(case, public_only=False) if case else [],
                           allowed_types=attachment_service.ALLOWED_DESCRIPTION), status


def _save_draft(form: InitiativeForm, case: Case | None, save, done: str):
    """save() the draft (it returns the case), then the uploads; commit and say done, or roll
    back and show the form again with the reason."""
    try:
        saved = save()
    except service.InitiativeError as exc:
        db.session.rollback()
        form.add_error(exc.field, exc.message_nl)
        return _render_form(form, case=case, status=422)
    if not _store_uploads(saved, form):
        db.session.rollback()
        return _render_form(form, case=case, status=422)
    db.session.commit()
    flash(done, "success")
    return redirect_303(_case_url(saved))


@bp.route("/nieuw", methods=["GET", "POST"])
@starting_a_request("initiatives/verify_first.html")
def new():
    form = InitiativeForm(contact=current_user)
    if request.method == "GET":
        return _render_form(form, case=None)
    if not form.validate_on_submit():
        return _render_form(form, case=None, status=422)
    return _save_draft(
        form, None,
        lambda: service.create_initiative(g.org, applicant=current_user, draft=_draft_from(form),
                                          now=utcnow()),
        _("Uw initiatief is opgeslagen als concept. Controleer het en start daarna met steun "
          "verzamelen."))


@bp.route("/<int:case_id>/bewerken", methods=["GET", "POST"])
@login_required
@load(case=find_initiative)
@require_applicant
def edit(case: Case):
    if case.state != service.DRAFT:
        flash(_("Dit initiatief is geen concept meer en kan niet meer worden gewijzigd."), "warning")
        return redirect_303(_case_url(case))
    if request.method == "GET":
        data = case.data or {}
        form = InitiativeForm(
            formdata=None, contact=current_user, title=case.title, summary=case.summary,
            proposal=data.get("proposal", ""), motivation=data.get("motivation", ""),
            deputy_name=(data.get("deputy") or {}).get("name", ""),
            deputy_email=(data.get("deputy") or {}).get("email", ""),
            financial_consequences=data.get("financial_consequences", ""),
            names_public=bool(data.get("names_public")),
            not_excluded=bool(data.get("not_excluded_declared")),
            lock_version=case.lock_version)
        return _render_form(form, case=case)
    form = InitiativeForm(contact=current_user)
    if not form.validate_on_submit():
        return _render_form(form, case=case, status=422)

    def save():
        service.update_initiative(case, actor=current_user, draft=_draft_from(form), now=utcnow(),
                                  expected_version=expected_version(form))
        return case

    try:
        return _save_draft(form, case, save, _("Uw wijzigingen zijn opgeslagen."))
    except case_service.Conflict:
        db.session.rollback()
        form.add_error(None, _("Deze zaak is intussen gewijzigd. Bekijk de nieuwe stand en "
                               "probeer het opnieuw."))
        form.lock_version.data = str(db.session.get(Case, case.id).lock_version)
        return _render_form(form, case=case, status=409)


def _signature_context(case: Case, *, sign_form: SignForm | None = None, message: str = "",
                       message_kind: str = "info", announce: str = "") -> dict:
    now = utcnow()
    user = current_user if current_user.is_authenticated else None
    procedure = service.procedure_for_case(case, _locale())
    return {
        "case": case,
        "procedure": procedure,
        "reached": case.signature_count >= procedure.required,
        "collecting_open": service.collecting_open(case, now),
        "signed": service.has_signed(case, user),
        "needs_birth_date": service.needs_birth_date(case, user),
        "needs_postcode": service.needs_postcode(case, user),
        "sign_form": sign_form or SignForm(formdata=None),
        "submit_form": VersionForm(formdata=None, lock_version=case.lock_version),
        "is_applicant": is_applicant(case),
        "signature_message": message,
        "signature_message_kind": message_kind,
        "announce": announce,
    }


def _page_context(case: Case, **overrides) -> dict:
    context = _signature_context(case, **{k: overrides.pop(k) for k in list(overrides)
                                          if k in ("sign_form", "message", "message_kind",
                                                   "announce")})
    definition = case_service.workflow_of(case)
    state = definition.state(case.state)
    is_staff = has_role(g.org, *STAFF_ROLES)
    data = case.data or {}
    context.update({
        "data": data,
        "state": state,
        "state_label": queries.state_label(case, _locale()),
        "timeline": queries.public_timeline(case),
        "threads": queries.threads(case),
        "comments_open": service.comments_open(case),
        "question_form": QuestionForm(formdata=None),
        "is_staff": is_staff,
        "is_griffie": has_role(g.org, "griffie"),
        "start_form": VersionForm(formdata=None, lock_version=case.lock_version),
        "attachments": _attachments(case, public_only=not (is_applicant(case) or is_staff)),
        "contact_name": (data.get("contact") or {}).get("name", "")
        if data.get("names_public") else "",
    })
    # Staff get an answer form per question and a hide form per visible comment; a form
    # that failed validation (in overrides) replaces its blank one.
    answer_forms: dict[int, AnswerForm] = {}
    hide_forms: dict[int, HideForm] = {}
    if is_staff:
        for thread in context["threads"]:
            answer_forms[thread.question.id] = AnswerForm(
                formdata=None, prefix=f"antwoord-{thread.question.id}")
            for comment in (thread.question, *thread.answers):
                if comment.hidden_at is None:
                    hide_forms[comment.id] = HideForm(formdata=None,
                                                      prefix=f"verbergen-{comment.id}")
    answer_forms.update(overrides.pop("answer_forms", {}))
    hide_forms.update(overrides.pop("hide_forms", {}))
    context.update(answer_forms=answer_forms, hide_forms=hide_forms)
    context.update(overrides)
    return context


def _render_detail(case: Case, status: int = 200, **overrides):
    return render_template("initiatives/detail.html", **_page_context(case, **overrides)), status


@bp.get("/<int:case_id>")
@load(case=find_initiative)
def detail(case: Case):
    return _render_detail(case)


@bp.get("/<int:case_id>/bijlagen/<int:attachment_id>")
@load(case=find_initiative)
def attachment(case: Case, attachment_id: int):
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.case_id != case.id or item.purpose != ATTACHMENT_PURPOSE:
        abort(404)
    if not item.public and not (is_applicant(case) or has_role(g.org, *STAFF_ROLES)):
        abort(404)
    response = send_file(attachment_service.attachment_path(item), mimetype=item.content_type,
                         as_attachment=True, download_name=item.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- Moving the initiative on -------------------------------------------------------------


def _refused(case: Case, exc: Refusal):
    """A step refused: the page again with the reason (409 when the case changed)."""
    fresh = db.session.get(Case, case.id)
    return _render_detail(fresh, status=exc.status, message=exc.message_nl,
                          message_kind="error")


@bp.post("/<int:case_id>/steun-verzamelen")
@login_required
@load(case=find_initiative)
@require_applicant
def start_collecting(case: Case):
    return _applicant_step(case, service.start_collecting, done=_(
        "Uw initiatief staat nu open voor steun. Deel de link met anderen."))


@bp.post("/<int:case_id>/indienen")
@login_required
@load(case=find_initiative)
@require_applicant
@needs_level("file")
def submit(case: Case):
    return _applicant_step(case, service.submit_initiative, done=lambda: _(
        "Uw initiatief is ingediend bij de griffie. Het registratienummer is %(number)s. "
        "U krijgt ook een ontvangstbevestiging per e-mail.", number=case.number))


def _applicant_step(case: Case, step, *, done):
    """A button of the initiator's (start collecting, submit): the step with the version the
    page showed; refused, the page again with the reason."""
    version = expected_version(VersionForm())
    return take_step(lambda: step(case, actor=current_user, now=utcnow(),
                                  expected_version=version),
                     done=done, to=_case_url(case), refused=lambda exc: _refused(case, exc))


# --- Support ------------------------------------------------------------------------------


def _signature_response(case: Case, status: int = 200, **context):
    """htmx: the fragment alone; otherwise the whole page (errors) or a 303 back (success)."""
    if is_htmx():
        return render_page_or_fragment("initiatives/detail.html", "initiatives/_signature.html",
                                       status=status, **_signature_context(case, **context))
    if status >= 400:
        return _render_detail(case, status=status, **context)
    if context.get("announce"):
        flash(context["announce"], "success")
    return redirect_303(_case_url(case) + "#steun")


@bp.post("/<int:case_id>/ondertekenen")
@limiter.limit(ratelimits.SIGNING_LIMIT, key_func=ratelimits.account_or_address, methods=["POST"])
@login_required
@load(case=find_initiative)
@needs_level("sign")
def sign(case: Case):
    form = SignForm()
    if not form.validate_on_submit():
        return _signature_response(case, 422, sign_form=form)
    try:
        service.sign_initiative(case, current_user, now=utcnow(), birth_date=form.birth_date.data,
                                postcode=form.postcode.data or "",
                                person=identity.signing_person(current_user))
    except service.InitiativeError as exc:
        # A date of birth or postcode given in this request is kept (we ask only once);
        # nothing else was written.
        db.session.commit()
        if exc.field:
            form.add_error(exc.field, exc.message_nl)
            return _signature_response(case, 422, sign_form=form)
        return _signature_response(case, 422, sign_form=form, message=exc.message_nl,
                                   message_kind="error")
    db.session.commit()
    return _signature_response(case, announce=_("Bedankt. U steunt dit initiatief."))


@bp.post("/<int:case_id>/intrekken-steun")
@login_required
@load(case=find_initiative)
def withdraw(case: Case):
    try:
        service.withdraw_signature(case, current_user, now=utcnow())
    except service.InitiativeError as exc:
        db.session.rollback()
        return _signature_response(db.session.get(Case, case.id), 422, message=exc.message_nl,
                                   message_kind="error")
    db.session.commit()
    return _signature_response(case, announce=_("Uw steun is ingetrokken."))


@bp.get("/<int:case_id>/ondertekenaars")
@require_role("griffie")
@load(case=find_initiative)
def supporters(case: Case):
    return render_template("initiatives/supporters.html", case=case,
                           rows=service.supporters(case),
                           procedure=service.procedure_for_case(case, _locale()))


@bp.app_template_global()
def verified_label(verified_with: str) -> str:
    """How a supporter was identified, never the number itself: 'geverifieerd met DigiD
    (midden)', or that only an email account was used."""
    if not verified_with:
        return _("alleen e-mailaccount")
    try:
        return _("geverifieerd met %(means)s", means=parse_requirement(verified_with).label())
    except ValueError:
        return verified_with


def _csv_safe(value: str) -> str:
    # Spreadsheet programs run cells starting with these characters as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@bp.get("/<int:case_id>/ondertekenaars.csv")
@require_role("griffie")
@load(case=find_initiative)
def supporters_csv(case: Case):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_("Naam"), _("Geboortedatum"), _("Postcode"), _("Geverifieerd"),
                     _("Ondertekend op")])
    for signature, user in service.supporters(case):
        writer.writerow([
            _csv_safe(user.name),
            user.birth_date.isoformat() if user.birth_date else "",
            _csv_safe(user.postcode or ""),
            verified_label(signature.verified_with),
            signature.created_at.astimezone(service.LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
        ])
    filename = f"ondertekenaars-{case.number or case.id}.csv"
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


# --- Questions and answers ----------------------------------------------------------------


@bp.post("/<int:case_id>/reacties")
@login_required
@load(case=find_initiative)
def ask(case: Case):
    form = QuestionForm()
    return _comment_post(case, form, "body", lambda: service.ask_question(
        case, author=current_user, body=form.body.data, now=utcnow()),
        done=_("Uw vraag is geplaatst."), anchor="#vragen", question_form=form)


def _comment_post(case: Case, form, field: str, call, *, done: str, anchor: str, **shown):
    """A question, answer or moderation form: checked, stored, back to its place on the page;
    invalid or refused, the page again with the message at `field` (`shown` puts the form
    in its place)."""
    if not form.validate_on_submit():
        return _render_detail(case, status=422, **shown)

    def refused(exc: Refusal):
        form.add_error(field, exc.message_nl)
        return _render_detail(case, status=422, **shown)

    return take_step(call, done=done, to=_case_url(case) + anchor, refused=refused)


def find_comment(case: Case, comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.case_id != case.id:
        abort(404)
    return comment


@bp.post("/<int:case_id>/reacties/<int:comment_id>/antwoord")
@require_role(*STAFF_ROLES)
@load(case=find_initiative)
def answer(case: Case, comment_id: int):
    question = find_comment(case, comment_id)
    form = AnswerForm(prefix=f"antwoord-{question.id}")
    return _comment_post(case, form, "body", lambda: service.answer_question(
        case, question, author=current_user, body=form.body.data, now=utcnow()),
        done=_("Uw antwoord is geplaatst."), anchor=f"#reactie-{question.id}",
        answer_forms={question.id: form})


@bp.post("/<int:case_id>/reacties/<int:comment_id>/verbergen")
@require_role(*STAFF_ROLES)
@load(case=find_initiative)
def hide(case: Case, comment_id: int):
    comment = find_comment(case, comment_id)
    form = HideForm(prefix=f"verbergen-{comment.id}")
    return _comment_post(case, form, "reason", lambda: service.hide_comment(
        comment, moderator=current_user, reason=form.reason.data, now=utcnow()),
        done=_("De reactie is verborgen."), anchor=f"#reactie-{comment.id}",
        hide_forms={comment.id: form})
