"""A burgerinitiatief walked through in a real browser: a resident drafts it and starts
collecting support, three other residents sign (the count updates without a reload), the
threshold is reached and the initiator submits it to the griffie. axe on every page."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import Organisation
from participation.services import organisations
from tests.browser.helpers import assert_accessible, log_in

THRESHOLD = 3


def _small_threshold(app, slug: str) -> None:
    """A new procedure version for the organisation with min_absolute = 3."""
    source = wf.preset_path("burgerinitiatief").read_text("utf-8")
    with app.app_context():
        org = db.session.query(Organisation).filter_by(slug=slug).one()
        organisations.add_workflow_version(
            org, "burgerinitiatief",
            source.replace("min_absolute = 100", f"min_absolute = {THRESHOLD}", 1),
            note="browser test")
        db.session.commit()


def _sign_in_new_context(browser: Browser, context_args: dict, url: str, email: str,
                         expected_count: int) -> None:
    context = browser.new_context(**context_args)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, email)
        page.goto(url)
        expect(page.get_by_role("button", name="Ik steun dit initiatief")).to_be_visible()
        assert_accessible(page)
        page.get_by_label(re.compile(r"^Uw geboortedatum")).fill("1985-04-12")
        # Marks this document: if the page reloaded, the mark would be gone.
        page.evaluate("window.signedWithoutReload = true")
        page.get_by_role("button", name="Ik steun dit initiatief").click()
        support = page.locator("#steun")
        expect(support.get_by_text("Bedankt. U steunt dit initiatief.").first).to_be_visible()
        expect(support.get_by_text(f"{expected_count} van {THRESHOLD}")).to_be_visible()
        expect(support.get_by_role("button", name="Steun intrekken")).to_be_visible()
        assert page.evaluate("window.signedWithoutReload === true"), "the page was reloaded"
        assert_accessible(page)
    finally:
        context.close()


def test_resident_starts_collects_support_and_submits(page: Page, browser: Browser,
                                                      browser_context_args, live_server,
                                                      create_live_org, create_verified_user,
                                                      read_last_email):
    org = create_live_org(slug="zonnedal", name="Gemeente Zonnedal", inhabitants=300)
    _small_threshold(live_server.app, org.slug)
    initiator = create_verified_user(email="iris@example.nl", name="Iris Initiatief")
    signers = [create_verified_user(email=f"steun{n}@example.nl", name=f"Steuner {n}")
               for n in range(1, THRESHOLD + 1)]

    log_in(page, initiator.email)
    page.goto(f"/{org.slug}/initiatieven/")
    expect(page.get_by_role("heading", level=1, name="Inwonersinitiatieven")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Start een initiatief").click()
    expect(page.get_by_role("heading", name="Over deze onderwerpen kunt u geen initiatief "
                                            "starten")).to_be_visible()
    expect(page.get_by_text(f"U heeft minstens {THRESHOLD} steunbetuigingen nodig.")).to_be_visible()
    assert_accessible(page)

    # Submitting an empty form: the errors are listed and the page stays usable.
    page.get_by_role("button", name="Opslaan als concept").click()
    expect(page.get_by_role("heading", name="Controleer de volgende punten")).to_be_visible()
    expect(page.locator("#error-summary")).to_be_focused()  # the keyboard starts at the errors
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Titel")).fill("Meer bankjes in het Zonnepark")
    page.get_by_label(re.compile(r"^Korte samenvatting")).fill("Tien extra bankjes.")
    page.get_by_label(re.compile(r"^Voorstel")).fill("De raad besluit tien bankjes te plaatsen.")
    page.get_by_label(re.compile(r"^Toelichting")).fill("Ouderen kunnen nu nergens uitrusten.")
    page.get_by_label(re.compile(r"^Naam van de plaatsvervanger")).fill("Piet Plaatsvervanger")
    page.get_by_label(re.compile(r"^E-mailadres van de plaatsvervanger")).fill("piet@example.nl")
    page.get_by_role("checkbox", name=re.compile(r"^Ik verklaar dat mijn onderwerp")).check()
    page.get_by_role("button", name="Opslaan als concept").click()

    expect(page.get_by_role("heading", level=1, name="Meer bankjes in het Zonnepark")).to_be_visible()
    expect(page.get_by_role("heading", name="Dit is een concept")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start met steun verzamelen").click()
    expect(page.get_by_text("Uw initiatief staat nu open voor steun.")).to_be_visible()
    expect(page.get_by_text(f"0 van {THRESHOLD}")).to_be_visible()
    expect(page.get_by_text("U kunt het initiatief indienen bij de griffie zodra de drempel is "
                            "gehaald.")).to_be_visible()
    assert_accessible(page)
    initiative_url = page.url

    for count, signer in enumerate(signers, start=1):
        _sign_in_new_context(browser, browser_context_args, initiative_url, signer.email, count)

    page.reload()
    expect(page.get_by_text("De drempel is gehaald")).to_be_visible()
    expect(page.get_by_text(f"{THRESHOLD} van {THRESHOLD}")).to_be_visible()
    # Supporters' names are never on the public page.
    for signer in signers:
        expect(page.get_by_text(signer.name)).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Indienen bij de griffie").click()
    expect(page.get_by_text(re.compile(r"Het registratienummer is BI-\d{4}-\d{5}"))).to_be_visible()
    expect(page.get_by_role("heading", name="Ontvangstbevestiging")).to_be_visible()
    expect(page.locator(".utrecht-status-badge")).to_have_text("Ingediend bij de griffie")
    assert_accessible(page)

    receipt = read_last_email(initiator.email)
    assert receipt is not None and re.search(r"BI-\d{4}-\d{5}", receipt.subject)
    assert "Meer bankjes in het Zonnepark" in receipt.body
