"""Organisations: list, add, edit, archive and take out of the archive."""
from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from participation.admin import queries as admin_queries
from participation.admin.forms import ConfirmForm
from participation.domain import organisations as rules
from participation.extensions import db
from participation.installation import bp
from participation.installation.forms import AdminEmailForm, NewOrganisationForm, organisation_form
from participation.models import Organisation
from participation.models._types import utcnow
from participation.models.organisations import Role
from participation.permissions import require_installation_admin
from participation.routes import flash_refusal, show_on_form, take_step
from participation.services import admin as admin_service
from participation.services import organisations as service

_FIELDS = service.EDITABLE


def _organisation_or_404(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    return org


def _values(form) -> dict:
    values = {name: form[name].data for name in _FIELDS if name in form}
    for name in ("name", "tooi_code", "area", "email", "phone", "address", "website"):
        values[name] = values.get(name) or ""
    if "deciding_bodies" in values:
        values["deciding_bodies"] = ",".join(values["deciding_bodies"] or [])
    return values


@bp.get("/")
@require_installation_admin
def index():
    return render_template("installation/organisations.html",
                           organisations=service.all_organisations(include_archived=True))


@bp.route("/nieuw", methods=["GET", "POST"])
@require_installation_admin
def new():
    form = NewOrganisationForm()

    def render():
        return render_template("installation/organisation_form.html", form=form, org=None), \
            422 if request.method == "POST" else 200

    if not form.validate_on_submit():
        return render()
    values = {**_values(form), "slug": form.slug.data, "tier": form.tier.data}
    values["deciding_bodies"] = ",".join(b.code for b in rules.bodies_of_tier(form.tier.data))
    created = []

    def refused(exc):
        show_on_form(form, exc)
        return render()

    return take_step(lambda: created.append(service.register_organisation(
        values, actor=current_user.email)),
        done=lambda: _("%(name)s is toegevoegd, met de standaardprocedures. Voeg hieronder "
                       "een beheerder toe.", name=created[0].name),
        to=lambda: url_for("installation.edit", slug=created[0].slug), refused=refused)


@bp.route("/<slug>", methods=["GET", "POST"])
@require_installation_admin
def edit(slug: str):
    org = _organisation_or_404(slug)
    if request.method == "GET":
        return _edit_page(org)
    form = organisation_form(org.tier)

    def render():
        return _edit_page(org, form=form, status=422 if request.method == "POST" else 200)

    if not form.validate_on_submit():
        return render()

    def refused(exc):
        show_on_form(form, exc)
        return render()

    return take_step(lambda: service.update_organisation(org, _values(form),
                                                         actor=current_user.email),
                     done=_("De gegevens van %(name)s zijn opgeslagen.", name=form.name.data),
                     to=url_for("installation.index"), refused=refused)


def _edit_page(org: Organisation, *, form=None, admin_form=None, status: int = 200):
    if form is None:
        form = organisation_form(org.tier, obj=org)
        form.deciding_bodies.data = [body.code for body in rules.chosen_bodies(
            org.tier, org.deciding_bodies)]
    admins = [member for member in admin_queries.members(org.id)
              if any(m.role == Role.ADMIN.value for m in member.memberships)]
    return render_template("installation/organisation_form.html", form=form, org=org,
                           archive_form=ConfirmForm(), admins=admins,
                           admin_form=admin_form or AdminEmailForm(prefix="beheerder")), status


@bp.post("/<slug>/beheerders")
@require_installation_admin
def add_admin(slug: str):
    """The first admin of a new organisation (who then appoints the others)."""
    org = _organisation_or_404(slug)
    form = AdminEmailForm(prefix="beheerder")
    if not form.validate_on_submit():
        return _edit_page(org, admin_form=form, status=422)

    def refused(exc):
        form.email.errors = [exc.message_nl]
        return _edit_page(org, admin_form=form, status=422)

    return take_step(lambda: admin_service.grant_role_by_email(
        org, form.email.data, Role.ADMIN.value, actor=current_user),
        done=_("%(email)s is nu beheerder van %(name)s.", email=form.email.data, name=org.name),
        to=url_for("installation.edit", slug=org.slug), refused=refused)


@bp.post("/<slug>/<any(archiveren, terugzetten):action>")
@require_installation_admin
def archive(slug: str, action: str):
    org = _organisation_or_404(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archived = action == "archiveren"
    message = (_("%(name)s is gearchiveerd: er kunnen geen nieuwe verzoeken meer worden "
                 "ingediend. Lopende zaken, het register en de besluiten blijven.",
                 name=org.name) if archived
               else _("%(name)s neemt weer nieuwe verzoeken aan.", name=org.name))
    return take_step(lambda: service.set_archived(org, archived, actor=current_user.email,
                                                  now=utcnow()),
                     done=message, to=url_for("installation.index"),
                     refused=lambda exc: flash_refusal(exc, url_for("installation.index")))
