"""Beheer: the organisation's login providers (DigiD and eHerkenning brokers, staff SSO)."""
from __future__ import annotations

from flask import abort, flash, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from participation.admin import bp
from participation.admin.identity_forms import ProviderForm
from participation.domain import assurance
from participation.extensions import db
from participation.htmx import redirect_303
from participation.models._types import utcnow
from participation.permissions import require_role
from participation.services import identity


@bp.get("/inloggen")
@require_role("admin")
def providers():
    own = {p.kind: p for p in identity.providers_of(g.org.id)}
    shared = {p.kind: p for p in identity.providers_of(None)}
    return render_template("admin/providers.html", own=own, shared=shared,
                           kinds=identity.KINDS, labels=identity.KIND_LABELS,
                           callback=identity.callback_url())


@bp.route("/inloggen/<kind>", methods=["GET", "POST"])
@require_role("admin")
def provider_edit(kind: str):
    if kind not in identity.KINDS:
        abort(404)
    existing = next((p for p in identity.providers_of(g.org.id) if p.kind == kind), None)
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
        "name": identity.secret_variable(kind, g.org.slug)}
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("admin/provider_form.html", form=form, kind=kind,
                               label=identity.KIND_LABELS[kind], existing=existing,
                               callback=identity.callback_url()), status
    identity.save_provider(g.org, kind, identity.ProviderFields(
        issuer=form.issuer.data, client_id=form.client_id.data,
        client_secret=form.client_secret.data or "", scope=form.scope.data,
        enabled=form.enabled.data, role_claim=form.role_claim.data or "groups",
        role_map=assurance.parse_role_map(form.role_map.data or "")),
        actor=current_user, now=utcnow())
    db.session.commit()
    flash(_("De koppeling met %(means)s is opgeslagen.", means=identity.KIND_LABELS[kind]),
          "success")
    return redirect_303(url_for("admin.providers"))
