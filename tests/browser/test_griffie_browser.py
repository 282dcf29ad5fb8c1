"""The griffie in a real browser: create a meeting, put an admitted initiative on the agenda,
record the council's decision with the vote and publish it; the initiator hears about it."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from participation.extensions import db
from tests.browser.helpers import assert_accessible
from tests.conftest import PASSWORD, dutch_today


def _admitted_initiative(app, org_slug: str, applicant_email: str,
                         griffie_email: str) -> tuple[int, str]:
    """An initiative filed by the resident and admitted by the griffie, through the workflow."""
    from sqlalchemy import select

    from participation.models import Organisation, User
    from participation.services import cases as case_service

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        applicant = db.session.scalar(select(User).where(User.email == applicant_email))
        griffie = db.session.scalar(select(User).where(User.email == griffie_email))
        now = datetime.now(UTC)
        case = case_service.start_case(org, "burgerinitiatief", applicant=applicant,
                                       title="Een pluktuin bij de bibliotheek", now=now)
        case.summary = "Fruitbomen en bessenstruiken voor iedereen."
        case_service.apply_transition(case, "indienen", actor=applicant, now=now)
        case_service.apply_transition(case, "ontvangst_bevestigen", actor=griffie, now=now)
        case_service.apply_transition(case, "toelaten", actor=griffie, now=now)
        db.session.commit()
        return case.id, case.number


def _meeting_held(app, org_slug: str) -> None:
    from sqlalchemy import select

    from participation.models import Meeting, Organisation

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        for meeting in db.session.scalars(select(Meeting).where(
                Meeting.organisation_id == org.id, Meeting.status == "gepland")):
            meeting.starts_at = datetime.now(UTC) - timedelta(hours=2)
            meeting.status = "gehouden"
        db.session.commit()


def _log_in(page: Page, email: str) -> None:
    page.goto("/account/inloggen")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^E-mailadres")).fill(email)
    page.get_by_label(re.compile(r"^Wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
    assert_accessible(page)


def test_griffie_takes_an_initiative_through_the_council(
        page: Page, browser, browser_context_args, live_server, create_live_org,
        create_verified_user, grant_role, read_last_email):
    org = create_live_org()
    griffie = create_verified_user(email="griffie@zonnedal.example", name="Greetje Griffier")
    grant_role(griffie.email, org.slug, "griffie")
    resident = create_verified_user(email="initiatief@example.nl", name="Ilse de Boer")
    case_id, number = _admitted_initiative(live_server.app, org.slug, resident.email,
                                           griffie.email)
    meeting_day = dutch_today() + timedelta(days=14)

    _log_in(page, griffie.email)
    page.goto(f"/{org.slug}/griffie/")
    expect(page.get_by_role("heading", level=1, name="Griffie")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Toegelaten"))).to_be_visible()
    assert_accessible(page)

    # A new council meeting.
    page.get_by_role("link", name="Nieuwe vergadering").first.click()
    expect(page.get_by_role("heading", level=1, name="Nieuwe vergadering")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Opslaan").click()  # empty: the errors come back
    expect(page.get_by_role("alert")).to_contain_text("Vul de naam van de vergadering in.")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Naam van de vergadering")).fill("Raadsvergadering")
    page.get_by_label(re.compile(r"^Soort vergadering")).select_option("raadsvergadering")
    page.get_by_label(re.compile(r"^Datum")).fill(meeting_day.isoformat())
    page.get_by_label(re.compile(r"^Begintijd")).fill("19:30")
    page.get_by_label(re.compile(r"^Plaats")).fill("Raadzaal")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", level=1, name="Raadsvergadering")).to_be_visible()
    expect(page.get_by_text("19:30")).to_be_visible()
    assert_accessible(page)

    # On the agenda.
    page.get_by_label(re.compile(r"^Initiatief of verzoek")).select_option(
        label=f"{number}: Een pluktuin bij de bibliotheek")
    page.get_by_role("button", name="Agenderen").click()
    expect(page.get_by_role("heading", name="1. Een pluktuin bij de bibliotheek")).to_be_visible()
    expect(page.get_by_text("(Op de agenda)")).to_be_visible()
    assert_accessible(page)

    # The desk moves it on to the council's debate in this meeting.
    page.get_by_role("link", name="Griffie", exact=True).click()
    assert_accessible(page)
    step = page.locator("details", has=page.locator("summary", has_text="Behandelen in de raad"))
    step.locator("summary").click()  # opens the <details>
    meeting_select = step.get_by_label(re.compile(r"^Vergadering"))
    meeting_value = meeting_select.locator("option", has_text="Raadsvergadering") \
        .get_attribute("value")
    meeting_select.select_option(meeting_value)
    step.get_by_role("button", name="Behandelen in de raad").click()
    expect(page.get_by_text(f"Gedaan: Behandelen in de raad ({number}).")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^In de gemeenteraad"))).to_be_visible()
    assert_accessible(page)

    # Two weeks later the council meets and votes (the meeting is moved to the past here:
    # a decision can only be recorded for a meeting that has taken place).
    _meeting_held(live_server.app, org.slug)
    page.get_by_role("link", name=re.compile(r"^Raadsvergadering$")).first.click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Besluit vastleggen")).click()
    expect(page.get_by_role("heading", level=1, name="Besluit vastleggen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Meer regels").click()
    expect(page.get_by_label("Partij, regel 20", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Aangenomen zoals geamendeerd").check()
    page.get_by_label("Stemmen voor", exact=True).fill("24")
    page.get_by_label("Stemmen tegen", exact=True).fill("9")
    page.get_by_label("Partij, regel 1", exact=True).fill("Zonnedal Lokaal")
    page.get_by_label("Stem, regel 1", exact=True).select_option("voor")
    page.get_by_label("Zetels, regel 1", exact=True).fill("11")
    page.get_by_label("Partij, regel 2", exact=True).fill("Partij voor de Dijken")
    page.get_by_role("button", name="Besluit vastleggen").click()  # row 2 is incomplete
    expect(page.get_by_role("alert")).to_contain_text("Vul bij elke partij de naam en de stem in")
    expect(page.get_by_label("Partij, regel 2", exact=True)).to_have_value("Partij voor de Dijken")
    assert_accessible(page)
    page.get_by_label("Stem, regel 2", exact=True).select_option("tegen")
    page.get_by_label(re.compile(r"^Toelichting op het besluit")).fill(
        "Aangenomen met het amendement over de openingstijden.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_text("Het besluit is vastgelegd.")).to_be_visible()
    expect(page.get_by_text("Aangenomen zoals geamendeerd — 24 voor, 9 tegen")).to_be_visible()
    assert_accessible(page)

    # Publishing.
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_text("Het besluit is gepubliceerd.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Gepubliceerd op"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Besluitenlijst").click()
    expect(page.get_by_role("table", name=re.compile("Stemming per partij"))).to_contain_text(
        "Partij voor de Dijken")
    assert_accessible(page)

    email = read_last_email(resident.email)
    assert email is not None and "Besluit gepubliceerd" in email.subject, email
    link = f"{live_server.url}/{org.slug}/initiatieven/{case_id}"
    assert link in email.links()

    # The initiator sees the public step on the initiative's page.
    if "initiatives.detail" in live_server.app.view_functions:
        context = browser.new_context(**browser_context_args)
        resident_page = context.new_page()
        try:
            resident_page.goto(link)
            expect(resident_page.get_by_text("Besluit gepubliceerd").first).to_be_visible()
            assert_accessible(resident_page)
        finally:
            context.close()
