"""The griffie's desk and who may use the griffie pages."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import AgendaItem, Meeting
from participation.services import cases as case_service
from tests.conftest import NOW


def test_desk_groups_initiatives_by_state_with_their_steps(griffie_setup, make_initiative,
                                                           make_meeting, client, login):
    org, griffie, resident = griffie_setup()
    admitted = make_initiative(org, resident, griffie, title="Speeltuin Oost")
    checking = make_initiative(org, resident, griffie, title="Minder verkeer",
                               until="ontvangst_bevestigen")
    make_meeting(org, title="Raad september")
    login(griffie)

    html = client.get(f"/{org.slug}/griffie/").get_data(as_text=True)

    toetsing, toegelaten = html.split(">Wordt gecontroleerd")[1], html.split(">Toegelaten")[1]
    assert "Minder verkeer" in toetsing.split("Speeltuin Oost")[0]
    assert "Speeltuin Oost" in toegelaten
    assert f'action="/{org.slug}/griffie/zaken/{checking.id}/stap/herstel_vragen"' in html
    assert f'action="/{org.slug}/griffie/zaken/{checking.id}/stap/niet_toelaten"' in html
    assert "X4: De raad heeft hier minder dan 2 jaar geleden over besloten" in html
    assert f'action="/{org.slug}/griffie/zaken/{admitted.id}/stap/agenderen"' in html
    assert "Raad september" in html  # in the meeting select and under upcoming meetings


def test_not_admitting_needs_exclusions_and_a_reason(griffie_setup, make_initiative,
                                                     client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie, until="ontvangst_bevestigen")
    login(griffie)
    url = f"/{org.slug}/griffie/zaken/{case.id}/stap/niet_toelaten"
    prefix = f"c{case.id}-niet_toelaten-"

    bad = client.post(url, data={prefix + "reason": "Valt buiten de bevoegdheid.",
                                 prefix + "lock_version": str(case.lock_version)})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "Controleer de volgende punten" in html
    assert "Valt buiten de bevoegdheid." in html  # input kept
    db.session.refresh(case)
    assert case.state == "toetsing"

    ok = client.post(url, data={prefix + "reason": "Valt buiten de bevoegdheid.",
                                prefix + "exclusions": ["X1", "X3"],
                                prefix + "lock_version": str(case.lock_version)})
    assert ok.status_code == 303
    db.session.refresh(case)
    assert case.state == "niet_toegelaten"


def test_asking_for_repair_with_a_term(griffie_setup, make_initiative, client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie, until="ontvangst_bevestigen")
    login(griffie)
    url = f"/{org.slug}/griffie/zaken/{case.id}/stap/herstel_vragen"
    prefix = f"c{case.id}-herstel_vragen-"
    page = client.get(url)
    assert page.status_code == 200
    assert "Wat moet de indiener herstellen?" in page.get_data(as_text=True)

    bad = client.post(url, data={prefix + "question": "Er missen 12 handtekeningen.",
                                 prefix + "term_days": "veertien",
                                 prefix + "lock_version": str(case.lock_version)})
    assert bad.status_code == 422
    assert "Vul een heel getal in" in bad.get_data(as_text=True)

    ok = client.post(url, data={prefix + "question": "Er missen 12 handtekeningen.",
                                prefix + "term_days": "14",
                                prefix + "lock_version": str(case.lock_version)})
    assert ok.status_code == 303
    db.session.refresh(case)
    assert case.state == "herstel"
    assert case.state_deadline is not None


def test_stale_step_form_is_a_conflict(griffie_setup, make_initiative, client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie, until="ontvangst_bevestigen")
    login(griffie)
    response = client.post(f"/{org.slug}/griffie/zaken/{case.id}/stap/toelaten",
                           data={f"c{case.id}-toelaten-lock_version": str(case.lock_version - 1)})
    assert response.status_code == 409
    assert "Deze zaak is intussen gewijzigd." in response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.state == "toetsing"


def test_unknown_step_and_item_steps_are_not_found(griffie_setup, make_initiative, client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie)
    login(griffie)
    assert client.get(f"/{org.slug}/griffie/zaken/{case.id}/stap/bestaat_niet").status_code == 404
    assert client.get(f"/{org.slug}/griffie/zaken/{case.id}/stap/besluiten").status_code == 404



@pytest.mark.parametrize(("name", "message"), [
    ("indienen", "U mag deze stap niet zetten."),            # the initiator's step
    ("herstel_vragen", "Deze stap kan nu niet."),             # the griffie's, not in this state
])
def test_step_page_offers_no_form_for_a_step_the_user_cannot_take(
        griffie_setup, make_initiative, client, login, name, message):
    org, griffie, resident = griffie_setup()
    if name == "indienen":  # collecting support, where the initiator may submit
        case = case_service.start_case(org, "burgerinitiatief", applicant=resident,
                                       title="Meer bankjes", now=NOW)
        case_service.apply_transition(case, "steun_verzamelen_starten", actor=resident, now=NOW)
        db.session.commit()
    else:
        case = make_initiative(org, resident, griffie)  # admitted
    login(griffie)
    url = f"/{org.slug}/griffie/zaken/{case.id}/stap/{name}"

    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert message in html
    assert f'action="{url}"' not in html
    version = case.lock_version
    refused = client.post(url, data={f"c{case.id}-{name}-lock_version": str(version)})
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    db.session.refresh(case)
    assert case.lock_version == version


def test_step_page_offers_the_form_for_a_step_the_user_can_take(griffie_setup, make_initiative,
                                                                client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie, until="ontvangst_bevestigen")
    login(griffie)
    url = f"/{org.slug}/griffie/zaken/{case.id}/stap/herstel_vragen"
    html = client.get(url).get_data(as_text=True)
    assert f'action="{url}"' in html

# --------------------------------------------------------------------------- access

@pytest.fixture()
def two_orgs(griffie_setup, make_initiative, make_meeting):
    org, griffie, resident = griffie_setup()
    other, other_griffie, _ = griffie_setup()
    case = make_initiative(org, resident, griffie)
    meeting = make_meeting(org)
    item = AgendaItem(meeting_id=meeting.id, case_id=case.id, title=case.title,
                      reference=case.number, updated_at=NOW)
    db.session.add(item)
    db.session.commit()
    return org, other, griffie, other_griffie, resident, case, meeting, item


def _urls(org, case, meeting, item):
    base = f"/{org.slug}/griffie"
    return [("get", f"{base}/"), ("get", f"{base}/vergaderingen/"),
            ("get", f"{base}/vergaderingen/nieuw"),
            ("get", f"{base}/vergaderingen/{meeting.id}"),
            ("get", f"{base}/vergaderingen/{meeting.id}/bewerken"),
            ("get", f"{base}/vergaderingen/{meeting.id}/besluitenlijst"),
            ("post", f"{base}/vergaderingen/{meeting.id}/agenderen"),
            ("post", f"{base}/vergaderingen/{meeting.id}/agendapunten"),
            ("get", f"{base}/agendapunten/{item.id}/bewerken"),
            ("get", f"{base}/agendapunten/{item.id}/besluit"),
            ("post", f"{base}/agendapunten/{item.id}/publiceren"),
            ("get", f"{base}/zaken/{case.id}/stap/agenderen")]


@pytest.mark.parametrize("role", ["official", "coordinator", None])
def test_staff_without_griffie_role_and_residents_get_403(two_orgs, create_user, client, login,
                                                          role):
    org, other, griffie, other_griffie, resident, case, meeting, item = two_orgs
    user = create_user(org=org, role=role) if role else resident
    login(user)
    for method, url in _urls(org, case, meeting, item):
        assert getattr(client, method)(url).status_code == 403, url
    assert db.session.scalar(select(Meeting).where(Meeting.organisation_id == org.id)) == meeting


def test_anonymous_visitors_are_sent_to_login(two_orgs, client):
    org, other, griffie, other_griffie, resident, case, meeting, item = two_orgs
    for method, url in _urls(org, case, meeting, item):
        response = getattr(client, method)(url)
        assert response.status_code in (302, 303), url
        assert "/account/inloggen" in response.headers["Location"]


def test_griffie_of_another_organisation(two_orgs, client, login):
    org, other, griffie, other_griffie, resident, case, meeting, item = two_orgs
    login(other_griffie)
    # In the other organisation's pages: no role there.
    assert client.get(f"/{org.slug}/griffie/vergaderingen/{meeting.id}").status_code == 403
    # In its own organisation's pages, this organisation's objects do not exist.
    for method, url in _urls(other, case, meeting, item)[3:]:
        assert getattr(client, method)(url).status_code == 404, url


def test_admin_may_use_the_griffie_pages(two_orgs, create_user, client, login):
    org, other, griffie, other_griffie, resident, case, meeting, item = two_orgs
    admin = create_user(org=org, role="admin")
    login(admin)
    assert client.get(f"/{org.slug}/griffie/vergaderingen/{meeting.id}").status_code == 200
    assert client.get(f"/{org.slug}/griffie/").status_code == 200


def test_a_full_state_shows_its_longest_waiting_and_pages_the_rest(
        griffie_setup, make_initiative, client, login, monkeypatch):
    """The desk stays one screen however many initiatives wait: per state the longest
    waiting, with a link to all of that state in pages."""
    monkeypatch.setattr("participation.council.queries.DESK_PER_STATE", 3)
    monkeypatch.setattr("participation.council.queries.DESK_PAGE_SIZE", 2)
    org, griffie, resident = griffie_setup()
    for n in range(5):
        make_initiative(org, resident, griffie, title=f"Initiatief nummer {n}")
    login(griffie)

    html = client.get(f"/{org.slug}/griffie/").get_data(as_text=True)
    assert [n for n in range(5) if f"Initiatief nummer {n}" in html] == [0, 1, 2]
    assert ">Toegelaten (5)<" in html
    assert f'href="/{org.slug}/griffie/?fase=toegelaten">Alle 5 zaken in deze fase</a>' in html

    pages = [client.get(f"/{org.slug}/griffie/?fase=toegelaten&pagina={p}").get_data(
        as_text=True) for p in (1, 2, 3)]
    assert [[n for n in range(5) if f"Initiatief nummer {n}" in page] for page in pages] == [
        [0, 1], [2, 3], [4]]
    assert ('page-link--current" aria-current="page" '
            f'href="/{org.slug}/griffie/?fase=toegelaten&amp;pagina=2"') in pages[1]
    assert "Terug naar het overzicht van de griffie" in pages[1]
    # Past the last page: the last page; an unknown state or page: the overview.
    assert "Initiatief nummer 4" in client.get(
        f"/{org.slug}/griffie/?fase=toegelaten&pagina=99").get_data(as_text=True)
    other = client.get(f"/{org.slug}/griffie/?fase=bestaat-niet&pagina=x")
    assert other.status_code == 200 and "Alle 5 zaken in deze fase" in other.get_data(
        as_text=True)
