"""Install-wide pages and each organisation's home page."""
from __future__ import annotations

from flask import Response, abort, current_app, g, redirect, render_template, request, session
from sqlalchemy import select

from participation.extensions import db
from participation.models import Organisation
from participation.pagecache import cached_page, org_scope
from participation.public import bp
from participation.redirects import safe_target
from participation.services import organisations as organisation_service


@bp.get("/")
def home():
    # Where a resident can start a request: archived organisations take none.
    return render_template("public/home.html", organisations=organisation_service.all_organisations(
        include_archived=False))


@bp.get("/toegankelijkheid")
def accessibility():
    return render_template("public/accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("public/privacy.html")


@bp.get("/contact")
def contact():
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("public/contact.html", organisations=organisations)


@bp.get("/lang/<code>")
def set_language(code: str):
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["locale"] = code
    return redirect(safe_target(request.args.get("next")) or "/", 303)


@bp.get("/<org>/")
@cached_page(org_scope)
def org_home():
    return render_template("public/org_home.html", org=g.org)


@bp.get("/<org>/theme.css")
def theme_css():
    """The organisation's branding as design tokens; a file, because the CSP forbids inline styles."""
    color = g.org.primary_color if _is_hex(g.org.primary_color) else "#01689b"
    body = (":root {\n"
            f"  --org-primary-color: {color};\n"
            f"  --utrecht-button-primary-action-background-color: {color};\n"
            f"  --utrecht-link-color: {color};\n"
            f"  --utrecht-page-header-background-color: {color};\n"
            "}\n")
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _is_hex(value: str) -> bool:
    return len(value) == 7 and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:])
from participation.public import opendata, register, stats  # noqa: E402,F401  (transparency routes)
