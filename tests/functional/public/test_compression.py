"""What a browser receives: compressed pages and exports, static files under content-hashed
URLs that may be cached for good, and a page weight that a phone on a slow line can carry."""
from __future__ import annotations

import gzip
import re

import brotli
import pytest

from tests.conftest import NOW

BR = {"Accept-Encoding": "br, gzip"}
STATIC = re.compile(r'(?:href|src)="(/static/[^"]+)"')
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")


@pytest.fixture()
def public_case(create_org, make_case, make_decision):
    org = create_org(slug="rijnstad", name="Gemeente Rijnstad")
    case = make_case(org, title="Speeltuin Kerkstraat", summary="Een nieuwe speeltuin " * 40,
                     state="afgewezen", outcome="afgewezen", decided_at=NOW)
    make_decision(case, refusal_grounds=["R4"])
    return org, case


def _decoded(response) -> bytes:
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(data)
    if encoding == "gzip":
        return gzip.decompress(data)
    return data


@pytest.mark.parametrize(("accept", "encoding"), [
    ("br, gzip", "br"), ("gzip", "gzip"), ("identity", None), (None, None)])
def test_pages_are_compressed_when_the_browser_accepts_it(client, public_case, accept, encoding):
    plain = client.get("/rijnstad/register").get_data()
    headers = {"Accept-Encoding": accept} if accept else {}
    response = client.get("/rijnstad/register", headers=headers)
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == encoding
    assert "Accept-Encoding" in response.headers.get("Vary", "")
    assert _decoded(response) == plain
    if encoding:
        assert len(response.get_data()) < len(plain) / 3


@pytest.mark.parametrize("path", [
    "/open-data/rijnstad/verzoeken.csv", "/api/v1/zaken", "/feeds/rijnstad/besluiten.atom"])
def test_exports_and_feeds_are_compressed(client, public_case, make_case, path):
    for n in range(10):  # responses under 500 bytes are not worth compressing
        make_case(public_case[0], title=f"Bankje {n} aan de Kerkstraat")
    response = client.get(path, headers=BR)
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert b"/rijnstad/register/" in _decoded(response)


def test_a_compressed_cached_page_still_answers_304(client, public_case):
    first = client.get("/rijnstad/register", headers=BR)
    again = client.get("/rijnstad/register",
                       headers={**BR, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_static_urls_are_content_hashed_and_immutable(client, public_case):
    html = client.get("/rijnstad/register").get_data(as_text=True)
    urls = STATIC.findall(html)
    assert urls and all(HASHED.search(url) for url in urls), urls
    for url in urls:
        response = client.get(url, headers=BR)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=315360000" in response.headers["Cache-Control"]
        assert response.headers["Content-Encoding"] == "br", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


def test_the_plain_static_url_still_works_but_is_not_immutable(client):
    response = client.get("/static/css/app.css", headers=BR)
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert "immutable" not in response.headers["Cache-Control"]
    response.close()


@pytest.mark.parametrize("page", ["/rijnstad/register", "/rijnstad/register/{id}", "/"])
def test_a_page_with_its_css_and_scripts_weighs_under_64_kib_as_sent(client, public_case, page):
    """Was ~700 KiB uncompressed (the whole component library and tokens)."""
    _org, case = public_case
    response = client.get(page.format(id=case.id), headers=BR)
    assert response.status_code == 200
    sent = len(response.get_data())
    for url in STATIC.findall(_decoded(response).decode()):
        asset = client.get(url, headers=BR)
        sent += len(asset.get_data())
        asset.close()
    assert sent < 64 * 1024, sent
