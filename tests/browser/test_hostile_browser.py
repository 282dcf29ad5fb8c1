"""Injected script never runs: titles, summaries, comments and messages carrying script
tags, event handlers, javascript: links and htmx attributes are stored through the
services, then every page that shows them is opened in Chromium. Nothing executes, the
browser does not even have to block anything (no CSP report: the text arrived escaped),
and htmx does not fetch what an injected hx-get asks for."""
from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from participation.extensions import db
from tests.browser.helpers import assert_accessible, log_in

PAYLOAD = ('<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'
           '<a href="javascript:window.__pwned=1">klik</a>'
           '<div hx-get="/pwned-hx" hx-trigger="load">x</div>')


def _store_hostile_content(app, org_slug: str, owner_email: str, coordinator_email: str):
    from participation.models import Organisation, User
    from participation.services import cases as case_service
    from participation.services import initiatives

    now = datetime.now(UTC)
    with app.app_context():
        org = db.session.scalar(db.select(Organisation).where(Organisation.slug == org_slug))
        owner = db.session.scalar(db.select(User).where(User.email == owner_email))
        coordinator = db.session.scalar(db.select(User).where(User.email == coordinator_email))
        case = case_service.start_case(org, "uitdaagrecht", applicant=owner, title="Groen " + PAYLOAD,
                                       now=now)
        case.summary = "Samenvatting " + PAYLOAD
        case_service.apply_transition(case, "indienen", actor=owner, now=now)
        case_service.add_note(case, author=coordinator, body="Notitie " + PAYLOAD, now=now)
        case_service.send_message(case, author=coordinator, body="Bericht " + PAYLOAD, now=now)
        draft = initiatives.InitiativeDraft(
            title="Bankjes " + PAYLOAD[:60], summary="Samenvatting " + PAYLOAD,
            proposal="Voorstel " + PAYLOAD, motivation="Motivering " + PAYLOAD,
            deputy_name="Piet", deputy_email="piet@example.nl",
            financial_consequences="Kosten " + PAYLOAD, names_public=False, not_excluded=True)
        initiative = initiatives.create_initiative(org, applicant=owner, draft=draft, now=now)
        initiatives.start_collecting(initiative, actor=owner, now=now)
        initiatives.ask_question(initiative, author=owner, body="Vraag " + PAYLOAD, now=now)
        db.session.commit()
        return case.id, initiative.id


def _assert_nothing_ran(page, console: list[str], requests: list[str]) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.locator("script:not([src])").count() == 0  # no inline script in the DOM
    assert page.locator("img[src='x'], [onerror]").count() == 0
    assert not [m for m in console if "Content Security Policy" in m], console
    assert not [r for r in requests if "pwned-hx" in r], requests


def test_injected_script_never_runs(page, live_server, create_live_org, create_verified_user,
                                    grant_role):
    org = create_live_org()
    owner = create_verified_user(email="inwoner@example.nl", name="Inwoner")
    coordinator = create_verified_user(email="coordinator@zonnedal.example", name="Coördinator")
    grant_role(coordinator.email, org.slug, "coordinator")
    case_id, initiative_id = _store_hostile_content(live_server.app, org.slug, owner.email,
                                                    coordinator.email)
    console: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.on("request", lambda request: requests.append(request.url))

    for path in (f"/{org.slug}/initiatieven/{initiative_id}", f"/{org.slug}/initiatieven/",
                 f"/{org.slug}/register", f"/{org.slug}/register/{case_id}", "/register"):
        page.goto(path)
        expect(page.locator("main")).to_contain_text("window.__pwned=1")  # shown, as text
        assert_accessible(page)
        _assert_nothing_ran(page, console, requests)

    log_in(page, owner.email)
    for path in (f"/{org.slug}/uitdaagrecht/{case_id}", "/mijn/zaken"):
        page.goto(path)
        assert_accessible(page)
        _assert_nothing_ran(page, console, requests)

    page.context.clear_cookies()
    log_in(page, coordinator.email)
    for path in (f"/{org.slug}/werkbak/zaken/{case_id}", f"/{org.slug}/werkbak/",
                 f"/{org.slug}/initiatieven/{initiative_id}"):
        page.goto(path)
        expect(page.locator("main")).to_contain_text("window.__pwned=1")
        assert_accessible(page)
        _assert_nothing_ran(page, console, requests)
