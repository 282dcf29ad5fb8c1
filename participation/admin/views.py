"""Organisation admin (/<org>/beheer): people and roles, the task catalogue, branding and
the logo, the decision letters' texts, and the procedure versions with their diagram. Admins
only."""
from __future__ import annotations

from flask import Response, abort, flash, g, make_response, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from participation.admin import bp, branding_bp, queries
from participation.admin.diagram import render_svg
from participation.admin.forms import (
    BrandingForm,
    CertificateForm,
    ConfirmForm,
    GrantRoleForm,
    LetterTemplateForm,
    LogoForm,
    PresetForm,
    ProcedureUploadForm,
    TaskForm,
    format_ratio,
    parse_count,
)
from participation.admin.presenters import REQUEST_TYPE_NAMES, describe, euro
from participation.domain.workflow import REQUEST_TYPES, DefinitionError, locate
from participation.extensions import db
from participation.htmx import redirect_303
from participation.models._types import utcnow
from participation.permissions import require_role
from participation.routes import take_step
from participation.services import admin as admin_service
from participation.services import identity, signing
from participation.services import letters as letter_service
from participation.services.accounts import ROLE_LABELS
from participation.services.cases import workflow_for_version

ONE_YEAR = 365 * 24 * 3600


def _status(form) -> int:
    return 422 if request.method == "POST" else 200


def _request_type_or_404(request_type: str) -> str:
    if request_type not in REQUEST_TYPES:
        abort(404)
    return request_type


@bp.get("/")
@require_role("admin")
def index():
    return render_template("admin/index.html")


# --- People and roles ----------------------------------------------------------------------


def _users_page(form: GrantRoleForm, status: int = 200):
    return render_template("admin/users.html", form=form, members=queries.members(g.org.id),
                           role_labels=ROLE_LABELS), status


@bp.get("/gebruikers")
@require_role("admin")
def users():
    return _users_page(GrantRoleForm())


@bp.post("/gebruikers")
@require_role("admin")
def grant_role():
    form = GrantRoleForm()
    if not form.validate_on_submit():
        return _users_page(form, 422)
    try:
        membership = admin_service.grant_role_by_email(g.org, form.email.data, form.role.data,
                                                       actor=current_user)
    except admin_service.NoSuchAccount as exc:
        form.email.errors = [exc.message]
        return _users_page(form, 422)
    db.session.commit()
    flash(_("%(name)s heeft nu de rol %(role)s.", name=membership.user.name,
            role=ROLE_LABELS[membership.role]), "success")
    return redirect_303(url_for("admin.users"))


@bp.route("/gebruikers/rollen/<int:membership_id>/intrekken", methods=["GET", "POST"])
@require_role("admin")
def revoke_role(membership_id: int):
    membership = queries.membership_or_404(g.org.id, membership_id)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        name, role = membership.user.name, ROLE_LABELS[membership.role]
        own = membership.user_id == current_user.id
        try:
            admin_service.revoke_role(membership, actor=current_user, now=utcnow())
        except admin_service.LastAdmin as exc:
            form.form_errors.append(exc.message)
            status = 422
        else:
            db.session.commit()
            flash(_("De rol %(role)s van %(name)s is ingetrokken.", role=role, name=name),
                  "success")
            if own and not current_user.roles_in(g.org.id) & {"admin"}:
                return redirect_303(url_for("public.org_home"))
            return redirect_303(url_for("admin.users"))
    elif request.method == "POST":
        status = 422
    return render_template("admin/revoke_role.html", form=form, membership=membership,
                           role_label=ROLE_LABELS[membership.role]), status


# --- Task catalogue ------------------------------------------------------------------------


def _task_fields(form: TaskForm) -> admin_service.TaskFields:
    return admin_service.TaskFields(code=form.code.data, title=form.title.data,
                                    policy_area=form.policy_area.data or "",
                                    description=form.description.data or "",
                                    current_budget=form.budget)


@bp.get("/taken")
@require_role("admin")
def tasks():
    return render_template("admin/tasks.html", tasks=queries.tasks(g.org.id),
                           toggle_form=ConfirmForm(), euro=euro)


@bp.route("/taken/nieuw", methods=["GET", "POST"])
@require_role("admin")
def task_new():
    form = TaskForm()
    return _task_page(form, None, lambda: admin_service.create_task(
        g.org, _task_fields(form), actor=current_user),
        done=lambda task: _("De taak %(code)s is toegevoegd.", code=task.code))


@bp.route("/taken/<int:task_id>", methods=["GET", "POST"])
@require_role("admin")
def task_edit(task_id: int):
    task = queries.task_or_404(g.org.id, task_id)
    if request.method == "GET":
        form = TaskForm(obj=task)
        if task.current_budget is not None:
            form.current_budget.data = f"{task.current_budget:.2f}".replace(".", ",")
    else:
        form = TaskForm()
    return _task_page(form, task, lambda: admin_service.update_task(
        task, _task_fields(form), actor=current_user),
        done=lambda task: _("De taak %(code)s is opgeslagen.", code=task.code))


def _task_page(form: TaskForm, task, save, *, done):
    """The task form, or (valid and saved) back to the list; a code already in use is
    refused at the code field."""
    def render():
        return render_template("admin/task_form.html", form=form, task=task,
                               toggle_form=ConfirmForm() if task else None), _status(form)

    if not form.validate_on_submit():
        return render()
    saved = []

    def refused(exc):
        form.code.errors = [exc.message_nl]
        return render()

    return take_step(lambda: saved.append(save()), done=lambda: done(saved[0]),
                     to=url_for("admin.tasks"), refused=refused)


@bp.post("/taken/<int:task_id>/<any(deactiveren, activeren):action>")
@require_role("admin")
def task_toggle(task_id: int, action: str):
    task = queries.task_or_404(g.org.id, task_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = action == "activeren"
    admin_service.set_task_active(task, active, actor=current_user)
    db.session.commit()
    flash(_("De taak %(code)s staat weer open voor uitdagingen.", code=task.code) if active
          else _("De taak %(code)s is gedeactiveerd. Inwoners kunnen hem niet meer kiezen.",
                 code=task.code), "success")
    return redirect_303(url_for("admin.tasks"))


# --- Branding and logo ---------------------------------------------------------------------


def _branding_page(form: BrandingForm, logo_form: LogoForm, status: int = 200):
    colour = g.org.primary_color
    ratio = admin_service.contrast_with_white(colour) \
        if admin_service.is_hex_colour(colour) else None
    ratio_ok = ratio is not None and ratio >= admin_service.MIN_CONTRAST
    return render_template("admin/branding.html", form=form, logo_form=logo_form,
                           remove_form=ConfirmForm(), colour=colour,
                           ratio=format_ratio(ratio) if ratio else None,
                           ratio_ok=ratio_ok), status


@bp.route("/huisstijl", methods=["GET", "POST"])
@require_role("admin")
def branding():
    org = g.org
    if request.method == "GET":
        form = BrandingForm(obj=org)
        form.inhabitants.data = "" if org.inhabitants is None else str(org.inhabitants)
        form.electorate.data = "" if org.electorate is None else str(org.electorate)
    else:
        form = BrandingForm()
    if not form.validate_on_submit():
        return _branding_page(form, LogoForm(), _status(form))
    admin_service.update_branding(org, admin_service.BrandingFields(
        name=form.name.data, email=form.email.data or "", phone=form.phone.data or "",
        address=form.address.data or "", website=form.website.data or "",
        primary_color=form.primary_color.data, inhabitants=parse_count(form.inhabitants.data),
        electorate=parse_count(form.electorate.data),
        postcode_areas=form.postcode_areas.data or ""), actor=current_user)
    db.session.commit()
    flash(_("De gegevens en de huisstijl zijn opgeslagen."), "success")
    return redirect_303(url_for("admin.branding"))


def _upload(form, upload_field, max_bytes: int, refused: type[Exception], store, *,
            done, to: str, again):
    """Validate the form and hand the uploaded bytes to store(data); commit, flash
    done(result) and go to `to`; or, when the form is invalid or store raises `refused` (a
    Refusal, shown on the field), again() gives the page back."""
    if form.validate_on_submit():
        upload = upload_field.data
        # Read one byte more than allowed: enough to know it is too big.
        data = upload.read(max_bytes + 1) if upload else b""
        try:
            result = store(data)
        except refused as exc:
            upload_field.errors = [exc.message_nl]
        else:
            db.session.commit()
            flash(done(result), "success")
            return redirect_303(to)
    return again()


@bp.post("/huisstijl/logo")
@require_role("admin")
def logo_upload():
    form = LogoForm()
    return _upload(form, form.logo, admin_service.MAX_LOGO_BYTES, admin_service.InvalidLogo,
                   lambda data: admin_service.store_logo(g.org, data, actor=current_user),
                   done=lambda _logo: _("Het nieuwe logo is opgeslagen."),
                   to=url_for("admin.branding"),
                   again=lambda: _branding_page(BrandingForm(formdata=None, obj=g.org), form, 422))


@bp.post("/huisstijl/logo/verwijderen")
@require_role("admin")
def logo_remove():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    admin_service.remove_logo(g.org, actor=current_user)
    db.session.commit()
    flash(_("Het logo is verwijderd. De kopregel toont nu de naam van de organisatie."),
          "success")
    return redirect_303(url_for("admin.branding"))


@branding_bp.get("/logo")
def logo():
    """GET /<org>/logo: public; the address changes with every new logo, so it may be cached
    for a long time."""
    found = admin_service.logo_file(g.org)
    if found is None:
        abort(404)
    path, media_type = found
    # At most 1 MB: read at once, so no file handle outlives the request.
    response = Response(path.read_bytes(), mimetype=media_type)
    response.set_etag(path.name)
    response.make_conditional(request)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response



# --- Procedures ----------------------------------------------------------------------------


@bp.get("/procedures")
@require_role("admin")
def procedures():
    return render_template("admin/procedures.html",
                           versions=queries.procedure_versions(g.org.id),
                           type_names=REQUEST_TYPE_NAMES, preset_form=PresetForm())


@bp.get("/procedures/<request_type>/versies/<int:number>")
@require_role("admin")
def procedure_version(request_type: str, number: int):
    _request_type_or_404(request_type)
    version = queries.version_or_404(g.org.id, request_type, number)
    definition = workflow_for_version(version)
    latest = queries.latest_version_number(g.org.id, request_type)
    return render_template("admin/procedure_version.html", version=version,
                           author=queries.author_name(version), is_current=latest == number,
                           procedure=describe(definition), svg=render_svg(definition),
                           type_name=REQUEST_TYPE_NAMES[request_type],
                           unconnected=identity.unconnected_levels(g.org.id, definition))


@bp.get("/procedures/<request_type>/versies/<int:number>/download")
@require_role("admin")
def procedure_download(request_type: str, number: int):
    _request_type_or_404(request_type)
    version = queries.version_or_404(g.org.id, request_type, number)
    response = Response(version.source, mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{g.org.slug}-{request_type}-versie-{number}.toml"')
    return response


def _source_from(form: ProcedureUploadForm) -> str | None:
    """The uploaded file's text, else the pasted text; None (with a field error) when the
    file is not UTF-8 text."""
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(1024 * 1024 + 1)
        if len(raw) > 1024 * 1024:
            form.file.errors = [_("Dit bestand is te groot voor een procedure (maximaal 1 MB).")]
            return None
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [_("Dit bestand is geen tekstbestand (UTF-8). Kies het "
                                  ".toml-bestand van de procedure.")]
            return None
    return form.source.data or ""


@bp.route("/procedures/<request_type>/nieuw", methods=["GET", "POST"])
@require_role("admin")
def procedure_upload(request_type: str):
    _request_type_or_404(request_type)
    form = ProcedureUploadForm()
    problems: list[tuple[int | None, str]] = []
    if request.method == "GET":
        current = queries.latest_version_number(g.org.id, request_type)
        if current:
            form.source.data = queries.version_or_404(g.org.id, request_type, current).source
    elif form.validate_on_submit():
        source = _source_from(form)
        if source is not None:
            form.source.data = source  # shown again in the text box when something is wrong
            if not source.strip():
                form.source.errors = [_("Kies een bestand of plak de tekst van de procedure.")]
            else:
                try:
                    version = admin_service.add_procedure_version(
                        g.org, request_type, source, actor=current_user, note=form.note.data)
                except DefinitionError as exc:
                    problems = [(problem.line, problem.translated(str(get_locale())))
                                for problem in locate(source, exc.messages)]
                else:
                    db.session.commit()
                    flash(_("Versie %(n)s opgeslagen; nieuwe verzoeken volgen deze versie, "
                            "lopende zaken houden hun versie", n=version.version), "success")
                    return redirect_303(url_for("admin.procedure_version",
                                                request_type=request_type,
                                                number=version.version))
    else:
        source = _source_from(form)
        if source is not None:
            form.source.data = source
    status = 422 if request.method == "POST" else 200
    return render_template("admin/procedure_upload.html", form=form, problems=problems,
                           request_type=request_type,
                           type_name=REQUEST_TYPE_NAMES[request_type]), status


@bp.post("/procedures/<request_type>/standaard")
@require_role("admin")
def procedure_preset(request_type: str):
    _request_type_or_404(request_type)
    if not PresetForm().validate_on_submit():
        abort(400)
    version = admin_service.add_preset_version(
        g.org, request_type, actor=current_user, note=_("Standaardprocedure"))
    db.session.commit()
    flash(_("Versie %(n)s opgeslagen; nieuwe verzoeken volgen deze versie, lopende zaken houden "
            "hun versie", n=version.version), "success")
    return redirect_303(url_for("admin.procedure_version", request_type=request_type,
                                number=version.version))


# --- Decision letter templates -------------------------------------------------------------


def _letter_kind_or_404(kind: str, language: str) -> None:
    if kind not in letter_service.KINDS or language not in letter_service.LANGUAGES:
        abort(404)


def _letters_page(certificate_form: CertificateForm | None = None, status: int = 200):
    own = {(t.kind, t.language): t for t in queries.letter_templates(g.org.id)}
    return render_template("admin/letters.html", own=own, kinds=letter_service.KINDS,
                           languages=letter_service.LANGUAGES,
                           labels=letter_service.KIND_LABELS,
                           certificate=signing.certificate_info(g.org),
                           certificate_stored=signing.certificate_path(g.org).is_file(),
                           password_variable=signing.password_variable(g.org),
                           certificate_form=certificate_form or CertificateForm(),
                           remove_form=ConfirmForm()), status


@bp.get("/brieven")
@require_role("admin")
def letters():
    return _letters_page()


@bp.post("/brieven/certificaat")
@require_role("admin")
def certificate_upload():
    form = CertificateForm()
    return _upload(form, form.certificate, signing.MAX_PKCS12_BYTES, signing.CertificateRefused,
                   lambda data: signing.store_certificate(g.org, data, actor=current_user,
                                                          now=utcnow()),
                   done=lambda info: _("Het certificaat is opgeslagen. Nieuwe besluitbrieven "
                                       "worden ondertekend door %(subject)s.",
                                       subject=info.subject),
                   to=url_for("admin.letters"), again=lambda: _letters_page(form, 422))


@bp.post("/brieven/certificaat/verwijderen")
@require_role("admin")
def certificate_remove():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    signing.remove_certificate(g.org)
    flash(_("Het certificaat is verwijderd. Nieuwe besluitbrieven worden niet meer digitaal "
            "ondertekend."), "success")
    return redirect_303(url_for("admin.letters"))


def _letter_page(form: LetterTemplateForm, kind: str, language: str, status: int = 200):
    own = letter_service.own_template(g.org, kind, language)
    return render_template("admin/letter_form.html", form=form, kind=kind, language=language,
                           label=letter_service.KIND_LABELS[kind][0], own=own,
                           reset_form=ConfirmForm(), fields=letter_service.field_help()), status


@bp.route("/brieven/<kind>/<any(nl, en):language>", methods=["GET", "POST"])
@require_role("admin")
def letter_edit(kind: str, language: str):
    _letter_kind_or_404(kind, language)
    if request.method == "GET":
        form = LetterTemplateForm(data={"body": letter_service.template_source(
            g.org, kind, language)})
        return _letter_page(form, kind, language)
    form = LetterTemplateForm()
    if not form.validate_on_submit():
        return _letter_page(form, kind, language, 422)
    return take_step(
        lambda: letter_service.save_template(g.org, kind=kind, language=language,
                                             body=form.body.data, actor=current_user),
        done=_("De tekst van de brief is opgeslagen. Nieuwe besluiten gebruiken deze tekst."),
        to=url_for("admin.letter_edit", kind=kind, language=language),
        refused=lambda exc: _refused_letter(form, kind, language, exc))


def _refused_letter(form: LetterTemplateForm, kind: str, language: str, exc):
    form.body.errors = [*form.body.errors, *exc.errors.values()]
    return _letter_page(form, kind, language, 422)


@bp.post("/brieven/<kind>/<any(nl, en):language>/voorbeeld")
@require_role("admin")
def letter_template_preview(kind: str, language: str):
    _letter_kind_or_404(kind, language)
    form = LetterTemplateForm()
    if not form.validate_on_submit():
        return _letter_page(form, kind, language, 422)
    try:
        pdf = letter_service.preview_template(g.org, kind=kind, language=language,
                                              body=form.body.data, today=utcnow().date())
    except letter_service.LetterInvalid as exc:
        return _refused_letter(form, kind, language, exc)
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = 'inline; filename="voorbeeld-brief.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/brieven/<kind>/<any(nl, en):language>/standaard")
@require_role("admin")
def letter_reset(kind: str, language: str):
    _letter_kind_or_404(kind, language)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    letter_service.reset_template(g.org, kind=kind, language=language)
    db.session.commit()
    flash(_("De standaardtekst geldt weer voor deze brief."), "success")
    return redirect_303(url_for("admin.letter_edit", kind=kind, language=language))
