"""Participatieplatform: uitdaagrecht and inwonersinitiatieven for Dutch local government."""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Mapping

from flask import (
    Flask,
    g,
    got_request_exception,
    has_request_context,
    jsonify,
    render_template,
    request,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import (
    DBAPIError,
    InterfaceError,
    OperationalError,
    PendingRollbackError,
    SQLAlchemyError,
)
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from participation import assets, security, tenancy
from participation import config as config_module
from participation.extensions import (
    babel,
    csrf,
    db,
    install_template_gettext,
    limiter,
    login_manager,
    migrate,
    select_locale,
)

ROOT = Path(__file__).resolve().parent.parent


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record) -> None:
    # SQLite ignores foreign keys (and ON DELETE CASCADE) unless asked, per connection.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(config_module.load())
    if overrides:
        app.config.update(overrides)
    logging.basicConfig(level=logging.INFO)

    from participation import models  # noqa: F401  (registers the tables)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(ROOT / "translations"))
    install_template_gettext(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
    from participation.services.identity import oauth

    oauth.init_app(app)
    security.init_app(app)
    tenancy.init_app(app)
    _init_login(app)
    _register_blueprints(app)
    _register_errors(app)
    _end_sessions_safely(app)
    _register_context(app)
    assets.init_app(app)

    from participation.services.attachments import remove_orphans

    app.teardown_request(remove_orphans)  # files of a refused or rolled-back upload go

    from participation.cli import register as register_cli

    register_cli(app)

    @app.get("/healthz")
    def healthz():
        try:
            db.session.execute(text("SELECT 1"))
            status, code = "ok", 200
        except Exception as exc:  # the point of the endpoint is to report it
            app.logger.warning("health check failed: %s", exc)
            status, code = "unavailable", 503
        return jsonify(status="ok" if code == 200 else "error", database=status,
                       engine=db.engine.dialect.name), code

    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind nginx: the client's address (rate limits), scheme and host come from the
        # X-Forwarded-* headers that the given number of proxies set.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies, x_port=proxies)
    return app


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om verder te gaan.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        # The id carries the password version and the cookie a login-session token: a
        # password change or a logout (on the server) ends the session for good.
        from flask import session

        from participation.services.accounts import user_for_session

        token = session.get("sid")
        raw_id, _sep, raw_version = user_id.partition(":")
        if not (token and isinstance(token, str) and raw_id.isascii() and raw_id.isdecimal()
                and len(raw_id) < 12):
            return None
        found = user_for_session(int(raw_id), raw_version, token)
        if found is None:
            return None
        user, g.unread_notifications = found  # the header's badge, from the same statement
        return user


def _register_blueprints(app: Flask) -> None:
    from participation.admin import bp as admin_bp
    from participation.api import bp as api_bp
    from participation.auth import bp as auth_bp
    from participation.challenges import bp as challenges_bp
    from participation.council import bp as council_bp
    from participation.identity import bp as identity_bp
    from participation.initiatives import bp as initiatives_bp
    from participation.installation import bp as installation_bp
    from participation.monitor import bp as monitor_bp
    from participation.public import bp as public_bp
    from participation.residents import bp as residents_bp
    from participation.workbench import bp as workbench_bp

    for bp in (auth_bp, identity_bp, public_bp, challenges_bp, initiatives_bp, workbench_bp,
               council_bp, admin_bp, api_bp, residents_bp, installation_bp, monitor_bp):
        app.register_blueprint(bp)


# What an API client is told, in the API's language (Dutch), when no view said more.
API_MESSAGES = {
    400: "Ongeldig verzoek.",
    404: "Niet gevonden: deze organisatie, zaak of dit besluit bestaat niet of is niet openbaar.",
    405: "Deze methode is hier niet toegestaan; de API kan alleen lezen (GET).",
    429: "Te veel verzoeken. Probeer het over een minuut opnieuw.",
    500: "Er ging aan onze kant iets mis. Probeer het later opnieuw.",
    503: "De dienst is tijdelijk niet beschikbaar. Probeer het later opnieuw.",
}


def _end_sessions_safely(app: Flask) -> None:
    """Runs before Flask-SQLAlchemy's own teardown (teardowns run last-registered first)."""

    @app.teardown_appcontext
    def end_session(_exc: BaseException | None) -> None:
        try:
            db.session.remove()
        except SQLAlchemyError:
            # The database went away during the request (a restart): rolling back on the
            # dead connection fails, so drop it instead; the response already went out.
            db.session().invalidate()
            db.session.remove()


def _register_errors(app: Flask) -> None:
    def render_error(code: int, description: str | None = None):
        if request.path.startswith("/api/"):
            message = description or API_MESSAGES.get(code, "")
            return jsonify(error=code, message=message), code
        title = str(ERROR_TITLES.get(code, _l("Foutmelding")))
        if request.headers.get("HX-Request") == "true":
            # Only the words: the page stays, and the script shows them where the user is.
            return render_template("errors/_message.html", code=code, description=description,
                                   error_title=title), code
        return render_template("errors/error.html", code=code, description=description,
                               error_title=title), code

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, "csrf")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code is None or exc.code < 400:
            return exc
        response = render_error(exc.code)
        if exc.code == 429 and getattr(exc, "retry_after", None):
            response[0].headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: Exception):
        # The database is away (a restart, a network fault): the app's own 503 page with a
        # retry hint, not a 500. Nothing was stored: the transaction is rolled back.
        app.logger.error("database unavailable: %s", exc.__class__.__name__)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            db.session().invalidate()  # the connection is dead: drop it, do not roll back on it
        if request.path.startswith("/api/"):
            response = jsonify(error=503, message=API_MESSAGES[503])
        else:
            # Without context processors and with a forced locale: both would ask the
            # database for the logged-in user.
            from flask_babel import force_locale

            language = session_language()
            with force_locale(language):
                response = app.response_class(
                    app.jinja_env.get_template("errors/unavailable.html").render(
                        error_title=str(ERROR_TITLES[503]), language=language,
                        kept=_posted_fields(), action=request.full_path.rstrip("?")))
        response.status_code = 503
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def server_error(exc: Exception):
        # A session left unusable by a connection that died (a restart) is an outage too.
        if isinstance(exc, PendingRollbackError) or (
                isinstance(exc, DBAPIError) and exc.connection_invalidated):
            return database_unavailable(exc)
        # This handler swallows the exception, so Flask would not signal it; do it here so
        # monitoring (and the test suite's "no 500" guard) still hears about it.
        got_request_exception.send(app, exception=exc)
        app.logger.exception("unhandled error")
        try:
            db.session.rollback()
            return render_error(500)
        except SQLAlchemyError:
            # The page itself needs the database (the header asks for the user), and it
            # went away meanwhile: the page that needs none.
            return database_unavailable(exc)


def _posted_fields() -> list[tuple[str, str]]:
    """What a POST that met a database outage carried, to send again from the 503 page:
    nothing typed is lost. Passwords are left out (typed again); files cannot be kept."""
    if request.method != "POST":
        return []
    try:
        return [(name, value) for name, value in request.form.items(multi=True)
                if "password" not in name.lower()]
    except Exception:  # noqa: BLE001  a body that cannot be read has nothing to keep
        return []


def session_language() -> str:
    from flask import session

    return "en" if str(session.get("locale", "")).startswith("en") else "nl"


ERROR_TITLES = {
    400: _l("Dat verzoek konden we niet verwerken"),
    403: _l("U heeft geen toegang tot deze pagina"),
    404: _l("Deze pagina bestaat niet"),
    405: _l("Dat kan op deze manier niet"),
    413: _l("Het bestand is te groot"),
    429: _l("Even geduld: te veel pogingen"),
    500: _l("Er ging iets mis aan onze kant"),
    503: _l("De dienst is tijdelijk niet beschikbaar"),
}


def _register_context(app: Flask) -> None:
    from flask_babel.speaklater import LazyString

    from participation.permissions import has_role, roles_in

    # Field errors may be plain or lazily translated strings; nested forms give lists/dicts.
    app.jinja_env.tests["error_message"] = lambda value: isinstance(value, (str, LazyString))
    from participation.sanitize import clean_html  # the one place user HTML is cleaned
    app.jinja_env.filters["user_html"] = clean_html
    local_time, local_date, short_date = _date_filters()
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = local_date
    app.jinja_env.filters["short_date"] = short_date

    def grounds_label(table: str, code: str) -> str:
        from participation.domain import grounds

        return grounds.label(getattr(grounds, table), code, str(get_locale() or "nl"))

    def org_kind(org) -> str:
        from participation.domain.grounds import organisation_kind

        return organisation_kind(getattr(org, "tier", ""), str(get_locale() or "nl"))
    app.jinja_env.filters["org_kind"] = org_kind
    app.jinja_env.filters["org_tier"] = lambda tier: grounds_label("TIERS", tier)

    @app.context_processor
    def inject() -> dict[str, Any]:
        org = g.get("org")
        return {
            "current_org": org,
            "current_roles": roles_in(org),
            "has_role": has_role,
            "current_locale": str(get_locale()),
            "unread_notifications": _unread_notifications,
            "site_urls": _site_urls(app) if has_request_context() else {},
        }

    def _unread_notifications() -> int:
        # Called by the header only for a logged-in user: one count per page.
        from flask_login import current_user

        from participation.residents.queries import unread_count

        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = unread_count(current_user.id)
        return g.unread_notifications


# The layout's links that are the same on every page (base.html; its static files stay
# url_for calls, which tests/functional/test_templates.py reads).
_SITE_LINKS = {"home": ("public.home", {}), "my_cases": ("residents.my_cases", {}),
               "installation": ("installation.index", {}), "profile": ("auth.profile", {}),
               "logout": ("auth.logout", {}), "login": ("auth.login", {}),
               "register": ("auth.register", {}), "accessibility": ("public.accessibility", {}),
               "privacy": ("public.privacy", {}), "contact": ("public.contact", {})}


def _site_urls(app: Flask) -> dict[str, str]:
    """Built once per process (and script root): a dozen url_for calls per page otherwise."""
    from flask import url_for

    known = app.extensions.setdefault("participation.site_urls", {})
    urls = known.get(request.script_root)
    if urls is None:
        urls = known[request.script_root] = {
            name: url_for(endpoint, **values) for name, (endpoint, values) in _SITE_LINKS.items()}
    return urls


def _date_filters():
    """Moments are stored in UTC; pages show them in Dutch time, the days the Awb counts
    (domain.deadlines). `short_date`: the day as `d-M-yyyy`, what Babel's dateformat gives
    for the pattern, without its pattern parsing (50 times per register page)."""
    from datetime import datetime

    from participation.domain.deadlines import dutch_date, dutch_time

    def local_time(value):
        return dutch_time(value) if isinstance(value, datetime) else value

    def local_date(value):
        return dutch_date(value) if isinstance(value, datetime) else value

    def short_date(value) -> str:
        if value is None:
            return ""
        value = local_date(value)
        return f"{value.day}-{value.month}-{value.year}"

    return local_time, local_date, short_date
