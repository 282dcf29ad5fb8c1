"""On a phone (390 × 844): a new official takes the demo's new request through its first
steps without a coordinator, and a resident reaches "Mijn zaken" from any page in one click,
sees the unread count and reads every case without scrolling sideways."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from participation.devdata.demo import DEMO_PASSWORD
from tests.browser.helpers import assert_accessible, log_in
from tests.browser.test_every_page import demo  # noqa: F401  (the demo data fixture)

PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def phone(browser: Browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="nl-NL", viewport=PHONE,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_new_official_takes_a_first_case_through_intake_on_a_phone(phone, demo):  # noqa: F811
    log_in(phone, "ambtenaar@zonnedal.example", DEMO_PASSWORD)
    expect(phone).to_have_url(re.compile(r"/zonnedal/werkbak/$"))  # lands where the work is
    phone.get_by_role("link", name="Buurtkamer Parkwijk").click()  # the title is a link
    no_sideways_scroll(phone)
    for name, button in (("ontvangst_bevestigen", "Ontvangst bevestigen"),
                         ("in_behandeling_nemen", "In behandeling nemen")):
        step = phone.locator(f"#stap-{name}")
        if step.get_attribute("open") is None:
            step.locator("summary").click()
        step.get_by_role("button", name=button).click()
        expect(phone.get_by_text(f"Gelukt: {button}.")).to_be_visible()
    expect(phone.locator(".case-meta")).to_contain_text("In behandeling")
    assert_accessible(phone)
    no_sideways_scroll(phone)


def test_mijn_zaken_is_one_click_away_with_the_unread_count_on_a_phone(phone, demo):  # noqa: F811
    log_in(phone, "inwoner@example.nl", DEMO_PASSWORD)
    phone.goto("/zonnedal/register")
    link = phone.get_by_role("navigation", name="Account en taal").get_by_role(
        "link", name=re.compile(r"^Mijn zaken"))
    expect(link).to_contain_text(re.compile(r"\d+ nieuwe melding"))
    link.click()
    expect(phone.get_by_role("heading", name="Mijn zaken", level=1)).to_be_visible()
    # Every case shows its status and next step on screen: cards, not a wide table.
    expect(phone.get_by_text("Aanvulling gevraagd").first).to_be_visible()
    no_sideways_scroll(phone)
    assert_accessible(phone)
