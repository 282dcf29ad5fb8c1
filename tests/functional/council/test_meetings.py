"""Meetings: create and edit with validation, types per tier, local time stored as UTC."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from participation.extensions import db
from participation.models import Meeting


def _meeting_data(**overrides):
    data = {"title": "Raadsvergadering juni", "meeting_type": "raadsvergadering",
            "gremium": "", "day": "2026-06-15", "time": "19:30", "location": "Raadzaal",
            "status": "gepland"}
    data.update(overrides)
    return data


def test_griffie_creates_a_meeting_in_local_time(griffie_setup, client, login):
    org, griffie, _ = griffie_setup()
    login(griffie)

    response = client.post(f"/{org.slug}/griffie/vergaderingen/nieuw", data=_meeting_data())

    assert response.status_code == 303
    meeting = db.session.scalar(select(Meeting))
    assert response.headers["Location"].endswith(f"/{org.slug}/griffie/vergaderingen/{meeting.id}")
    # 19:30 summer time in Amsterdam is 17:30 UTC.
    assert meeting.starts_at == datetime(2026, 6, 15, 17, 30, tzinfo=UTC)
    assert (meeting.title, meeting.meeting_type, meeting.location, meeting.status) == (
        "Raadsvergadering juni", "raadsvergadering", "Raadzaal", "gepland")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "maandag 15 juni 2026, 19:30" in page


def test_invalid_meeting_is_shown_again_with_messages_and_input(griffie_setup, client, login):
    org, griffie, _ = griffie_setup()
    login(griffie)

    response = client.post(f"/{org.slug}/griffie/vergaderingen/nieuw", data=_meeting_data(
        title="", day="15-juni", location="Het gemeentehuis, zaal 2"))

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Controleer de volgende punten" in html
    assert "Vul de naam van de vergadering in." in html
    assert "Vul een geldige datum in" in html
    assert 'value="Het gemeentehuis, zaal 2"' in html
    assert 'aria-describedby="title-error"' in html
    assert db.session.scalar(select(Meeting)) is None


def test_title_longer_than_100_characters_is_refused(griffie_setup, client, login):
    org, griffie, _ = griffie_setup()
    login(griffie)
    response = client.post(f"/{org.slug}/griffie/vergaderingen/nieuw",
                           data=_meeting_data(title="x" * 101))
    assert response.status_code == 422
    assert "Gebruik hoogstens 100 tekens." in response.get_data(as_text=True)


def test_meeting_types_follow_the_tier(griffie_setup, client, login):
    gemeente, griffie, _ = griffie_setup()
    provincie, statengriffie, _ = griffie_setup(tier="provincie", slug="provincie-x",
                                                tooi_code="pv99")
    login(griffie)
    html = client.get(f"/{gemeente.slug}/griffie/vergaderingen/nieuw").get_data(as_text=True)
    assert 'value="raadsvergadering"' in html and 'value="commissievergadering"' in html
    assert 'value="presidium"' in html and 'value="statenvergadering"' not in html

    client.post("/account/uitloggen")
    login(statengriffie)
    html = client.get(f"/{provincie.slug}/griffie/vergaderingen/nieuw").get_data(as_text=True)
    assert 'value="statenvergadering"' in html and 'value="raadsvergadering"' not in html

    response = client.post(f"/{provincie.slug}/griffie/vergaderingen/nieuw",
                           data=_meeting_data(meeting_type="raadsvergadering"))
    assert response.status_code == 422
    assert "Kies een soort vergadering uit de lijst." in response.get_data(as_text=True)

    response = client.post(f"/{provincie.slug}/griffie/vergaderingen/nieuw",
                           data=_meeting_data(meeting_type="statenvergadering",
                                              title="Statenvergadering"))
    assert response.status_code == 303


def test_waterschap_has_its_general_assembly(griffie_setup, client, login):
    org, griffie, _ = griffie_setup(tier="waterschap", slug="ws-aa", tooi_code="ws0654")
    login(griffie)
    html = client.get(f"/{org.slug}/griffie/vergaderingen/nieuw").get_data(as_text=True)
    assert 'value="algemene_bestuursvergadering"' in html
    assert 'value="raadsvergadering"' not in html


def test_griffie_edits_a_meeting(griffie_setup, make_meeting, client, login):
    org, griffie, _ = griffie_setup()
    meeting = make_meeting(org)
    login(griffie)
    url = f"/{org.slug}/griffie/vergaderingen/{meeting.id}/bewerken"

    form = client.get(url).get_data(as_text=True)
    assert 'value="Raadsvergadering juni"' in form

    bad = client.post(url, data=_meeting_data(time="half acht", status="geannuleerd"))
    assert bad.status_code == 422
    assert "Vul een geldige tijd in" in bad.get_data(as_text=True)

    response = client.post(url, data=_meeting_data(title="Raadsvergadering (afgelast)",
                                                   status="geannuleerd", day="2026-12-01",
                                                   time="20:00"))
    assert response.status_code == 303
    db.session.refresh(meeting)
    assert meeting.title == "Raadsvergadering (afgelast)"
    assert meeting.status == "geannuleerd"
    # Winter time: 20:00 in Amsterdam is 19:00 UTC.
    assert meeting.starts_at == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def test_meeting_list_shows_upcoming_and_past(griffie_setup, make_meeting, client, login):
    org, griffie, _ = griffie_setup()
    make_meeting(org, title="Commissie Ruimte", meeting_type="commissievergadering")
    make_meeting(org, title="Raad van vorige maand", days_ahead=-30, status="gehouden")
    login(griffie)
    html = client.get(f"/{org.slug}/griffie/vergaderingen/").get_data(as_text=True)
    upcoming, past = html.split("Eerdere vergaderingen", 1)
    assert "Commissie Ruimte" in upcoming and "Commissievergadering" in upcoming
    assert "Raad van vorige maand" in past and "Gehouden" in past


def test_griffie_adds_and_edits_an_agenda_item(griffie_setup, make_meeting, client, login):
    org, griffie, _ = griffie_setup()
    meeting = make_meeting(org)
    login(griffie)
    url = f"/{org.slug}/griffie/vergaderingen/{meeting.id}/agendapunten"

    bad = client.post(url, data={"item-title": "", "item-reference": "R" * 21})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Vul de titel in." in html and "Gebruik hoogstens 20 tekens." in html

    assert client.post(url, data={"item-title": "Opening", "item-reference": ""}).status_code == 303
    assert client.post(url, data={"item-title": "Vaststelling agenda",
                                  "item-reference": "RV-2026-1"}).status_code == 303
    db.session.refresh(meeting)
    assert [(i.position, i.title) for i in meeting.agenda_items] == [
        (1, "Opening"), (2, "Vaststelling agenda")]

    item = meeting.agenda_items[1]
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/bewerken",
                           data={"position": "5", "title": "Agenda vaststellen",
                                 "reference": "RV-2026-1", "description": "Hamerstuk"})
    assert response.status_code == 303
    db.session.refresh(item)
    assert (item.position, item.title, item.description) == (5, "Agenda vaststellen", "Hamerstuk")
