"""Login providers (DigiD and eHerkenning brokers, staff SSO): an organisation's, set by its
admin under Beheer, and the installation's, set by an installation administrator."""
from __future__ import annotations

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.admin import bp
from participation.admin.identity_forms import ProviderForm
from participation.domain import assurance
from participation.extensions import db
from participation.htmx import redirect_303
from participation.models import Organisation
from participation.models._types import utcnow
from participation.permissions import require_role
from participation.services import identity


def providers_page(organisation: Organisation | None, *, edit: str, back: str):
    """The three kinds with what is connected; `edit` is the endpoint of a kind's form."""
    own = {p.kind: p for p in identity.providers_of(organisation.id if organisation else None)}
    shared = {p.kind: p for p in identity.providers_of(None)} if organisation else {}
    return render_template("admin/providers.html", own=own, shared=shared,
                           kinds=identity.KINDS, labels=identity.KIND_LABELS, edit=edit,
                           back=back, callback=identity.callback_url(),
                           for_installation=organisation is None)


def provider_form(organisation: Organisation | None, kind: str, *, action: str, back: str):
    """A kind's form: shown, refused at the field (422, input kept) or saved."""
    if kind not in identity.KINDS:
        abort(404)
    existing = next((p for p in identity.providers_of(organisation.id if organisation else None)
                     if p.kind == kind), None)
    if request.method == "GET":
        form = ProviderForm(obj=existing, formdata=None)
        if existing is None:
            form.scope.data, form.enabled.data = identity.SCOPES[kind], True
            form.role_claim.data = "groups"
        else:
            form.role_map.data = assurance.role_map_text(existing.role_map or {})
    else:
        form = ProviderForm()
    form.client_secret.description = str(form.client_secret.description) % {
        "name": identity.secret_variable(kind, organisation.slug if organisation else None)}
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("admin/provider_form.html", form=form, kind=kind,
                               label=identity.KIND_LABELS[kind], existing=existing,
                               callback=identity.callback_url(), action=action,
                               back=back), status
    identity.save_provider(organisation, kind, identity.ProviderFields(
        issuer=form.issuer.data, client_id=form.client_id.data,
        client_secret=form.client_secret.data or "", scope=form.scope.data,
        enabled=form.enabled.data, role_claim=form.role_claim.data or "groups",
        role_map=assurance.parse_role_map(form.role_map.data or ""),
        service=(form.service.data or "") if kind == "eherkenning" else ""),
        actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("De koppeling met %(means)s is opgeslagen.", means=identity.KIND_LABELS[kind]),
          "success")
    return redirect_303(back)


@bp.get("/inloggen")
@require_role("admin")
def providers():
    return providers_page(g.org, edit="admin.provider_edit", back=url_for("admin.index"))


@bp.route("/inloggen/<kind>", methods=["GET", "POST"])
@require_role("admin")
def provider_edit(kind: str):
    return provider_form(g.org, kind, action=url_for("admin.provider_edit", kind=kind),
                         back=url_for("admin.providers"))
