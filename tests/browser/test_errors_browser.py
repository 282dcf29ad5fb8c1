"""An htmx request that fails shows the error page's own words where the user is (the live
region), not a generic sentence; without an answer at all, the general sentence."""
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_accessible


def test_a_failing_htmx_request_shows_the_friendly_words_in_place(page: Page, live_server):
    page.goto("/")
    page.evaluate("htmx.ajax('GET', '/bestaat-niet/register', {target: 'main', swap: 'none'})")
    region = page.locator("#live-region")
    expect(region).to_contain_text("Deze pagina bestaat niet")
    expect(region).to_contain_text("Misschien is de link verouderd")
    expect(region).to_be_visible()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("bestaat niet")  # page stays
    assert_accessible(page)
