"""Language on a first visit: the visitor's choice, else the browser's preference among the
languages we have, else Dutch."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize(("accept", "lang"), [
    (None, "nl"),
    ("en", "en"),
    ("en-GB,en;q=0.9", "en"),
    ("en-US,en;q=0.9,nl;q=0.8", "en"),
    ("nl-NL,nl;q=0.9,en;q=0.8", "nl"),
    ("de-DE,de;q=0.9", "nl"),           # a language we do not have: Dutch
    ("fr;q=0.9,en;q=0.5", "en"),
    ("*", "nl"),
])
def test_first_visit_follows_the_browser(client, accept, lang):
    headers = {"Accept-Language": accept} if accept else {}
    html = client.get("/", headers=headers).get_data(as_text=True)
    assert f'<html lang="{lang}"' in html


def test_a_choice_made_on_the_site_wins_over_the_browser(client):
    client.get("/lang/nl")
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nl"' in html
    client.get("/lang/en")
    html = client.get("/", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert '<html lang="en"' in html


def test_cached_pages_keep_the_languages_apart(client, create_org):
    create_org(slug="rijnstad", name="Gemeente Rijnstad")
    dutch = client.get("/rijnstad/register", headers={"Accept-Language": "nl"})
    english = client.get("/rijnstad/register", headers={"Accept-Language": "en"})
    assert "Register van verzoeken" in dutch.get_data(as_text=True)
    assert "Register of requests" in english.get_data(as_text=True)
    assert "Accept-Language" in english.headers["Vary"]
