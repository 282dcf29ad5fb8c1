"""An official's walk through one uitdaagrecht request in a real browser: the work queue,
intake, an information request, the applicant's answer, an extension, assessment and a
refusal with its decision record. Every page passes axe-core."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import Page, expect
from sqlalchemy import select

from participation.extensions import db
from participation.models import Case, Decision, User
from participation.services import cases as service
from tests.browser.helpers import assert_accessible, log_in


def submit_request(app, org_slug: str, applicant_email: str, title: str) -> tuple[int, str]:
    from participation.models import Organisation

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        applicant = db.session.scalar(select(User).where(User.email == applicant_email))
        now = datetime.now(UTC)
        case = service.start_case(org, "uitdaagrecht", applicant=applicant, title=title,
                                  data={"legal_form": "stichting",
                                        "description": "Wij onderhouden het plantsoen zelf."},
                                  now=now)
        service.apply_transition(case, "indienen", actor=applicant, now=now)
        db.session.commit()
        return case.id, case.number


def answer_as_applicant(app, case_id: int, applicant_email: str, answer: str) -> None:
    with app.app_context():
        case = db.session.get(Case, case_id)
        applicant = db.session.scalar(select(User).where(User.email == applicant_email))
        service.apply_transition(case, "aanvulling_ontvangen", actor=applicant,
                                 inputs={"answer": answer}, now=datetime.now(UTC))
        db.session.commit()


def open_step(page: Page, name: str):
    """Choose a step: its form opens (each step is a closed disclosure until chosen)."""
    step = page.locator(f"#stap-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    return step


def take_step(page: Page, name: str, button: str) -> None:
    open_step(page, name).get_by_role("button", name=button).click()
    expect(page.get_by_text(f"Gelukt: {button}.")).to_be_visible()
    assert_accessible(page)


def test_official_handles_a_request_from_queue_to_refusal(page: Page, live_server,
                                                          create_live_org, create_verified_user,
                                                          grant_role, read_last_email):
    org = create_live_org()
    coordinator = create_verified_user(email="carla@zonnedal.example", name="Carla Jansen")
    grant_role(coordinator.email, org.slug, "coordinator")
    resident = create_verified_user(email="sanne@example.nl", name="Sanne de Vries")
    case_id, number = submit_request(live_server.app, org.slug, resident.email,
                                     "Groenonderhoud Parkwijk")

    log_in(page, coordinator.email)
    page.goto(f"/{org.slug}/")
    assert_accessible(page)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Werkbak").click()
    expect(page.get_by_role("heading", level=1, name="Werkbak")).to_be_visible()
    row = page.locator(f'tr[data-case-id="{case_id}"]')
    expect(row).to_contain_text("Groenonderhoud Parkwijk")
    expect(row).to_contain_text("Ingediend")
    assert_accessible(page)

    # The filter works in place (htmx) and keeps a shareable URL.
    page.get_by_label("Zoek op titel of zaaknummer").fill("parkwijk")
    page.get_by_role("button", name="Filteren").click()
    expect(page).to_have_url(re.compile(r"q=parkwijk"))
    expect(page.locator("tr[data-case-id]")).to_have_count(1)

    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Groenonderhoud Parkwijk")
    expect(page.get_by_text("Wij onderhouden het plantsoen zelf.")).to_be_visible()
    assert_accessible(page)

    take_step(page, "ontvangst_bevestigen", "Ontvangst bevestigen")

    step = open_step(page, "aanvulling_vragen")
    expect(step.get_by_label(re.compile(r"^Termijn voor de aanvrager"))).to_have_value("21")
    step.get_by_label(re.compile(r"^Uw vraag aan de aanvrager")).fill(
        "Wilt u de statuten van uw stichting meesturen?")
    take_step(page, "aanvulling_vragen", "Aanvulling vragen")
    expect(page.get_by_text("De beslistermijn is opgeschort")).to_be_visible()
    mail = read_last_email(resident.email)
    assert mail is not None and "statuten" in mail.body

    answer_as_applicant(live_server.app, case_id, resident.email, "De statuten zitten erbij.")
    page.reload()
    expect(page.locator("#stap-in_behandeling_nemen")).to_be_visible()
    assert_accessible(page)
    take_step(page, "in_behandeling_nemen", "In behandeling nemen")

    step = open_step(page, "verdagen")
    step.get_by_label(re.compile(r"^Reden van de verlenging")).fill(
        "Wij vragen advies aan de afdeling groen.")
    take_step(page, "verdagen", "Beslistermijn verlengen")

    take_step(page, "naar_besluitvorming", "Besluit voorbereiden")

    # A refusal without a ground is refused, with the message next to the checkboxes.
    step = open_step(page, "afwijzen")
    step.get_by_label(re.compile(r"^Motivering van het besluit")).fill(
        "Het plan kost meer dan het huidige onderhoud.")
    # A decision cannot be taken back: the official confirms it.
    step.get_by_role("checkbox", name="Ik wil dit besluit nemen").check()
    step.get_by_role("button", name="Afwijzen").click()
    expect(page.get_by_role("alert").filter(has_text="Controleer de volgende punten")).to_be_visible()
    expect(page.locator("#stap-afwijzen #error-summary")).to_be_focused()
    expect(page.locator("#afwijzen-refusal_grounds-error")).to_contain_text(
        "Kies minstens één weigeringsgrond.")
    assert_accessible(page)

    step = page.locator("#stap-afwijzen")
    expect(step.get_by_label(re.compile(r"^Motivering van het besluit"))).to_have_value(
        "Het plan kost meer dan het huidige onderhoud.")
    step.get_by_role("checkbox", name=re.compile(r"^R4:")).check()
    step.get_by_label(re.compile(r"^Besluitnummer")).fill("B&W-2026-301")
    expect(step.get_by_role("checkbox", name="Ik wil dit besluit nemen")).to_be_checked()
    take_step(page, "afwijzen", "Afwijzen")
    expect(page.locator(".case-meta")).to_contain_text("Afgewezen")
    expect(page.get_by_role("heading", name="Besluiten")).to_be_visible()
    expect(page.get_by_text("B&W-2026-301")).to_be_visible()

    with live_server.app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.case_id == case_id))
        assert decision is not None
        assert decision.refusal_grounds == ["R4"] and decision.deciding_body == "college"
        assert decision.published_at is not None
    mail = read_last_email(resident.email)
    assert mail is not None and "Het plan kost meer" in mail.body
