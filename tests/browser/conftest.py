"""Browser tests: Debian's Chromium drives a live server through pytest-playwright.

The live server is a second app on its own private database (SQLite file, or a private
PostgreSQL database when DATABASE_URL is set), with real CSRF checks and mail kept in the
outbox table. Tables are emptied after every test. Every page a test loads must pass axe-core
(see helpers.py)."""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from participation import create_app
from participation.extensions import db
from tests.browser import helpers
from tests.conftest import _empty_tables, _make_database

BROWSER_TESTS = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if BROWSER_TESTS in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    url, drop = _make_database(tmp_path_factory.mktemp("browser-db"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": ({"connect_args": {"timeout": 30}}
                                      if url.startswith("sqlite") else {}),
        "SECRET_KEY": "browser-test-secret-key-that-is-long-enough",
        "WTF_CSRF_ENABLED": True,
        "RATELIMIT_ENABLED": False,
        "MAIL_BACKEND": "outbox-only",
        "PASSWORD_HASH_CHEAP": True,  # Argon2 with minimal cost: the suite creates many accounts
        "UPLOAD_DIR": str(tmp_path_factory.mktemp("browser-uploads")),
        "SERVER_NAME": None,
    })
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base  # links in emails point at the live server
    helpers.live_app = app
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(app=app, url=base)
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    drop()


@pytest.fixture(autouse=True)
def _empty_live_database(live_server: LiveServer) -> Iterator[None]:
    yield
    with live_server.app.app_context():
        _empty_tables()
        db.session.remove()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not os.path.exists(CHROMIUM):
        message = (f"{CHROMIUM} is missing: install Debian's Chromium "
                   "(apt-get install chromium) to run the browser tests")
        if os.environ.get("CI"):
            pytest.fail(message + " — browser tests must run in CI", pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any],
                         live_server: LiveServer) -> dict[str, Any]:
    return {**browser_context_args, "base_url": live_server.url, "locale": "nl-NL"}


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item, so fixtures can tell whether the test passed.
    report = yield
    setattr(item, f"_report_{report.when}", report)
    return report


@pytest.fixture()
def page(page, request):
    """pytest-playwright's page, failing the test when a loaded page had no axe check."""
    page.set_default_timeout(10_000)  # a missing element fails in seconds, not half a minute
    loads = helpers.track_page_loads(page)
    yield page
    helpers.forget_page(page)
    call = getattr(request.node, "_report_call", None)
    if call is None or not call.passed:
        return  # the test's own failure is the message; pages after it were never reached
    unchecked = loads.unchecked()
    assert not unchecked, f"pages loaded without assert_accessible(page): {unchecked}"


# Data helpers bound to the live server's database.

@pytest.fixture()
def read_last_email(live_server: LiveServer) -> Callable[[str], helpers.Email | None]:
    return lambda to: helpers.read_last_email(live_server.app, to)


@pytest.fixture()
def create_verified_user(live_server: LiveServer) -> Callable[..., helpers.UserInfo]:
    return lambda **fields: helpers.create_verified_user(live_server.app, **fields)


@pytest.fixture()
def create_live_org(live_server: LiveServer) -> Callable[..., helpers.OrgInfo]:
    return lambda **fields: helpers.create_org(live_server.app, **fields)


@pytest.fixture()
def grant_role(live_server: LiveServer) -> Callable[[str, str, str], None]:
    return lambda user_email, org_slug, role: helpers.grant_role(live_server.app, user_email,
                                                                 org_slug, role)
