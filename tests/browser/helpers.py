"""Helpers for browser tests: axe-core checks and data set-up on the live server's database.

Accessibility: every page a test loads must be checked with `assert_accessible(page)` (call it
after each navigation, once the page shows what the test expects). The `page` fixture in
conftest.py records every page load and fails the test at teardown when a loaded page was
never checked, so a forgotten check cannot go unnoticed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from sqlalchemy import select

from participation.extensions import db
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

_axe = Axe()


class PageLoads:
    """Which page loads of one Playwright page have had an axe check."""

    def __init__(self) -> None:
        self.loaded: list[str] = []
        self.checked: set[str] = set()

    def unchecked(self) -> list[str]:
        return [url for url in dict.fromkeys(self.loaded) if url not in self.checked]


_loads: dict[int, PageLoads] = {}


def track_page_loads(page: "Page") -> PageLoads:
    loads = PageLoads()
    _loads[id(page)] = loads
    page.on("load", lambda p: loads.loaded.append(p.url))
    return loads


def forget_page(page: "Page") -> None:
    _loads.pop(id(page), None)


def assert_accessible(page: "Page") -> None:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page; fail listing every violation.

    Needs JavaScript in the page: axe cannot run in a context with java_script_enabled=False."""
    page.wait_for_load_state("load")
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if page_loads := _loads.get(id(page)):
        page_loads.checked.add(page.url)
    if violations:
        lines = [f"{len(violations)} accessibility violation(s) on {page.url}:"]
        for violation in violations:
            targets = ", ".join(" ".join(node["target"]) if isinstance(node["target"], list)
                                else str(node["target"]) for node in violation["nodes"])
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} "
                         f"-> {targets}")
        raise AssertionError("\n".join(lines))


# The live server's app (set by the live_server fixture): log_in reads and sets the second
# factor of the person in its database.
live_app: Flask | None = None


def _with_user(email: str, act):
    from participation.services.accounts import find_user_by_email

    assert live_app is not None, "the live_server fixture sets live_app"
    with live_app.app_context():
        return act(find_user_by_email(email))


def prepare_second_factor(email: str) -> None:
    """An admin or coordinator must have a second factor: set it up as the page would."""
    from tests.second_factor import enrol, needs_enrolment

    _with_user(email, lambda user: enrol(user) if user and needs_enrolment(user) else None)


def code_for(email: str) -> str:
    """The code the person's authenticator app shows now (computed with pyotp)."""
    from tests.second_factor import current_code

    return _with_user(email, current_code)


def log_in(page: "Page", email: str, password: str = PASSWORD, *,
           check_accessibility: bool = True) -> None:
    """Log in through the real form (with the code step for an account with a second factor;
    an admin or coordinator gets one first) and wait until the site shows the logged-in menu."""
    from playwright.sync_api import expect

    prepare_second_factor(email)
    page.goto("/account/inloggen")
    if check_accessibility:
        assert_accessible(page)
    page.get_by_label(re.compile(r"^E-mailadres")).fill(email)
    page.get_by_label(re.compile(r"^Wachtwoord")).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    answer_code_step(page, email, check_accessibility=check_accessibility)
    expect(page.get_by_role("navigation").get_by_role("link", name="Mijn account")).to_be_visible()
    if check_accessibility:
        assert_accessible(page)


def answer_code_step(page: "Page", email: str, *, check_accessibility: bool = True) -> None:
    """After the password: on the code page (if the account has a second factor), the code."""
    from playwright.sync_api import expect

    code = page.get_by_label(re.compile(r"^Code"))
    logged_in = page.get_by_role("navigation").get_by_role("link", name="Mijn account")
    expect(code.or_(logged_in)).to_be_visible()
    if not code.is_visible():
        return
    if check_accessibility:
        assert_accessible(page)
    code.fill(code_for(email))
    page.locator("main form button[type=submit]").last.click()


@dataclass(frozen=True)
class Email:
    recipient: str
    subject: str
    body: str

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s<>\"')]+", self.body)


@dataclass(frozen=True)
class UserInfo:
    id: int
    email: str
    name: str
    password: str


@dataclass(frozen=True)
class OrgInfo:
    id: int
    slug: str
    name: str


def read_last_email(app: Flask, to: str) -> Email | None:
    """The newest outbox message for a recipient in the live server's database."""
    from participation.models import OutboxMessage

    with app.app_context():
        message = db.session.scalar(select(OutboxMessage)
                                    .where(OutboxMessage.recipient == to.strip().lower())
                                    .order_by(OutboxMessage.id.desc()).limit(1))
        return None if message is None else Email(message.recipient, message.subject, message.body)


def create_verified_user(app: Flask, *, email: str, name: str = "Sanne de Vries",
                         password: str = PASSWORD, locale: str = "nl") -> UserInfo:
    from participation.services import accounts

    with app.app_context():
        user = accounts.create_user(email=email, name=name, password=password, locale=locale,
                                    verified_at=datetime.now(timezone.utc))
        db.session.commit()
        return UserInfo(user.id, user.email, user.name, password)


def create_org(app: Flask, **overrides: Any) -> OrgInfo:
    from participation.services import organisations

    fields: dict[str, Any] = dict(slug="zonnedal", name="Gemeente Zonnedal", tier="gemeente",
                                  tooi_code="gm9991", email="participatie@zonnedal.example",
                                  inhabitants=48200)
    fields.update(overrides)
    with app.app_context():
        org = organisations.create_organisation(**fields)
        db.session.commit()
        return OrgInfo(org.id, org.slug, org.name)


def grant_role(app: Flask, user_email: str, org_slug: str, role: str) -> None:
    from participation.models import Organisation, User
    from participation.services import accounts

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == user_email.strip().lower()))
        org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        assert user is not None and org is not None, (user_email, org_slug)
        accounts.grant_role(user, org, role)
        db.session.commit()
