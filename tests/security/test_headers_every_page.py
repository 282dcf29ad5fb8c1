"""The strict header set on every page of the authorisation matrix that some role can open,
as that role; cookies are HttpOnly and SameSite, Secure when configured; HSTS only when on."""
from __future__ import annotations

import pytest

from tests.security.conftest import PASSWORD, ROLES
from tests.security.test_authorisation_matrix import ROWS

PAGES = [(row, next(role for role in ROLES if row.expected[role] == 200))
         for row in ROWS if row.method == "GET" and 200 in row.expected.values()]


def directives(header: str) -> dict[str, str]:
    parts = (part.strip() for part in header.split(";") if part.strip())
    return {name: value for name, _, value in (p.partition(" ") for p in parts)}


def assert_strict_headers(response, context: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    found = directives(csp)
    if response.headers.get("Content-Disposition", "").startswith("attachment"):
        # A download is not a page: it runs nothing (sandbox) and X-Frame-Options forbids framing.
        assert "sandbox" in found, (context, csp)
    else:
        assert found.get("frame-ancestors") == "'none'", (context, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (context, csp)
    assert found.get("default-src") == "'none'", (context, csp)
    # Pages that run scripts load them from this site only.
    if "script-src" in found:
        assert found["script-src"] == "'self'", (context, csp)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff", context
    assert headers["X-Frame-Options"] == "DENY", context
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin", context
    policy = headers["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy, (context, policy)


def assert_cookie_flags(response, *, secure: bool, context: str) -> None:
    for cookie in response.headers.getlist("Set-Cookie"):
        lowered = cookie.lower()
        assert "httponly" in lowered, (context, cookie)
        assert "samesite=lax" in lowered or "samesite=strict" in lowered, (context, cookie)
        assert ("; secure" in lowered) == secure, (context, cookie)


def test_every_openable_page_is_in_the_list():
    assert len(PAGES) > 60


@pytest.mark.parametrize("row, role", PAGES, ids=[f"{r.endpoint} as {role}" for r, role in PAGES])
def test_headers_on_every_page(world, row, role):
    client = world.client(role)
    url = row.url(world)
    response = client.get(url)
    response.close()
    assert response.status_code == 200, url
    context = f"GET {url} as {role}"
    assert_strict_headers(response, context)
    assert_cookie_flags(response, secure=False, context=context)
    assert "Strict-Transport-Security" not in response.headers, context


def test_error_pages_and_refusals_carry_the_headers(world):
    for role, url, status in [
        ("anonymous", f"/{world.a}/bestaat-niet", 404),
        ("resident", f"/{world.a}/werkbak/", 403),
        ("anonymous", "/api/v1/zaken?page_size=0", 400),
        ("official_b", f"/{world.b}/werkbak/zaken/{world.ids['challenge']}", 404),
    ]:
        response = world.client(role).get(url)
        assert response.status_code == status, url
        assert_strict_headers(response, url)


def test_downloads_are_sandboxed(world):
    for role, url in [
        ("owner", (f"/{world.a}/uitdaagrecht/{world.ids['challenge']}/bijlagen/"
                  f"{world.ids['attachment']}")),
        ("anonymous", (f"/{world.a}/initiatieven/{world.ids['initiative']}/bijlagen/"
                      f"{world.ids['initiative_attachment']}")),
    ]:
        response = world.client(role).get(url)
        response.close()
        assert response.status_code == 200, url
        assert response.headers["Content-Disposition"].startswith("attachment"), url
        assert "sandbox" in directives(response.headers["Content-Security-Policy"]), url
        assert_strict_headers(response, url)


def test_login_cookie_flags_plain_and_secure(app, world):
    for secure in (False, True):
        app.config["SESSION_COOKIE_SECURE"] = secure
        try:
            client = app.test_client()
            response = client.post("/account/inloggen", data={
                "email": world.emails["resident"], "password": PASSWORD})
            assert response.status_code == 303
            cookies = response.headers.getlist("Set-Cookie")
            assert any(c.startswith("session=") for c in cookies), cookies
            assert_cookie_flags(response, secure=secure, context=f"login secure={secure}")
        finally:
            app.config["SESSION_COOKIE_SECURE"] = False


def test_hsts_on_every_page_only_when_configured(app, world):
    app.config["HSTS"] = True
    try:
        for row, role in PAGES:
            response = world.client(role).get(row.url(world))
            response.close()
            hsts = response.headers.get("Strict-Transport-Security", "")
            assert hsts.startswith("max-age="), row.endpoint
            assert int(hsts.split("=")[1].split(";")[0]) >= 31536000, row.endpoint
    finally:
        app.config["HSTS"] = False
