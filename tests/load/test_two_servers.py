"""Two gunicorn instances on one PostgreSQL and one Redis behind nginx (Debian's package, with
deploy/nginx.conf, the documented production configuration): what one instance does, the other
knows at once; rate limits and logins are shared; stopping one loses no request nginx can
send to the other; and nginx compresses and forwards the client's address."""
from __future__ import annotations

import gzip
import http.client
import shutil
import string
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.load.test_concurrency_gunicorn import (
    CSRF,
    ROOT,
    Browser,
    _free_port,
    gunicorn,
    hidden_fields,
    production_env,
)

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def instances(backends, tmp_path_factory):
    """Two gunicorns with the same keys (as two servers of one installation have)."""
    postgres, redis = backends
    ports = _free_port(), _free_port()
    shared = production_env(0, postgres.url, tmp_path_factory.mktemp("twouploads"),
                            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{redis.port}/0",
                            TRUSTED_PROXIES="1")
    logs = tmp_path_factory.mktemp("twologs")
    with (gunicorn(ports[0], {**shared, "BASE_URL": f"http://127.0.0.1:{ports[0]}"},
                   logs / "a.log", workers=2) as first,
          gunicorn(ports[1], {**shared, "BASE_URL": f"http://127.0.0.1:{ports[1]}"},
                   logs / "b.log", workers=2)):
        yield ports[0], ports[1], first


@pytest.fixture(scope="module")
def nginx(instances, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: run .ci/system-packages (apt-get install nginx)")
    run_dir = tmp_path_factory.mktemp("nginx")
    port = _free_port()
    config = string.Template((ROOT / "deploy" / "nginx.conf").read_text()).safe_substitute(
        RUN_DIR=run_dir, PORT_A=instances[0], PORT_B=instances[1], LISTEN_PORT=port)
    (run_dir / "nginx.conf").write_text(config)
    subprocess.run([NGINX, "-t", "-c", str(run_dir / "nginx.conf"), "-e",
                    str(run_dir / "error.log")], check=True, capture_output=True)
    subprocess.run([NGINX, "-c", str(run_dir / "nginx.conf"), "-e", str(run_dir / "error.log")],
                   check=True, capture_output=True)
    try:
        deadline = time.monotonic() + 10
        while Browser(port).request("GET", "/healthz")[0] != 200:
            assert time.monotonic() < deadline, (run_dir / "error.log").read_text()
            time.sleep(0.1)
        yield port
    finally:
        subprocess.run([NGINX, "-c", str(run_dir / "nginx.conf"), "-e",
                        str(run_dir / "error.log"), "-s", "stop"], capture_output=True,
                       check=False)  # already stopped is fine


def test_a_login_on_one_instance_is_valid_on_the_other(instances):
    a, b, _first = instances
    visitor = Browser(a)
    visitor.log_in("inwoner@storingen.example")
    visitor.port = b  # the same cookies, the other server
    status, _headers, html = visitor.request("GET", "/mijn/zaken")
    assert status == 200 and "Groen Parkwijk" in html


def test_a_change_through_one_shows_at_once_on_the_other(backends, instances):
    postgres, _redis = backends
    a, b, _first = instances
    public = f"/storingen/register/{postgres.case_id}"
    anonymous = Browser(b)
    before = anonymous.request("GET", public)[2]  # now in b's page cache
    assert anonymous.request("GET", public)[2] == before
    official = Browser(a)
    official.log_in("coordinator@storingen.example")
    page = f"/storingen/werkbak/zaken/{postgres.case_id}"
    token, html = official.csrf(page)
    form = {**hidden_fields(html, "/stappen/ontvangst_bevestigen"), "csrf_token": token}
    assert official.request("POST", f"{page}/stappen/ontvangst_bevestigen", form)[0] == 303
    after = anonymous.request("GET", public)[2]
    assert after != before and "Ontvangst bevestigd" in after


def test_rate_limits_are_counted_once_for_both_instances(instances):
    a, b, _first = instances
    visitor = Browser(a)
    token = CSRF.search(visitor.request("GET", "/account/inloggen")[2]).group(1)
    statuses = []
    for attempt in range(12):  # the login form allows 10 a minute from one address
        visitor.port = (a, b)[attempt % 2]
        statuses.append(visitor.request("POST", "/account/inloggen", {
            "csrf_token": token, "email": "iemand@storingen.example", "password": "fout"})[0])
    # Each instance saw at most six of them (and two earlier logins): only a count shared
    # through Redis reaches the limit of ten.
    assert statuses[0] == 422 and 429 in statuses, statuses


def test_nginx_compresses_and_passes_the_clients_address(nginx):
    connection = http.client.HTTPConnection("127.0.0.1", nginx, timeout=30)
    connection.request("GET", "/storingen/register", headers={
        "Accept-Encoding": "gzip", "X-Forwarded-For": "203.0.113.9"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
    assert "Gemeente Storingen" in gzip.decompress(body).decode("utf-8")
    # Links the app makes (API urls) name the address the visitor used: nginx's.
    status, _headers, text = Browser(nginx).request("GET", "/api/v1/organisaties")
    assert status == 200 and f"127.0.0.1:{nginx}" in text


def test_stopping_one_instance_loses_no_request(instances, nginx):
    """The first instance stops (as for a deployment) while requests come in through nginx:
    every one is answered, by the second."""
    _a, _b, first = instances
    statuses: list[int] = []
    stop = threading.Event()

    def traffic() -> None:
        visitor = Browser(nginx)
        while not stop.is_set():
            try:
                statuses.append(visitor.request("GET", "/storingen/register")[0])
            except OSError:
                statuses.append(-1)

    threads = [threading.Thread(target=traffic) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    first.terminate()  # gunicorn's graceful stop: finish what it has, take nothing new
    first.wait(20)
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert len(statuses) > 50 and set(statuses) == {200}, {s: statuses.count(s)
                                                          for s in set(statuses)}
