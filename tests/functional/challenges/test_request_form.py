"""The guided uitdaagrecht request form: every rule of procedures.md §2.4, with the resident's
input kept and the message next to the field; autosave; submission with the receipt."""
from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from participation.domain import deadlines
from participation.domain.workflow import preset_path
from participation.extensions import db
from participation.models import Case
from participation.services import organisations
from tests.conftest import dutch_today, htmx_headers
from tests.functional.challenges.conftest import (
    LONG,
    MINIMAL_PDF,
    mails_to,
    post_step,
    step_data,
    upload,
)

BLNS = Path("/work/shared/data/blns.json")


def error_of(page: str, field_id: str) -> str:
    """The error message shown next to a field (the element the field's aria-describedby names)."""
    match = re.search(rf'<p class="utrecht-form-field-error-message[^"]*" id="{re.escape(field_id)}-error">(.*?)</p>',
                      page, re.DOTALL)
    assert match, f"no error next to {field_id}"
    control = re.search(rf'<(input|textarea|select|fieldset)[^>]*id="{re.escape(field_id)}"[^>]*>', page)
    assert control and f"{field_id}-error" in control.group(0), f"{field_id} does not point at its error"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).replace("Fout:", "").strip()


def value_of(page: str, field_id: str) -> str:
    tag = re.search(rf'<input[^>]*id="{re.escape(field_id)}"[^>]*>', page)
    if tag:
        value = re.search(r'value="([^"]*)"', tag.group(0))
        return html.unescape(value.group(1)) if value else ""
    area = re.search(rf'<textarea[^>]*id="{re.escape(field_id)}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert area, f"no field {field_id}"
    return html.unescape(area.group(1)).strip()


def in_summary(page: str, message: str) -> bool:
    summary = re.search(r'id="error-summary".*?</ul>', page, re.DOTALL)
    return bool(summary) and message in html.unescape(summary.group(0))


@pytest.fixture()
def draft(client, org, resident, login, start_draft):
    login(resident)
    return start_draft()


def stored(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def use_settings(org, **changes: str) -> None:
    """A new procedure version with changed [settings] (applies to new cases)."""
    source = preset_path("uitdaagrecht").read_text("utf-8")
    for key, value in changes.items():
        source, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", source)
        if not count:
            source = source.replace("[settings]\n", f"[settings]\n{key} = {value}\n")
    organisations.add_workflow_version(org, "uitdaagrecht", source)
    db.session.commit()


# --------------------------------------------------------------------------- access


def test_start_needs_a_login(client, org):
    # (An unconfirmed account cannot log in at all, so a login means a confirmed address.)
    for response in (client.get(f"/{org.slug}/uitdaagrecht/nieuw"),
                     client.post(f"/{org.slug}/uitdaagrecht/nieuw")):
        assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]
    assert db.session.scalar(select(Case)) is None


def test_start_creates_a_private_draft_and_opens_step_one(client, org, resident, login):
    login(resident)
    assert "7 stappen" in client.get(f"/{org.slug}/uitdaagrecht/nieuw").get_data(as_text=True)
    response = client.post(f"/{org.slug}/uitdaagrecht/nieuw")
    case = db.session.scalar(select(Case))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/{org.slug}/uitdaagrecht/{case.id}/stap/1")
    assert (case.state, case.applicant_id, case.is_public) == ("concept", resident.id, False)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stap 1 van 7: Wie zijn jullie" in page


def test_another_resident_cannot_see_or_change_a_draft(client, org, draft, create_user, login):
    login(create_user())
    for path in (f"/{org.slug}/uitdaagrecht/{draft}", f"/{org.slug}/uitdaagrecht/{draft}/stap/1"):
        assert client.get(path).status_code == 404
    assert post_step(client, org, draft, 1, step_data(1)).status_code == 404
    assert client.post(f"/{org.slug}/uitdaagrecht/{draft}/verwijderen").status_code == 404
    assert stored(draft).data == {}


def test_a_draft_is_not_found_by_staff_until_it_is_submitted(client, org, draft, resident,
                                                              coordinator, create_user, login):
    """Found by hostile testing: an official could open a resident's draft by its number,
    title shown. Until it is submitted a draft is its author's alone."""
    from participation.services import cases as case_service
    from tests.conftest import NOW

    case = stored(draft)
    case.title = "Geheim plan voor het park"
    db.session.commit()
    griffie = create_user(org=org, role="griffie")
    own_desk = {coordinator: f"/{org.slug}/werkbak/zaken/{draft}",
                griffie: f"/{org.slug}/griffie/zaken/{draft}/stap/ontvangst_bevestigen"}
    for staff, desk in own_desk.items():
        login(staff)
        for path in (f"/{org.slug}/uitdaagrecht/{draft}", f"/{org.slug}/uitdaagrecht/{draft}/stap/1",
                     desk):
            response = client.get(path)
            assert response.status_code == 404, (staff.email, path)
            assert "Geheim plan" not in response.get_data(as_text=True)

    case_service.apply_transition(stored(draft), "indienen", actor=resident, now=NOW)
    db.session.commit()
    login(coordinator)
    page = client.get(f"/{org.slug}/uitdaagrecht/{draft}")
    assert page.status_code == 200 and "werkbak" in page.get_data(as_text=True)


def test_a_case_of_another_organisation_is_not_found(client, org, draft, create_org):
    other = create_org()
    assert client.get(f"/{other.slug}/uitdaagrecht/{draft}/stap/1").status_code == 404


# --------------------------------------------------------------------------- step 1


def test_step_one_valid_saves_normalised_values_and_goes_on(client, org, draft):
    response = post_step(client, org, draft, 1, step_data(1, adres_postcode=" 1234ab ",
                                                          kvk_nummer="1234 5678"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/uitdaagrecht/{draft}/stap/2")
    case = stored(draft)
    assert case.data["adres_postcode"] == "1234 AB"
    assert case.data["kvk_nummer"] == "12345678"
    assert case.title == "Groen Plantsoen Zuid"


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("naam_initiatief", "", "Vul de naam van uw initiatief in."),
    ("naam_initiatief", "x" * 201, "Gebruik hoogstens 200 tekens."),
    ("indiener_naam", "", "Vul de naam van de indiener of de organisatie in."),
    ("adres_postcode", "0123 AB", "Vul een geldige postcode in"),
    ("adres_postcode", "1234 A", "Vul een geldige postcode in"),
    ("adres_postcode", "12345", "Vul een geldige postcode in"),
    ("contact_email", "sanne-at-example", "Vul een geldig e-mailadres in"),
    ("contact_telefoon", "bel me", "Vul een geldig telefoonnummer in"),
    ("kvk_nummer", "1234567", "Een KvK-nummer bestaat uit 8 cijfers."),
    ("samenstelling_groep", "Wij zijn met zijn drieën.", "Schrijf minstens 200 tekens."),
])
def test_step_one_rules_keep_the_input_and_show_the_message_next_to_the_field(
        client, org, draft, field, typed, message):
    response = post_step(client, org, draft, 1, step_data(1, **{field: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_of(page, field)
    assert in_summary(page, message)
    assert value_of(page, field) == typed
    # The other fields are kept too, and the draft holds what was typed.
    assert value_of(page, "indiener_naam") == (typed if field == "indiener_naam" else "Stichting Groen Zuid")
    assert stored(draft).data[field] == typed


def test_kvk_number_is_required_for_a_foundation_but_not_for_an_informal_group(client, org, draft):
    page = post_step(client, org, draft, 1, step_data(1, kvk_nummer="")).get_data(as_text=True)
    assert "Vul het KvK-nummer in. Dat is verplicht voor een stichting." in error_of(page, "kvk_nummer")
    response = post_step(client, org, draft, 1,
                         step_data(1, rechtsvorm="informele_groep", kvk_nummer=""))
    assert response.status_code == 303


def test_legal_form_is_required_and_informal_groups_get_a_warning(client, org, draft):
    page = post_step(client, org, draft, 1, step_data(1, rechtsvorm="")).get_data(as_text=True)
    assert "Kies de rechtsvorm." in error_of(page, "rechtsvorm")
    page = client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/1").get_data(as_text=True)
    post_step(client, org, draft, 1, step_data(1, rechtsvorm="informele_groep", kvk_nummer=""))
    page = client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/1").get_data(as_text=True)
    assert "Voor de overeenkomst heeft u later wel een rechtsvorm nodig" in html.unescape(page)


def test_informal_group_refused_when_the_procedure_needs_a_legal_entity_at_submission(
        client, org, resident, login, start_draft):
    use_settings(org, rechtspersoon_vereist_bij='"indiening"')
    login(resident)
    case_id = start_draft()
    response = post_step(client, org, case_id, 1,
                         step_data(1, rechtsvorm="informele_groep", kvk_nummer=""))
    assert response.status_code == 422
    assert "Een groep zonder rechtsvorm kan dat hier niet." in error_of(
        response.get_data(as_text=True), "rechtsvorm")


def test_profit_motive_needs_an_explanation(client, org, draft):
    page = post_step(client, org, draft, 1, step_data(1, winstoogmerk="ja")).get_data(as_text=True)
    assert "Leg uit hoe u winst wilt maken" in error_of(page, "winstoogmerk_toelichting")
    page = post_step(client, org, draft, 1, step_data(1, winstoogmerk="")).get_data(as_text=True)
    assert "Kies ja of nee." in error_of(page, "winstoogmerk")
    assert post_step(client, org, draft, 1, step_data(1, winstoogmerk="ja",
                                                      winstoogmerk_toelichting="Kleine marge.")
                     ).status_code == 303


# --------------------------------------------------------------------------- step 2


def test_step_two_offers_the_task_catalogue_and_copies_the_task(client, org, draft, add_task):
    task = add_task()
    page = client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/2").get_data(as_text=True)
    assert f'<option value="{task.id}">Onderhoud plantsoen Zuid</option>' in page
    assert '<option value="anders">Een andere taak</option>' in page
    assert '<option value="groenbeheer">Groenbeheer</option>' in page
    response = post_step(client, org, draft, 2, step_data(2, taak=str(task.id)))
    assert response.status_code == 303
    case = stored(draft)
    assert (case.task_id, case.policy_area) == (task.id, "groenbeheer")


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("taak_omschrijving", "Het plantsoen.", "Schrijf minstens 200 tekens."),
    ("taak", "", "Kies een taak uit de lijst"),
    ("taak", "999999", "Kies een taak uit de lijst"),
    ("beleidsveld", "paspoorten", "Kies een onderwerp uit de lijst."),
    ("gebied", "W" * 201, "Gebruik hoogstens 200 tekens."),
])
def test_step_two_rules(client, org, draft, field, typed, message):
    response = post_step(client, org, draft, 2, step_data(2, **{field: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_of(page, field)
    if field in ("taak_omschrijving", "gebied"):
        assert value_of(page, field) == typed
    assert value_of(page, "taak_omschrijving") == (typed if field == "taak_omschrijving" else LONG.strip())


def test_an_excluded_policy_area_blocks_with_an_alternative(client, org, resident, login,
                                                            start_draft):
    use_settings(org, open_beleidsvelden='["groenbeheer", "handhaving"]',
                 uitgesloten_taken='["handhaving"]')
    login(resident)
    case_id = start_draft()
    page = post_step(client, org, case_id, 2, step_data(2, beleidsveld="handhaving")).get_data(as_text=True)
    message = error_of(page, "beleidsveld")
    assert "kunt u het uitdaagrecht niet gebruiken" in message and "bewonersinitiatief" in message


# --------------------------------------------------------------------------- step 3


def test_step_three_rules(client, org, draft):
    too_early = (dutch_today() + timedelta(weeks=2)).isoformat()
    response = post_step(client, org, draft, 3, step_data(
        3, uitvoeringsplan="Kort plan.", **{"indicatoren-0-tekst": ""}, startdatum=too_early,
        looptijd_maanden="60", beter_goedkoper_motivering=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Schrijf minstens 300 tekens." in error_of(page, "uitvoeringsplan")
    assert value_of(page, "uitvoeringsplan") == "Kort plan."
    assert "Noem minstens één meetbaar resultaat" in error_of(page, "indicatoren-0-tekst")
    assert "Kies een startdatum op of na" in error_of(page, "startdatum")
    assert "18 weken" in error_of(page, "startdatum")
    assert value_of(page, "startdatum") == too_early
    assert "Kies een looptijd van 1 tot en met 48 maanden." in error_of(page, "looptijd_maanden")
    assert value_of(page, "looptijd_maanden") == "60"
    assert "Leg uit waarom u het beter of goedkoper kunt." in error_of(page, "beter_goedkoper_motivering")


def test_step_three_accepts_a_dutch_date_and_stores_it_as_iso(client, org, draft):
    start = dutch_today() + timedelta(weeks=19)
    response = post_step(client, org, draft, 3, step_data(3, startdatum=start.strftime("%d-%m-%Y")))
    assert response.status_code == 303
    assert stored(draft).data["startdatum"] == start.isoformat()
    page = post_step(client, org, draft, 3, step_data(3, startdatum="31-02-2027")).get_data(as_text=True)
    assert "Vul een geldige datum in" in error_of(page, "startdatum")


# --------------------------------------------------------------------------- step 4


def test_support_needs_evidence_a_file_or_a_number(client, org, draft):
    page = post_step(client, org, draft, 4, step_data(4, aantal_steunbetuigingen="")).get_data(as_text=True)
    assert "Stuur een bewijs van steun mee als bijlage" in error_of(page, "draagvlak_bijlage")
    assert value_of(page, "draagvlak_omschrijving") == "Wij hebben alle 80 huishoudens gesproken."
    page = post_step(client, org, draft, 4, step_data(4, aantal_steunbetuigingen="veel")).get_data(as_text=True)
    assert "Vul een heel getal in" in error_of(page, "aantal_steunbetuigingen")
    assert value_of(page, "aantal_steunbetuigingen") == "veel"
    response = post_step(client, org, draft, 4, step_data(
        4, aantal_steunbetuigingen="", draagvlak_bijlage=upload(MINIMAL_PDF, "handtekeningen.pdf")))
    assert response.status_code == 303


def test_a_refused_file_keeps_the_other_input(client, org, draft):
    response = post_step(client, org, draft, 4, step_data(
        4, aantal_steunbetuigingen="", draagvlak_omschrijving="Wij spraken met de buurt.",
        draagvlak_bijlage=upload(b"<html><script>alert(1)</script></html>", "lijst.pdf")))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Dit soort bestand kunnen we niet aannemen" in error_of(page, "draagvlak_bijlage")
    assert value_of(page, "draagvlak_omschrijving") == "Wij spraken met de buurt."


def test_minimum_supporters_from_the_procedure(client, org, resident, login, start_draft):
    use_settings(org, min_steunbetuigingen="50")
    login(resident)
    case_id = start_draft()
    page = post_step(client, org, case_id, 4, step_data(4, aantal_steunbetuigingen="49")).get_data(as_text=True)
    assert "(minstens 50)" in error_of(page, "draagvlak_bijlage")
    assert post_step(client, org, case_id, 4, step_data(4, aantal_steunbetuigingen="50")).status_code == 303


# --------------------------------------------------------------------------- step 5


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("begroting-0-bedrag", "-5", "Een bedrag kan niet negatief zijn."),
    ("begroting-0-bedrag", "12,345", "Gebruik hoogstens 2 cijfers achter de komma."),
    ("begroting-0-bedrag", "veel", "Vul een bedrag in euro's in"),
    ("begroting-0-post", "", "Vul in waar dit bedrag voor is."),
    ("eigen_bijdrage_geld", "-1", "Een bedrag kan niet negatief zijn."),
    ("eigen_bijdrage_uren", "-3", "Vul een heel getal in"),
    ("gevraagd_budget", "", "Vul het bedrag in dat u van de gemeente vraagt."),
])
def test_budget_rules(client, org, draft, field, typed, message):
    response = post_step(client, org, draft, 5, step_data(5, **{field: typed}))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_of(page, field)
    assert value_of(page, field) == typed
    assert value_of(page, "begroting-1-post") == "Verzekering"


def test_budget_needs_one_line(client, org, draft):
    response = post_step(client, org, draft, 5, step_data(
        5, **{"begroting-0-post": "", "begroting-0-bedrag": "", "begroting-1-post": "",
              "begroting-1-bedrag": ""}, gevraagd_budget="0", eigen_bijdrage_geld="0"))
    assert "Vul minstens één kostenpost met een bedrag in." in error_of(
        response.get_data(as_text=True), "begroting-0-post")


def test_budget_sum_minus_own_contribution_must_equal_the_request(client, org, draft):
    response = post_step(client, org, draft, 5, step_data(5, gevraagd_budget="1800"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    message = error_of(page, "gevraagd_budget")
    assert "Het gevraagde budget klopt niet met de begroting." in message
    assert "€ 2.000,00" in message and "€ 250,00" in message and "€ 1.750,00" in message
    assert value_of(page, "gevraagd_budget") == "1800"
    # Within one euro is fine (rounding), and amounts are stored with two decimals.
    response = post_step(client, org, draft, 5, step_data(5, gevraagd_budget="1750,99"))
    assert response.status_code == 303
    case = stored(draft)
    assert case.data["begroting"] == [{"post": "Materiaal", "bedrag": "1500.00"},
                                      {"post": "Verzekering", "bedrag": "500.00"}]
    assert case.data["begroting_totaal"] == "2000.00"
    assert str(case.requested_budget) == "1750.99"


def test_add_a_budget_row_without_javascript_keeps_the_input(client, org, draft):
    page = client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/5").get_data(as_text=True)
    assert 'id="begroting-7-post"' in page and 'id="begroting-8-post"' not in page
    response = post_step(client, org, draft, 5, step_data(5, action="regel_toevoegen",
                                                          gevraagd_budget="12"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert 'id="begroting-8-post"' in page
    assert value_of(page, "begroting-0-post") == "Materiaal"
    assert value_of(page, "gevraagd_budget") == "12"
    assert "Totaal van de kosten: € 2.000,00" in page
    assert "Controleer de volgende punten" not in page  # adding a row is not checking


def test_the_budget_step_shows_the_amount_to_ask_and_can_count_while_typing(client, org, draft):
    post_step(client, org, draft, 5, step_data(5, action="regel_toevoegen"))
    page = html.unescape(client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/5").get_data(
        as_text=True))
    own = page.index('id="eigen_bijdrage_geld"')
    # Costs, then the own contribution, then the request (which is the one minus the other).
    assert page.index('id="begroting-0-bedrag"') < own < page.index('id="gevraagd_budget"')
    assert "Uw kosten min uw eigen bijdrage in geld: € " in page
    # What the script counts with: the amounts, the own contribution, the places to write.
    amounts = len(re.findall(r'id="begroting-\d+-bedrag"', page))
    assert amounts >= 8 and page.count("data-budget-amount") == amounts
    assert "data-budget-own" in page
    assert "data-budget-total" in page and "data-budget-ask" in page
    assert "/static/js/budget" in page


def test_more_than_the_task_costs_now_warns_and_flags_r4(client, org, draft, add_task):
    task = add_task(current_budget=1000)
    post_step(client, org, draft, 2, step_data(2, taak=str(task.id)))
    response = post_step(client, org, draft, 5, step_data(5))
    assert response.status_code == 303  # a warning, not a block
    page = html.unescape(client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/5").get_data(as_text=True))
    assert "U vraagt meer dan de gemeente nu aan deze taak uitgeeft (€ 1.000,00)" in page
    post_step(client, org, draft, 5, step_data(5, budget_toelichting="Er komt een extra veld bij."))
    page = html.unescape(client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/5").get_data(as_text=True))
    assert "U vraagt meer dan" not in page


# --------------------------------------------------------------------------- step 6 and 7


def test_safety_must_be_confirmed(client, org, draft):
    data = step_data(6)
    del data["veiligheid_bevestigd"]
    page = post_step(client, org, draft, 6, data).get_data(as_text=True)
    assert "Bevestig dat u volgens de veiligheidsregels werkt." in error_of(page, "veiligheid_bevestigd")
    assert value_of(page, "veiligheid_risico") == "Wij zijn verzekerd en werken met hesjes."


def test_privacy_statement_must_be_read(client, org, filled_draft, resident, login):
    login(resident)
    case_id = filled_draft()
    page = post_step(client, org, case_id, 7, {}).get_data(as_text=True)
    assert "Geef aan dat u de privacyverklaring heeft gelezen." in error_of(
        page, "privacyverklaring_gelezen")
    assert stored(case_id).state == "concept"


def test_review_shows_everything_with_change_links(client, org, filled_draft, resident, login):
    login(resident)
    case_id = filled_draft()
    page = html.unescape(client.get(f"/{org.slug}/uitdaagrecht/{case_id}/stap/7").get_data(as_text=True))
    for text in ("Groen Plantsoen Zuid", "1234 AB", "Stichting", "Een andere taak", "Materiaal: € 1.500,00",
                 "Elke week gemaaid"):
        assert text in page
    for step in range(1, 7):
        assert f'href="/{org.slug}/uitdaagrecht/{case_id}/stap/{step}">Wijzig' in page


def test_submit_checks_every_step_again(client, org, draft):
    for step in (1, 2):
        post_step(client, org, draft, step, step_data(step))
    response = post_step(client, org, draft, 7, step_data(7))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Uw verzoek is nog niet compleet" in page
    assert f'href="/{org.slug}/uitdaagrecht/{draft}/stap/3">Stap 3: Uw plan' in page
    assert stored(draft).state == "concept"


def test_submit_files_the_request_starts_the_clock_and_sends_the_receipt(
        client, org, resident, login, filled_draft, add_task):
    login(resident)
    task = add_task()
    case_id = filled_draft(step2={"taak": str(task.id)})
    response = post_step(client, org, case_id, 7, step_data(7, toestemming_publicatie_naam="y"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/uitdaagrecht/{case_id}/ontvangen")

    case = stored(case_id)
    today = dutch_today()
    assert case.state == "ingediend" and case.number.startswith(f"UD-{today.year}-")
    assert case.clock_started_on == today
    expected = deadlines.add_term(today, days=56)  # 8 weeks, rolled to a working day
    assert case.deadline == expected and deadlines.is_working_day(expected)
    assert (case.title, case.policy_area, case.task_id, str(case.requested_budget)) == (
        "Groen Plantsoen Zuid", "groenbeheer", task.id, "1750.00")
    assert case.data["ondertekend_door"]["user_id"] == resident.id
    assert case.data["toestemming_publicatie_naam"] is True
    assert "R4" not in case.data["flags"] and "R10" not in case.data["flags"]

    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.number in receipt and "Wij hebben uw verzoek ontvangen" in receipt
    assert expected.strftime("%-d") in receipt and "14 0999" in receipt

    mails = mails_to("sanne@example.nl")
    assert len(mails) == 1
    mail = mails[0]
    assert mail.subject.startswith(f"Ontvangstbevestiging {case.number}")
    assert case.number in mail.body
    months = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
              "september", "oktober", "november", "december"]
    assert f"Uiterste beslisdatum: {expected.day} {months[expected.month - 1]} {expected.year}" in mail.body
    assert "info@gemeente" in mail.body

    # Submitted: no more editing.
    again = client.get(f"/{org.slug}/uitdaagrecht/{case_id}/stap/1")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/uitdaagrecht/{case_id}")


# --------------------------------------------------------------------------- autosave


def test_autosave_with_htmx_saves_without_checking(client, org, draft):
    response = client.post(f"/{org.slug}/uitdaagrecht/{draft}/stap/1/opslaan",
                           data={"naam_initiatief": "Half af", "adres_postcode": "fout"},
                           headers=htmx_headers())
    assert response.status_code == 200
    assert re.fullmatch(r"Concept opgeslagen om \d\d:\d\d", response.get_data(as_text=True).strip())
    case = stored(draft)
    assert case.data["naam_initiatief"] == "Half af" and case.data["adres_postcode"] == "fout"
    page = client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/1").get_data(as_text=True)
    assert value_of(page, "naam_initiatief") == "Half af"
    assert 'hx-post="/' + org.slug + f'/uitdaagrecht/{draft}/stap/1/opslaan"' in page
    assert 'hx-trigger="change delay:500ms"' in page and 'aria-live="polite"' in page


def test_autosave_without_javascript_redirects_back(client, org, draft):
    response = client.post(f"/{org.slug}/uitdaagrecht/{draft}/stap/2/opslaan",
                           data={"gebied": "Noord"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/uitdaagrecht/{draft}/stap/2")
    assert stored(draft).data["gebied"] == "Noord"


# --------------------------------------------------------------------------- drafts


def test_draft_page_continue_and_delete(client, org, draft):
    post_step(client, org, draft, 1, step_data(1))
    page = client.get(f"/{org.slug}/uitdaagrecht/{draft}").get_data(as_text=True)
    assert "Dit is een concept" in page
    assert f'href="/{org.slug}/uitdaagrecht/{draft}/stap/2">Verder invullen' in page
    listing = client.get(f"/{org.slug}/uitdaagrecht/").get_data(as_text=True)
    assert "Groen Plantsoen Zuid" in listing and "Verwijderen" in listing
    assert "Ja, verwijderen" in client.get(f"/{org.slug}/uitdaagrecht/{draft}/verwijderen").get_data(as_text=True)
    response = client.post(f"/{org.slug}/uitdaagrecht/{draft}/verwijderen")
    assert response.status_code == 303
    assert stored(draft) is None


# --------------------------------------------------------------------------- hostile input


def test_no_server_error_on_hostile_input(client, org, draft):
    strings = [s for s in json.loads(BLNS.read_text("utf-8")) if s][::7]
    for step in range(1, 8):
        names = list(step_data(step))
        for index, text in enumerate(strings[:20]):
            data = {name: text for name in names}
            data["action"] = "next" if index % 2 else "regel_toevoegen"
            response = post_step(client, org, draft, step, data)
            assert response.status_code in (200, 303, 422), (step, text)
            if response.status_code != 303:
                page = response.get_data(as_text=True)
                assert "<script>alert" not in page
    assert client.get(f"/{org.slug}/uitdaagrecht/{draft}/stap/7").status_code == 200
