"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL
is set; each run gets its own database so parallel runs never meet. Tests are isolated by
emptying every table afterwards (commits are real, so live-server browser tests and
concurrency tests see the same data the app writes)."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

import pytest
from flask import g, got_request_exception, request_started
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from participation import config as config_module
from participation import create_app
from participation.extensions import db

PASSWORD = "correct-horse-battery-9"


def _make_database(tmp_root) -> tuple[str, Callable[[], None]]:
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        path = tmp_root / "test.sqlite"
        return f"sqlite:///{path}", lambda: None
    base = make_url(config_module.database_url(raw))
    name = f"ptest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    url, drop = _make_database(tmp_path_factory.mktemp("db"))
    yield url
    drop()


class ReadingClient(FlaskClient):
    """Reads every response to its end and closes it, as a browser does: a streamed export
    must not be left open when the test goes on to the next request."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": ({"connect_args": {"timeout": 30}}
                                      if database_url.startswith("sqlite") else {}),
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "outbox-only",
        "PASSWORD_HASH_CHEAP": True,  # Argon2 with minimal cost: the suite creates many accounts
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "SERVER_NAME": None,
    })
    with app.app_context():
        db.create_all()
    app.test_client_class = ReadingClient

    def fresh_g(sender, **extra):
        # Requests share the test's app context and so its `g`: without this, the user
        # Flask-Login cached, the locale Flask-Babel cached and g.org of one request would
        # be seen by the next one (even another test client's). Production starts each
        # request with an empty g; so do the tests.
        for name in list(vars(g)):
            delattr(g, name)

    request_started.connect(fresh_g, app, weak=False)

    def record_exception(sender, exception, **extra):
        SERVER_ERRORS.append(repr(exception))

    got_request_exception.connect(record_exception, app, weak=False)

    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


SERVER_ERRORS: list[str] = []

# The real OpenID Provider (oidc-provider from npm) as the fixture `oidc_provider`.
pytest_plugins = ["tests.oidc_provider"]


@pytest.fixture(autouse=True)
def no_server_errors():
    """No request in the suite may end in an unhandled exception (a 500 page)."""
    SERVER_ERRORS.clear()
    yield
    errors, SERVER_ERRORS[:] = list(SERVER_ERRORS), []
    assert not errors, f"a request raised an unhandled exception: {errors}"


def _empty_tables() -> None:
    db.session.rollback()
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
        db.session.execute(text("DELETE FROM case_search"))  # the FTS5 table is not in metadata
    db.session.commit()
    from participation.services import accounts

    accounts._unknown_failures.clear()  # failed logins of unknown addresses, kept per process


@pytest.fixture()
def app_ctx(app):
    with app.app_context():
        yield app
        _empty_tables()
        db.session.remove()


@pytest.fixture()
def client(app, app_ctx):
    return app.test_client()


@pytest.fixture()
def csrf_app(app):
    """The same app with CSRF checks on, for tests that prove forms are protected."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def dutch_today():
    """The application's today: the Dutch calendar day (date.today() is the machine's)."""
    from participation.domain.deadlines import dutch_date

    return dutch_date(datetime.now(timezone.utc))


@pytest.fixture()
def create_org(app_ctx) -> Callable[..., Any]:
    from participation.services import organisations

    counter = iter(range(1, 10_000))

    def factory(**overrides: Any):
        n = next(counter)
        fields = dict(slug=f"gemeente-{n}", name=f"Gemeente Test {n}", tier="gemeente",
                      tooi_code=f"gm{n:04d}", email=f"info@gemeente{n}.example",
                      inhabitants=20000)
        fields.update(overrides)
        org = organisations.create_organisation(**fields)
        db.session.commit()
        return org

    return factory


@pytest.fixture()
def create_user(app_ctx) -> Callable[..., Any]:
    from participation.services import accounts

    counter = iter(range(1, 10_000))

    def factory(*, org=None, role: str | None = None, verified: bool = True, **overrides: Any):
        n = next(counter)
        fields = dict(email=f"user{n}@example.nl", name=f"Gebruiker {n}", password=PASSWORD)
        fields.update(overrides)
        user = accounts.create_user(verified_at=NOW if verified else None, **fields)
        if role:
            accounts.grant_role(user, org, role)
        db.session.commit()
        return user

    return factory


@pytest.fixture()
def login(client) -> Callable[[Any], Any]:
    """Log a user in through the real login form; an admin or coordinator gets a second factor
    first and gives its code (tests/second_factor.py)."""
    from tests.second_factor import log_in_with_form

    def do_login(user, password: str = PASSWORD):
        response = log_in_with_form(client, user, password)
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
        return response

    return do_login


def htmx_headers(**extra: str) -> dict[str, str]:
    return {"HX-Request": "true", **extra}
