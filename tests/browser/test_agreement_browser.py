"""After a grant, in a real browser: the official drafts the agreement, the challenger agrees
to it, the work starts, the challenger reports progress twice, the official accepts and
releases an instalment, both evaluate, and the public page shows the summary; axe-core
checks every page on the way."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from participation.extensions import db
from participation.models import Organisation, User
from participation.models._types import utcnow
from participation.services import cases as case_service
from tests.browser.helpers import assert_accessible, log_in
from tests.conftest import dutch_today


def granted_case(live_server, resident_email: str, official_email: str) -> int:
    """A request granted and in "overeenkomst", through the workflow service."""
    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.slug == "zonnedal"))
        resident = db.session.scalar(select(User).where(User.email == resident_email))
        official = db.session.scalar(select(User).where(User.email == official_email))
        case = case_service.start_case(org, "uitdaagrecht", applicant=resident,
                                       title="Plantsoen Lindelaan", now=utcnow())
        case_service.apply_transition(case, "indienen", actor=resident, now=utcnow())
        for name in ("ontvangst_bevestigen", "in_behandeling_nemen", "naar_besluitvorming"):
            case_service.apply_transition(case, name, actor=official, now=utcnow())
        decision = case_service.record_decision(
            case, actor=official, deciding_body="college", decided_on=dutch_today(),
            outcome="toegekend", reasons="Beter en goedkoper.", now=utcnow())
        case_service.apply_transition(case, "toekennen", actor=official, now=utcnow(),
                                      inputs={"reason": "Beter en goedkoper.",
                                              "decision": decision.id})
        case_service.apply_transition(case, "overeenkomst_opstellen", actor=official,
                                      now=utcnow())
        db.session.commit()
        return case.id


def open_case(page: Page, url: str) -> None:
    page.goto(url)
    assert_accessible(page)


def open_step(page: Page, name: str) -> None:
    """A step's disclosure, opened as a click on its summary would (it may be open already)."""
    step = page.locator(f"#stap-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()


def report(page: Page, result: str, status: str, text: str, spent: str) -> None:
    page.get_by_label(re.compile("^Resultaat")).select_option(label=result)
    page.get_by_label(re.compile("^Hoe ver is het")).select_option(label=status)
    page.get_by_label(re.compile("^Wat is er gedaan")).fill(text)
    page.get_by_label(re.compile("^Uitgegeven bedrag")).fill(spent)
    page.get_by_role("button", name="Verslag versturen").click()
    expect(page.get_by_text("Uw verslag is verstuurd")).to_be_visible()
    assert_accessible(page)


def test_agreement_progress_instalment_and_evaluation(page: Page, browser: Browser, live_server,
                                                      create_live_org, create_verified_user,
                                                      grant_role):
    create_live_org()
    official = create_verified_user(email="ambtenaar@zonnedal.example", name="Pieter Jansen")
    grant_role(official.email, "zonnedal", "official")
    resident = create_verified_user(email="sanne@example.nl", name="Sanne de Vries")
    case_id = granted_case(live_server, resident.email, official.email)
    workbench = f"/zonnedal/werkbak/zaken/{case_id}"
    mine = f"/zonnedal/uitdaagrecht/{case_id}"

    # The official drafts the agreement.
    log_in(page, official.email)
    open_case(page, workbench)
    page.locator("#task").fill("Maaien en snoeien van het plantsoen aan de Lindelaan")
    page.locator("#budget").fill("9.000,00")
    page.locator("#start_date").fill("2027-01-01")
    page.locator("#end_date").fill("2027-12-31")
    page.locator("#evaluation_date").fill("2027-11-01")
    page.locator("#results-0-title").fill("Plantsoen twintig keer gemaaid")
    page.locator("#results-0-target_date").fill("2027-06-30")
    page.locator("#results-1-title").fill("Hagen gesnoeid")
    page.locator("#results-1-target_date").fill("2027-10-01")
    page.locator("#instalments-0-amount").fill("3.000,00")
    page.locator("#instalments-0-planned_on").fill("2027-01-15")
    page.locator("#instalments-1-amount").fill("6.000,00")
    page.locator("#instalments-1-planned_on").fill("2027-07-15")
    page.locator("#instalments-1-condition").fill("1")
    page.locator("#contact_persons").fill("Sanne de Vries, 06 12345678")
    page.get_by_role("button", name="Versie opslaan en aan de uitdager voorleggen").click()
    expect(page.get_by_text("wacht op akkoord van de uitdager")).to_be_visible()
    assert_accessible(page)

    # The challenger reads the same version and agrees.
    challenger = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    log_in(challenger, resident.email)
    open_case(challenger, mine)
    expect(challenger.get_by_text("Maaien en snoeien van het plantsoen aan de Lindelaan")
           ).to_be_visible()
    challenger.get_by_role("button", name="Ik ga akkoord met versie 1").click()
    expect(challenger.get_by_text("U heeft ingestemd met de overeenkomst.")).to_be_visible()
    assert_accessible(challenger)

    # The official records the signed agreement: the work starts.
    open_case(page, workbench)
    open_step(page, "overeenkomst_tekenen")
    page.locator("#stap-overeenkomst_tekenen").get_by_role(
        "button", name="Getekende overeenkomst vastleggen").click()
    expect(page.locator(".case-meta").get_by_text("In uitvoering")).to_be_visible()
    assert_accessible(page)

    # Two reports on result 1.
    open_case(challenger, mine)
    report(challenger, "1. Plantsoen twintig keer gemaaid", "Halverwege",
           "Tien keer gemaaid.", "1.000,00")
    report(challenger, "1. Plantsoen twintig keer gemaaid", "Opgeleverd",
           "Twintig keer gemaaid, maaisel afgevoerd.", "1.500,00")

    # The official accepts the second and releases the instalment that waited for it.
    open_case(page, workbench)
    expect(page.get_by_role("button", name="Termijn 2 vrijgeven")).to_have_count(0)
    card = page.locator("li.card", has_text="Twintig keer gemaaid")
    card.get_by_label("Accepteren").check()
    card.get_by_role("button", name="Beoordeling versturen").click()
    expect(page.get_by_text("De beoordeling is opgeslagen")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Termijn 2 vrijgeven").click()
    expect(page.get_by_text(re.compile("vrijgegeven op"))).to_be_visible()
    assert_accessible(page)

    # The evaluation: the official starts it, both fill it in, the official decides.
    open_step(page, "evaluatie_starten")
    page.locator("#stap-evaluatie_starten").get_by_role("button", name="Evaluatie starten").click()
    expect(page.locator(".case-meta").get_by_text("Evaluatie")).to_be_visible()
    assert_accessible(page)
    page.get_by_text("Evaluatie van de gemeente invullen").click()
    page.locator("#evaluatie-invullen").get_by_label("Ja", exact=True).check()
    page.locator("#evaluatie-invullen").get_by_label(re.compile("^Kwaliteit")).fill(
        "Het plantsoen ziet er beter uit dan voorheen.")
    page.get_by_role("button", name="Evaluatie opslaan").click()
    expect(page.get_by_text("De evaluatie van de gemeente is opgeslagen.")).to_be_visible()
    assert_accessible(page)

    open_case(challenger, mine)
    challenger.get_by_label("Deels", exact=True).check()
    challenger.get_by_label(re.compile("^Kwaliteit")).fill("Goed, maar de hagen kosten meer tijd.")
    challenger.get_by_role("button", name="Evaluatie opslaan").click()
    expect(challenger.get_by_text("Uw evaluatie is opgeslagen.")).to_be_visible()
    assert_accessible(challenger)

    outcome = page.locator("#evaluatie-besluit")
    outcome.locator("summary").click()
    outcome.get_by_label(re.compile("^Uitkomst")).select_option("adjust")
    outcome.get_by_label(re.compile("^Motivering")).fill("Resultaat 1 geleverd; de hagen anders.")
    outcome.get_by_label(re.compile("^Openbare samenvatting")).fill(
        "De buurt maait het plantsoen goed; het snoeien van de hagen gaat anders.")
    outcome.get_by_role("button", name="Uitkomst vastleggen").click()
    expect(page.get_by_text("De uitkomst van de evaluatie is vastgelegd.")).to_be_visible()
    assert_accessible(page)

    # The public page: task, budget, results with status, the evaluation; no names.
    visitor = browser.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    open_case(visitor, f"/zonnedal/register/{case_id}")
    section = visitor.locator("#overeenkomst")
    expect(section).to_contain_text("Maaien en snoeien van het plantsoen aan de Lindelaan")
    expect(section).to_contain_text("€ 9.000,00")
    expect(section).to_contain_text("€ 6.000,00")   # released
    expect(section).to_contain_text("Geaccepteerd door de gemeente")
    expect(section).to_contain_text("het snoeien van de hagen gaat anders")
    expect(visitor.locator("main")).not_to_contain_text("Sanne de Vries")
    expect(visitor.locator("main")).not_to_contain_text("Twintig keer gemaaid")

    # The council's monitor counts the task taken over, with its budget.
    open_case(visitor, "/zonnedal/monitor")
    taken = visitor.locator("section[aria-labelledby='overgenomen_taken-heading']")
    expect(taken).to_contain_text("1 taak overgenomen, met € 9.000,00 budget.")
