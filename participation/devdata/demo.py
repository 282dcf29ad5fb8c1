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

