"""Whether an address has an account must not show: registration does the same work and says
the same words either way, and an unknown address gets the lock message after as many failed
logins as a known one (issue 17.7)."""
from __future__ import annotations

import pytest

from participation.services import accounts
from tests.conftest import PASSWORD


@pytest.fixture()
def known(create_user):
    return create_user(email="bekend@example.nl", name="Bekende Inwoner")


def _register(client, email: str):
    return client.post("/account/registreren", data={
        "name": "Iemand", "email": email, "password": "een-lang-wachtwoord-2026",
        "password_repeat": "een-lang-wachtwoord-2026", "accept_privacy": "y"})


def test_registration_hashes_once_and_answers_alike_for_known_and_new(client, known,
                                                                      monkeypatch):
    calls = []
    real = accounts.hash_password
    monkeypatch.setattr(accounts, "hash_password", lambda pw: calls.append(pw) or real(pw))
    answers = []
    for email in ("bekend@example.nl", "nieuw@example.nl"):
        calls.clear()
        response = _register(client, email)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append(page.replace(email, "<adres>"))
        assert len(calls) == 1, email  # the same Argon2 work for both
    assert answers[0] == answers[1]


def test_the_lock_message_comes_for_unknown_addresses_too(client, known, app):
    limit = app.config["LOGIN_MAX_FAILURES"]
    texts = {}
    for email in ("bekend@example.nl", "onbekend@example.nl"):
        for _ in range(limit):
            response = client.post("/account/inloggen", data={"email": email,
                                                              "password": "fout-" + PASSWORD})
        html = response.get_data(as_text=True)
        texts[email] = "te vaak een verkeerd wachtwoord" in html
    assert texts == {"bekend@example.nl": True, "onbekend@example.nl": True}
