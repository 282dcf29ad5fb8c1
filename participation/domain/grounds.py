"""The glossary: Dutch legal terms as data, each with a plain Dutch (B1) and an English label.

Codes are stable identifiers stored in the database and in workflow files; labels may be
reworded. Sources: procedures.md §2.5 (refusal grounds), §3.4 (exclusions), §2.5 partial
outcomes, §0.3 (bodies per tier) and §4.3 (ORI v2 enumerations, copied verbatim).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class Entry:
    """One coded term with its labels."""

    code: str
    label_nl: str
    label_en: str


@dataclass(frozen=True)
class Ground(Entry):
    """A refusal ground or exclusion; `basis` names where it comes from (for the motivation)."""

    basis: str = ""


@dataclass(frozen=True)
class Body(Entry):
    """A deciding body and the tiers of government it exists in."""

    tiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tier(Entry):
    """A tier of decentralised government and its bodies (§0.3)."""

    executive_body: str = ""
    representative_body: str = ""
    gazette: str = ""
    gazette_nl: str = ""
    gazette_en: str = ""
    vergaderingstypes: tuple[str, ...] = ()


_E = TypeVar("_E", bound=Entry)


def _index(*entries: _E) -> dict[str, _E]:
    return {entry.code: entry for entry in entries}


# Weigeringsgronden for uitdaagrecht (§2.5). "Onvolledig en niet aangevuld" is deliberately
# absent: that is a decision not to process (Awb 4:5), which has its own state.
REFUSAL_GROUNDS: dict[str, Ground] = _index(
    Ground("R1", "Dit is geen taak die wij nu zelf uitvoeren",
           "This is not a task we currently carry out", "art. 150(3) Gemeentewet"),
    Ground("R2", "Deze taak mag alleen de overheid zelf doen",
           "Only the government itself may carry out this task", "art. 150(3) Gemeentewet"),
    Ground("R3", "De wet staat niet toe dat anderen deze taak uitvoeren",
           "The law does not allow others to carry out this task",
           "art. 150(3)(b) Gemeentewet"),
    Ground("R4", "Het plan kost meer dan nu, of er is geen geld voor",
           "The plan costs more than now, or there is no budget for it", "verordening"),
    Ground("R5", "Er is te weinig steun van inwoners",
           "There is not enough support from residents", "verordening"),
    Ground("R6", "Het is niet zeker dat de taak goed en lang genoeg wordt gedaan",
           "Quality and continuity are not sufficiently guaranteed", "verordening"),
    Ground("R7", "Het plan levert de samenleving niets extra op",
           "The plan adds no value for the community", "verordening"),
    Ground("R8", "Het plan past niet bij de regels voor inkoop of bij lopende contracten",
           "The plan conflicts with procurement rules or existing contracts", "verordening"),
    Ground("R9", "De aanvrager wil winst maken",
           "The applicant aims to make a profit", "verordening"),
    Ground("R10", "De aanvrager kan geen contract sluiten (geen rechtspersoon)",
           "The applicant cannot enter into a contract (no legal entity)", "verordening"),
    Ground("R11", "De risico's voor veiligheid of aansprakelijkheid zijn te groot",
           "Safety or liability risks cannot be managed", "verordening"),
    Ground("R12", "Het plan is in strijd met de wet of regels, bijvoorbeeld over staatssteun "
           "of privacy", "The plan conflicts with laws or regulations, for example on state aid "
           "or privacy", "algemeen"),
    Ground("R13", "Het plan botst met vastgesteld beleid of met een besluit dat wordt "
           "voorbereid", "The plan conflicts with adopted policy or with a decision being "
           "prepared", "verordening"),
    Ground("R14", "De taak valt buiten de onderwerpen die de raad heeft opengesteld",
           "The task is outside the policy areas the council has opened up", "verordening"),
    Ground("R15", "Dezelfde aanvraag is eerder gedaan, zonder nieuwe feiten",
           "The same request was made before, without new facts", "Awb 4:6"),
    Ground("R16", "Er is een reden om de subsidie te weigeren",
           "A ground for refusing a subsidy applies", "Awb 4:35"),
)

# Onderwerpen uitgesloten van burgerinitiatief (§3.4), ticked during the toelaatbaarheidstoets.
EXCLUSIONS: dict[str, Ground] = _index(
    Ground("X1", "De raad gaat niet over dit onderwerp",
           "The council has no power over this subject", "verordening"),
    Ground("X2", "De begroting, de jaarrekening of financiële regels",
           "The budget, the annual accounts or financial rules", "verordening"),
    Ground("X3", "Belastingen, heffingen en tarieven",
           "Taxes, levies and charges", "verordening"),
    Ground("X4", "De raad heeft hier minder dan 2 jaar geleden over besloten, en er zijn geen "
           "nieuwe feiten", "The council decided on this less than 2 years ago, and there are "
           "no new facts", "verordening"),
    Ground("X5", "Een klacht (daarvoor is de klachtenregeling)",
           "A complaint (the complaints procedure applies)", "Awb hoofdstuk 9"),
    Ground("X6", "Benoemingen, voordrachten en personeelszaken",
           "Appointments, nominations and personnel matters", "verordening"),
    Ground("X7", "Een besluit waartegen bezwaar of beroep mogelijk is",
           "A decision open to objection or appeal", "verordening"),
    Ground("X8", "Beleid dat al bijna klaar is",
           "Policy that is already at an advanced stage", "verordening"),
    Ground("X9", "Het voorstel is in strijd met de wet",
           "The proposal conflicts with the law", "algemeen"),
)

# Outcomes of an uitdaagrecht request or a bewonersinitiatief application.
OUTCOMES: dict[str, Entry] = _index(
    Entry("toegekend", "Toegekend", "Granted"),
    Entry("deels_toegekend", "Deels toegekend", "Partly granted"),
    Entry("afgewezen", "Afgewezen", "Refused"),
    Entry("buiten_behandeling", "Niet in behandeling genomen", "Not processed"),
    Entry("niet_ontvankelijk", "Niet-ontvankelijk", "Inadmissible"),
)

# Outcomes of the evaluation of a challenge taken over (procedures.md §2.6 item 7): a decision
# of the executive with its own letter. Keyed by domain.agreements.EVALUATION_OUTCOMES.
EVALUATION_OUTCOMES: dict[str, Entry] = _index(
    Entry("evaluatie_voortzetten", "Voortzetten na evaluatie", "Continued after evaluation"),
    Entry("evaluatie_aanpassen", "Voortzetten met aanpassingen na evaluatie",
          "Continued with adjustments after evaluation"),
    Entry("evaluatie_stoppen", "Beëindigd na evaluatie: de taak is klaar",
          "Ended after evaluation: the task is done"),
    Entry("evaluatie_terugnemen", "Taak teruggenomen na evaluatie",
          "Task taken back after evaluation"),
)
EVALUATION_DECISION = {"continue": "evaluatie_voortzetten", "adjust": "evaluatie_aanpassen",
                       "stop": "evaluatie_stoppen", "take_back": "evaluatie_terugnemen"}

# Outcomes of a council decision on a burgerinitiatief (§3.5, ORI besluitresultaat).
COUNCIL_OUTCOMES: dict[str, Entry] = _index(
    Entry("aangenomen", "Aangenomen", "Adopted"),
    Entry("aangenomen_geamendeerd", "Aangenomen met wijzigingen", "Adopted as amended"),
    Entry("verworpen", "Verworpen", "Rejected"),
    Entry("aangehouden", "Aangehouden (later besproken)", "Postponed"),
    Entry("ingetrokken", "Ingetrokken", "Withdrawn"),
)

def outcome_index(code: str) -> dict[str, Entry]:
    """The table a decision's outcome code belongs to."""
    for table in (OUTCOMES, COUNCIL_OUTCOMES, EVALUATION_OUTCOMES):
        if code in table:
            return table
    return OUTCOMES


TIERS: dict[str, Tier] = _index(
    Tier("gemeente", "Gemeente", "Municipality",
         executive_body="college", representative_body="raad",
         gazette="gemeenteblad", gazette_nl="Gemeenteblad", gazette_en="Municipal gazette",
         vergaderingstypes=("raadsvergadering", "commissievergadering", "presidium")),
    Tier("provincie", "Provincie", "Province",
         executive_body="gedeputeerde_staten", representative_body="provinciale_staten",
         gazette="provinciaal_blad", gazette_nl="Provinciaal blad",
         gazette_en="Provincial gazette", vergaderingstypes=("statenvergadering",)),
    Tier("waterschap", "Waterschap", "Water board",
         executive_body="dagelijks_bestuur", representative_body="algemeen_bestuur",
         gazette="waterschapsblad", gazette_nl="Waterschapsblad", gazette_en="Water board gazette",
         vergaderingstypes=("algemene_bestuursvergadering",)),
)

_ALL_TIERS = tuple(TIERS)

DECIDING_BODIES: dict[str, Body] = _index(
    Body("college", "College van burgemeester en wethouders",
         "Municipal executive (mayor and aldermen)", ("gemeente",)),
    Body("raad", "Gemeenteraad", "Municipal council", ("gemeente",)),
    Body("burgemeester", "Burgemeester", "Mayor", ("gemeente",)),
    Body("gedeputeerde_staten", "Gedeputeerde Staten", "Provincial executive", ("provincie",)),
    Body("provinciale_staten", "Provinciale Staten", "Provincial council", ("provincie",)),
    Body("dagelijks_bestuur", "Dagelijks bestuur", "Water board executive", ("waterschap",)),
    Body("algemeen_bestuur", "Algemeen bestuur", "Water board general assembly",
         ("waterschap",)),
    # Mandate (Awb 10:1) exists in every tier: an official decides on behalf of the body.
    Body("gemandateerd_ambtenaar", "Ambtenaar met mandaat",
         "Official with delegated authority", _ALL_TIERS),
)

# Sub-types of a partial grant (DEELS_TOEGEKEND, §2.5).
PARTIAL_SUBTYPES: dict[str, Entry] = _index(
    Entry("pilot", "Eerst een proef (pilot)", "Pilot first"),
    Entry("coproductie", "Samen met de gemeente uitvoeren", "Co-production with the authority"),
    Entry("deeltaak", "Een deel van de taak", "Part of the task"),
    Entry("aangepaste_begroting", "Met een aangepaste begroting", "With an adjusted budget"),
)

LEGAL_FORMS: dict[str, Entry] = _index(
    Entry("informele_groep", "Groep zonder rechtsvorm", "Informal group"),
    Entry("vereniging", "Vereniging", "Association"),
    Entry("stichting", "Stichting", "Foundation"),
    Entry("cooperatie", "Coöperatie", "Cooperative"),
    Entry("bv_nv", "BV of NV", "Private or public limited company"),
    Entry("overig", "Anders", "Other"),
)

# Forms that are a rechtspersoon and can therefore sign an agreement (§2.4 A5, R10).
LEGAL_ENTITY_FORMS: frozenset[str] = frozenset({"vereniging", "stichting", "cooperatie", "bv_nv"})

# ORI v2 enumerations (§4.3). Codes are verbatim from the OAS; labels are ours.
ORI_VERGADERINGSTYPE: dict[str, Entry] = _index(
    Entry("raadsvergadering", "Raadsvergadering", "Council meeting"),
    Entry("commissievergadering", "Commissievergadering", "Committee meeting"),
    Entry("presidium", "Presidium", "Presidium (agenda committee)"),
    Entry("statenvergadering", "Statenvergadering", "Provincial council meeting"),
    Entry("algemene_bestuursvergadering", "Vergadering algemeen bestuur",
          "Water board general assembly meeting"),
)

ORI_VERGADERSTATUS: dict[str, Entry] = _index(
    Entry("gepland", "Gepland", "Scheduled"),
    Entry("gehouden", "Gehouden", "Held"),
    Entry("geannuleerd", "Afgelast", "Cancelled"),
)

ORI_KEUZE_STEMMING: dict[str, Entry] = _index(
    Entry("voor", "Voor", "For"),
    Entry("tegen", "Tegen", "Against"),
    Entry("afwezig", "Afwezig", "Absent"),
    Entry("onthouden", "Onthouden", "Abstained"),
)

ORI_STEMMINGSTYPE: dict[str, Entry] = _index(
    Entry("hoofdelijk", "Hoofdelijk (iedereen apart)", "Roll-call"),
    Entry("regulier", "Gewoon", "Regular"),
    Entry("schriftelijk", "Schriftelijk (geheim)", "Written (secret ballot)"),
)

ORI_RESULTAAT_MONDELINGE_STEMMING: dict[str, Entry] = _index(
    Entry("voor", "Voor", "For"),
    Entry("tegen", "Tegen", "Against"),
    Entry("gelijk", "Stemmen staken", "Tied"),
)

ORI_FRACTIESTEMRESULTAAT: dict[str, Entry] = _index(
    Entry("aangenomen", "Voor", "For"),
    Entry("verworpen", "Tegen", "Against"),
    Entry("verdeeld", "Verdeeld", "Split"),
)


# How a letter or a page names an organisation by its kind: "de vraag van de gemeente".
ORGANISATION_KIND = {"gemeente": ("de gemeente", "the municipality"),
                     "provincie": ("de provincie", "the province"),
                     "waterschap": ("het waterschap", "the water board")}


def organisation_kind(tier: str, locale: str = "nl") -> str:
    nl, en = ORGANISATION_KIND.get(tier, ("de organisatie", "the organisation"))
    return en if locale.lower().startswith("en") else nl


def label(mapping: Mapping[str, Entry], code: str, locale: str = "nl") -> str:
    """The label of `code` in `locale` ("nl" or "en..."); the code itself when unknown,
    so that a template never breaks on a value from an older version of a list."""
    entry = mapping.get(code)
    if entry is None:
        return code
    return entry.label_en if locale.lower().startswith("en") else entry.label_nl
