"""Demo data for `make run` and the browser tests: one demo organisation of each tier, one login
per role, an installation administrator and a living set of cases (idempotent; the command is
`flask demo-data`)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from participation.extensions import db
from participation.models import Organisation, User
from participation.services import accounts, organisations, transparency

DEMO_PASSWORD = "demo-wachtwoord-2026"

DEMO_ORGANISATIONS = (
    dict(slug="zonnedal", name="Gemeente Zonnedal", tier="gemeente", tooi_code="gm9991",
         email="participatie@zonnedal.example", phone="14 0999",
         address="Raadhuisplein 1, 9991 AA Zonnedal", website="https://www.zonnedal.example",
         primary_color="#00566e", inhabitants=48200, electorate=38900,
         postcode_areas="9990-9991"),
    dict(slug="waterschap-de-stroom", name="Waterschap De Stroom", tier="waterschap",
         tooi_code="ws9992", email="info@destroom.example", phone="0999 123 456",
         address="Dijkweg 12, 9992 BB Zonnedal", website="https://www.destroom.example",
         primary_color="#1d5c2e", inhabitants=512000, electorate=401000,
         area="Zonnedal, Bergdorp en Rivierstad"),
    dict(slug="zuiderland", name="Provincie Zuiderland", tier="provincie", tooi_code="pv99",
         email="participatie@zuiderland.example", phone="0999 700 700",
         address="Provinciehuis, Statenplein 1, 9990 AA Zonnedal",
         website="https://www.zuiderland.example", primary_color="#6d2077",
         inhabitants=1120000, electorate=905000, area="Zuiderland"),
)

# (email, name, organisation slug or None for a resident, role)
DEMO_USERS = (
    ("inwoner@example.nl", "Sanne de Vries", None, None),
    ("inwoner2@example.nl", "Mohamed El Amrani", None, None),
    ("ambtenaar@zonnedal.example", "Pieter Jansen", "zonnedal", "official"),
    ("coordinator@zonnedal.example", "Fatma Yilmaz", "zonnedal", "coordinator"),
    ("griffie@zonnedal.example", "Joost van Dam", "zonnedal", "griffie"),
    ("beheer@zonnedal.example", "Anouk Bakker", "zonnedal", "admin"),
    ("ambtenaar@destroom.example", "Karin Visser", "waterschap-de-stroom", "official"),
    ("coordinator@destroom.example", "Daan Smit", "waterschap-de-stroom", "coordinator"),
    ("griffie@destroom.example", "Ilse Mulder", "waterschap-de-stroom", "griffie"),
    ("beheer@destroom.example", "Bram de Boer", "waterschap-de-stroom", "admin"),
    ("ambtenaar@zuiderland.example", "Lotte Hendriks", "zuiderland", "official"),
    ("griffie@zuiderland.example", "Ruben Verhoeven", "zuiderland", "griffie"),
    ("beheer@zuiderland.example", "Eva de Graaf", "zuiderland", "admin"),
)

# Manages the organisations themselves (/beheer/organisaties), not their cases.
INSTALLATION_ADMIN = ("platformbeheer@example.nl", "Willem Kok")


def ensure_demo_data() -> list[tuple[str, str, str]]:
    """Create what is missing; returns (email, organisation, role) for printing."""
    orgs: dict[str, Organisation] = {}
    users: dict[str, User] = {}
    for fields in DEMO_ORGANISATIONS:
        org = db.session.scalar(select(Organisation).where(Organisation.slug == fields["slug"]))
        orgs[fields["slug"]] = org or organisations.create_organisation(**fields)
    now = datetime.now(timezone.utc)
    logins = []
    for email, name, slug, role in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = accounts.create_user(email=email, name=name, password=DEMO_PASSWORD, verified_at=now)
        if slug and role:
            accounts.grant_role(user, orgs[slug], role)
        users[email] = user
        logins.append((email, orgs[slug].name if slug else "-", role or "inwoner"))
    email, name = INSTALLATION_ADMIN
    admin = db.session.scalar(select(User).where(User.email == email)) or accounts.create_user(
        email=email, name=name, password=DEMO_PASSWORD, verified_at=now)
    admin.is_installation_admin = True
    logins.append((email, "-", "installatiebeheer"))
    ensure_demo_cases(orgs["zonnedal"], users, now)
    transparency.sequence(now)  # the public history in the log, with a signed checkpoint
    return logins


DEMO_TASKS = (
    ("GROEN-01", "Onderhoud plantsoenen en bermen", "groenbeheer", "48000.00"),
    ("SPORT-02", "Beheer van het trapveld De Linde", "sport", "12500.00"),
    ("WELZ-03", "Buurtkamer Parkwijk openhouden", "welzijn", "30000.00"),
)

_GROUP = ("Wij zijn twaalf buurtbewoners die al vijf jaar samen het plantsoen aan de Lindelaan "
          "onderhouden. Drie van ons werkten als hovenier, twee hebben een EHBO-diploma en wij "
          "hebben een vaste planning voor maaien, snoeien en het opruimen van zwerfafval.")
_PLAN = (_GROUP + " Elke zaterdag werken wij van negen tot twaalf uur. Een coördinator verdeelt "
         "het werk en houdt een logboek bij dat wij elk kwartaal met de gemeente delen. Groot "
         "snoeiwerk en bomen blijven bij de gemeente.")


def _challenge_values(title: str, task_id: int, start: date) -> dict:
    return {
        "naam_initiatief": title, "indiener_naam": "Stichting Groen Zuid",
        "adres_straat": "Lindelaan 4", "adres_postcode": "9991 AB", "adres_plaats": "Zonnedal",
        "contact_naam": "Sanne de Vries", "contact_email": "inwoner@example.nl",
        "contact_telefoon": "06 12345678", "rechtsvorm": "stichting", "kvk_nummer": "12345678",
        "winstoogmerk": "nee", "samenstelling_groep": _GROUP, "taak_omschrijving": _GROUP,
        "taak": str(task_id), "beleidsveld": "groenbeheer", "gebied": "Zuid",
        "uitvoeringsplan": _PLAN, "beter_goedkoper_motivering":
            "Wij wonen er zelf, zien meteen wat nodig is en werken met vrijwilligers.",
        "doelen_resultaten": "Een schoon en veilig plantsoen voor de hele buurt.",
        "indicatoren": ["Elke week gemaaid", "Zwerfafval binnen twee dagen opgeruimd"],
        "startdatum": start.isoformat(), "looptijd_maanden": "12",
        "draagvlak_omschrijving": "Wij hebben alle 80 huishoudens aan de Lindelaan gesproken.",
        "aantal_steunbetuigingen": "64",
        "begroting": [{"post": "Materiaal en gereedschap", "bedrag": "9500.00"},
                      {"post": "Verzekering", "bedrag": "1500.00"}],
        "gevraagd_budget": "10000.00", "eigen_bijdrage_geld": "1000.00",
        "eigen_bijdrage_uren": "400",
        "maatschappelijke_meerwaarde": "Buren leren elkaar kennen en de straat blijft schoon.",
        "kwaliteit_continuiteit": "Er zijn altijd twee vaste reserves en een draaiboek.",
        "veiligheid_risico": "Wij zijn verzekerd en werken met veiligheidshesjes.",
        "veiligheid_bevestigd": True, "privacyverklaring_gelezen": True,
    }


def _grant(org: Organisation, case, official: User, when: datetime, reasons: str) -> None:
    """The steps from a request to a published grant, each as the official takes it."""
    from participation.services import cases as case_service

    for name in ("ontvangst_bevestigen", "in_behandeling_nemen", "naar_besluitvorming"):
        case_service.apply_transition(case, name, actor=official, now=when)
    decision = case_service.record_decision(
        case, actor=official, deciding_body="college", decided_on=when.date(),
        outcome="toegekend", reasons=reasons, refusal_grounds=[],
        legal_remedies=case_service.default_legal_remedies(org, "college"), now=when)
    case_service.apply_transition(case, "toekennen", actor=official, now=when,
                                  inputs={"reason": reasons, "decision": decision.id})
    decision.published_at = when
    case_service.apply_transition(case, "overeenkomst_opstellen", actor=official, now=when)


def _agreed(case, resident: User, official: User, when: datetime, task: str, budget: str,
            results: list[tuple[str, date]], instalments: list[tuple[str, date, str]],
            evaluation_date: date):
    from participation.services import agreements
    from participation.services import cases as case_service

    version = agreements.draft_agreement(
        case, actor=official, task=task, scope="Minstens het huidige niveau van onderhoud.",
        budget=budget, budget_line="6.5.2 Openbaar groen", start_date=when.date(),
        end_date=(when + timedelta(days=365)).date(), evaluation_date=evaluation_date,
        results=[agreements.ResultLine(title, target) for title, target in results],
        instalments=[agreements.InstalmentLine(amount, planned, condition)
                     for amount, planned, condition in instalments],
        contact_persons="Sanne de Vries, coördinator, inwoner@example.nl",
        document=None, now=when)
    agreements.agree(case, actor=resident, version=version.version, now=when + timedelta(days=1))
    case_service.apply_transition(case, "overeenkomst_tekenen", actor=official,
                                  now=when + timedelta(days=2))


def _challenge_in_execution(org: Organisation, challenge, resident: User, official: User,
                            now: datetime) -> None:
    """In execution: an agreed agreement, two reports (one accepted), one instalment paid."""
    from participation.services import agreements

    start = now - timedelta(days=150)
    case = challenge("Bermen Lindelaan maaien", start - timedelta(days=60))
    _grant(org, case, official, start - timedelta(days=10),
           "De buurt maait de bermen vaker en goedkoper dan de aannemer.")
    _agreed(case, resident, official, start, "Maaien en schoonhouden van de bermen aan de "
            "Lindelaan", "9.000,00",
            [("Bermen twaalf keer gemaaid", (start + timedelta(days=120)).date()),
             ("Bloemrijke berm ingezaaid", (now + timedelta(days=60)).date())],
            [("3.000,00", start.date(), ""),
             ("3.000,00", (start + timedelta(days=130)).date(), "1"),
             ("3.000,00", (now + timedelta(days=90)).date(), "2")],
            (now + timedelta(days=150)).date())
    agreements.release_instalment(case, actor=official, key="t1", now=start + timedelta(days=3))
    first = agreements.report_progress(
        case, actor=resident, result_key="r1", status="delivered",
        text="Twaalf keer gemaaid, het maaisel is afgevoerd.", spent="2.750,00", files=[],
        now=start + timedelta(days=110))
    agreements.review_report(case, first, actor=official, decision="accepted", note="",
                             now=start + timedelta(days=112))
    agreements.release_instalment(case, actor=official, key="t2",
                                  now=start + timedelta(days=113))
    agreements.report_progress(
        case, actor=resident, result_key="r2", status="in_progress",
        text="Zaad besteld, de grond is voorbereid.", spent="400,00", files=[],
        now=now - timedelta(days=2))


def _challenge_evaluated(org: Organisation, challenge, resident: User, official: User,
                         now: datetime) -> None:
    """A year of work, evaluated: the outcome and its public summary."""
    from participation.services import agreements
    from participation.services import cases as case_service

    start = now - timedelta(days=420)
    case = challenge("Speeltuin Het Hofje beheren", start - timedelta(days=60))
    _grant(org, case, official, start - timedelta(days=10),
           "De bewoners beheren de speeltuin al jaren informeel.")
    _agreed(case, resident, official, start, "Beheer en dagelijkse controle van speeltuin "
            "Het Hofje", "6.000,00", [("Wekelijkse veiligheidscontrole, 52 keer",
                                        (start + timedelta(days=360)).date())],
            [("6.000,00", (start + timedelta(days=365)).date(), "1")],
            (start + timedelta(days=365)).date())
    report = agreements.report_progress(
        case, actor=resident, result_key="r1", status="delivered",
        text="Alle 52 controles gedaan en in het logboek gezet.", spent="5.600,00", files=[],
        now=start + timedelta(days=362))
    agreements.review_report(case, report, actor=official, decision="accepted", note="",
                             now=start + timedelta(days=363))
    agreements.release_instalment(case, actor=official, key="t1", now=start + timedelta(days=366))
    at = start + timedelta(days=368)
    case_service.apply_transition(case, "evaluatie_starten", actor=official, now=at)
    for party, actor, quality in (("official", official, "Veilig en schoon; geen klachten."),
                                  ("applicant", resident, "Veel steun uit de buurt.")):
        agreements.save_evaluation(
            case, actor=actor, party=party, results_delivered="yes",
            own_cost="7.500,00" if party == "official" else "",
            cost_comparison="Goedkoper dan de aannemer." if party == "official" else "",
            quality=quality, to_continue="Doorgaan, met een extra controle na storm.", now=at)
    agreements.decide_evaluation(
        case, actor=official, outcome="continue", decided_on=at.date(),
        reasons="Alle resultaten zijn geleverd, binnen het budget.",
        public_summary="De buurt beheerde de speeltuin een jaar lang veilig en goedkoper dan "
                       "de gemeente zelf. De afspraken lopen door.", now=at)


def ensure_demo_cases(org: Organisation, users: dict[str, User], now: datetime) -> None:
    """A living demo: requests in several states, an initiative collecting support, a meeting."""
    from participation.models import Case, Task
    from participation.services import cases as case_service
    from participation.services import challenges, council, initiatives

    if db.session.scalar(select(Case.id).where(Case.organisation_id == org.id).limit(1)):
        return
    for code, title, area, budget in DEMO_TASKS:
        db.session.add(Task(organisation_id=org.id, code=code, title=title, policy_area=area,
                            description=title, current_budget=Decimal(budget)))
    db.session.flush()
    task = db.session.scalar(select(Task).where(Task.organisation_id == org.id,
                                                Task.code == "GROEN-01"))
    resident, coordinator = users["inwoner@example.nl"], users["coordinator@zonnedal.example"]
    official = users["ambtenaar@zonnedal.example"]
    start = (now + timedelta(weeks=20)).date()
    earlier = now - timedelta(days=40)

    def challenge(title: str, when: datetime) -> Case:
        case = challenges.start_challenge(org, applicant=resident, now=when)
        challenges.save_draft(case, _challenge_values(title, task.id, start), now=when)
        challenges.submit_challenge(case, actor=resident, now=when)
        return case

    waiting = challenge("Groen Plantsoen Zuid", earlier)
    case_service.apply_transition(waiting, "ontvangst_bevestigen", actor=coordinator,
                                  now=earlier + timedelta(days=2))
    case_service.apply_transition(
        waiting, "aanvulling_vragen", actor=coordinator, now=earlier + timedelta(days=5),
        inputs={"question": "Wilt u de offerte van de verzekering meesturen?", "term_days": 21})
    case_service.assign_case(waiting, assignee=official, actor=coordinator, now=earlier)

    granted = challenge("Trapveld De Linde door sportvereniging", earlier - timedelta(days=30))
    for name in ("ontvangst_bevestigen", "in_behandeling_nemen"):
        case_service.apply_transition(granted, name, actor=coordinator, now=earlier)
    case_service.apply_transition(granted, "naar_besluitvorming", actor=official, now=earlier)
    decision = case_service.record_decision(
        granted, actor=official, deciding_body="college", decided_on=earlier.date(),
        outcome="toegekend", reasons="De vereniging onderhoudt het veld beter en goedkoper.",
        refusal_grounds=[], legal_remedies=case_service.default_legal_remedies(org, "college"),
        decision_number="2026-0142", partial_subtype="", document_id=None, now=earlier)
    case_service.apply_transition(
        granted, "toekennen", actor=official, now=earlier,
        inputs={"reason": "De vereniging onderhoudt het veld beter en goedkoper.",
                "decision": decision.id})
    decision.published_at = earlier

    challenge("Buurtkamer Parkwijk", now - timedelta(days=3))
    _challenge_in_execution(org, challenge, resident, official, now)
    _challenge_evaluated(org, challenge, resident, official, now)

    draft = initiatives.InitiativeDraft(
        title="Meer bomen op het Raadhuisplein",
        summary="Wij vragen de raad om twaalf nieuwe bomen op het Raadhuisplein.",
        proposal="De raad besluit het college te vragen in 2027 twaalf bomen te planten op het "
                 "Raadhuisplein en daarvoor een plan met de buurt te maken.",
        motivation="Het plein wordt in de zomer te heet. Bomen geven schaduw en koelte.",
        deputy_name="Mohamed El Amrani", deputy_email="inwoner2@example.nl", not_excluded=True)
    initiative = initiatives.create_initiative(org, applicant=resident, draft=draft, now=earlier)
    initiatives.start_collecting(initiative, actor=resident, now=earlier)
    initiatives.sign_initiative(initiative, users["inwoner2@example.nl"], now=earlier,
                                birth_date=date(1990, 5, 17), postcode="9991 BC")

    council.create_meeting(org, title="Raadsvergadering december", meeting_type="raadsvergadering",
                           starts_at=(now + timedelta(days=21)).replace(hour=19, minute=30),
                           location="Raadzaal", now=now)

