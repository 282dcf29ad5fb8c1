"""A staff member sets up the second factor in a real browser: an admin logs in with the
password, is asked to set up TOTP, reads the key off the page into "their app" (pyotp),
confirms with a code, sees the recovery codes, logs out, and logs in again with password and
code to land on the organisation's management page."""
from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible
from tests.conftest import PASSWORD


def _password_step(page: Page, email: str) -> None:
    page.goto("/account/inloggen")
    assert_accessible(page)
    page.get_by_label(re.compile(r"^E-mailadres")).fill(email)
    page.get_by_label(re.compile(r"^Wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def test_an_admin_sets_up_totp_and_logs_in_with_password_and_code(
        page: Page, create_live_org, create_verified_user, grant_role):
    org = create_live_org()
    admin = create_verified_user(email="beheer@zonnedal.example", name="Bram Beheer")
    grant_role(admin.email, org.slug, "admin")

    _password_step(page, admin.email)
    expect(page.get_by_role("heading", level=1, name="Tweestapsverificatie instellen")).to_be_visible()
    expect(page.get_by_text("Daarvoor is tweestapsverificatie verplicht")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    assert_accessible(page)

    # The management page waits until the second factor is set up.
    page.goto(f"/{org.slug}/beheer/")
    expect(page.get_by_role("heading", level=1, name="Tweestapsverificatie instellen")).to_be_visible()
    assert_accessible(page)

    # "The app": the key as the page shows it, typed over by hand.
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    app = pyotp.TOTP(secret)
    page.get_by_label(re.compile(r"^Code uit de app")).fill("000000" if app.now() != "000000"
                                                            else "111111")
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()
    expect(page.get_by_text("Deze code klopt niet")).to_have_count(2)  # summary and field
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Code uit de app")).fill(app.now())
    page.get_by_role("button", name="Tweestapsverificatie aanzetten").click()

    expect(page.get_by_role("heading", level=1, name="Uw herstelcodes")).to_be_visible()
    codes = page.get_by_role("list", name="Herstelcodes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    assert re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", codes.first.inner_text())
    assert_accessible(page)
    page.get_by_role("link", name="Ik heb de codes bewaard, ga verder").click()
    expect(page.get_by_role("heading", level=1, name=f"Beheer van {org.name}")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_text("U bent uitgelogd.")).to_be_visible()
    assert_accessible(page)

    _password_step(page, admin.email)
    expect(page.get_by_role("heading", level=1, name="Inlogcode")).to_be_visible()
    assert_accessible(page)
    # The code used for the set-up cannot be used again: the app's next one.
    page.get_by_label(re.compile(r"^Code")).fill(app.at(time.time() + 30))
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(re.compile(rf"/{org.slug}/beheer/$"))
    expect(page.get_by_role("heading", level=1, name=f"Beheer van {org.name}")).to_be_visible()
    expect(page.get_by_text("U bent ingelogd.")).to_be_visible()
    assert_accessible(page)

    # The account's owner sees what happened.
    page.goto("/account/activiteit")
    expect(page.get_by_role("heading", level=1, name="Activiteit op uw account")).to_be_visible()
    expect(page.get_by_text("Ingelogd met wachtwoord en code uit de app")).to_be_visible()
    expect(page.get_by_text("Tweestapsverificatie aangezet")).to_be_visible()
    assert_accessible(page)
