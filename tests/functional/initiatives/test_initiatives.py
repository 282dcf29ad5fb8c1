"""Burgerinitiatief through the test client: drafting, support, submission, questions and the
griffie's supporter list."""
from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from participation.domain import grounds, thresholds
from participation.extensions import db
from participation.models import Case, Comment, OutboxMessage, Signature, User
from participation.models._types import utcnow
from participation.services import initiatives as service
from participation.services import organisations
from tests.conftest import htmx_headers
from tests.functional.initiatives.conftest import SMALL_THRESHOLD, form_data


def base(org) -> str:
    return f"/{org.slug}/initiatieven"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def fresh(case: Case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


# --- Starting an initiative -----------------------------------------------------------------


def test_new_page_shows_exclusions_and_threshold_before_the_form(client, create_org, resident,
                                                                 login):
    org = create_org(inhabitants=20000)
    login(resident)
    html = html_of(client.get(f"{base(org)}/nieuw"))
    form_at = html.index('<form method="post" enctype="multipart/form-data"')
    for code in ("X1", "X3", "X9"):
        label = grounds.EXCLUSIONS[code].label_nl
        assert label in html and html.index(label) < form_at
    # The preset: at least 100 signatures, 182 days, from 16 years.
    assert html.index("minstens 100 steunbetuigingen") < form_at
    assert "182 dagen" in html and "vanaf 16 jaar" in html
    assert "Ik verklaar dat mijn onderwerp niet bij de uitgesloten onderwerpen hoort" in html


def test_threshold_follows_the_organisations_current_procedure(client, org, resident, login):
    login(resident)
    html = html_of(client.get(f"{base(org)}/nieuw"))
    assert f"minstens {SMALL_THRESHOLD} steunbetuigingen" in html


def test_new_needs_a_login(client, org):
    response = client.get(f"{base(org)}/nieuw")
    assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]
    assert client.post(f"{base(org)}/nieuw", data=form_data()).status_code == 302
    assert db.session.scalar(select(Case)) is None


def test_create_stores_the_draft_privately(client, org, resident, create_user, login):
    login(resident)
    response = client.post(f"{base(org)}/nieuw", data=form_data())
    assert response.status_code == 303
    case = db.session.scalar(select(Case).where(Case.request_type == "burgerinitiatief"))
    assert response.headers["Location"].endswith(f"{base(org)}/{case.id}")
    assert case.state == "concept" and not case.is_public
    assert case.title == "Meer bankjes in het Zonnepark"
    assert case.summary == "Wij willen tien extra bankjes."
    assert case.applicant_id == resident.id
    assert case.data["proposal"].startswith("De raad besluit")
    assert case.data["deputy"] == {"name": "Piet Plaatsvervanger", "email": "piet@example.nl"}
    assert case.data["contact"]["email"] == resident.email
    assert case.data["names_public"] is False

    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "Dit is een concept" in page and "Start met steun verzamelen" in page
    # Nobody else sees a draft, and it is not in the public list.
    client.post("/account/uitloggen")
    assert client.get(f"{base(org)}/{case.id}").status_code == 404
    assert "Meer bankjes" not in html_of(client.get(f"{base(org)}/"))
    login(create_user())
    assert client.get(f"{base(org)}/{case.id}").status_code == 404


def test_validation_errors_keep_input_and_sit_next_to_the_field(client, org, resident, login):
    login(resident)
    response = client.post(f"{base(org)}/nieuw",
                           data=form_data(title="x" * 201, motivation="", not_excluded=None))
    assert response.status_code == 422
    html = html_of(response)
    assert "Controleer de volgende punten" in html
    assert re.search(r'id="title-error">.*De titel mag niet langer zijn dan 200 tekens', html, re.DOTALL)
    assert 'aria-describedby="title-hint title-error"' in html
    assert 'id="motivation-error"' in html and "Vul een toelichting in." in html
    assert "Verklaar dat het onderwerp niet is uitgesloten." in html
    # What the resident typed is still there.
    assert "x" * 201 in html and "De raad besluit tien bankjes" in html
    assert db.session.scalar(select(Case)) is None


def test_deputy_must_differ_from_the_contact_person(client, org, resident, login):
    login(resident)
    response = client.post(f"{base(org)}/nieuw", data=form_data(deputy_email=resident.email))
    assert response.status_code == 422
    assert re.search(r'id="deputy_email-error">.*iemand anders zijn dan de contactpersoon',
                     html_of(response), re.DOTALL)
    response = client.post(f"{base(org)}/nieuw", data=form_data(deputy_name=resident.name))
    assert response.status_code == 422
    assert 'id="deputy_name-error"' in html_of(response)


def test_initiator_edits_the_draft_but_not_after_collecting_starts(client, org, resident, login,
                                                                   make_initiative):
    case = make_initiative(state="concept")
    login(resident)
    form = html_of(client.get(f"{base(org)}/{case.id}/bewerken"))
    assert "Meer bankjes in het Zonnepark" in form
    response = client.post(f"{base(org)}/{case.id}/bewerken",
                           data=form_data(title="Twintig bankjes", lock_version=case.lock_version))
    assert response.status_code == 303
    assert fresh(case).title == "Twintig bankjes"

    # A stale form (an older version) is refused instead of overwriting.
    response = client.post(f"{base(org)}/{case.id}/bewerken",
                           data=form_data(title="Oud", lock_version=case.lock_version - 1))
    assert response.status_code == 409 and fresh(case).title == "Twintig bankjes"

    client.post(f"{base(org)}/{case.id}/steun-verzamelen",
                data={"lock_version": fresh(case).lock_version})
    response = client.post(f"{base(org)}/{case.id}/bewerken", data=form_data(title="Later"))
    assert response.status_code == 303 and fresh(case).title == "Twintig bankjes"


def test_someone_else_cannot_edit_or_start(client, org, make_initiative, create_user, login):
    case = make_initiative(state="concept")
    login(create_user())
    assert client.post(f"{base(org)}/{case.id}/bewerken", data=form_data()).status_code == 404
    case = make_initiative(state="steun_verzamelen")
    assert client.post(f"{base(org)}/{case.id}/bewerken", data=form_data()).status_code == 403
    assert client.post(f"{base(org)}/{case.id}/indienen").status_code == 403


def test_start_collecting_opens_the_initiative_with_a_deadline(client, org, resident, login,
                                                               make_initiative):
    case = make_initiative(state="concept")
    login(resident)
    response = client.post(f"{base(org)}/{case.id}/steun-verzamelen",
                           data={"lock_version": case.lock_version})
    assert response.status_code == 303
    case = fresh(case)
    assert case.state == "steun_verzamelen" and case.is_public
    procedure = service.procedure_for_case(case)
    assert case.collection_deadline == thresholds.collection_deadline(
        procedure.threshold, service.local_today(utcnow()))
    client.post("/account/uitloggen")
    listing = html_of(client.get(f"{base(org)}/"))
    assert "Meer bankjes in het Zonnepark" in listing and "Start een initiatief" in listing
    assert re.search(r'<progress[^>]*value="0" max="3"', listing)
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "Het voorstel kan nu worden gesteund" in page  # public timeline
    assert "Log in om dit initiatief te steunen" in page


def test_other_organisation_gets_404(client, org, create_org, make_initiative):
    case = make_initiative()
    other = create_org()
    assert client.get(f"/{other.slug}/initiatieven/{case.id}").status_code == 404


# --- Support ----------------------------------------------------------------------------------


def sign(client, org, case, **data):
    return client.post(f"{base(org)}/{case.id}/ondertekenen", data=data)


def test_signatures_from_several_accounts_are_counted(client, org, make_initiative,
                                                      make_resident, login):
    case = make_initiative()
    for n in range(3):
        login(make_resident())
        response = sign(client, org, case)
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"{base(org)}/{case.id}#steun")
        client.post("/account/uitloggen")
    assert fresh(case).signature_count == 3
    assert db.session.query(Signature).filter_by(case_id=case.id).count() == 3
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert re.search(r'<progress[^>]*value="3" max="3"', page)
    assert "De drempel is gehaald" in page


def test_signing_twice_is_refused(client, org, make_initiative, make_resident, login):
    case = make_initiative()
    login(make_resident())
    assert sign(client, org, case).status_code == 303
    response = sign(client, org, case)
    assert response.status_code == 422
    assert "U heeft dit initiatief al ondertekend" in html_of(response)
    assert fresh(case).signature_count == 1


def test_withdrawing_support_lowers_the_count(client, org, make_initiative, make_resident, login):
    case = make_initiative()
    login(make_resident())
    sign(client, org, case)
    assert "U steunt dit initiatief" in html_of(client.get(f"{base(org)}/{case.id}"))
    response = client.post(f"{base(org)}/{case.id}/intrekken-steun")
    assert response.status_code == 303
    assert fresh(case).signature_count == 0
    assert db.session.query(Signature).filter_by(case_id=case.id).count() == 0
    # Withdrawing again: there is nothing to withdraw.
    response = client.post(f"{base(org)}/{case.id}/intrekken-steun")
    assert response.status_code == 422 and fresh(case).signature_count == 0


def test_htmx_signing_returns_only_the_fragment(client, org, make_initiative, make_resident,
                                                login):
    case = make_initiative()
    login(make_resident())
    response = client.post(f"{base(org)}/{case.id}/ondertekenen", headers=htmx_headers())
    assert response.status_code == 200
    html = html_of(response)
    assert "<html" not in html and "<footer" not in html
    assert html.lstrip().startswith('<section id="steun"')
    assert re.search(r'<progress[^>]*value="1" max="3"', html)
    assert "Steun intrekken" in html and "Bedankt. U steunt dit initiatief." in html
    # The full page includes the same fragment, with a working form and htmx attributes.
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert '<section id="steun"' in page
    assert f'hx-post="{base(org)}/{case.id}/intrekken-steun"' in page
    assert f'action="{base(org)}/{case.id}/intrekken-steun"' in page

    response = client.post(f"{base(org)}/{case.id}/intrekken-steun", headers=htmx_headers())
    assert response.status_code == 200 and "<html" not in html_of(response)
    assert re.search(r'<progress[^>]*value="0" max="3"', html_of(response))


def test_htmx_refusal_is_a_swappable_422_fragment(client, org, make_initiative, make_resident,
                                                  login):
    case = make_initiative()
    login(make_resident())
    sign(client, org, case)
    response = client.post(f"{base(org)}/{case.id}/ondertekenen", headers=htmx_headers())
    assert response.status_code == 422
    html = html_of(response)
    assert "<html" not in html and "U heeft dit initiatief al ondertekend" in html


def test_birth_date_is_asked_once_and_under_age_is_refused(client, org, make_initiative,
                                                           create_user, login):
    case = make_initiative()
    young = create_user(name="Jonge Jan")
    login(young)
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert 'name="birth_date"' in page and "Uw geboortedatum" in page

    response = sign(client, org, case)
    assert response.status_code == 422 and "Vul uw geboortedatum in." in html_of(response)

    today = service.local_today(utcnow())
    fifteen = date(today.year - 15, 1, 1)
    response = sign(client, org, case, birth_date=fifteen.isoformat())
    assert response.status_code == 422
    assert "U moet minstens 16 jaar oud zijn om dit initiatief te steunen." in html_of(response)
    assert fresh(case).signature_count == 0
    db.session.expire_all()
    assert db.session.get(User, young.id).birth_date == fifteen  # asked only once
    assert 'name="birth_date"' not in html_of(client.get(f"{base(org)}/{case.id}"))

    client.post("/account/uitloggen")
    adult = create_user()
    login(adult)
    response = sign(client, org, case, birth_date=date(today.year - 40, 6, 1).isoformat())
    assert response.status_code == 303 and fresh(case).signature_count == 1


def test_only_residents_of_the_area_support_and_the_postcode_is_asked_once(
        client, org, make_initiative, make_resident, login):
    org.postcode_areas = "9990-9999, 1011"
    db.session.commit()
    case = make_initiative()
    outsider = make_resident(name="Els Elders")
    login(outsider)
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert 'name="postcode"' in page and "Uw postcode" in page

    response = sign(client, org, case)
    assert response.status_code == 422 and "Vul uw postcode in." in html_of(response)
    response = sign(client, org, case, postcode="12345")
    assert "Vul een Nederlandse postcode in, bijvoorbeeld 9991 AB." in html_of(response)
    response = sign(client, org, case, postcode="3511ab")
    html = html_of(response)
    assert response.status_code == 422
    assert ("Met postcode 3511 AB woont u niet in het gebied van " + org.name) in html
    assert fresh(case).signature_count == 0
    db.session.expire_all()
    assert db.session.get(User, outsider.id).postcode == "3511 AB"  # asked only once
    assert 'name="postcode"' not in html_of(client.get(f"{base(org)}/{case.id}"))
    # A mistyped postcode is corrected in the field that the refusal shows again.
    response = sign(client, org, case, postcode="9999 AA")
    assert response.status_code == 303 and fresh(case).signature_count == 1
    db.session.expire_all()
    assert db.session.get(User, outsider.id).postcode == "9999 AA"

    client.post("/account/uitloggen")
    login(make_resident(name="Ina Inwoner"))
    response = sign(client, org, case, postcode="9991 ab")
    assert response.status_code == 303 and fresh(case).signature_count == 2


def test_a_birth_date_more_than_120_years_ago_is_not_believed(client, org, make_initiative,
                                                              create_user, login):
    case = make_initiative()
    login(create_user(name="Oude Opa"))
    today = service.local_today(utcnow())
    response = sign(client, org, case, birth_date=date(today.year - 121, 1, 1).isoformat())
    assert response.status_code == 422 and "Vul een geldige geboortedatum in." in html_of(response)
    assert fresh(case).signature_count == 0


def test_signing_after_the_collection_period_is_refused(client, org, make_initiative,
                                                        make_resident, login):
    case = make_initiative()
    case.collection_deadline = service.local_today(utcnow()) - timedelta(days=1)
    db.session.commit()
    login(make_resident())
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "De tijd om steun te verzamelen is voorbij." in page
    assert "Ik steun dit initiatief" not in page
    response = sign(client, org, case)
    assert response.status_code == 422 and fresh(case).signature_count == 0


def test_anonymous_signing_goes_to_the_login(client, org, make_initiative):
    case = make_initiative()
    response = sign(client, org, case)
    assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]


# --- Submission -------------------------------------------------------------------------------


def test_submission_below_the_threshold_is_refused(client, org, resident, login, make_initiative,
                                                   make_resident):
    case = make_initiative()
    service.sign_initiative(case, make_resident(), now=utcnow())
    db.session.commit()
    login(resident)
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "Indienen bij de griffie" not in page
    assert "zodra de drempel is gehaald" in page
    response = client.post(f"{base(org)}/{case.id}/indienen",
                           data={"lock_version": fresh(case).lock_version})
    assert response.status_code == 422
    assert "U kunt nog niet indienen: er zijn 1 van de 3 steunbetuigingen nodig." in html_of(response)
    assert fresh(case).state == "steun_verzamelen"


def test_submission_at_the_threshold_sends_a_receipt(client, org, resident, login,
                                                     make_initiative, make_resident):
    case = make_initiative()
    for _ in range(SMALL_THRESHOLD):
        service.sign_initiative(case, make_resident(), now=utcnow())
    db.session.commit()
    login(resident)
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "De drempel is gehaald" in page and "Indienen bij de griffie" in page
    response = client.post(f"{base(org)}/{case.id}/indienen",
                           data={"lock_version": fresh(case).lock_version},
                           follow_redirects=True)
    assert response.status_code == 200
    case = fresh(case)
    assert case.state == "ingediend" and case.number.startswith("BI-")
    html = html_of(response)
    assert f"Het registratienummer is {case.number}" in html  # on screen
    assert "Ontvangstbevestiging" in html and "Voorstel ingediend" in html
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == resident.email)
                             .order_by(OutboxMessage.id.desc()))
    assert case.number in mail.subject and case.number in mail.body
    assert "Meer bankjes in het Zonnepark" in mail.body


def test_signing_and_withdrawing_after_submission_are_refused(client, org, make_initiative,
                                                              make_resident, resident, login):
    case = make_initiative()
    early = make_resident()
    for user in (early, make_resident(), make_resident()):
        service.sign_initiative(case, user, now=utcnow())
    service.submit_initiative(case, actor=resident, now=utcnow())
    db.session.commit()

    login(make_resident())
    response = sign(client, org, case)
    assert response.status_code == 422
    assert "het verzamelen van steun is gestopt" in html_of(response)
    client.post("/account/uitloggen")
    login(early)
    response = client.post(f"{base(org)}/{case.id}/intrekken-steun")
    assert response.status_code == 422
    assert fresh(case).signature_count == 3


# --- Privacy and the griffie's list --------------------------------------------------------


def test_names_are_never_on_the_public_page(client, org, make_initiative, make_resident, resident):
    case = make_initiative()
    signer = make_resident(name="Wilhelmina Steunbetuiger")
    service.sign_initiative(case, signer, now=utcnow())
    db.session.commit()
    html = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "Wilhelmina" not in html and "Steunbetuiger" not in html
    assert resident.name not in html and "Piet Plaatsvervanger" not in html
    assert "Initiatiefnemers" in html
    assert "Wilhelmina" not in html_of(client.get(f"{base(org)}/"))


def test_initiators_name_is_shown_only_with_consent(client, org, make_initiative, resident):
    case = make_initiative(names_public=True)
    html = html_of(client.get(f"{base(org)}/{case.id}"))
    assert f"Contactpersoon: {resident.name}" in html
    assert "piet@example.nl" not in html and resident.email not in html


def test_supporter_list_is_for_the_griffie_only(client, org, create_org, make_initiative,
                                                make_resident, create_user, login):
    case = make_initiative()
    signer = make_resident(name="Wilhelmina Steunbetuiger")
    service.sign_initiative(case, signer, now=utcnow())
    db.session.commit()
    url = f"{base(org)}/{case.id}/ondertekenaars"

    response = client.get(url)
    assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]

    for role in (None, "official"):
        login(create_user(org=org, role=role) if role else make_resident())
        assert client.get(url).status_code == 403
        assert client.get(url + ".csv").status_code == 403
        client.post("/account/uitloggen")

    other = create_org()
    login(create_user(org=other, role="griffie"))
    assert client.get(f"/{other.slug}/initiatieven/{case.id}/ondertekenaars").status_code == 404
    client.post("/account/uitloggen")

    login(create_user(org=org, role="griffie"))
    response = client.get(url)
    assert response.status_code == 200
    html = html_of(response)
    assert "Wilhelmina Steunbetuiger" in html and "17-05-1980" in html
    csv_response = client.get(url + ".csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert "Wilhelmina Steunbetuiger;1980-05-17" in csv_response.get_data(as_text=True)


def test_csv_cells_cannot_become_formulas(client, org, make_initiative, make_resident,
                                          create_user, login):
    case = make_initiative()
    service.sign_initiative(case, make_resident(name="=HYPERLINK(\"x\")"), now=utcnow())
    db.session.commit()
    login(create_user(org=org, role="griffie"))
    body = client.get(f"{base(org)}/{case.id}/ondertekenaars.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


# --- Questions, answers and moderation ----------------------------------------------------


def test_question_answer_and_moderation(client, org, make_initiative, make_resident,
                                        create_user, login):
    case = make_initiative()
    asker = make_resident(name="Vera Vraagsteller")
    login(asker)
    response = client.post(f"{base(org)}/{case.id}/reacties",
                           data={"body": "Waar komen de bankjes? <script>alert(1)</script>"})
    assert response.status_code == 303
    question = db.session.scalar(select(Comment).where(Comment.case_id == case.id))
    html = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "Waar komen de bankjes? &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "Vera" not in html  # questions are shown without a name
    # A resident may not answer on behalf of the organisation, nor moderate.
    assert client.post(f"{base(org)}/{case.id}/reacties/{question.id}/antwoord",
                       data={f"antwoord-{question.id}-body": "Ik weet het"}).status_code == 403
    assert client.post(f"{base(org)}/{case.id}/reacties/{question.id}/verbergen",
                       data={f"verbergen-{question.id}-reason": "x"}).status_code == 403
    client.post("/account/uitloggen")

    login(create_user(org=org, role="official"))
    response = client.post(f"{base(org)}/{case.id}/reacties/{question.id}/antwoord",
                           data={f"antwoord-{question.id}-body": "Langs het hoofdpad."})
    assert response.status_code == 303
    html = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "Antwoord van Gemeente Zonnedal" in html and "Langs het hoofdpad." in html

    # Moderation needs a reason, shown next to the field.
    response = client.post(f"{base(org)}/{case.id}/reacties/{question.id}/verbergen",
                           data={f"verbergen-{question.id}-reason": ""})
    assert response.status_code == 422
    assert f'id="verbergen-{question.id}-reason-error"' in html_of(response)
    response = client.post(f"{base(org)}/{case.id}/reacties/{question.id}/verbergen",
                           data={f"verbergen-{question.id}-reason": "Geen vraag over het voorstel"})
    assert response.status_code == 303
    client.post("/account/uitloggen")
    html = html_of(client.get(f"{base(org)}/{case.id}"))
    assert ("Deze reactie is verborgen door de moderator: Geen vraag over het voorstel" in html)
    assert "Waar komen de bankjes?" not in html
    assert "Langs het hoofdpad." in html


def test_empty_question_is_refused_next_to_the_field(client, org, make_initiative,
                                                     make_resident, login):
    case = make_initiative()
    login(make_resident())
    response = client.post(f"{base(org)}/{case.id}/reacties", data={"body": "  "})
    assert response.status_code == 422
    html = html_of(response)
    assert 'id="body-error"' in html and "Vul uw vraag in." in html


def test_staff_of_another_organisation_cannot_moderate(client, org, create_org, make_initiative,
                                                       make_resident, create_user, login):
    case = make_initiative()
    question = service.ask_question(case, author=make_resident(), body="Vraag", now=utcnow())
    db.session.commit()
    other = create_org()
    login(create_user(org=other, role="griffie"))
    response = client.post(f"{base(org)}/{case.id}/reacties/{question.id}/verbergen",
                           data={f"verbergen-{question.id}-reason": "weg"})
    assert response.status_code == 403
    assert db.session.get(Comment, question.id).hidden_at is None


def test_newer_procedure_version_does_not_change_a_running_initiative(org, make_initiative):
    from tests.functional.initiatives.conftest import preset_with

    case = make_initiative()
    organisations.add_workflow_version(org, "burgerinitiatief", preset_with(50))
    db.session.commit()
    assert service.procedure_for_case(fresh(case)).required == SMALL_THRESHOLD
    assert service.procedure_for_org(org).required == 50


# --- Attachments ----------------------------------------------------------------------------


def test_attachments_are_checked_stored_and_downloadable(client, org, resident, login):
    import io

    login(resident)
    response = client.post(f"{base(org)}/nieuw", content_type="multipart/form-data",
                           data={**form_data(),
                                 "attachments": (io.BytesIO(b"<html>not a pdf</html>"), "plan.pdf")})
    assert response.status_code == 422
    assert 'id="attachments-error"' in html_of(response)
    assert db.session.scalar(select(Case)) is None  # nothing half-stored

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(f"{base(org)}/nieuw", content_type="multipart/form-data",
                           data={**form_data(), "attachments": (io.BytesIO(pdf), "tekening.pdf")})
    assert response.status_code == 303
    case = db.session.scalar(select(Case))
    client.post(f"{base(org)}/{case.id}/steun-verzamelen", data={"lock_version": case.lock_version})
    client.post("/account/uitloggen")
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    link = re.search(rf'href="({base(org)}/{case.id}/bijlagen/\d+)">tekening.pdf</a>', page)
    assert link
    download = client.get(link.group(1))
    try:
        assert download.status_code == 200 and download.data == pdf
        assert download.mimetype == "application/pdf"
        assert "attachment" in download.headers["Content-Disposition"]
    finally:
        download.close()


def test_a_draft_cannot_be_signed_or_questioned(client, org, resident, make_initiative, login):
    case = make_initiative(state="concept")
    login(resident)  # the initiator is the only resident who can see the draft
    response = sign(client, org, case)
    assert response.status_code == 422
    assert "Dit initiatief is nog een concept." in html_of(response)
    response = client.post(f"{base(org)}/{case.id}/reacties", data={"body": "Vraag"})
    assert response.status_code == 422 and fresh(case).signature_count == 0
    assert db.session.scalar(select(Comment)) is None


def test_anonymous_visitor_is_asked_to_log_in_to_ask(client, org, make_initiative):
    case = make_initiative()
    page = html_of(client.get(f"{base(org)}/{case.id}"))
    assert "Log in om een vraag te stellen" in page
    response = client.post(f"{base(org)}/{case.id}/reacties", data={"body": "Vraag"})
    assert response.status_code == 302 and "/account/inloggen" in response.headers["Location"]
