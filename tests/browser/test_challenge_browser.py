"""A new resident files an uitdaagrecht request in a real browser, answers the organisation's
question and sees the decision; axe-core checks every page on the way."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlalchemy import select

from participation.extensions import db
from participation.models import Case, Decision, User
from participation.models._types import utcnow
from participation.services import cases as case_service
from tests.browser.helpers import assert_accessible
from tests.conftest import PASSWORD, dutch_today

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
LONG = ("Wij zijn een groep van twaalf buurtbewoners die al vijf jaar samen het plantsoen "
        "onderhouden. Drie van ons werkten als hovenier, twee hebben een EHBO-diploma en wij "
        "hebben een vaste planning voor het maaien, snoeien en opruimen van zwerfafval. ")


def label(text: str) -> re.Pattern:
    return re.compile("^" + re.escape(text))


def next_step(page: Page, number: int, title: str) -> None:
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Stap {number} van 7: {title}")
    assert_accessible(page)


def staff_moves(live_server, case_id: int, actor_email: str, *steps: tuple[str, dict]) -> None:
    """The coordinator's side, through the workflow service in the live app."""
    with live_server.app.app_context():
        actor = db.session.scalar(select(User).where(User.email == actor_email))
        for name, inputs in steps:
            case = db.session.get(Case, case_id)
            if inputs.get("decision") == "new":
                decision = Decision(case_id=case.id, deciding_body="college", decided_on=dutch_today(),
                                    outcome="toegekend", reasons="Uw plan is beter en goedkoper.",
                                    legal_remedies="U kunt binnen 6 weken bezwaar maken.",
                                    created_by_id=actor.id)
                db.session.add(decision)
                db.session.flush()
                inputs = {**inputs, "decision": decision.id}
            case_service.apply_transition(case, name, actor=actor, inputs=inputs, now=utcnow())
            db.session.commit()


def test_resident_files_a_request_answers_a_question_and_sees_the_decision(
        page: Page, live_server, create_live_org, create_verified_user, grant_role,
        read_last_email, tmp_path):
    org = create_live_org()
    coordinator = create_verified_user(email="coordinator@zonnedal.example", name="Co Ordinator")
    grant_role(coordinator.email, org.slug, "coordinator")

    # Register through the site and confirm the address.
    page.goto("/account/registreren")
    assert_accessible(page)
    page.get_by_label(label("Naam")).fill("Sanne de Vries")
    page.get_by_label(label("E-mailadres")).fill("sanne@example.nl")
    page.get_by_label(label("Wachtwoord")).fill(PASSWORD)
    page.get_by_label(label("Herhaal het wachtwoord")).fill(PASSWORD)
    page.get_by_role("checkbox", name=re.compile("privacyverklaring")).check()
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1, name="Controleer uw e-mail")).to_be_visible()
    assert_accessible(page)
    confirm = [link for link in read_last_email("sanne@example.nl").links() if "/bevestigen/" in link]
    page.goto(confirm[0])
    assert_accessible(page)
    page.get_by_label(label("E-mailadres")).fill("sanne@example.nl")
    page.get_by_label(label("Wachtwoord")).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("link", name="Mijn account")).to_be_visible()
    assert_accessible(page)

    # Start a request.
    page.goto(f"/{org.slug}/uitdaagrecht/")
    assert_accessible(page)
    page.get_by_role("link", name="Een verzoek doen").click()
    assert_accessible(page)
    page.get_by_role("button", name="Beginnen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stap 1 van 7: Wie zijn jullie")
    assert_accessible(page)

    # Step 1, with an autosave on the way and a mistake that is explained next to the field.
    page.get_by_label(label("Naam van uw initiatief")).fill("Groen Plantsoen Zuid")
    page.get_by_label(label("Naam van de indiener")).fill("Stichting Groen Zuid")
    expect(page.locator("#save-status")).to_contain_text("Concept opgeslagen om")
    page.get_by_label(label("Straat en huisnummer")).fill("Lindelaan 4")
    page.get_by_label(label("Postcode")).fill("1234ab")
    page.get_by_label(label("Plaats")).fill("Zonnedal")
    page.get_by_label(label("Naam contactpersoon")).fill("Sanne de Vries")
    page.get_by_label(label("E-mailadres contactpersoon")).fill("sanne@example.nl")
    page.get_by_label(label("Telefoonnummer contactpersoon")).fill("06 12345678")
    page.get_by_role("radio", name="Stichting").check()
    page.get_by_role("radio", name="Nee").check()
    page.get_by_label(label("Wie zijn jullie en wat is jullie kennis")).fill(LONG)
    page.get_by_role("button", name="Opslaan en verder").click()
    expect(page.locator("#kvk_nummer-error")).to_contain_text("Vul het KvK-nummer in")
    expect(page.get_by_label(label("Postcode"))).to_have_value("1234ab")
    assert_accessible(page)
    page.get_by_label(label("KvK-nummer")).fill("12345678")
    next_step(page, 2, "Welke taak")

    page.get_by_label(label("Welke taak (of welk deel")).fill(LONG)
    page.get_by_label(label("Taak uit de takenlijst")).select_option("anders")
    page.get_by_label(label("Onderwerp")).select_option("groenbeheer")
    next_step(page, 3, "Uw plan")

    page.get_by_label(label("Hoe gaat u de taak uitvoeren?")).fill(LONG + LONG)
    page.get_by_label(label("Waarom kunt u het beter")).fill("Wij wonen er zelf.")
    page.get_by_label(label("Wat wilt u bereiken")).fill("Een schoon plantsoen.")
    page.get_by_label("Meetbaar resultaat 1").fill("Elke week gemaaid")
    page.get_by_label(label("Startdatum")).fill((dutch_today() + timedelta(weeks=20)).isoformat())
    page.get_by_label(label("Looptijd in maanden")).fill("12")
    next_step(page, 4, "Draagvlak")

    evidence = tmp_path / "handtekeningen.pdf"
    evidence.write_bytes(MINIMAL_PDF)
    page.get_by_label(label("Wie steunen uw plan")).fill("Wij hebben 80 huishoudens gesproken.")
    page.get_by_label(label("Bewijs van steun")).set_input_files(str(evidence))
    next_step(page, 5, "Begroting")

    page.get_by_label("Kostenpost regel 1").fill("Materiaal")
    page.get_by_label("Bedrag regel 1").fill("1500,00")
    page.get_by_role("button", name="Regel toevoegen").click()
    expect(page.get_by_label("Kostenpost regel 9")).to_be_visible()
    expect(page.get_by_label("Kostenpost regel 1")).to_have_value("Materiaal")
    assert_accessible(page)
    page.get_by_label("Kostenpost regel 9").fill("Verzekering")
    page.get_by_label("Bedrag regel 9").fill("500")
    # The step counts while the resident types: the total and what to ask.
    expect(page.get_by_text("Totaal van de kosten: € 2.000,00")).to_be_visible()
    page.get_by_label(label("Eigen bijdrage in geld")).fill("250")
    expect(page.get_by_text("Uw kosten min uw eigen bijdrage in geld: € 1.750,00")).to_be_visible()
    page.get_by_label(label("Gevraagd budget")).fill("1750")
    page.get_by_label(label("Eigen bijdrage in uren")).fill("400")
    next_step(page, 6, "Kwaliteit en ondersteuning")

    page.get_by_label(label("Wat levert uw plan")).fill("De buurt ontmoet elkaar.")
    page.get_by_label(label("Hoe zorgt u dat het werk goed")).fill("Er zijn altijd reserves.")
    page.get_by_label(label("Veiligheid, risico")).fill("Wij zijn verzekerd.")
    page.get_by_role("checkbox", name=re.compile("veiligheidsregels")).check()
    next_step(page, 7, "Controleren en indienen")

    expect(page.get_by_text("handtekeningen.pdf")).to_be_visible()
    expect(page.get_by_text("1234 AB")).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("privacyverklaring")).check()
    page.get_by_role("button", name="Verzoek indienen").click()
    expect(page.get_by_role("heading", level=1, name="Wij hebben uw verzoek ontvangen")).to_be_visible()
    assert_accessible(page)

    with live_server.app.app_context():
        case = db.session.scalar(select(Case))
        case_id, number, deadline = case.id, case.number, case.deadline
    assert number and deadline
    expect(page.get_by_text(number)).to_be_visible()
    receipt = read_last_email("sanne@example.nl")
    assert receipt.subject.startswith(f"Ontvangstbevestiging {number}")
    assert "Uiterste beslisdatum" in receipt.body

    # The coordinator asks for more information.
    staff_moves(live_server, case_id, coordinator.email, ("ontvangst_bevestigen", {}),
                ("aanvulling_vragen", {"question": "Stuur de offerte van de verzekering mee.",
                                       "term_days": 21}))
    page.goto(f"/{org.slug}/uitdaagrecht/{case_id}")
    expect(page.get_by_role("heading", name="Beantwoord de vraag van de gemeente")).to_be_visible()
    expect(page.locator("blockquote")).to_have_text("Stuur de offerte van de verzekering mee.")
    assert_accessible(page)
    page.get_by_label(label("Uw antwoord")).fill("Hierbij de offerte.")
    page.get_by_label(label("Bijlage")).set_input_files(str(evidence))
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_text("Dank u wel. Uw antwoord is verstuurd.")).to_be_visible()
    assert_accessible(page)
    with live_server.app.app_context():
        assert db.session.get(Case, case_id).state == "intake"

    # The organisation decides; the resident sees the decision.
    staff_moves(live_server, case_id, coordinator.email, ("in_behandeling_nemen", {}),
                ("naar_besluitvorming", {}),
                ("toekennen", {"reason": "Toegekend.", "decision": "new"}))
    page.goto(f"/{org.slug}/uitdaagrecht/{case_id}")
    expect(page.get_by_role("heading", name="Besluit")).to_be_visible()
    expect(page.get_by_text("Uw plan is beter en goedkoper.")).to_be_visible()
    assert_accessible(page)

    page.goto("/mijn/zaken")
    expect(page.get_by_role("link", name="Groen Plantsoen Zuid")).to_be_visible()
    assert_accessible(page)
    page.goto("/mijn/meldingen")
    expect(page.get_by_role("heading", level=1, name="Meldingen")).to_be_visible()
    assert_accessible(page)
