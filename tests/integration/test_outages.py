"""When a dependency is away: with Redis unreachable the rate limits count in memory and
every limited form still answers (no 500); with the database unreachable every page is the
app's own 503 page with a retry hint, never a 500 or a bare page (issue 17.3)."""
from __future__ import annotations

import socket

import pytest

from participation import create_app
from participation.extensions import db, limiter


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens here once the socket is closed


@pytest.fixture()
def no_redis(database_url, app_ctx):
    was_enabled = limiter.enabled
    app = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-123", "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{closed_port()}/0",
        "MAIL_BACKEND": "outbox-only", "SERVER_NAME": None,
    })
    try:
        yield app
    finally:
        limiter.enabled = was_enabled
        with app.app_context():  # this app's own engine: its pooled connection closes now
            db.session.remove()
            db.engine.dispose()


def test_with_redis_away_the_limits_count_in_memory_and_nothing_fails(no_redis, caplog):
    client = no_redis.test_client()
    statuses = [client.post("/account/inloggen", data={"email": "a@example.nl",
                                                       "password": "fout"}).status_code
                for _ in range(12)]
    assert 500 not in statuses
    assert statuses[0] == 422 and 429 in statuses  # still limited, from memory


def test_with_the_database_away_every_page_is_the_apps_own_503(tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret-key-that-is-long-enough-123",
        "SQLALCHEMY_DATABASE_URI": f"postgresql+psycopg://nobody@127.0.0.1:{closed_port()}/none",
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
        "RATELIMIT_ENABLED": False, "MAIL_BACKEND": "outbox-only", "SERVER_NAME": None,
        "UPLOAD_DIR": str(tmp_path), "WTF_CSRF_ENABLED": False,
    })
    client = app.test_client()
    for path in ("/", "/zonnedal/register", "/register", "/api/ori/v2/vergaderingen"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 503, (path, html[:300])
        if not path.startswith("/api/"):
            assert "De dienst is tijdelijk niet beschikbaar" in html and "niet opgeslagen" in html
        assert response.headers["Retry-After"] == "30"
    api = client.get("/api/v1/zaken")
    assert api.status_code == 503 and api.get_json()["error"] == 503
    login = client.post("/account/inloggen", data={"email": "a@example.nl", "password": "x"})
    assert login.status_code == 503
    # What was typed comes back, ready to send again (a password is typed again).
    html = client.post("/account/inloggen?next=/zonnedal/", data={
        "email": "sanne@example.nl", "password": "geheim-wachtwoord-1", "remember": "y"}
    ).get_data(as_text=True)
    assert '<form method="post" action="/account/inloggen?next=/zonnedal/">' in html
    assert '<input type="hidden" name="email" value="sanne@example.nl">' in html
    assert '<input type="hidden" name="remember" value="y">' in html
    assert "geheim-wachtwoord" not in html and "Opnieuw versturen" in html
    with app.app_context():
        db.engine.dispose()
