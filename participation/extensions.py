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
from jinja2 import pass_context
from markupsafe import Markup
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


def _finish(context, text: str, variables: dict):
    # Jinja's newstyle semantics (autoescaped, then formatted with escaped variables), without
    # its two extra context calls per string: a page translates up to a few hundred strings.
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


@pass_context
def _template_gettext(context, string: str, **variables):
    return _finish(context, translations().ugettext(string), variables)


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    return _finish(context, translations().ungettext(singular, plural, num), variables)


@pass_context
def _template_pgettext(context, ctx: str, string: str, **variables):
    return _finish(context, translations().upgettext(ctx, string), variables)


@pass_context
def _template_npgettext(context, ctx: str, singular: str, plural: str, num: int, **variables):
    variables.setdefault("num", num)
    return _finish(context, translations().unpgettext(ctx, singular, plural, num), variables)


def install_template_gettext(app) -> None:
    env = app.jinja_env
    env.add_extension("jinja2.ext.i18n")
    env.newstyle_gettext = True
    env.globals.update(gettext=_template_gettext, _=_template_gettext,
                       ngettext=_template_ngettext, pgettext=_template_pgettext,
                       npgettext=_template_npgettext)
