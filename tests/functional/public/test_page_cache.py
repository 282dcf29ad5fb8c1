"""Anonymous visitors of public pages get a stored copy (participation.pagecache): the same
bytes as a fresh render, never stale after a change, never another visitor's page."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from participation.extensions import db
from participation.pagecache import page_cache
from tests.functional.public.conftest import count_statements


@pytest.fixture()
def public_case(create_org, make_case):
    org = create_org(slug="rijnstad", name="Gemeente Rijnstad")
    return org, make_case(org, title="Speeltuin Kerkstraat", summary="Een nieuwe speeltuin")


def _statements(client, url: str, **kwargs) -> tuple[int, object]:
    with count_statements() as seen:
        response = client.get(url, **kwargs)
    return len(seen), response


@pytest.mark.parametrize("path", ["/rijnstad/", "/rijnstad/register", "/register",
                                  "/rijnstad/register?q=speeltuin", "CASE", "/rijnstad/statistieken",
                                  "/feeds/rijnstad/besluiten.atom", "/api/v1/zaken"])
def test_a_repeated_anonymous_visit_is_served_from_the_cache(client, public_case, path):
    org, case = public_case
    url = f"/rijnstad/register/{case.id}" if path == "CASE" else path
    first_count, first = _statements(client, url)
    second_count, second = _statements(client, url)
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data()
    # One statement: the organisation with its change marker (or the marker alone).
    assert second_count <= 1
    assert second_count < first_count or path == "/rijnstad/"
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "Cookie" in second.headers["Vary"]


def test_an_unchanged_page_answers_304_to_a_browser_that_has_it(client, public_case):
    first = client.get("/rijnstad/register")
    again = client.get("/rijnstad/register", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert first.headers["Cache-Control"] == "no-cache"  # stored, but always checked with us


def test_a_change_through_the_app_shows_at_once(client, public_case):
    org, case = public_case
    assert "Speeltuin Kerkstraat" in client.get("/rijnstad/register").get_data(as_text=True)
    case.title = "Moestuin Kerkstraat"
    db.session.commit()
    page = client.get("/rijnstad/register").get_data(as_text=True)
    assert "Moestuin Kerkstraat" in page and "Speeltuin Kerkstraat" not in page


def test_a_change_by_another_worker_process_shows_at_once(client, public_case, app):
    """Another gunicorn worker's commit does not reach this process's counter; the marker
    (the latest updated_at of the organisation's cases) does."""
    org, case = public_case
    assert "Speeltuin Kerkstraat" in client.get(f"/rijnstad/register/{case.id}").get_data(as_text=True)
    with db.engine.connect() as other_worker:  # not through the Session: no event fires here
        other_worker.execute(text("UPDATE cases SET title = 'Hondenuitlaatveld', updated_at = :now "
                                  "WHERE id = :id"), {"now": datetime(2030, 1, 1, tzinfo=UTC), "id": case.id})
        other_worker.commit()
    db.session.expire_all()  # a worker's request starts with a fresh session
    page = client.get(f"/rijnstad/register/{case.id}").get_data(as_text=True)
    assert "Hondenuitlaatveld" in page


def test_a_copy_is_dropped_after_page_cache_seconds(client, public_case, app, monkeypatch):
    org, case = public_case
    client.get("/rijnstad/register")
    with db.engine.connect() as other_worker:  # a change the marker does not see
        other_worker.execute(text("UPDATE organisations SET name = 'Gemeente Nieuwstad' WHERE id = :id"),
                             {"id": org.id})
        other_worker.commit()
    db.session.expire_all()  # a worker's request starts with a fresh session
    assert "Gemeente Nieuwstad" not in client.get("/rijnstad/register").get_data(as_text=True)
    import participation.pagecache as pagecache

    later = pagecache.time.time() + app.config["PAGE_CACHE_SECONDS"] + 1
    monkeypatch.setattr(pagecache.time, "time", lambda: later)
    assert "Gemeente Nieuwstad" in client.get("/rijnstad/register").get_data(as_text=True)


def test_logged_in_users_never_get_or_leave_a_copy(client, public_case, create_user, login):
    org, case = public_case
    anonymous = client.get("/rijnstad/register").get_data(as_text=True)
    assert "Uitloggen" not in anonymous
    user = create_user(org=org, role="official", name="Ambtenaar Jansen")
    login(user)
    personal = client.get("/rijnstad/register")
    assert "Uitloggen" in personal.get_data(as_text=True)
    assert "ETag" not in personal.headers
    client.post("/account/uitloggen")
    assert "Uitloggen" not in client.get("/rijnstad/register").get_data(as_text=True)


def test_anonymous_copies_set_no_cookie_and_carry_no_csrf_token(client, public_case):
    for _ in range(2):
        response = client.get("/rijnstad/register")
        assert "Set-Cookie" not in response.headers
        assert "X-CSRFToken" not in response.get_data(as_text=True)


def test_each_language_and_the_htmx_fragment_have_their_own_copy(client, public_case):
    dutch = client.get("/rijnstad/register").get_data(as_text=True)
    fragment = client.get("/rijnstad/register", headers={"HX-Request": "true"}).get_data(as_text=True)
    client.get("/lang/en")
    english = client.get("/rijnstad/register").get_data(as_text=True)
    assert "Register van verzoeken" in dutch
    assert "<html" not in fragment and "zaak gevonden" in fragment
    assert "Register of requests and initiatives" in english
    assert english != dutch
    client.get("/lang/nl")
    assert client.get("/rijnstad/register").get_data(as_text=True) == dutch


def test_pending_messages_are_shown_not_a_copy(client, public_case):
    client.get("/rijnstad/register")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Uw bericht is verstuurd.")]
    assert "Uw bericht is verstuurd." in client.get("/rijnstad/register").get_data(as_text=True)


def test_page_cache_seconds_zero_turns_it_off(client, public_case, app, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)
    page_cache().clear()
    client.get("/rijnstad/register")  # fills the figures cache (counts, facets)
    first_count, _ = _statements(client, "/rijnstad/register")
    second_count, second = _statements(client, "/rijnstad/register")
    assert second_count == first_count
    assert "ETag" not in second.headers


def test_the_cache_holds_at_most_page_cache_mb(client, public_case, app, monkeypatch):
    cache = page_cache()
    cache.clear()
    one_page = len(client.get("/rijnstad/register?q=een").get_data())
    monkeypatch.setattr(cache, "max_bytes", 3 * one_page + 100)  # room for three, not four
    for word in ("twee", "drie", "vier", "vijf"):
        assert client.get(f"/rijnstad/register?q={word}").status_code == 200
    assert len(cache) == 3 and cache.bytes <= cache.max_bytes
    # The least recently used copy went first: the newest pages are still served from memory.
    with count_statements() as seen:
        client.get("/rijnstad/register?q=vijf")
    assert len(seen) == 1
