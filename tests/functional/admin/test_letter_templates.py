"""The admin's letter texts: a list per kind and language, an edit form that refuses unknown
fields with the line and keeps the text, a PDF preview, and the saved text in the next
letter; back to the preset with one button."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import LetterTemplate

BASE = "/zonnedal/beheer/brieven"


def pdf_text(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True,
                          timeout=30)
    return " ".join(done.stdout.decode("utf-8").split())


@pytest.fixture()
def org(create_org):
    return create_org(slug="zonnedal", name="Gemeente Zonnedal")


@pytest.fixture()
def admin(create_user, org):
    return create_user(org=org, role="admin", name="Anna Beheer")


def test_the_list_shows_every_kind_in_both_languages(client, login, admin):
    login(admin)
    html = client.get(BASE).get_data(as_text=True)
    for kind in ("toegekend", "deels_toegekend", "afgewezen", "niet_ontvankelijk",
                 "buiten_behandeling", "raadsbesluit"):
        for language in ("nl", "en"):
            assert f"{BASE}/{kind}/{language}" in html
    assert html.count("Standaardtekst") >= 12
    assert f'href="{BASE}"' in client.get("/zonnedal/beheer/").get_data(as_text=True)


def test_an_unknown_field_is_refused_with_its_line_and_the_text_is_kept(client, login, admin):
    login(admin)
    body = "Beste {{ aanvrager }},\n\nUw BSN is {{ bsn }}.\n"
    response = client.post(f"{BASE}/afgewezen/nl", data={"body": body})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Regel 3: Onbekend veld ‘bsn’." in html
    assert "Uw BSN is {{ bsn }}." in html  # the text comes back as typed
    assert db.session.scalar(select(LetterTemplate)) is None


def test_a_saved_text_is_used_for_the_preview_and_can_be_reset(client, login, admin, org):
    login(admin)
    form = client.get(f"{BASE}/toegekend/nl").get_data(as_text=True)
    assert "Wij kennen uw verzoek toe." in form and "{{ aanvrager }}" in form
    body = ("Beste {{ aanvrager }},\n\n# Ons besluit\nGoed nieuws van {{ organisatie }}: "
            "toegekend.\n\n{{ motivering }}\n\n{{ rechtsmiddelen }}\n")
    response = client.post(f"{BASE}/toegekend/nl/voorbeeld", data={"body": body})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "Goed nieuws van Gemeente Zonnedal: toegekend." in pdf_text(response.get_data())
    assert db.session.scalar(select(LetterTemplate)) is None  # a preview stores nothing

    response = client.post(f"{BASE}/toegekend/nl", data={"body": body})
    assert response.status_code == 303
    saved = db.session.scalar(select(LetterTemplate))
    assert (saved.organisation_id, saved.kind, saved.language, saved.body) == (
        org.id, "toegekend", "nl", body)
    assert "Eigen tekst" in client.get(BASE).get_data(as_text=True)

    assert client.post(f"{BASE}/toegekend/nl/standaard").status_code == 303
    assert db.session.scalar(select(LetterTemplate)) is None
    assert "Wij kennen uw verzoek toe." in client.get(f"{BASE}/toegekend/nl").get_data(
        as_text=True)


def test_unknown_kinds_and_languages_do_not_exist(client, login, admin):
    login(admin)
    assert client.get(f"{BASE}/geheim/nl").status_code == 404
    assert client.get(f"{BASE}/toegekend/de").status_code == 404
