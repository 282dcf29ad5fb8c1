"""The installation's own login providers: used by every organisation without its own."""
from __future__ import annotations

from flask import Blueprint, abort, url_for

from participation.admin.identity_views import provider_form, providers_page
from participation.permissions import require_installation_admin

bp = Blueprint("installation_logins", __name__, url_prefix="/beheer/inloggen")


@bp.get("/")
@require_installation_admin
def providers():
    return providers_page(None, edit="installation_logins.provider_edit",
                          back=url_for("installation.index"))


@bp.route("/<kind>", methods=["GET", "POST"])
@require_installation_admin
def provider_edit(kind: str):
    if kind == "sso":
        abort(404)  # staff SSO maps groups to an organisation's roles: each sets its own
    return provider_form(None, kind,
                         action=url_for("installation_logins.provider_edit", kind=kind),
                         back=url_for("installation_logins.providers"))
