"""Every page a user can reach by following links passes axe (WCAG 2.1 A/AA), in Dutch and
in English, for each role; and every such page also loads without JavaScript.

The crawl starts from each role's entry pages on the demo data (`flask demo-data`), follows
same-site links and visits each path once, so new pages are covered without editing this
test. Downloads (CSV, JSON, feeds, attachments) are not HTML pages and are skipped."""
from __future__ import annotations

import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser

from participation.devdata.demo import DEMO_PASSWORD, ensure_demo_data
from participation.extensions import db
from tests.browser.helpers import (
    answer_code_step,
    assert_accessible,
    log_in,
    prepare_second_factor,
)

SKIP_PARTS = ("/lang/", "/uitloggen", "/bijlagen/", "/download", "/logo", "/api/", "/open-data/",
              "/feeds/", ".csv", ".json", ".zip", ".atom", ".ics", ".pdf", "/besluitbrief/",
              "theme.css", "/static/")
MAX_PAGES = 60
# What an official must never have to read on a workbench page (issue 19.4).
RAW_VALUES = [(re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "an ISO timestamp"),
              (re.compile(r"€\s?-?\d+\.\d{2}\b"), "a dot-decimal amount"),
              (re.compile(r"(?i)\buser[ _]id\b"), "a database id")]

ROLES = {
    "anoniem": (None, ["/", "/zonnedal/", "/waterschap-de-stroom/", "/zonnedal/monitor",
                       "/zonnedal/monitor/afdrukken", "/monitor"]),
    "inwoner": ("inwoner@example.nl", ["/mijn/zaken", "/mijn/meldingen", "/zonnedal/uitdaagrecht/",
                                        "/zonnedal/initiatieven/", "/account/"]),
    "coordinator": ("coordinator@zonnedal.example", ["/zonnedal/werkbak/"]),
    "griffie": ("griffie@zonnedal.example", ["/zonnedal/griffie/"]),
    "beheerder": ("beheer@zonnedal.example", ["/zonnedal/beheer/"]),
}


@pytest.fixture()
def demo(live_server):
    with live_server.app.app_context():
        ensure_demo_data()
        db.session.commit()
        db.session.remove()


def _links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        if not href or href.startswith(("mailto:", "tel:", "#")):
            continue
        url = urljoin(page.url, href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != base or any(s in parts.path for s in SKIP_PARTS):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _crawl(context, base: str, email: str | None, starts: list[str], *, javascript: bool,
           locale: str = "nl") -> list[str]:
    page = context.new_page()
    page.set_default_timeout(10_000)
    if email:
        if javascript:
            log_in(page, email, DEMO_PASSWORD)
        else:
            prepare_second_factor(email)
            page.goto("/account/inloggen")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.locator("main form button[type=submit]").last.click()
            answer_code_step(page, email, check_accessibility=False)
            page.wait_for_load_state()
    if locale != "nl":
        page.goto(f"/lang/{locale}?next=/")
    seen_paths: set[str] = set()
    queue = deque(starts)
    visited: list[str] = []
    problems: list[str] = []
    while queue and len(visited) < MAX_PAGES:
        target = queue.popleft()
        path = urlsplit(target).path
        if path in seen_paths:
            continue
        seen_paths.add(path)
        response = page.goto(target)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(target)
        if response.status >= 400:
            problems.append(f"{target}: HTTP {response.status}")
            continue
        if javascript:
            try:
                assert_accessible(page)
            except AssertionError as exc:
                problems.append(str(exc))
        elif not page.locator("h1").count():
            problems.append(f"{target}: no heading without JavaScript")
        if "/werkbak/" in path:
            text = page.inner_text("main")
            problems.extend(f"{target}: shows {what} ({found.group(0)})"
                            for pattern, what in RAW_VALUES if (found := pattern.search(text)))
        queue.extend(_links(page, base))
    page.close()
    assert not problems, "\n".join(problems)
    return visited


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_every_reachable_page_passes_axe(browser: Browser, live_server, demo, role, locale):
    email, starts = ROLES[role]
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    try:
        visited = _crawl(context, live_server.url, email, starts, javascript=True, locale=locale)
    finally:
        context.close()
    assert len(visited) >= len(starts)


@pytest.mark.parametrize("role", ["anoniem", "inwoner", "coordinator", "griffie"])
def test_every_reachable_page_loads_without_javascript(browser: Browser, live_server, demo, role):
    email, starts = ROLES[role]
    context = browser.new_context(base_url=live_server.url, locale="nl-NL",
                                  java_script_enabled=False)
    try:
        _crawl(context, live_server.url, email, starts, javascript=False)
    finally:
        context.close()
