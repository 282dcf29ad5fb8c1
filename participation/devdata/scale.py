"""Realistic data at scale: organisations of every tier, residents, staff and cases of all
three request types in every state of their procedure, with audit trails that verify.

Rows are written with Core bulk inserts and explicit ids (no round trip per row). Every
case walks a random valid path through its workflow definition from the initial state;
each step is planned by domain.workflow.plan_transition (so roles and inputs are checked
exactly as for a real user), the clock is moved by domain.deadlines, and the audit event is
hashed with domain.audit over AuditEvent.payload(), the same way services.cases does.

`seed_scale` is a generator: it yields after each batch and the caller commits, so this
service never commits itself. Deterministic for a given seed and `now`.
"""
from __future__ import annotations

import hashlib
import random
import time
from bisect import bisect_left
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Iterator

from sqlalchemy import func, insert, select, text

from participation import search
from participation.domain import audit as audit_chain
from participation.domain import deadlines, thresholds
from participation.domain import workflow as wf
from participation.domain.grounds import OUTCOMES, PARTIAL_SUBTYPES, TIERS
from participation.extensions import db
from participation.models import (
    AgendaItem,
    Attachment,
    AuditEvent,
    Case,
    CaseMessage,
    Comment,
    Decision,
    InternalNote,
    Meeting,
    Membership,
    Organisation,
    Signature,
    Task,
    User,
    Vote,
)
from participation.services import organisations as organisation_service
from participation.services.accounts import hash_password
from participation.services.cases import NUMBER_PREFIX, workflow_for_version

SEED_PASSWORD = "seed-wachtwoord-2026"
BATCH_CASES = 1000          # cases per batch; with their events etc. about 5,000-10,000 rows
INSERT_CHUNK = 5000         # rows per executemany
MAX_EXISTING_CASES = 10     # more than this and we refuse unless append=True
HISTORY_DAYS = 3 * 365
# Mix of request types: bewonersinitiatieven are the most common, burgerinitiatieven rare.
TYPE_WEIGHTS = {"bewonersinitiatief": 0.50, "uitdaagrecht": 0.35, "burgerinitiatief": 0.15}
STAFF_ROLES = (("coordinator", 2), ("official", 5), ("griffie", 2), ("admin", 1))


class SeedRefused(Exception):
    """The database already holds data; `message` says what to do."""


@dataclass
class Progress:
    cases_done: int
    cases_total: int
    seconds: float
    counts: dict[str, int] = field(default_factory=dict)
    done: bool = False
    staff_logins: list[tuple[str, str, str]] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- word lists

ORGANISATIONS = (
    ("gemeente", "Gemeente Rijnstad", "rijnstad", "gm9801", 84_300),
    ("provincie", "Provincie Noordoost", "provincie-noordoost", "pv98", 1_240_000),
    ("waterschap", "Waterschap Veenmeer", "waterschap-veenmeer", "ws9803", 612_000),
    ("gemeente", "Gemeente Zuiderhaven", "zuiderhaven", "gm9804", 156_700),
    ("gemeente", "Gemeente Heideloo", "heideloo", "gm9805", 23_450),
    ("gemeente", "Gemeente Oosterveld", "oosterveld", "gm9806", 41_900),
    ("provincie", "Provincie Zuidwest", "provincie-zuidwest", "pv97", 2_010_000),
    ("waterschap", "Waterschap Lage Landen", "waterschap-lage-landen", "ws9808", 388_000),
    ("gemeente", "Gemeente Brugdorp", "brugdorp", "gm9809", 31_200),
    ("gemeente", "Gemeente Markerwaard", "markerwaard", "gm9810", 67_800),
)
COLOURS = ("#00566e", "#1d5c2e", "#7a1f5c", "#8a3b00", "#004b87", "#5b2c83", "#0b6e4f")

FIRST_NAMES = ("Sanne", "Daan", "Emma", "Lucas", "Fatma", "Mohamed", "Anouk", "Jeroen", "Ilse",
               "Bram", "Lotte", "Sem", "Noah", "Julia", "Mila", "Finn", "Yara", "Ahmed", "Priya",
               "Kees", "Ria", "Henk", "Truus", "Wim", "Sophie", "Thijs", "Lieke", "Ruben", "Noor",
               "Jesse", "Fleur", "Youssef", "Esra", "Gerrit", "Marieke", "Tim", "Inge", "Joris")
LAST_NAMES = ("de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer",
              "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen",
              "Dekker", "Brouwer", "de Wit", "Dijkstra", "Yilmaz", "El Amrani", "Kaya", "Nguyen",
              "Pinas", "Wijaya", "Schouten", "van Dam", "Koster", "Prins", "Huisman", "Postma")
STREETS = ("Kerkstraat", "Dorpsstraat", "Molenweg", "Schoolstraat", "Julianastraat",
           "Beatrixlaan", "Stationsweg", "Marktplein", "Parkweg", "Wilhelminalaan", "Nieuwstraat",
           "Hoofdstraat", "Emmastraat", "Lindelaan", "Eikenlaan", "Kastanjelaan", "Beukenlaan",
           "Oranjestraat", "Vondelstraat", "Rembrandtlaan", "Spoorstraat", "Havenstraat",
           "Sluisweg", "Dijkstraat", "Tulpstraat", "Zwanenhof")
WIJKEN = ("Parkwijk", "Vogelwijk", "Bloemenbuurt", "De Hoven", "Oosterhout", "het Centrum",
          "Noorderkwartier", "Schildersbuurt", "Bomenbuurt", "Componistenwijk", "Zuiderpolder",
          "De Weide", "Molenwijk", "Watertorenbuurt", "Het Veld", "Rivierenbuurt")
PARKS = ("het Wilhelminapark", "het Stadspark", "het Julianapark", "het Beatrixpark",
         "de Heemtuin", "het Molenpark", "het Rosarium", "de Kloostertuin")
SCHOOLS = ("De Linde", "De Regenboog", "Het Kompas", "De Wegwijzer", "Sint Jozef", "De Vlinder",
           "De Klimop", "Het Palet", "De Springplank", "De Fontein", "De Boomgaard")
GROUPS = ("bewonersvereniging {wijk}", "Stichting Groen Dichtbij", "Vereniging Dorpsbelang",
          "speeltuinvereniging {wijk}", "buurtcoöperatie {wijk}", "stichting Samen Sterk",
          "bewonerscommissie {street}", "Vrienden van {park}", "jongerenraad", "buurtteam {wijk}")
KERNEN = ("Oudedijk", "Nieuwveen", "Hoogeloo", "Zandvoorde", "Westerbroek", "Lindehout",
          "Kleindorp", "Waardenburg", "Molenhoek", "Akkerveen")
WATERS = ("de Veenvaart", "de Oude Rijn", "de Linge", "het Meerkanaal", "de Grote Wetering",
          "de Zuidervliet", "de Brede Sloot")
ROADS = ("de N201", "de N225", "de N348", "de N307", "de N391")
GEMALEN = ("De Eendracht", "Zeeburg", "De Hoop", "Vier Noorder Koggen")

# Task catalogue per tier: (code, title, policy area, budget, uitdaagrecht title templates).
TASKS = {
    "gemeente": (
        ("SPEEL", "Beheer en onderhoud speeltuinen", "Spelen en sport", 45_000,
         ("Onderhoud speeltuin {street}", "Beheer speeltuin in {park}",
          "Speeltuin {wijk} in eigen beheer door {group}")),
        ("GROEN", "Onderhoud openbaar groen", "Groen en natuur", 120_000,
         ("Groenbeheer {wijk} door {group}", "Onderhoud plantsoen {street}",
          "Beheer van het groen in {park}")),
        ("SCHOON", "Schoonhouden van straten en pleinen", "Afval en schoon", 80_000,
         ("Schoonhouden {street} en omgeving", "Zwerfafval opruimen in {wijk}")),
        ("BUURTHUIS", "Beheer buurthuizen", "Zorg en welzijn", 95_000,
         ("Beheer buurthuis {wijk} door {group}", "Buurthuis {wijk} in handen van bewoners")),
        ("SPORT", "Beheer sportvelden", "Spelen en sport", 60_000,
         ("Onderhoud sportveld {wijk}", "Beheer trapveldje {street}")),
        ("BOMEN", "Bomen planten en onderhouden", "Groen en natuur", 70_000,
         ("Bomen water geven in {wijk}", "Boomspiegels {street} onderhouden")),
        ("BUS", "Vervoer voor ouderen", "Zorg en welzijn", 150_000,
         ("Buurtbus voor ouderen in {wijk}", "Vrijwillige ouderenvervoer {wijk}")),
    ),
    "provincie": (
        ("BERM", "Bermbeheer provinciale wegen", "Groen en natuur", 250_000,
         ("Bloemrijke bermen langs {road}", "Bermbeheer {road} bij {kern}")),
        ("FIETSPAD", "Onderhoud recreatieve fietspaden", "Verkeer", 180_000,
         ("Onderhoud fietspad {kern} - {kern2}", "Fietsroute langs {water} schoonhouden")),
        ("NATUUR", "Beheer natuurgebieden", "Groen en natuur", 400_000,
         ("Natuurbeheer bij {kern} door {group}", "Heidebeheer {kern}")),
        ("BUS", "Buurtbus in kleine kernen", "Verkeer", 300_000,
         ("Buurtbus {kern} - {kern2}", "Vervoer op afroep in {kern}")),
        ("ERFGOED", "Beheer provinciaal erfgoed", "Cultuur", 90_000,
         ("Beheer molen bij {kern}", "Rondleidingen in het fort bij {kern}")),
    ),
    "waterschap": (
        ("MAAIEN", "Maaibeheer van dijken", "Water", 140_000,
         ("Maaibeheer dijk bij {kern}", "Schapen op de dijk bij {kern}")),
        ("SLOOT", "Schoonhouden van watergangen", "Water", 110_000,
         ("Onderhoud watergang bij {kern}", "Schoonhouden van {water} door {group}")),
        ("OEVER", "Beheer natuurvriendelijke oevers", "Water", 75_000,
         ("Natuurvriendelijke oever langs {water}", "Oeverbeheer {water} bij {kern}")),
        ("GEMAAL", "Rondleidingen bij gemalen", "Cultuur", 20_000,
         ("Rondleidingen bij gemaal {gemaal}", "Open dag gemaal {gemaal}")),
        ("ZWERF", "Zwerfafval langs het water", "Afval en schoon", 35_000,
         ("Zwerfafval uit {water} vissen", "Schone oevers langs {water}")),
    ),
}
BEWONERS_TITLES = {
    "gemeente": ("Moestuin bij basisschool {school}", "Buurtbarbecue {wijk}",
                 "Bloembakken in de {street}", "Jeu-de-boulesbaan in {park}",
                 "Straatfeest {street}", "Minibieb aan de {street}", "Kerstmarkt {wijk}",
                 "Bankjes in {park}", "Opschoondag {wijk}", "Insectenhotel bij basisschool {school}",
                 "Koffieochtend voor ouderen in {wijk}", "Voetbaltoernooi voor de jeugd van {wijk}",
                 "Geveltuinen in de {street}", "Speeldag in {park}", "AED aan de {street}",
                 "Buurtmoestuin {wijk}", "Speeltuinfeest {street}"),
    "provincie": ("Natuurwandeling bij {kern}", "Fietstocht langs {road}",
                  "Dorpsfeest {kern} met streekproducten", "Informatiebord bij de molen van {kern}",
                  "Speelbos bij {kern}", "Bloemrijke akkerrand bij {kern}"),
    "waterschap": ("Oeverplanten langs {water}", "Informatiebord bij gemaal {gemaal}",
                   "Natuurwandeling langs {water}", "Bloemrijke dijk bij {kern}",
                   "Vlonder bij {water} in {kern}", "Opschoondag langs {water}"),
}
BURGER_TITLES = {
    "gemeente": ("Meer bomen in de {street}", "Veilige oversteek bij basisschool {school}",
                 "Autoluw centrum", "Hondenlosloopgebied in {park}",
                 "Behoud van het zwembad in {wijk}", "Een skatepark voor {wijk}",
                 "Meer speelplekken in {wijk}", "Geen bebouwing in {park}",
                 "30 kilometer per uur in de {street}", "Openbare toiletten in het centrum",
                 "Een speeltuin voor {wijk}"),
    "provincie": ("Snellere busverbinding {kern} - {kern2}", "Fietssnelweg langs {road}",
                  "Geen windturbines bij {kern}", "Veilige kruising op {road} bij {kern}",
                  "Meer natuur rond {kern}"),
    "waterschap": ("Schoner zwemwater in {water}", "Meer natuurvriendelijke oevers langs {water}",
                   "Minder maaien voor bijen op de dijk bij {kern}", "Vispassage in {water}",
                   "Een veilige zwemplek bij {kern}"),
}
WHY = ("Het onderhoud is de laatste jaren minder geworden en dat zien we elke dag.",
       "Veel buren willen graag meer contact met elkaar.",
       "Kinderen in de buurt hebben weinig plek om buiten te spelen.",
       "We denken dat wij dit beter en goedkoper kunnen doen dan nu.",
       "Er is veel zwerfafval en de bewoners ergeren zich eraan.",
       "Ouderen in de wijk komen weinig buiten en voelen zich soms eenzaam.",
       "De plek ligt er nu rommelig bij en dat kan veel mooier.",
       "Er gebeuren hier vaak bijna-ongelukken.")
HOW = ("Wij doen dit samen met {n} buren, een keer per maand op zaterdagochtend.",
       "Een groep van {n} vrijwilligers heeft zich al aangemeld.",
       "We werken samen met basisschool {school} en de wijkagent.",
       "De stichting heeft ervaring met vergelijkbare projecten in {wijk}.",
       "We maken een planning en spreken af wie wat doet.",
       "We zoeken afstemming met de gemeente en met de buurtvereniging.")
WHAT = ("Daarvoor vragen wij een bijdrage van {bedrag} euro.",
        "We vragen geld voor materiaal, gereedschap en een verzekering.",
        "We vragen alleen om toestemming en wat hulp bij de start.",
        "Wij willen het budget dat hier nu voor is zelf beheren.",
        "We willen dat de raad hierover een besluit neemt.")
REASONS = ("Na overleg met de aanvrager is dit de beste volgende stap.",
           "Het plan past binnen het beleid en de begroting.",
           "De aanvrager heeft de gevraagde informatie niet op tijd gestuurd.",
           "Het plan is besproken in het team en er zijn geen bezwaren.",
           "Er is meer tijd nodig om het advies van de wijkregisseur af te wachten.",
           "De aanvrager heeft laten weten dat het plan niet doorgaat.",
           "Het verzoek hoort bij een andere organisatie.",
           "De risico's zijn goed geregeld in het plan.",
           "De raad wil over dit onderwerp meepraten.")
QUESTIONS = ("Wilt u een begroting sturen met de kosten per onderdeel?",
             "Wie is de contactpersoon van de groep en hoe bereiken we die?",
             "Kunt u laten zien hoeveel buren het plan steunen?",
             "Hoe zorgt u ervoor dat het onderhoud ook na een jaar doorgaat?",
             "Wilt u een kaartje sturen waarop staat om welke plek het gaat?")
ANSWERS = ("In de bijlage vindt u de begroting.", "Onze contactpersoon is de voorzitter.",
           "Er hebben 34 buren getekend; de lijst zit in de bijlage.",
           "We hebben afspraken gemaakt met drie vaste vrijwilligers.",
           "Het kaartje met de plek zit in de bijlage.")
NOTES = ("Aanvrager gebeld; die was positief over de samenwerking.",
         "Advies gevraagd aan de afdeling Openbare Ruimte.",
         "Let op: dezelfde groep heeft eerder een aanvraag gedaan.",
         "Begroting klopt niet helemaal, navragen bij de aanvrager.",
         "Wijkregisseur kent de groep en is enthousiast.",
         "Juridisch advies gevraagd over de aansprakelijkheid.")
COMMENTS = ("Goed plan! Ik help graag mee.", "Hoe vaak gaat dit gebeuren?",
            "Wie betaalt het onderhoud na het eerste jaar?", "Mag ik ook meedoen als ik in de "
            "straat hiernaast woon?", "Is dit al besproken met de buren aan de overkant?",
            "Wanneer hoort u of het doorgaat?", "Ik maak me zorgen over de parkeerplaatsen.")
ANSWERS_ORG = ("Dank voor uw vraag. Dat zoeken we uit en we laten het hier weten.",
               "Iedereen uit de buurt mag meedoen. Meld u aan bij de aanvrager.",
               "De gemeente betaalt het eerste jaar. Daarna maken we nieuwe afspraken.")
PROPOSALS = ("Wij vragen de raad om dit onderwerp op de agenda te zetten en een besluit te nemen.",
             "Meer dan honderd inwoners steunen dit voorstel.",
             "Wij stellen voor dat er binnen een jaar een plan ligt, samen met de buurt.",
             "Het voorstel kost weinig en levert veel op voor de veiligheid en de leefbaarheid.")
HIDE_REASONS = ("Bevat persoonsgegevens", "Beledigend", "Reclame")
PARTIES = {
    "gemeente": (("VVD", 5), ("GroenLinks-PvdA", 6), ("CDA", 4), ("D66", 3), ("SP", 2),
                 ("Lokaal Belang", 6), ("ChristenUnie", 2), ("Partij voor de Dieren", 1)),
    "provincie": (("BBB", 12), ("VVD", 7), ("GroenLinks-PvdA", 8), ("CDA", 4), ("D66", 3),
                  ("PVV", 5), ("SP", 2), ("Partij voor de Dieren", 2), ("JA21", 2),
                  ("50PLUS", 1)),
    "waterschap": (("Water Natuurlijk", 6), ("AWP", 4), ("VVD", 4), ("CDA", 3), ("BBB", 5),
                   ("Partij voor de Dieren", 2), ("Ongebouwd", 3), ("Bedrijven", 3)),
}
LEGAL_REMEDIES = ("Bent u het niet eens met dit besluit? Dan kunt u binnen 6 weken na de "
                  "datum van dit besluit bezwaar maken. Stuur uw bezwaarschrift naar {name}.")
DECISION_REASONS = {
    "toegekend": "Het plan draagt bij aan de buurt, de kosten vallen binnen het budget en de "
                 "risico's zijn goed geregeld.",
    "deels_toegekend": "Een deel van het plan kan doorgaan. Voor het andere deel is geen "
                       "budget of is de taak niet over te dragen.",
    "afgewezen": "Het plan voldoet niet aan de voorwaarden. De gronden staan hieronder.",
    "buiten_behandeling": "De aanvraag is niet op tijd aangevuld. Daarom nemen wij haar niet in "
                          "behandeling.",
    "niet_ontvankelijk": "Het onderwerp is uitgesloten van een burgerinitiatief.",
    "aangenomen": "De raad neemt het voorstel over en vraagt het college het uit te voeren.",
    "aangenomen_geamendeerd": "De raad neemt het voorstel met een wijziging over.",
    "verworpen": "Een meerderheid van de raad stemt tegen het voorstel.",
    "ingetrokken": "De initiatiefnemers hebben het voorstel voor de stemming ingetrokken.",
}
# Transition name -> decision outcome (when the transition takes a "decision" input).
DECISION_OUTCOME = {
    "toekennen": "toegekend", "deels_toekennen": "deels_toegekend", "afwijzen": "afgewezen",
    "weigeren": "afgewezen", "verlenen": "toegekend", "vaststellen": "toegekend",
    "buiten_behandeling_stellen": "buiten_behandeling", "verlengen": "toegekend",
    "beeindigen": "afgewezen", "niet_toelaten": "niet_ontvankelijk",
    "niet_toelaten_onvoldoende_steun": "niet_ontvankelijk",
}
# Transitions taken by the representative body (raad, staten, algemeen bestuur).
COUNCIL_TRANSITIONS = {"besluiten", "niet_toelaten", "niet_toelaten_onvoldoende_steun"}
# Preferred first steps: most burgerinitiatieven collect support online.
PREFERRED = {"steun_verzamelen_starten": 9.0}
POSTCODE_LETTERS = ("AA", "AB", "BC", "CD", "EG", "GH", "JK", "KL", "LM", "MN", "NP", "PR",
                    "RT", "TV", "VW", "XZ")


# --------------------------------------------------------------------------- helpers

class _Ids:
    """Hands out explicit primary keys after the current maximum of each table."""

    def __init__(self, models) -> None:
        self._next = {}
        for model in models:
            current = db.session.scalar(select(func.max(model.id))) or 0
            self._next[model.__tablename__] = current + 1

    def take(self, model) -> int:
        name = model.__tablename__
        value = self._next[name]
        self._next[name] = value + 1
        return value


def _ascii(value: str) -> str:
    table = str.maketrans({"ö": "o", "ë": "e", "é": "e", "ï": "i", "ü": "u"})
    return "".join(c for c in value.lower().translate(table) if c.isalnum())


def _fill(template: str, rng: random.Random) -> str:
    kern, kern2 = rng.sample(KERNEN, 2)
    values = dict(street=rng.choice(STREETS), wijk=rng.choice(WIJKEN), park=rng.choice(PARKS),
                  school=rng.choice(SCHOOLS), kern=kern, kern2=kern2, water=rng.choice(WATERS),
                  road=rng.choice(ROADS), gemaal=rng.choice(GEMALEN), n=rng.randint(4, 40),
                  bedrag=f"{rng.randrange(250, 15000, 50):,}".replace(",", "."))
    if "{group}" in template:
        values["group"] = rng.choice(GROUPS).format(**values)
    text_ = template.format(**values)
    return text_[0].upper() + text_[1:]


def _at(day: date, rng: random.Random) -> datetime:
    """A moment during office hours (UTC, whole seconds: hashes must survive a round trip)."""
    return datetime(day.year, day.month, day.day, rng.randint(7, 15), rng.randint(0, 59),
                    rng.randint(0, 59), tzinfo=timezone.utc)


def _minimal_pdf(title: str) -> bytes:
    """A one-page PDF with the title: real content, so a seeded document can be opened."""
    safe = title.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 16 Tf 72 770 Td ({safe}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length " + str(len(stream)).encode() + b">>stream\n" + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj".encode() + body + b"endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (f"trailer<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n"
            ).encode()
    return bytes(out)


class _Walker:
    """Random valid paths through one workflow, steered towards a chosen final state."""

    def __init__(self, definition: wf.Workflow) -> None:
        self.wf = definition
        self.initial = definition.initial_state().name
        names = [s.name for s in definition.states]
        incoming: dict[str, list[str]] = defaultdict(list)
        for t in definition.transitions:
            for source in t.sources:
                incoming[t.target].append(source)
        # dist[target][state]: fewest transitions from state to target.
        self.dist: dict[str, dict[str, int]] = {}
        for target in names:
            dist = {target: 0}
            queue = deque([target])
            while queue:
                here = queue.popleft()
                for source in incoming[here]:
                    if source not in dist:
                        dist[source] = dist[here] + 1
                        queue.append(source)
            self.dist[target] = dist
        self.targets = [n for n in names if self.initial in self.dist[n]]

    def walk(self, rng: random.Random, target: str) -> list[wf.Transition]:
        dist = self.dist[target]
        state, path, detours = self.initial, [], 2
        while state != target:
            options = [t for t in self.wf.transitions_from(state) if t.target in dist]
            closer = [t for t in options if dist[t.target] < dist[state]]
            if detours and rng.random() < 0.15:
                pick = rng.choice(options)
                detours -= pick not in closer
            else:
                weights = [PREFERRED.get(t.name, 1.0) for t in closer]
                pick = rng.choices(closer, weights)[0]
            path.append(pick)
            state = pick.target
        return path


@dataclass
class _Org:
    id: int
    slug: str
    name: str
    tier: str
    tooi: str
    walkers: dict[str, _Walker]
    versions: dict[str, int]
    residents: list[int]
    staff: dict[str, list[int]]
    tasks: list[tuple[int, str, str, int, tuple[str, ...]]]
    meetings: dict[str, tuple[list[date], list[int]]]  # kind -> (sorted days, ids)
    parties: tuple[tuple[str, int], ...]


class _Batch:
    """Rows of one batch, per table, inserted in foreign-key order."""

    ORDER = (Case, Attachment, Decision, AgendaItem, Vote, AuditEvent, Signature, CaseMessage,
             InternalNote, Comment)

    def __init__(self) -> None:
        self.rows: dict[type, list[dict[str, Any]]] = {m: [] for m in self.ORDER}
        self.replies: list[dict[str, Any]] = []

    def write(self, counts: dict[str, int]) -> None:
        for model in self.ORDER:
            _bulk(model, self.rows[model], counts)
        _bulk(Comment, self.replies, counts)
        search.index_rows(db.session.connection(), self.rows[Case])


def _bulk(model, rows: list[dict[str, Any]], counts: dict[str, int]) -> None:
    for start in range(0, len(rows), INSERT_CHUNK):
        db.session.execute(insert(model.__table__), rows[start:start + INSERT_CHUNK])
    counts[model.__tablename__] = counts.get(model.__tablename__, 0) + len(rows)


# --------------------------------------------------------------------------- the generator

def seed_scale(*, cases: int, organisations: int = 6, seed: int = 1,
               now: datetime | None = None, append: bool = False,
               residents_per_org: int | None = None,
               upload_dir: str | Path | None = None) -> Iterator[Progress]:
    """Yield a Progress after each batch; the caller commits each time. The last one has
    done=True. Raises SeedRefused when the database already holds cases (unless append)."""
    started = time.perf_counter()
    existing = db.session.scalar(select(func.count()).select_from(Case)) or 0
    if existing > MAX_EXISTING_CASES and not append:
        raise SeedRefused(f"De database bevat al {existing} zaken. Gebruik een lege database, "
                          f"of geef --append om er zaken bij te maken.")
    if cases < 0 or organisations < 1:
        raise ValueError("cases must be >= 0 and organisations >= 1")
    rng = random.Random(seed)
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    today = now.date()
    files = Path(upload_dir) if upload_dir else None
    if files:
        files.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    password_hash = hash_password(SEED_PASSWORD)  # once: Argon2 per user would take hours
    ids = _Ids([User, Task, Membership, Meeting, Case, Attachment, Decision, AgendaItem, Vote,
                AuditEvent, Signature, CaseMessage, InternalNote, Comment])
    if residents_per_org is None:
        residents_per_org = max(1000, min(5000, cases // organisations))

    orgs, staff_logins = _make_organisations(rng, organisations, ids, password_hash, now,
                                             residents_per_org, counts)
    yield Progress(0, cases, time.perf_counter() - started, dict(counts),
                   organisations=[o.slug for o in orgs])

    # Exact type proportions and, per type, every reachable state in turn (shuffled per
    # round), so that even a small seed covers the procedures evenly.
    type_counts = dict.fromkeys(TYPE_WEIGHTS, 0)
    rounds: dict[str, list[str]] = {}
    numbers = _existing_numbers()
    meeting_positions: dict[int, int] = defaultdict(int)
    done = 0
    while done < cases:
        batch = _Batch()
        for i in range(done, min(cases, done + BATCH_CASES)):
            request_type = max(TYPE_WEIGHTS,
                               key=lambda t: TYPE_WEIGHTS[t] * (i + 1) - type_counts[t])
            type_counts[request_type] += 1
            org = rng.choice(orgs)
            queue = rounds.setdefault(request_type, [])
            if not queue:
                queue.extend(org.walkers[request_type].targets)
                rng.shuffle(queue)
            _make_case(rng, batch, ids, org, request_type, queue.pop(), now, today, numbers,
                       meeting_positions, files)
        batch.write(counts)
        done = min(cases, done + BATCH_CASES)
        if done < cases:
            yield Progress(done, cases, time.perf_counter() - started, dict(counts))
    _fix_sequences()
    yield Progress(done, cases, time.perf_counter() - started, dict(counts), done=True,
                   staff_logins=staff_logins, organisations=[o.slug for o in orgs])


def _existing_numbers() -> dict[tuple[int, str], int]:
    """Case numbers already handed out per organisation and prefix (e.g. "UD-2026-")."""
    prefix = func.substr(Case.number, 1, 8)
    rows = db.session.execute(select(Case.organisation_id, prefix, func.count())
                              .where(Case.number.is_not(None))
                              .group_by(Case.organisation_id, prefix))
    return {(org_id, p): n for org_id, p, n in rows}


def _fix_sequences() -> None:
    """Explicit ids do not advance PostgreSQL's sequences; move them past the new rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (User, Task, Membership, Meeting, Case, Attachment, Decision, AgendaItem, Vote,
                  AuditEvent, Signature, CaseMessage, InternalNote, Comment):
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))


def _make_organisations(rng, count, ids, password_hash, now, residents_per_org, counts):
    taken = set(db.session.scalars(select(Organisation.slug)))
    orgs: list[_Org] = []
    staff_logins: list[tuple[str, str, str]] = []
    users, memberships, tasks, meetings = [], [], [], []
    for n in range(count):
        tier, name, slug, tooi, inhabitants = ORGANISATIONS[n % len(ORGANISATIONS)]
        if n >= len(ORGANISATIONS):
            name, slug = f"{name} {n // len(ORGANISATIONS) + 1}", f"{slug}-{n // len(ORGANISATIONS) + 1}"
        base, suffix = slug, 2
        while slug in taken:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(slug)
        domain = f"{slug}.example"
        org = organisation_service.create_organisation(
            slug=slug, name=name, tier=tier, tooi_code=tooi, email=f"participatie@{domain}",
            phone="14 0" + str(rng.randint(100, 999)), address=f"{rng.choice(STREETS)} "
            f"{rng.randint(1, 120)}, {rng.randint(1000, 9999)} {rng.choice(POSTCODE_LETTERS)} "
            f"{name.split(' ', 1)[1]}", website=f"https://www.{domain}",
            primary_color=COLOURS[n % len(COLOURS)], inhabitants=inhabitants,
            electorate=int(inhabitants * 0.79))
        versions, walkers = {}, {}
        for request_type in wf.REQUEST_TYPES:
            version = organisation_service.current_workflow_version(org.id, request_type)
            versions[request_type] = version.id
            walkers[request_type] = _Walker(workflow_for_version(version))
        staff: dict[str, list[int]] = {}
        for role, how_many in STAFF_ROLES:
            for k in range(1, how_many + 1):
                uid = ids.take(User)
                email = f"{role}{k}@{domain}"
                users.append(_user_row(uid, email, f"{rng.choice(FIRST_NAMES)} "
                                       f"{rng.choice(LAST_NAMES)}", password_hash, now, rng))
                memberships.append(dict(id=ids.take(Membership), user_id=uid,
                                        organisation_id=org.id, role=role, created_at=now))
                staff.setdefault(role, []).append(uid)
                staff_logins.append((email, role, slug))
        residents = []
        for _ in range(residents_per_org):
            uid = ids.take(User)
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            users.append(_user_row(uid, f"{_ascii(first)}.{_ascii(last)}{uid}@example.nl",
                                   f"{first} {last}", password_hash, now, rng))
            residents.append(uid)
        org_tasks = []
        for code, title, area, budget, templates in TASKS[tier]:
            task_id = ids.take(Task)
            tasks.append(dict(id=task_id, organisation_id=org.id, code=code, title=title,
                              policy_area=area, description=f"{title} in heel {name}.",
                              current_budget=Decimal(budget), active=True))
            org_tasks.append((task_id, title, area, budget, templates))
        org_meetings = _meetings(rng, ids, org.id, tier, name, now, meetings)
        orgs.append(_Org(org.id, slug, name, tier, tooi, walkers, versions, residents, staff,
                         org_tasks, org_meetings, PARTIES[tier]))
    db.session.flush()
    for model, rows in ((User, users), (Membership, memberships), (Task, tasks),
                        (Meeting, meetings)):
        _bulk(model, rows, counts)
    counts["organisations"] = count
    return orgs, staff_logins


def _user_row(uid, email, name, password_hash, now, rng) -> dict[str, Any]:
    born = date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
    return dict(id=uid, email=email, name=name, password_hash=password_hash,
                email_verified_at=now - timedelta(days=rng.randint(30, 1500)), locale="nl",
                birth_date=born, postcode=f"{rng.randint(1000, 9999)}{rng.choice(POSTCODE_LETTERS)}",
                failed_logins=0, locked_until=None, session_version=1,
                created_at=now - timedelta(days=rng.randint(1500, 2000)), deleted_at=None)


def _meetings(rng, ids, org_id, tier, name, now, rows) -> dict[str, tuple[list[date], list[int]]]:
    """Monthly meetings of the representative body (and its committee) over the history
    and the next four months."""
    kinds = TIERS[tier].vergaderingstypes
    council, committee = kinds[0], (kinds[1] if len(kinds) > 1 else kinds[0])
    place = {"gemeente": "Raadzaal, stadhuis", "provincie": "Statenzaal, provinciehuis",
             "waterschap": "Vergaderzaal, waterschapshuis"}[tier]
    found: dict[str, tuple[list[date], list[int]]] = {"raad": ([], []), "commissie": ([], [])}
    start = (now - timedelta(days=HISTORY_DAYS + 400)).date().replace(day=1)
    end = (now + timedelta(days=120)).date()
    month = start
    while month <= end:
        for kind, meeting_type, day in (("commissie", committee, 8), ("raad", council, 22)):
            if kind == "commissie" and committee == council:
                continue
            when = datetime(month.year, month.month, day, 18, 30, tzinfo=timezone.utc)
            meeting_id = ids.take(Meeting)
            label = {"raadsvergadering": "Raadsvergadering", "commissievergadering":
                     "Commissie Ruimte", "statenvergadering": "Statenvergadering",
                     "algemene_bestuursvergadering": "Vergadering algemeen bestuur"}[meeting_type]
            rows.append(dict(id=meeting_id, organisation_id=org_id, meeting_type=meeting_type,
                             title=f"{label} {deadlines.format_date_nl(when.date())}"[:100],
                             starts_at=when, location=f"{place} {name.split(' ', 1)[1]}"[:100],
                             status="gehouden" if when < now else "gepland",
                             created_at=when - timedelta(days=40),
                             updated_at=min(now, when + timedelta(days=1))))
            found[kind][0].append(when.date())
            found[kind][1].append(meeting_id)
        month = (month + timedelta(days=32)).replace(day=1)
    if committee == council:
        found["commissie"] = found["raad"]
    return found


def _gap(rng, transition: wf.Transition, plan_term: wf.StateTerm | None) -> int:
    """Days between the previous step and this one."""
    if transition.automatic == "term_lapsed":
        # After the term with its weekend/holiday roll-over (at most a few days).
        return (plan_term.days if plan_term else 14) + 5
    if transition.name == "ontvangst_bevestigen":
        return rng.randint(0, 3)
    return rng.randint(1, 24)


def _make_case(rng, batch, ids, org: _Org, request_type, target, now, today, numbers,
               meeting_positions, files) -> None:
    walker = org.walkers[request_type]
    definition = walker.wf
    path = walker.walk(rng, target)
    case_id = ids.take(Case)
    applicant = rng.choice(org.residents)
    title, summary, data, area, task_id, budget = _case_texts(rng, org, request_type)
    gaps, created = _history_span(rng, walker, path, target, today)
    clock_def = definition.decision_clock
    clock = deadlines.ClockState(started_on=None, term_days=clock_def.days if clock_def else 0,
                                 extension_days_allowed=clock_def.extension_days if clock_def else 0)
    created_at = _at(created, rng)
    row = dict(id=case_id, organisation_id=org.id, number=None, request_type=request_type,
               workflow_version_id=org.versions[request_type], state=walker.initial,
               lock_version=1, applicant_id=applicant, assignee_id=None, title=title[:200],
               summary=summary, data=data, policy_area=area, task_id=task_id,
               requested_budget=budget, is_public=False, outcome="", submitted_at=None,
               decided_at=None, clock_started_on=None,
               clock_term_days=clock.term_days, clock_extension_days=clock.extension_days_allowed,
               clock_extended_days=0, clock_extended_on=None, clock_suspensions=[],
               clock_stopped_on=None, deadline=None, urgency=2, state_entered_at=created_at,
               state_deadline=None, state_reminded=False, overdue_notified=False,
               signature_count=0, collection_deadline=None, created_at=created_at,
               updated_at=created_at)
    batch.rows[Case].append(row)
    walk = _Walk(clock=clock, day=created, last_at=created_at)
    for t, gap in zip(path, gaps):
        _take_step(rng, batch, ids, org, walker, t, gap, row, walk, now, numbers,
                   meeting_positions, files)

    # As services.cases stores them after the last step (computed once: add_term is slow).
    row["audit_seq"] = walk.seq
    row["audit_head"] = (audit_chain.chain_head(_audit_key(), row["id"], walk.seq, walk.prev_hash)
                         if walk.seq else "")
    clock = walk.clock
    row["deadline"] = None if clock.stopped_on else clock.deadline(walk.last_at.date())
    row["urgency"] = 2 if row["deadline"] is None else 1 if clock.suspended else 0
    row["state_deadline"] = (deadlines.add_term(row["state_entered_at"].date(),
                                                days=int(walk.state_term))
                             if walk.state_term else None)
    if walk.support_opened is not None:
        _signatures(rng, batch, ids, org, row, path, walk.support_opened, now)
    if row["state"] != walker.initial:
        _notes_and_comments(rng, batch, ids, org, row, request_type, now)


def _case_texts(rng, org: _Org, request_type: str):
    """Title, summary, form data, policy area, task and budget of a new case."""
    budget = None
    task_id, area = None, ""
    if request_type == "uitdaagrecht":
        task_id, _title, area, task_budget, templates = rng.choice(org.tasks)
        title = _fill(rng.choice(templates), rng)
        budget = Decimal(int(task_budget * rng.uniform(0.15, 0.9)) // 100 * 100)
    elif request_type == "bewonersinitiatief":
        title = _fill(rng.choice(BEWONERS_TITLES[org.tier]), rng)
        area = rng.choice(("Spelen en sport", "Groen en natuur", "Zorg en welzijn", "Cultuur"))
        budget = Decimal(rng.randrange(250, 5000, 50))
    else:
        title = _fill(rng.choice(BURGER_TITLES[org.tier]), rng)
        area = rng.choice(("Verkeer", "Groen en natuur", "Spelen en sport", "Water"))
    if request_type == "burgerinitiatief":
        summary = " ".join((f"{title}.", rng.choice(WHY), *rng.sample(PROPOSALS, 2)))
    else:
        summary = " ".join((f"{title}.", rng.choice(WHY), _fill(rng.choice(HOW), rng),
                            _fill(rng.choice(WHAT), rng)))
    data = {"naam_initiatief": title,
            "rechtsvorm": rng.choice(("informele_groep", "vereniging", "stichting")),
            "winstoogmerk": False, "samenstelling_groep": _fill(rng.choice(HOW), rng)}
    return title, summary, data, area, task_id, budget


def _history_span(rng, walker: _Walker, path, target: str, today: date) -> tuple[list, date]:
    """Days between the steps, and the day the case was created: walk forward from day 0,
    then anchor the whole history before `today`."""
    definition = walker.wf
    gaps, state = [], walker.initial
    for t in path:
        target_state = definition.state(t.target)
        gaps.append(_gap(rng, t, definition.state(state).term))
        state = target_state.name
    span = sum(gaps)
    final = definition.state(target)
    if final.is_terminal:
        back = rng.randint(0, HISTORY_DAYS - min(span, HISTORY_DAYS))
    elif final.term is not None:
        back = rng.randint(0, max(0, final.term.days - 1))
    else:
        back = rng.randint(0, 45)
    return gaps, today - timedelta(days=span + back + rng.randint(0, 5))


@dataclass
class _Walk:
    """Where a case's walk through its procedure has got to."""

    clock: deadlines.ClockState
    day: date
    last_at: datetime
    seq: int = 0
    prev_hash: str = audit_chain.GENESIS
    support_opened: date | None = None
    council_item: dict[str, Any] | None = None
    state_term: int | None = None


def _take_step(rng, batch, ids, org: _Org, walker: _Walker, t, gap: int, row, walk: _Walk, now,
               numbers, meeting_positions, files) -> None:
    """One transition, planned by the domain as for a real user; the case row, its side rows
    and the hash-chained audit event."""
    definition = walker.wf
    walk.day = walk.day + timedelta(days=gap)
    at = min(now, max(_at(walk.day, rng), walk.last_at + timedelta(minutes=1)))
    role, actor = _actor(rng, org, t, row["applicant_id"])
    inputs = _inputs(rng, batch, ids, org, definition, t, row, at, now, files, meeting_positions)
    try:
        plan = wf.plan_transition(definition, state=row["state"], transition_name=t.name,
                                  roles={role}, inputs=inputs, trigger=t.automatic)
        walk.clock = deadlines.apply_effect(walk.clock, str(plan.clock), at.date(),
                                            days=inputs.get("extension_days"))
    except deadlines.ClockError:
        # An extension after the term ended is not allowed: that detour is skipped
        # (it is always a loop on the same state, so the path stays valid).
        _drop_created(batch, inputs)
        return
    walk.last_at = at
    walk.day = at.date()
    _move_row(row, walk, definition, plan, inputs, at)
    if row["submitted_at"] is None and plan.source == walker.initial:
        row["submitted_at"] = at
    if row["number"] is None and row["submitted_at"] is not None:
        prefix = f"{NUMBER_PREFIX[row['request_type']]}-{at.year}-"
        key = (org.id, prefix)
        numbers[key] = numbers.get(key, 0) + 1
        row["number"] = f"{prefix}{numbers[key]:05d}"
    _step_side_rows(rng, batch, ids, org, definition, t, plan, inputs, row, walk, actor, at, now,
                    meeting_positions)
    walk.seq += 1
    reason = str(inputs.get("reason") or inputs.get("question") or inputs.get("answer") or "")
    event = dict(id=ids.take(AuditEvent), case_id=row["id"], seq=walk.seq, at=at,
                 actor_id=actor, actor_role=role, transition=t.name, from_state=plan.source,
                 to_state=plan.target, reason=reason, inputs=inputs, public=plan.public,
                 public_label_nl=t.public_label_nl, public_label_en=t.public_label_en,
                 prev_hash=walk.prev_hash, hash="", hash_version=audit_chain.KEYED)
    event["hash"] = audit_chain.event_hash(walk.prev_hash, AuditEvent.payload(_as_event(event)),
                                           _audit_key())
    walk.prev_hash = event["hash"]
    batch.rows[AuditEvent].append(event)


def _move_row(row, walk: _Walk, definition, plan, inputs, at: datetime) -> None:
    """The case row after the step: clock columns, state, version, visibility."""
    clock = walk.clock
    target_state = definition.state(plan.target)
    row["clock_started_on"] = clock.started_on
    row["clock_extended_days"] = clock.extended_days
    row["clock_extended_on"] = clock.extended_on
    row["clock_suspensions"] = [[s.start.isoformat(), s.end.isoformat() if s.end else None]
                                for s in clock.suspensions]
    row["clock_stopped_on"] = clock.stopped_on
    if plan.target != row["state"] or target_state.term is not None:
        row["state_entered_at"] = at
        walk.state_term = inputs.get("term_days") or (target_state.term.days
                                                      if target_state.term else None)
    row["state"] = plan.target
    row["updated_at"] = at
    row["lock_version"] += 1
    row["is_public"] = row["is_public"] or target_state.public


def _step_side_rows(rng, batch, ids, org: _Org, definition, t, plan, inputs, row, walk: _Walk,
                    actor, at: datetime, now, meeting_positions) -> None:
    """What a step leaves besides the case row: the outcome, an assignee, the collection
    period, an agenda item and vote, messages between organisation and applicant."""
    outcome = inputs.get("outcome") or (plan.target if plan.target in OUTCOMES else None)
    if outcome and str(plan.clock) == "stop":
        row["outcome"] = str(outcome)
        row["decided_at"] = at
    if plan.target in ("in_behandeling", "beoordeling", "toetsing") and not row["assignee_id"]:
        row["assignee_id"] = rng.choice(org.staff["official"])
    if t.name == "steun_verzamelen_starten":
        walk.support_opened = at.date()
        threshold = definition.threshold
        row["collection_deadline"] = (thresholds.collection_deadline(threshold,
                                                                     walk.support_opened)
                                      if threshold else None)
    if "meeting" in inputs:
        walk.council_item = _agenda_item(rng, batch, ids, inputs["meeting"], row, at,
                                         meeting_positions)
    if t.name == "besluiten" and walk.council_item is not None:
        _record_vote(rng, batch, ids, org, walk.council_item, inputs["outcome"], at, now)
    if t.name in ("aanvulling_vragen", "zienswijze_vragen", "herstel_vragen"):
        batch.rows[CaseMessage].append(dict(
            id=ids.take(CaseMessage), case_id=row["id"], author_id=actor,
            from_organisation=True, kind="question", body=inputs["question"], created_at=at))
    if "answer" in inputs:
        batch.rows[CaseMessage].append(dict(
            id=ids.take(CaseMessage), case_id=row["id"], author_id=row["applicant_id"],
            from_organisation=False, kind="answer", body=inputs["answer"], created_at=at))


def _as_event(row: dict[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(**{k: row[k] for k in (
        "case_id", "seq", "at", "actor_id", "actor_role", "transition", "from_state",
        "to_state", "reason", "inputs", "public", "public_label_nl", "public_label_en",
        "hash_version")})


def _audit_key() -> bytes:
    from participation.services.cases import audit_key

    return audit_key()


def _actor(rng, org: _Org, t: wf.Transition, applicant: int) -> tuple[str, int | None]:
    if t.automatic is not None:
        return "system", None
    if "applicant" in t.roles:
        return "applicant", applicant
    staff_roles = [r for r in ("coordinator", "official", "griffie") if r in t.roles]
    if not staff_roles:
        return "system", None
    if "system" in t.roles and rng.random() < 0.3:
        return "system", None
    role = rng.choice(staff_roles)
    return role, rng.choice(org.staff[role])


def _inputs(rng, batch, ids, org, definition, t, row, at, now, files, positions) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    wanted = list(t.inputs) + [k for k in t.optional_inputs
                               if k in ("reason",) and rng.random() < 0.5]
    for kind in wanted:
        if kind == "reason":
            inputs[kind] = rng.choice(REASONS)
        elif kind == "question":
            inputs[kind] = rng.choice(QUESTIONS)
        elif kind == "answer":
            inputs[kind] = rng.choice(ANSWERS)
        elif kind == "term_days":
            # Never longer than the default term: the lapse dates were planned with it.
            default = definition.state(t.target).term
            limit = default.days if default else 28
            inputs[kind] = rng.choice([d for d in (14, 21, 28) if d <= limit] or [limit])
        elif kind == "refusal_grounds":
            offered = list(definition.refusal_grounds)
            inputs[kind] = sorted(rng.sample(offered, min(len(offered), rng.randint(1, 2))))
        elif kind == "exclusions":
            inputs[kind] = [rng.choice(list(definition.exclusions))]
        elif kind == "outcome":
            allowed = list(definition.allowed_outcomes)
            weights = [{"aangenomen": 5, "verworpen": 4, "aangenomen_geamendeerd": 2}.get(o, 1)
                       for o in allowed]
            inputs[kind] = rng.choices(allowed, weights)[0]
        elif kind == "meeting":
            which = "commissie" if t.name == "in_commissie_bespreken" else "raad"
            days, meeting_ids = org.meetings[which]
            index = min(bisect_left(days, at.date()), len(days) - 1)
            inputs[kind] = meeting_ids[index]
        elif kind == "document":
            inputs[kind] = _attachment(rng, batch, ids, row, t, at, files)
        elif kind == "agreement":
            # Benchmark cases carry no agreement rows; the step records version 1 as agreed.
            inputs[kind] = 1
    if "decision" in t.inputs:
        inputs["decision"] = _decision(rng, batch, ids, org, definition, t, row, inputs, at, now)
    return inputs


def _drop_created(batch, inputs) -> None:
    if "decision" in inputs:
        batch.rows[Decision].pop()
    if "document" in inputs:
        batch.rows[Attachment].pop()


def _attachment(rng, batch, ids, row, t, at, files) -> int:
    attachment_id = ids.take(Attachment)
    label = {"overeenkomst_tekenen": "Getekende overeenkomst", "afronden": "Eindverslag",
             "verantwoording_indienen": "Verantwoording"}.get(t.name, "Document")
    content = _minimal_pdf(f"{label}: {row['title']}")
    stored_name = f"{rng.getrandbits(128):032x}"
    if files is not None:
        (files / stored_name).write_bytes(content)
    batch.rows[Attachment].append(dict(
        id=attachment_id, case_id=row["id"], uploaded_by_id=row["applicant_id"],
        purpose="decision" if t.name == "afronden" else "request",
        filename=f"{label.lower().replace(' ', '-')}-{row['id']}.pdf", stored_name=stored_name,
        content_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(), public=False, created_at=at))
    return attachment_id


def _decision(rng, batch, ids, org, definition, t, row, inputs, at, now) -> int:
    decision_id = ids.take(Decision)
    tier = TIERS[org.tier]
    council = t.name in COUNCIL_TRANSITIONS
    outcome = inputs.get("outcome") or DECISION_OUTCOME.get(t.name, "toegekend")
    body = tier.representative_body if council else rng.choice(
        (tier.executive_body, "gemandateerd_ambtenaar"))
    published = at + timedelta(days=rng.randint(0, 3), hours=2)
    public = definition.state(t.target).public
    batch.rows[Decision].append(dict(
        id=decision_id, case_id=row["id"], deciding_body=body, decided_on=at.date(),
        outcome=outcome,
        partial_subtype=rng.choice(list(PARTIAL_SUBTYPES)) if outcome == "deels_toegekend" else "",
        reasons=DECISION_REASONS.get(outcome, DECISION_REASONS["toegekend"]) + " "
        + inputs.get("reason", ""),
        refusal_grounds=list(inputs.get("refusal_grounds", [])),
        legal_remedies="" if council else LEGAL_REMEDIES.format(name=org.name),
        decision_number=f"{org.tooi.upper()}/{at.year}/{decision_id:06d}",
        document_id=None, published_at=published if public and published <= now else None,
        created_by_id=None, created_at=at))
    return decision_id


def _agenda_item(rng, batch, ids, meeting_id, row, at, positions) -> dict[str, Any]:
    positions[meeting_id] += 1
    item = dict(id=ids.take(AgendaItem), meeting_id=meeting_id, case_id=row["id"],
                position=positions[meeting_id], title=row["title"][:100],
                description=row["summary"], reference=(row["number"] or "")[:20], result="",
                votes_for=None, votes_against=None, votes_abstained=None, decided_at=None,
                published_at=None, updated_at=at)
    batch.rows[AgendaItem].append(item)
    return item


def _record_vote(rng, batch, ids, org, item, outcome, at, now) -> None:
    item["result"] = outcome
    item["decided_at"] = at
    item["published_at"] = min(now, at + timedelta(days=1))
    if outcome == "ingetrokken":
        return
    parties = list(org.parties)
    rng.shuffle(parties)
    total = sum(seats for _, seats in parties)
    adopted = outcome.startswith("aangenomen")
    votes_for = 0
    for party, seats in parties:
        # Parties join the "for" side until the outcome's majority is reached.
        wants_for = votes_for + seats <= total // 2 or (adopted and votes_for <= total // 2)
        choice = "voor" if wants_for else "tegen"
        votes_for += seats if wants_for else 0
        batch.rows[Vote].append(dict(id=ids.take(Vote), agenda_item_id=item["id"], party=party,
                                     choice=choice, seats=seats, note=""))
    item["votes_for"], item["votes_against"], item["votes_abstained"] = \
        votes_for, total - votes_for, 0


def _signatures(rng, batch, ids, org, row, path, opened: date, now) -> None:
    names = {t.name for t in path}
    if row["state"] == "steun_verzamelen":
        count = int(rng.triangular(0, 140, 30))
    elif "verzamelperiode_verlopen" in names or "niet_toelaten_onvoldoende_steun" in names:
        count = rng.randint(5, 99)
    else:
        count = rng.randint(100, 220)
    count = min(count, len(org.residents))
    closes = min(now.date(), opened + timedelta(days=182))
    span = max(1, (closes - opened).days)
    for user_id in rng.sample(org.residents, count):
        signed = opened + timedelta(days=rng.randrange(span))
        batch.rows[Signature].append(dict(id=ids.take(Signature), case_id=row["id"],
                                          user_id=user_id, created_at=_at(signed, rng)))
    row["signature_count"] = count


def _notes_and_comments(rng, batch, ids, org, row, request_type, now) -> None:
    staff = org.staff["official"] + org.staff["coordinator"]
    submitted = row["submitted_at"] or row["created_at"]
    window = max(1, (row["updated_at"] - submitted).days)
    if rng.random() < 0.5:
        for _ in range(rng.randint(1, 2)):
            batch.rows[InternalNote].append(dict(
                id=ids.take(InternalNote), case_id=row["id"], author_id=rng.choice(staff),
                body=rng.choice(NOTES),
                created_at=submitted + timedelta(days=rng.randrange(window), hours=1)))
    if request_type == "uitdaagrecht" or not row["is_public"] or rng.random() < 0.6:
        return
    for _ in range(rng.randint(1, 4)):
        comment_id = ids.take(Comment)
        at = min(now, submitted + timedelta(days=rng.randrange(window + 10), hours=3))
        hidden = rng.random() < 0.04
        batch.rows[Comment].append(dict(
            id=comment_id, case_id=row["id"], author_id=rng.choice(org.residents), parent_id=None,
            from_organisation=False, body=rng.choice(COMMENTS),
            hidden_at=at + timedelta(hours=5) if hidden else None,
            hidden_reason=rng.choice(HIDE_REASONS) if hidden else "",
            hidden_by_id=org.staff["coordinator"][0] if hidden else None, created_at=at))
        if not hidden and rng.random() < 0.5:
            batch.replies.append(dict(
                id=ids.take(Comment), case_id=row["id"], author_id=rng.choice(staff),
                parent_id=comment_id, from_organisation=True, body=rng.choice(ANSWERS_ORG),
                hidden_at=None, hidden_reason="", hidden_by_id=None,
                created_at=min(now, at + timedelta(days=rng.randint(1, 5)))))
