"""DigiD, eHerkenning and staff SSO in a real browser, with the real OpenID Provider's own
login page: a resident files with DigiD, an organisation with eHerkenning, an official logs in
with SSO and lands on the work queue. axe-core checks every page, the provider's too."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from participation.extensions import db
from participation.models import Case, IdentityProvider, User
from participation.models._types import utcnow
from tests.browser.helpers import assert_accessible, log_in
from tests.functional.challenges.conftest import step_data
from tests.oidc_provider import SECRET, Provider, node_modules


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    node_modules()
    running = Provider(tmp_path_factory.mktemp("oidc-browser"), base_url=live_server.url)
    running.start()
    yield running
    running.stop()


def connect(live_server, org_slug: str, kind: str, issuer: str, **fields) -> None:
    from participation.models import Organisation

    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
        db.session.add(IdentityProvider(
            organisation_id=org.id, kind=kind, issuer=issuer, client_id=kind,
            client_secret=SECRET, scope={"digid": "openid bsn", "eherkenning": "openid eherkenning"}
            .get(kind, "openid profile email groups"), updated_at=utcnow(), **fields))
        db.session.commit()


def draft_until_the_last_step(page: Page, org_slug: str, **step1) -> str:
    """Steps 1-6 sent through the site's own forms (with their CSRF tokens), as the
    resident's browser would; returns the URL of the last step."""
    page.goto(f"/{org_slug}/uitdaagrecht/nieuw")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Begin")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stap 1 van 7")
    assert_accessible(page)
    match = re.search(r"/uitdaagrecht/(\d+)/stap/1", page.url)
    assert match, page.url
    case_id = int(match.group(1))
    for step in range(1, 7):
        url = f"/{org_slug}/uitdaagrecht/{case_id}/stap/{step}"
        html = page.request.get(url).text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        token = token or re.search(r'name="csrf_token" value="([^"]+)"', html)
        data = {**step_data(step, **(step1 if step == 1 else {})), "csrf_token": token.group(1)}
        response = page.request.post(url, multipart=data, max_redirects=0)
        assert response.status == 303, (step, response.text()[:2000])
    return f"/{org_slug}/uitdaagrecht/{case_id}/stap/7"


def log_in_at_provider(page: Page, account: str, level: str) -> None:
    """The provider's own login page: who, and with which level."""
    expect(page.get_by_role("heading", name="Testmakelaar")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Gebruiker").fill(account)
    page.get_by_label("Wachtwoord").fill("geheim")
    page.get_by_label("Niveau").select_option(label=level)
    page.get_by_role("button", name="Inloggen").click()


def file_with(page: Page, live_server, last_step: str, button: str, account: str, level: str):
    page.goto(last_step)
    assert_accessible(page)
    page.get_by_label(re.compile("privacyverklaring")).check()
    page.get_by_role("button", name="Verzoek indienen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Log in met")
    assert_accessible(page)
    page.get_by_role("link", name=button).click()
    log_in_at_provider(page, account, level)
    expect(page.get_by_role("heading", level=1)).to_have_text("Verstuur wat u invulde")
    assert_accessible(page)
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ontvangen")
    assert_accessible(page)
    case_id = int(last_step.split("/uitdaagrecht/")[1].split("/")[0])
    with live_server.app.app_context():
        return db.session.get(Case, case_id)


def test_a_resident_files_an_uitdaagrecht_request_with_digid(
        page: Page, live_server, provider, create_live_org, create_verified_user):
    org = create_live_org()
    connect(live_server, org.slug, "digid", provider.issuer)
    user = create_verified_user(email="sanne@example.nl")
    log_in(page, user.email)
    last_step = draft_until_the_last_step(page, org.slug, rechtsvorm="informele_groep",
                                          kvk_nummer="")
    case = file_with(page, live_server, last_step, "Inloggen met DigiD (midden)", "anna",
                     "MobileTwoFactorContract")
    assert case.submitted_at is not None


def test_an_organisation_files_with_eherkenning(
        page: Page, live_server, provider, create_live_org, create_verified_user):
    org = create_live_org()
    connect(live_server, org.slug, "eherkenning", provider.issuer)
    user = create_verified_user(email="bestuur@groenzuid.example")
    log_in(page, user.email)
    last_step = draft_until_the_last_step(page, org.slug)  # Stichting, KvK 12345678
    case = file_with(page, live_server, last_step, "Inloggen met eHerkenning (EH2+)",
                     "stichting", "loa2plus")
    assert case.submitted_at is not None


def test_an_official_logs_in_with_sso_and_lands_on_the_work_queue(
        page: Page, live_server, provider, create_live_org):
    org = create_live_org()
    connect(live_server, org.slug, "sso", provider.issuer,
            role_map={"behandelaars": ["official"]})
    # The login page in the organisation's look (come from its home page) offers its staff
    # login; from the home page an official lands on the work queue.
    page.goto(f"/account/inloggen?next=/{org.slug}/")
    assert_accessible(page)
    page.get_by_role("link", name="Medewerkers: inloggen met uw organisatie-account").click()
    log_in_at_provider(page, "sam", "PasswordProtectedTransport")
    expect(page).to_have_url(re.compile(rf"/{org.slug}/werkbak/$"))
    assert_accessible(page)
    with live_server.app.app_context():
        user = db.session.scalar(select(User).where(User.email == "sam@gemeente.example"))
        assert user.roles_in(org.id) == {"official"}
