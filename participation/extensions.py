"""Flask extensions, created unbound; create_app() binds them."""
from __future__ import annotations

from flask import has_request_context, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_locale() -> str:
    from flask import current_app

    # The visitor's own choice first; without one, the browser's preference among the
    # languages we have (Accept-Language); Dutch when it names none of them.
    if not has_request_context():  # CLI and timers: force_locale() decides
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    return request.accept_languages.best_match(current_app.config["LANGUAGES"], default=default)


babel = Babel()


def translations():
    """The current catalogue, kept next to the locale it belongs to. Flask-Babel finds it
    through four context lookups per string, and a page translates a few hundred strings;
    force_locale() swaps the locale object, which makes us look again."""
    from flask.globals import _cv_app
    from flask_babel import get_translations

    app_ctx = _cv_app.get(None)
    if app_ctx is None:
        return get_translations()
    store = app_ctx.g.__dict__
    babel_ctx = store.get("_flask_babel")
    locale = getattr(babel_ctx, "babel_locale", None)
    memo = store.get("_participation_translations")
    if locale is not None and memo is not None and memo[0] is locale:
        return memo[1]
    found = get_translations()  # also settles the locale
    locale = getattr(store.get("_flask_babel"), "babel_locale", None)
    if locale is not None:
        store["_participation_translations"] = (locale, found)
    return found


def install_template_gettext(app) -> None:
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)
