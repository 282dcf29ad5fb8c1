"""A bad day for real: gunicorn (production mode, 2 workers) on a PostgreSQL and a Redis of
the test's own, and then the Redis is stopped and the PostgreSQL restarted under traffic.

* Redis stopped: login, registration and the filing pages keep answering (no 5xx); the rate
  limits count in memory meanwhile (a login is still refused after too many tries) and the
  switch is logged; when Redis is back, nothing is different for the visitor.
* PostgreSQL restarted while requests come in: every answer is a page (200/303/422) or the
  app's own Dutch 503 page with Retry-After — never a 500, never gunicorn's bare error page
  — a form posted during the outage comes back with what was typed, and within seconds of
  the restart everything answers 200 again.

The PostgreSQL cluster is made with initdb in a temporary folder (as the postgres user when
the suite runs as root), so the machine's own database is never touched.
"""
from __future__ import annotations

import threading
import time

import pytest

from tests.load.test_concurrency_gunicorn import (
    CSRF,
    Browser,
    _free_port,
    gunicorn,
    production_env,
)

ALLOWED = {200, 303, 422, 429, 503}


@pytest.fixture(scope="module")
def server(backends, tmp_path_factory):
    postgres, redis = backends
    port = _free_port()
    env = production_env(port, postgres.url, tmp_path_factory.mktemp("faultserver"),
                         RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis.port}/0")
    log = tmp_path_factory.mktemp("faultgunicorn") / "gunicorn.log"
    with gunicorn(port, env, log, workers=2):
        yield port, log


def _is_the_apps_503(status: int, headers: dict, html: str) -> bool:
    # Retry-After: 30 from the app, or the rate limit's window on a limited form.
    return status == 503 and headers.get("Retry-After", "").isdigit() and \
        "De dienst is tijdelijk niet beschikbaar" in html


def test_with_redis_stopped_the_forms_answer_and_limits_count_in_memory(backends, server):
    _postgres, redis = backends
    port, log = server
    redis.stop()
    try:
        visitor = Browser(port)
        for path in ("/", "/account/inloggen", "/account/registreren",
                     "/storingen/uitdaagrecht/", "/storingen/register"):
            status, _headers, _html = visitor.request("GET", path)
            assert status == 200, path
        token = CSRF.search(visitor.request("GET", "/account/inloggen")[2]).group(1)
        statuses = [visitor.request("POST", "/account/inloggen", {
            "csrf_token": token, "email": "niemand@storingen.example", "password": "fout"})[0]
            for _ in range(25)]  # two workers, each counting in its own memory
        assert not [s for s in statuses if s >= 500], statuses
        assert statuses[0] == 422 and 429 in statuses  # still limited, from memory
        assert "falling back to" in log.read_text().lower() or "fallback" in \
            log.read_text().lower()
    finally:
        redis.start()
    # Redis is back: every page answers as before (the memory counts have done their job).
    for path in ("/", "/account/inloggen", "/account/registreren", "/storingen/register"):
        assert Browser(port).request("GET", path)[0] == 200, path


def test_a_postgresql_restart_under_traffic_gives_pages_or_the_apps_503(backends, server):
    postgres, _redis = backends
    port, log = server
    results: list[tuple[str, int, dict, str]] = []
    stop = threading.Event()

    def traffic(path: str) -> None:
        visitor = Browser(port)
        while not stop.is_set():
            try:
                status, headers, html = visitor.request("GET", path)
            except OSError as exc:  # a refused connection would be gunicorn's fault
                results.append((path, -1, {}, repr(exc)))
                continue
            results.append((path, status, headers, html))

    threads = [threading.Thread(target=traffic, args=(path,)) for path in
               ("/", "/storingen/register", "/api/v1/zaken", "/account/inloggen")]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    postgres.pg_ctl("stop", "-m", "fast")
    try:
        time.sleep(1.5)
    finally:
        postgres.pg_ctl("start")
    restarted = time.monotonic()
    recovered_after = None
    while time.monotonic() - restarted < 15:
        if all(Browser(port).request("GET", p)[0] == 200
               for p in ("/", "/storingen/register", "/api/v1/zaken")):
            recovered_after = time.monotonic() - restarted
            break
        time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(30)

    statuses = [status for _path, status, _h, _t in results]
    outages = [(p, s, h, t) for p, s, h, t in results if s == 503]
    print(f"\n{len(results)} requests during the restart: "
          f"{ {s: statuses.count(s) for s in set(statuses)} }, back after {recovered_after} s")
    assert recovered_after is not None, "the app did not recover within 15 s of the restart"
    assert set(statuses) <= ALLOWED, [(p, s, t[:200]) for p, s, _h, t in results
                                      if s not in ALLOWED][:5]
    assert outages, "the traffic never met the outage"
    for path, status, headers, html in outages:
        if path.startswith("/api/"):
            assert headers.get("Retry-After", "").isdigit()
            assert '"error":503' in html.replace(" ", "")
        else:
            assert _is_the_apps_503(status, headers, html), html[:300]
    assert "Traceback" not in log.read_text()


def test_a_form_posted_while_postgresql_is_away_comes_back_with_its_input(backends, server):
    postgres, _redis = backends
    port, _log = server
    visitor = Browser(port)
    token = CSRF.search(visitor.request("GET", "/account/registreren")[2]).group(1)
    postgres.pg_ctl("stop", "-m", "fast")
    try:
        status, headers, html = visitor.request("POST", "/account/registreren", {
            "csrf_token": token, "name": "Sanne de Vries", "email": "sanne@storingen.example",
            "password": "een-lang-geheim-wachtwoord", "password_repeat": "een-lang-geheim-wachtwoord",
            "accept_privacy": "y"})
    finally:
        postgres.pg_ctl("start")
    assert _is_the_apps_503(status, headers, html), (status, html[:300])
    assert '<input type="hidden" name="name" value="Sanne de Vries">' in html
    assert '<input type="hidden" name="email" value="sanne@storingen.example">' in html
    assert "geheim-wachtwoord" not in html and "Opnieuw versturen" in html
