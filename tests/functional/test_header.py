"""The header on every page: "Mijn zaken" one click away with the number of unread
notifications for a logged-in user, and a login link that comes back to the page."""
from __future__ import annotations

import pytest

from participation.extensions import db
from participation.models import Notification
from tests.conftest import PASSWORD


@pytest.fixture()
def org(create_org):
    return create_org(slug="zonnedal", name="Gemeente Zonnedal")


@pytest.mark.parametrize("path", ["/", "/zonnedal/", "/zonnedal/register", "/account/profiel",
                                  "/mijn/meldingen"])
def test_mijn_zaken_is_in_the_header_of_every_page_with_the_unread_count(
        client, login, create_user, org, path):
    resident = create_user(name="Sanne de Vries")
    db.session.add_all([Notification(user_id=resident.id, text=f"Bericht {i}", url="/")
                        for i in range(3)])
    db.session.commit()
    login(resident)
    html = client.get(path).get_data(as_text=True)
    header = html[html.index('<header'):html.index('</header>')]
    assert 'href="/mijn/zaken"' in header and "Mijn zaken" in header
    assert '<span class="count-badge">3<span class="visually-hidden"> nieuwe meldingen</span>' \
        in header


def test_no_badge_without_unread_notifications_and_no_link_for_visitors(client, login,
                                                                          create_user, org):
    assert "Mijn zaken" not in client.get("/zonnedal/register").get_data(as_text=True)
    login(create_user())
    html = client.get("/zonnedal/register").get_data(as_text=True)
    assert "Mijn zaken" in html and "count-badge" not in html


def test_the_login_link_brings_the_visitor_back_to_the_page(client, create_user, org):
    html = client.get("/zonnedal/register?q=speeltuin").get_data(as_text=True)
    assert 'href="/account/inloggen?next=/zonnedal/register?q%3Dspeeltuin"' in html
    resident = create_user(email="terug@example.nl")
    response = client.post("/account/inloggen?next=/zonnedal/register?q%3Dspeeltuin", data={
        "email": resident.email, "password": PASSWORD,
        "next": "/zonnedal/register?q=speeltuin"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/zonnedal/register?q=speeltuin")


def test_the_login_page_wears_the_look_of_the_organisation_the_visitor_came_from(client, org):
    html = client.get("/account/inloggen?next=/zonnedal/register").get_data(as_text=True)
    header = html[html.index("<header"):html.index("</header>")]
    assert "Gemeente Zonnedal" in header and "/zonnedal/theme.css" in html
    assert 'href="/zonnedal/register"' in html  # the organisation's menu
    plain = client.get("/account/inloggen").get_data(as_text=True)
    assert "Gemeente Zonnedal" not in plain
    # An unknown or unsafe target changes nothing.
    for target in ("/bestaat-niet/register", "//evil.example/zonnedal"):
        page = client.get(f"/account/inloggen?next={target}").get_data(as_text=True)
        assert "Gemeente Zonnedal" not in page
