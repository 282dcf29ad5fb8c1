"""Every page, including error pages, carries the strict header set."""
from __future__ import annotations

import pytest


def _directives(header: str) -> dict[str, str]:
    parts = (part.strip() for part in header.split(";") if part.strip())
    return {name: value for name, _, value in (p.partition(" ") for p in parts)}


def _assert_strict_headers(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = _directives(csp)
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.fixture()
def org_path(create_org):
    return f"/{create_org().slug}/"


@pytest.mark.parametrize("path, status", [
    ("/", 200), ("/toegankelijkheid", 200), ("/privacy", 200), ("/contact", 200),
    ("/bestaat-niet/", 404), ("/toegankelijkheid/extra", 404),
])
def test_install_wide_pages_have_strict_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    _assert_strict_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_organisation_pages_and_theme_have_strict_headers(client, org_path):
    for path in (org_path, org_path + "theme.css", org_path + "bestaat-niet"):
        _assert_strict_headers(client.get(path))
    theme = client.get(org_path + "theme.css")
    assert theme.mimetype == "text/css" and "--org-primary-color" in theme.get_data(as_text=True)


def test_static_files_have_strict_headers(client):
    response = client.get("/static/css/app.css")
    response.close()  # static files are streamed from an open file
    assert response.status_code == 200
    _assert_strict_headers(response)


def test_hsts_only_when_configured(app, client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["HSTS"] = True
    try:
        response = client.get("/")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert int(response.headers["Strict-Transport-Security"].split("=")[1].split(";")[0]) >= 31536000
    finally:
        app.config["HSTS"] = False
