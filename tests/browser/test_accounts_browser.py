"""A resident's account, walked through in a real browser: register, confirm the email address,
log in, switch the language, log out; and logging in without JavaScript."""
from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import assert_accessible, log_in
from tests.conftest import PASSWORD


def test_new_resident_registers_confirms_logs_in_switches_language_and_logs_out(
        page: Page, live_server, read_last_email):
    page.goto("/")
    assert_accessible(page)

    page.get_by_role("navigation").get_by_role("link", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1, name="Account aanmaken")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Naam")).fill("Sanne de Vries")
    page.get_by_label(re.compile(r"^E-mailadres")).fill("Sanne@Example.nl")
    page.get_by_label(re.compile(r"^Wachtwoord")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Herhaal het wachtwoord")).fill(PASSWORD)
    page.get_by_role("checkbox", name=re.compile(r"Ik heb de privacyverklaring gelezen")).check()
    page.get_by_role("button", name="Account aanmaken").click()

    expect(page.get_by_role("heading", level=1, name="Controleer uw e-mail")).to_be_visible()
    expect(page.get_by_text("sanne@example.nl")).to_be_visible()
    assert_accessible(page)

    email = read_last_email("sanne@example.nl")
    assert email is not None, "no confirmation email in the outbox"
    links = [link for link in email.links() if "/account/bevestigen/" in link]
    assert links, email.body
    assert links[0].startswith(live_server.url)

    page.goto(links[0])
    expect(page.get_by_role("heading", level=1, name="Inloggen")).to_be_visible()
    expect(page.get_by_text("Uw e-mailadres is bevestigd.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label(re.compile(r"^E-mailadres")).fill("sanne@example.nl")
    page.get_by_label(re.compile(r"^Wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    # A resident lands on their own cases.
    expect(page.get_by_role("heading", level=1, name="Mijn zaken")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Mijn account")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert_accessible(page)

    page.get_by_role("link", name="English").click()
    # The English catalogue may still be incomplete; the page language and the switch prove it.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Nederlands")).to_be_visible()
    expect(page.get_by_role("link", name="English")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("navigation").get_by_role(
        "button", name=re.compile(r"^(Uitloggen|Log out)$")).click()
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name=re.compile(r"^(Inloggen|Log in)$"))).to_be_visible()
    expect(nav.get_by_role("link", name=re.compile(r"^(Mijn account|My account)$"))).to_have_count(0)
    assert_accessible(page)

    # Logged out for real: the account page now asks to log in.
    page.goto("/account/")
    expect(page).to_have_url(re.compile(r"/account/inloggen"))
    assert_accessible(page)


def test_login_works_without_javascript(browser: Browser, browser_context_args,
                                        create_verified_user):
    # axe needs JavaScript, so this test checks no accessibility; the same pages are
    # checked with JavaScript on in the test above.
    user = create_verified_user(email="inwoner@example.nl", name="Mohamed El Amrani")
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, user.email, user.password, check_accessibility=False)

        expect(page.get_by_role("heading", level=1, name="Mijn zaken")).to_be_visible()
        page.get_by_role("navigation").get_by_role("link", name="Mijn account").click()
        expect(page.get_by_role("heading", level=1, name="Mijn account")).to_be_visible()
        expect(page.get_by_text(user.email)).to_be_visible()
        expect(page.get_by_role("navigation").get_by_role("button", name="Uitloggen")).to_be_visible()
    finally:
        context.close()
