"""Concurrency and load against the real server: gunicorn with 4 sync workers on a free
loopback port, in production mode (CSRF on, secure cookies), on a private database.

* 40 identical workflow steps fired at one case at the same moment: exactly one goes
  through, the other 39 get the conflict page (409), no 5xx, one audit event.
* 40 residents, each logged in through the real form, sign one initiative at the same
  moment: 40 signatures, signature_count 40, no duplicate audit sequence numbers, every
  audit chain verifies.
* A bounded load run on loopback: 2,000 requests over public pages, zero 5xx.

Runs on SQLite (a file database, writers serialised by its lock) and on PostgreSQL when
DATABASE_URL is set. The figures are printed (run with -s to see them).
"""
from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from participation import create_app
from participation.extensions import db, limiter
from participation.models import AuditEvent, Case, Signature
from participation.models._types import utcnow
from tests import second_factor as second_factor_helpers
from tests.conftest import PASSWORD, _make_database

ROOT = Path(__file__).resolve().parents[2]
N = 40
LOAD_REQUESTS = 2_000
LOAD_THREADS = 16
LOAD_MAX_SECONDS = 25
# Every page carries the session's token for htmx on <body>; forms send it as a field too.
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
# The server keys the audit chains; the test checks them afterwards with the same key.
AUDIT_KEY = secrets.token_urlsafe(48)
# The servers decrypt the coordinator's TOTP secret that the seeding app stored.
TOTP_KEY = secrets.token_urlsafe(48)


# --------------------------------------------------------------------------- HTTP client

class Browser:
    """One visitor: a cookie jar of its own (the session cookie is Secure, so the standard
    library's jar would not send it over plain http on loopback)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrf_token" in form:
                headers["X-CSRFToken"] = form["csrf_token"]
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for raw in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(raw).items():
                    self.cookies[name] = morsel.value
            return response.status, dict(response.headers), text
        finally:
            connection.close()

    def csrf(self, path: str) -> tuple[str, str]:
        status, _headers, html = self.request("GET", path)
        assert status == 200, (path, status)
        return CSRF.search(html).group(1), html

    def log_in(self, email: str) -> None:
        token, _html = self.csrf("/account/inloggen")
        status, headers, _text = self.request("POST", "/account/inloggen", {
            "csrf_token": token, "email": email, "password": PASSWORD})
        assert status == 303, (email, status)
        if headers["Location"].endswith("/account/inloggen/code"):
            self._give_code(email)

    def _give_code(self, email: str) -> None:
        """A coordinator's second step: the code of the app (pyotp), or, when that time
        step's code was used by an earlier login, the next one."""
        import pyotp

        app = pyotp.TOTP(second_factor_helpers.SECRETS[email])
        token, _html = self.csrf("/account/inloggen/code")
        for moment in (time.time(), time.time() + 30):
            status, _headers, _text = self.request("POST", "/account/inloggen/code", {
                "csrf_token": token, "code": app.at(moment)})
            if status == 303:
                return
        raise AssertionError(f"{email}: the code step refused both codes ({status})")


def hidden_fields(html: str, action_suffix: str) -> dict[str, str]:
    match = re.search(r'<form[^>]*action="[^"]*' + re.escape(action_suffix) + r'"[^>]*>(.*?)</form>',
                      html, re.DOTALL)
    assert match, action_suffix
    fields = {}
    for tag in re.findall(r"<input[^>]*>", match.group(1)):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag).group(1)
            value = re.search(r'value="([^"]*)"', tag)
            fields[name] = value.group(1) if value else ""
    return fields


def at_once(count: int, work) -> list:
    """Run work(i) in `count` threads released together; returns the results in order."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001  (reported by the assertions below)
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


# --------------------------------------------------------------------------- fixtures

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url, drop = _make_database(tmp_path_factory.mktemp("loaddb"))
    was_enabled = limiter.enabled
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x" * 40,
                      "AUDIT_KEY": AUDIT_KEY, "TOTP_KEY": TOTP_KEY,
                      "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "outbox-only",
                      "PASSWORD_HASH_CHEAP": True, "TESTING": True,
                      "UPLOAD_DIR": str(tmp_path_factory.mktemp("loaduploads"))})
    limiter.enabled = was_enabled
    with app.app_context():
        db.create_all()
        data = _seed()
    yield app, url, data
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


def _seed() -> dict:
    from participation.services import accounts, initiatives, organisations
    from participation.services import cases as case_service

    now = utcnow()
    org = organisations.create_organisation(slug="lasthuizen", name="Gemeente Lasthuizen",
                                            tier="gemeente", tooi_code="gm9901",
                                            email="info@lasthuizen.example", inhabitants=30000)
    coordinator = accounts.create_user(email="coordinator@lasthuizen.example", name="Coördinator",
                                       password=PASSWORD, verified_at=now)
    accounts.grant_role(coordinator, org, "coordinator")
    second_factor_helpers.enrol(coordinator)  # required for a coordinator
    applicant = accounts.create_user(email="indiener@example.nl", name="Indiener",
                                     password=PASSWORD, verified_at=now)
    case = case_service.start_case(org, "uitdaagrecht", applicant=applicant, title="Groen Parkwijk",
                                   now=now)
    case_service.apply_transition(case, "indienen", actor=applicant, now=now)
    draft = initiatives.InitiativeDraft(
        title="Meer bankjes", summary="Tien bankjes.", proposal="De raad besluit.",
        motivation="Om uit te rusten.", deputy_name="Piet", deputy_email="piet@example.nl",
        financial_consequences="Weinig.", names_public=False, not_excluded=True)
    initiative = initiatives.create_initiative(org, applicant=applicant, draft=draft, now=now)
    initiatives.start_collecting(initiative, actor=applicant, now=now)
    signers = []
    for n in range(N):
        user = accounts.create_user(email=f"steun{n}@example.nl", name=f"Steun {n}",
                                    password=PASSWORD, verified_at=now)
        user.birth_date = date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
        signers.append(user.email)
    db.session.commit()
    return {"org": org.slug, "case": case.id, "initiative": initiative.id, "signers": signers,
            "coordinator": coordinator.email}


def production_env(port: int, database_url: str, uploads: Path, **extra: str) -> dict[str, str]:
    """What a production gunicorn needs: fresh keys, the database, loopback links."""
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "AUDIT_KEY": AUDIT_KEY, "TOTP_KEY": TOTP_KEY,
            "TRANSPARENCY_LOG_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "IDENTITY_HASH_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url, "MAIL_BACKEND": "outbox-only",
            "UPLOAD_DIR": str(uploads), "BASE_URL": f"http://127.0.0.1:{port}", **extra}


@contextlib.contextmanager
def gunicorn(port: int, env: dict[str, str], log: Path, *, workers: int):
    """gunicorn on loopback until /healthz answers (yields its process); stopped, and its
    log checked for tracebacks, on leaving."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers),
             "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
             "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(port).request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text()[-3000:]
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    text = log.read_text()
    assert "Traceback" not in text, text[-5000:]


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    _app, url, _data = database
    port = _free_port()
    env = production_env(port, url, tmp_path_factory.mktemp("serveruploads"),
                         RATELIMIT_ENABLED="false")
    with gunicorn(port, env, tmp_path_factory.mktemp("gunicorn") / "gunicorn.log", workers=4):
        yield port


# --------------------------------------------------------------------------- tests

def test_simultaneous_identical_steps_on_one_case(database, server):
    app, _url, data = database
    browser = Browser(server)
    browser.log_in(data["coordinator"])
    page = f"/{data['org']}/werkbak/zaken/{data['case']}"
    token, html = browser.csrf(page)
    form = {**hidden_fields(html, "/stappen/ontvangst_bevestigen"), "csrf_token": token}
    assert "lock_version" in "".join(form), form
    action = f"{page}/stappen/ontvangst_bevestigen"

    results = at_once(N, lambda i: browser.request("POST", action, form)[0])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    counts = Counter(results)
    print(f"\nLOAD transitions: {dict(counts)}")
    assert counts[303] == 1, counts
    assert counts[409] == N - 1, counts
    with app.app_context():
        case = db.session.get(Case, data["case"])
        assert case.state == "intake"
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                    .order_by(AuditEvent.seq)).all()
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert [e.to_state for e in events][-2:] == ["ingediend", "intake"]


def test_simultaneous_signatures_on_one_initiative(database, server):
    from participation.services.cases import verify_all_chains

    app, _url, data = database
    page = f"/{data['org']}/initiatieven/{data['initiative']}"
    signers = []
    for email in data["signers"]:
        browser = Browser(server)
        browser.log_in(email)
        token, _html = browser.csrf(page)
        signers.append((browser, token))

    results = at_once(N, lambda i: signers[i][0].request(
        "POST", page + "/ondertekenen", {"csrf_token": signers[i][1]})[0])
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    counts = Counter(results)
    print(f"\nLOAD signatures: {dict(counts)}")
    assert counts == {303: N}, counts
    # A second round from the same accounts changes nothing.
    again = at_once(8, lambda i: signers[i][0].request(
        "POST", page + "/ondertekenen", {"csrf_token": signers[i][1]})[0])
    assert set(again) == {422}, again
    with app.app_context():
        case = db.session.get(Case, data["initiative"])
        rows = db.session.scalar(select(func.count(Signature.id))
                                 .where(Signature.case_id == case.id))
        assert case.signature_count == N == rows
        duplicates = db.session.execute(
            select(AuditEvent.case_id, AuditEvent.seq, func.count())
            .group_by(AuditEvent.case_id, AuditEvent.seq).having(func.count() > 1)).all()
        assert duplicates == []
        assert verify_all_chains() == {}


def test_bounded_load_on_public_pages(database, server):
    _app, _url, data = database
    org, case, initiative = data["org"], data["case"], data["initiative"]
    paths = ["/", f"/{org}/", f"/{org}/register", f"/{org}/register/{case}",
             f"/{org}/initiatieven/", f"/{org}/initiatieven/{initiative}", "/register?q=groen",
             "/api/v1/zaken", "/api/v1/organisaties", "/statistieken", "/healthz",
             f"/{org}/theme.css", "/api/ori/v2/vergaderingen", f"/feeds/{org}/besluiten.atom"]
    statuses: Counter = Counter()
    lock = threading.Lock()
    issued = iter(range(LOAD_REQUESTS))
    started = time.monotonic()

    def worker(_i: int) -> None:
        browser = Browser(server)
        while time.monotonic() - started < LOAD_MAX_SECONDS:
            with lock:
                n = next(issued, None)
            if n is None:
                return
            try:
                status = browser.request("GET", paths[n % len(paths)])[0]
            except OSError as exc:
                status = type(exc).__name__
            with lock:
                statuses[status] += 1

    at_once(LOAD_THREADS, worker)
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    print(f"\nLOAD public pages: {total} requests in {elapsed:.1f} s = {total / elapsed:.0f} req/s, "
          f"{LOAD_THREADS} client threads, gunicorn 4 sync workers, {db_name(_url)}; "
          f"statuses {dict(statuses)}")
    assert not [s for s in statuses if not isinstance(s, int) or s >= 500], statuses
    assert set(statuses) == {200}, statuses
    assert total == LOAD_REQUESTS, f"only {total} requests in {LOAD_MAX_SECONDS} s"


def db_name(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"
