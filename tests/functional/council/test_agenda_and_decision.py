"""From an admitted initiative to a published council decision, through the griffie's pages."""
from __future__ import annotations

import subprocess
from datetime import UTC, date

import pytest
from sqlalchemy import select

from participation.extensions import db
from participation.models import (
    AgendaItem,
    Attachment,
    AuditEvent,
    Decision,
    DecisionLetter,
    Notification,
    OutboxMessage,
    Vote,
)
from participation.services import attachments as attachment_service
from participation.services.council import local_date
from tests.functional.council.conftest import held, move


def _place(client, org, meeting, case):
    return client.post(f"/{org.slug}/griffie/vergaderingen/{meeting.id}/agenderen",
                       data={"place-case_id": str(case.id)})


def _to_council(client, org, case, meeting):
    """The griffie's step: the initiative goes to the council's debate in `meeting`."""
    return client.post(f"/{org.slug}/griffie/zaken/{case.id}/stap/in_raad_behandelen",
                       data={f"c{case.id}-in_raad_behandelen-meeting": str(meeting.id),
                             f"c{case.id}-in_raad_behandelen-lock_version":
                                 str(case.lock_version)})


def _decision_data(case=None, **overrides):
    data = {"result": "aangenomen", "votes_for": "21", "votes_against": "8",
            "votes_abstained": "", "note": "De raad neemt het voorstel over.",
            "lock_version": str(case.lock_version) if case else "", "rows": "10",
            "parties-0-party": "Partij voor de Stad", "parties-0-choice": "voor",
            "parties-0-seats": "12",
            "parties-1-party": "Groen Links Midden", "parties-1-choice": "tegen",
            "parties-1-seats": "8",
            "parties-2-party": "Lokaal Belang", "parties-2-choice": "verdeeld",
            "parties-2-seats": "9"}
    data.update(overrides)
    return data


@pytest.fixture()
def in_council(griffie_setup, make_initiative, make_meeting, client, login):
    """An initiative on the agenda of a council meeting, ready for the vote."""
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie)
    meeting = make_meeting(org)
    login(griffie)
    assert _place(client, org, meeting, case).status_code == 303
    db.session.refresh(case)
    response = _to_council(client, org, case, meeting)
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(case)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.case_id == case.id))
    held(meeting)
    return org, griffie, resident, case, meeting, item


def test_placing_an_admitted_initiative_creates_the_agenda_item(
        griffie_setup, make_initiative, make_meeting, client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie)
    meeting = make_meeting(org)
    login(griffie)
    page = client.get(f"/{org.slug}/griffie/vergaderingen/{meeting.id}").get_data(as_text=True)
    assert f"{case.number}: Meer bankjes in het park" in page

    response = _place(client, org, meeting, case)

    assert response.status_code == 303
    db.session.refresh(case)
    assert case.state == "geagendeerd"
    item = db.session.scalar(select(AgendaItem))
    assert (item.meeting_id, item.case_id, item.title, item.reference, item.position) == (
        meeting.id, case.id, "Meer bankjes in het park", case.number, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id)
                              .order_by(AuditEvent.seq.desc()).limit(1))
    assert (event.transition, event.inputs["meeting"]) == ("agenderen", meeting.id)
    # The initiator hears about it.
    assert db.session.scalar(select(Notification).where(Notification.user_id == resident.id)
                             .order_by(Notification.id.desc()).limit(1)).case_id == case.id


def test_initiative_not_yet_admitted_cannot_be_placed(griffie_setup, make_initiative,
                                                      make_meeting, client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie, until="ontvangst_bevestigen")
    meeting = make_meeting(org)
    login(griffie)
    response = _place(client, org, meeting, case)
    assert response.status_code == 422
    assert "kan nu niet op de agenda worden gezet" in response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.state == "toetsing"
    assert db.session.scalar(select(AgendaItem)) is None


def test_cancelled_meeting_is_refused_for_placement(griffie_setup, make_initiative,
                                                    make_meeting, client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie)
    meeting = make_meeting(org, status="geannuleerd")
    login(griffie)
    response = client.post(f"/{org.slug}/griffie/zaken/{case.id}/stap/agenderen",
                           data={f"c{case.id}-agenderen-meeting": str(meeting.id),
                                 f"c{case.id}-agenderen-lock_version": str(case.lock_version)})
    assert response.status_code == 422
    assert "Deze vergadering is afgelast." in response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.state == "toegelaten"


def test_council_step_needs_a_council_meeting_and_reuses_the_item(
        griffie_setup, make_initiative, make_meeting, client, login):
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie)
    committee = make_meeting(org, meeting_type="commissievergadering", title="Commissie Ruimte")
    council = make_meeting(org, days_ahead=21)
    login(griffie)
    assert _place(client, org, committee, case).status_code == 303
    db.session.refresh(case)

    url = f"/{org.slug}/griffie/zaken/{case.id}/stap/in_raad_behandelen"
    prefix = f"c{case.id}-in_raad_behandelen-"
    wrong = client.post(url, data={prefix + "meeting": str(committee.id),
                                   prefix + "lock_version": str(case.lock_version)})
    assert wrong.status_code == 422
    assert "Kies een vergadering van de raad" in wrong.get_data(as_text=True)

    missing = client.post(url, data={prefix + "meeting": "",
                                     prefix + "lock_version": str(case.lock_version)})
    assert missing.status_code == 422
    assert "Kies een vergadering." in missing.get_data(as_text=True)

    ok = client.post(url, data={prefix + "meeting": str(council.id),
                                prefix + "lock_version": str(case.lock_version)})
    assert ok.status_code == 303
    db.session.refresh(case)
    assert case.state == "raadsbehandeling"
    items = db.session.scalars(select(AgendaItem).order_by(AgendaItem.id)).all()
    assert [i.meeting_id for i in items] == [committee.id, council.id]


def test_recording_the_council_decision_stores_votes_and_decides_the_initiative(
        in_council, client):
    org, griffie, resident, case, meeting, item = in_council
    page = client.get(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Aangenomen zoals geamendeerd" in html
    assert html.count('name="parties-') == 30  # ten rows of three fields

    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                           data=_decision_data(case))

    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.refresh(case)
    db.session.refresh(item)
    assert case.state == "besloten"
    assert case.outcome == "aangenomen"
    assert (item.result, item.votes_for, item.votes_against, item.votes_abstained) == (
        "aangenomen", 21, 8, None)
    votes = db.session.scalars(select(Vote).where(Vote.agenda_item_id == item.id)
                               .order_by(Vote.id)).all()
    assert [(v.party, v.choice, v.seats) for v in votes] == [
        ("Partij voor de Stad", "voor", 12), ("Groen Links Midden", "tegen", 8),
        ("Lokaal Belang", "verdeeld", 9)]
    decision = db.session.scalar(select(Decision).where(Decision.case_id == case.id))
    assert decision.deciding_body == "raad"
    assert decision.outcome == "aangenomen"
    assert decision.decided_on == local_date(meeting.starts_at)
    assert decision.reasons == "De raad neemt het voorstel over."
    assert decision.published_at is None
    assert item.decision_id == decision.id
    event, sent = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                     .order_by(AuditEvent.seq.desc()).limit(2)).all()[::-1]
    assert event.transition == "besluiten"
    assert event.inputs["decision"] == decision.id and event.inputs["outcome"] == "aangenomen"
    # The council's decision goes to the initiator as a letter too (issue 14).
    assert sent.transition == "besluit_verzonden"
    assert sent.inputs["letter_sha256"] == event.inputs["letter_sha256"]
    letter = db.session.scalar(select(DecisionLetter).where(DecisionLetter.case_id == case.id))
    pdf = attachment_service.attachment_path(db.session.get(Attachment, letter.attachment_id))
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   check=True, timeout=30).stdout.decode().split())
    text = text.replace("\u2010 ", "")  # a word hyphenated at the end of a line
    assert letter.kind == "raadsbesluit"
    assert "De uitslag is: aangenomen." in text and "De raad neemt het voorstel over." in text
    assert "bezwaar" not in text  # a council decision on an initiative is not open to objection


def test_invalid_decision_is_shown_again_with_input_kept(in_council, client):
    org, griffie, resident, case, meeting, item = in_council
    data = _decision_data(case, result="", votes_against="-3",
                          **{"parties-3-party": "", "parties-3-choice": "voor",
                             "parties-4-party": "Stadspartij", "parties-4-choice": "",
                             "parties-5-seats": "veel"})
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit", data=data)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Kies de uitslag." in html
    assert "Vul 0 of een hoger getal in." in html
    assert "Vul de partij in." in html
    assert "Kies hoe deze partij stemde." in html
    assert "Vul een heel getal in" in html
    assert "Vul bij elke partij de naam en de stem in, of laat de hele regel leeg." in html
    assert 'value="Stadspartij"' in html and 'value="Partij voor de Stad"' in html
    assert 'aria-describedby="parties-4-choice-error"' in html
    db.session.refresh(case)
    assert case.state == "raadsbehandeling"
    assert db.session.scalar(select(Vote)) is None


def test_votes_must_match_the_result_and_a_hamerstuk_has_no_vote(in_council, client):
    org, griffie, resident, case, meeting, item = in_council
    url = f"/{org.slug}/griffie/agendapunten/{item.id}/besluit"
    wrong = client.post(url, data=_decision_data(case, votes_for="5", votes_against="20"))
    assert wrong.status_code == 422
    assert "niet aangenomen" in wrong.get_data(as_text=True)

    hammer = client.post(url, data=_decision_data(case, hamerstuk="y"))
    assert hammer.status_code == 422
    assert "Een hamerstuk is zonder stemming aangenomen." in hammer.get_data(as_text=True)

    only_hammer = {"result": "aangenomen", "hamerstuk": "y", "rows": "10",
                   "lock_version": str(case.lock_version)}
    assert client.post(url, data=only_hammer).status_code == 303
    db.session.refresh(item)
    assert item.hamerstuk is True and item.votes_for is None and item.votes == []


def test_more_rows_adds_ten_without_saving(in_council, client):
    org, griffie, resident, case, meeting, item = in_council
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                           data=_decision_data(case, more_rows="1"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="parties-19-party"' in html and 'name="parties-20-party"' not in html
    assert 'value="Lokaal Belang"' in html
    db.session.refresh(case)
    assert case.state == "raadsbehandeling"


def test_postponed_by_the_council(in_council, client):
    org, griffie, resident, case, meeting, item = in_council
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                           data={"result": "aangehouden", "rows": "10",
                                 "note": "Eerst advies van het college.",
                                 "lock_version": str(case.lock_version)})
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.state == "aangehouden"
    assert db.session.scalar(select(Decision)) is None


def test_stale_form_is_a_conflict(in_council, client):
    org, griffie, resident, case, meeting, item = in_council
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                           data=_decision_data(case, lock_version=str(case.lock_version - 1)))
    assert response.status_code == 409
    assert "Deze zaak is intussen gewijzigd." in response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.state == "raadsbehandeling"


def test_publishing_notifies_the_initiator_and_fills_the_decision_list(in_council, client):
    org, griffie, resident, case, meeting, item = in_council
    client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                data=_decision_data(case, result="aangenomen_geamendeerd"))
    db.session.refresh(case)
    meeting_page = client.get(f"/{org.slug}/griffie/vergaderingen/{meeting.id}")
    assert "Aangenomen zoals geamendeerd" in meeting_page.get_data(as_text=True)
    emails_before = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc())
                                      .limit(1)).id

    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/publiceren",
                           data={"lock_version": str(case.lock_version)})

    assert response.status_code == 303
    db.session.refresh(case)
    db.session.refresh(item)
    assert case.state == "gepubliceerd"
    assert item.published_at is not None
    decision = db.session.scalar(select(Decision))
    assert decision.published_at == item.published_at
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.id > emails_before))
    assert mail.recipient == resident.email
    assert "Besluit gepubliceerd" in mail.subject
    assert f"/{org.slug}/initiatieven/{case.id}" in mail.body

    again = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/publiceren",
                        data={"lock_version": str(case.lock_version)})
    assert again.status_code == 303
    assert "Dit besluit is al gepubliceerd." in client.get(
        again.headers["Location"]).get_data(as_text=True)

    besluitenlijst = client.get(f"/{org.slug}/griffie/vergaderingen/{meeting.id}/besluitenlijst")
    html = besluitenlijst.get_data(as_text=True)
    assert besluitenlijst.status_code == 200
    assert "Aangenomen zoals geamendeerd" in html
    assert "21 voor, 8 tegen" in html
    assert "Groen Links Midden" in html and "Tegen" in html
    assert "Gemeenteraad" in html


def test_published_decisions_query_returns_only_published_items(in_council, client):
    from participation.council.queries import meeting_with_items, published_decisions

    org, griffie, resident, case, meeting, item = in_council
    client.post(f"/{org.slug}/griffie/vergaderingen/{meeting.id}/agendapunten",
                data={"item-title": "Opening"})
    client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit", data=_decision_data(case))
    assert published_decisions(org.id) == []
    db.session.refresh(case)
    client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/publiceren",
                data={"lock_version": str(case.lock_version)})
    db.session.expire_all()
    published = published_decisions(org.id)
    assert [p.id for p in published] == [item.id]
    assert [v.party for v in published[0].votes][0] == "Partij voor de Stad"
    assert [i.title for i in meeting_with_items(org.id, meeting.id).agenda_items] == [
        "Meer bankjes in het park", "Opening"]
    assert meeting_with_items(org.id + 999, meeting.id) is None


def test_provincial_council_decides_as_provinciale_staten(griffie_setup, make_initiative,
                                                          make_meeting, client, login):
    org, griffie, resident = griffie_setup(tier="provincie", slug="prov", tooi_code="pv27")
    case = make_initiative(org, resident, griffie)
    meeting = make_meeting(org, meeting_type="statenvergadering", title="Statenvergadering")
    login(griffie)
    _place(client, org, meeting, case)
    db.session.refresh(case)
    _to_council(client, org, case, meeting)
    item = db.session.scalar(select(AgendaItem))
    db.session.refresh(case)
    held(meeting)
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                           data=_decision_data(case, result="verworpen", votes_for="10",
                                               votes_against="30"))
    assert response.status_code == 303
    decision = db.session.scalar(select(Decision))
    assert (decision.deciding_body, decision.outcome) == ("provinciale_staten", "verworpen")


def test_uitdaagrecht_case_with_the_council(griffie_setup, make_meeting, create_user,
                                            client, login):
    from participation.services import cases as case_service
    from tests.conftest import NOW

    org, griffie, resident = griffie_setup()
    coordinator = create_user(org=org, role="coordinator")
    case = case_service.start_case(org, "uitdaagrecht", applicant=resident,
                                   title="Groenonderhoud Parkwijk", now=NOW)
    move(case, "indienen", resident)
    move(case, "ontvangst_bevestigen", coordinator)
    move(case, "in_behandeling_nemen", coordinator)
    move(case, "raad_betrekken", coordinator, reason="Het budget moet worden aangepast.")
    meeting = make_meeting(org)
    login(griffie)
    desk = client.get(f"/{org.slug}/griffie/").get_data(as_text=True)
    assert "Groenonderhoud Parkwijk" in desk.split("Uitdaagrecht: de raad is betrokken")[1]

    assert _place(client, org, meeting, case).status_code == 303
    db.session.refresh(case)
    assert case.state == "raadsbetrokkenheid"
    item = db.session.scalar(select(AgendaItem))
    assert item.reference == case.number

    held(meeting)
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                           data=_decision_data(case))
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.state == "besluitvorming"
    assert db.session.scalar(select(Decision)) is None


def test_decision_dates_use_the_meeting_day_in_amsterdam():
    from datetime import datetime

    # 23:30 UTC on 30 June is already 1 July in Amsterdam.
    assert local_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == date(2026, 7, 1)


def test_item_without_a_case_is_decided_and_published_on_its_own(
        griffie_setup, make_meeting, client, login):
    org, griffie, _resident = griffie_setup()
    meeting = make_meeting(org)
    login(griffie)
    client.post(f"/{org.slug}/griffie/vergaderingen/{meeting.id}/agendapunten",
                data={"item-title": "Motie over de kermis", "item-reference": "M-12"})
    item = db.session.scalar(select(AgendaItem))
    page = client.get(f"/{org.slug}/griffie/vergaderingen/{meeting.id}").get_data(as_text=True)
    assert "Nog geen besluit" in page and ">Publiceren<" not in page

    held(meeting)
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit",
                           data={"result": "verworpen", "votes_for": "10",
                                 "votes_against": "19", "rows": "10"})
    assert response.status_code == 303
    page = client.get(f"/{org.slug}/griffie/vergaderingen/{meeting.id}").get_data(as_text=True)
    assert "Verworpen" in page and ">Publiceren<" in page

    assert client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/publiceren").status_code == 303
    db.session.refresh(item)
    assert item.published_at is not None and item.decision_id is None
    assert db.session.scalar(select(Decision)) is None


def test_no_decision_for_a_meeting_that_has_not_taken_place(griffie_setup, make_initiative,
                                                            make_meeting, client, login):
    """Found in a walk: a decision could be recorded for a meeting two weeks ahead."""
    org, griffie, resident = griffie_setup()
    case = make_initiative(org, resident, griffie)
    meeting = make_meeting(org, days_ahead=14)
    login(griffie)
    _place(client, org, meeting, case)
    db.session.refresh(case)
    _to_council(client, org, case, meeting)
    db.session.refresh(case)
    item = db.session.scalar(select(AgendaItem))
    url = f"/{org.slug}/griffie/agendapunten/{item.id}/besluit"
    response = client.post(url, data=_decision_data(case))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    day = local_date(meeting.starts_at).strftime("%d-%m-%Y")
    assert f"Deze vergadering heeft nog niet plaatsgevonden ({day})." in html
    assert 'value="Partij voor de Stad"' in html  # the input is kept
    db.session.refresh(case)
    assert case.state == "raadsbehandeling" and db.session.scalar(select(Decision)) is None

    held(meeting)
    db.session.refresh(case)
    assert client.post(url, data=_decision_data(case)).status_code == 303


@pytest.mark.parametrize("twice", ["Partij voor de Stad", "  partij voor  de stad "])
def test_one_party_once_per_vote(in_council, client, twice):
    """Found in a walk: the same party could be entered ten times in one vote."""
    org, griffie, resident, case, meeting, item = in_council
    data = _decision_data(case, **{"parties-3-party": twice, "parties-3-choice": "tegen"})
    response = client.post(f"/{org.slug}/griffie/agendapunten/{item.id}/besluit", data=data)
    assert response.status_code == 422
    assert "staat er meer dan één keer in. Vul elke partij één keer in." in \
        response.get_data(as_text=True)
    assert db.session.scalar(select(Vote)) is None
