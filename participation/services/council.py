"""The griffie's operations: meetings, agenda placement, the council's decision, publication.

Every operation that moves a case does so through services.cases.apply_transition in the
caller's transaction, together with the agenda rows it writes. They flush, never commit.
Problems the user can fix raise CouncilError with Dutch messages per form field.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from participation.domain import deadlines, grounds
from participation.domain.errors import Refusal
from participation.extensions import db
from participation.models import AgendaItem, Case, Decision, Meeting, Organisation, User, Vote
from participation.services import cases as case_service
from participation.services import transparency

LOCAL_TZ = deadlines.DUTCH_TIME  # the days the Awb counts
MEETING_STATUSES = tuple(grounds.ORI_VERGADERSTATUS)
# ORI besluitresultaat values the griffie records on an agenda item.
RESULTS = ("aangenomen", "aangenomen_geamendeerd", "verworpen", "aangehouden", "ingetrokken")
PARTY_CHOICES = ("voor", "tegen", "verdeeld")
COUNCIL_TYPES = frozenset({"raadsvergadering", "statenvergadering", "algemene_bestuursvergadering"})

# Where an agenda placement moves a case, per request type and state: the transition that
# puts it on the agenda of a meeting of that kind.
INITIATIVE_STATES = ("ingediend", "toetsing", "herstel", "toegelaten", "geagendeerd", "commissie",
                     "raadsbehandeling", "aangehouden", "besloten")
PLACEABLE = {("burgerinitiatief", "toegelaten"), ("burgerinitiatief", "geagendeerd"),
             ("burgerinitiatief", "commissie"), ("burgerinitiatief", "aangehouden"),
             ("uitdaagrecht", "raadsbetrokkenheid")}
MEETING_TRANSITIONS = ("agenderen", "in_commissie_bespreken", "in_raad_behandelen")


class CouncilError(Refusal):
    """Input the user can correct: `errors` maps a form field name to a Dutch message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors=errors, log="; ".join(f"{k}: {v}" for k, v in errors.items()))


@dataclass(frozen=True)
class PartyVote:
    party: str
    choice: str
    seats: int | None = None


def meeting_types_for(tier: str) -> tuple[str, ...]:
    return grounds.TIERS[tier].vergaderingstypes


def representative_body(tier: str) -> str:
    return grounds.TIERS[tier].representative_body


def to_utc(day: date, time_of_day) -> datetime:
    """A date and time as the griffie types them (Dutch local time), stored as UTC."""
    local = datetime.combine(day, time_of_day).replace(tzinfo=LOCAL_TZ)
    return local.astimezone(UTC)


def local_date(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TZ).date()


# --------------------------------------------------------------------------- meetings

def _check_meeting(org: Organisation, meeting_type: str, status: str) -> None:
    errors = {}
    if meeting_type not in meeting_types_for(org.tier):
        errors["meeting_type"] = _("Kies een soort vergadering uit de lijst.")
    if status not in MEETING_STATUSES:
        errors["status"] = _("Kies een status uit de lijst.")
    if errors:
        raise CouncilError(errors)


def create_meeting(org: Organisation, *, title: str, meeting_type: str, starts_at: datetime,
                   location: str = "", gremium: str = "", status: str = "gepland",
                   now: datetime) -> Meeting:
    _check_meeting(org, meeting_type, status)
    meeting = Meeting(organisation_id=org.id, title=title.strip(), meeting_type=meeting_type,
                      starts_at=starts_at, location=location.strip(), gremium=gremium.strip(),
                      status=status, created_at=now, updated_at=now)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, org: Organisation, *, title: str, meeting_type: str,
                   starts_at: datetime, location: str = "", gremium: str = "",
                   status: str = "gepland", now: datetime) -> Meeting:
    _check_meeting(org, meeting_type, status)
    meeting.title = title.strip()
    meeting.meeting_type = meeting_type
    meeting.starts_at = starts_at
    meeting.location = location.strip()
    meeting.gremium = gremium.strip()
    meeting.status = status
    meeting.updated_at = now
    db.session.flush()
    return meeting


# --------------------------------------------------------------------------- agenda items

def _next_position(meeting: Meeting) -> int:
    highest = db.session.scalar(select(func.max(AgendaItem.position))
                                .where(AgendaItem.meeting_id == meeting.id))
    return (highest or 0) + 1


def add_agenda_item(meeting: Meeting, *, title: str, reference: str = "", description: str = "",
                    position: int | None = None, case: Case | None = None,
                    now: datetime) -> AgendaItem:
    item = AgendaItem(meeting_id=meeting.id, meeting=meeting, case_id=case.id if case else None,
                      position=position or _next_position(meeting), title=title.strip()[:100],
                      reference=reference.strip()[:20], description=description.strip(),
                      updated_at=now)
    db.session.add(item)
    db.session.flush()
    return item


def update_agenda_item(item: AgendaItem, *, title: str, reference: str, description: str,
                       position: int, now: datetime) -> AgendaItem:
    item.title = title.strip()[:100]
    item.reference = reference.strip()[:20]
    item.description = description.strip()
    item.position = position
    item.updated_at = now
    db.session.flush()
    return item


def placement_transition(case: Case, meeting: Meeting) -> str | None:
    """The transition that puts `case` on the agenda of `meeting`; None when placing it
    changes no state (an uitdaagrecht case the council is involved in)."""
    if case.request_type == "uitdaagrecht":
        return None
    if case.state == "toegelaten":
        return "agenderen"
    if case.state == "geagendeerd" and meeting.meeting_type == "commissievergadering":
        return "in_commissie_bespreken"
    return "in_raad_behandelen"


def _check_placement(case: Case, meeting: Meeting, transition: str | None) -> None:
    if (case.request_type, case.state) not in PLACEABLE:
        raise CouncilError({"case": _("Dit verzoek kan nu niet op de agenda worden gezet.")})
    if meeting.status == "geannuleerd":
        raise CouncilError({"meeting": _("Deze vergadering is afgelast. Kies een andere "
                                         "vergadering.")})
    if transition == "in_commissie_bespreken" and meeting.meeting_type != "commissievergadering":
        raise CouncilError({"meeting": _("Kies een commissievergadering.")})
    if transition == "in_raad_behandelen" and meeting.meeting_type not in COUNCIL_TYPES:
        raise CouncilError({"meeting": _("Kies een vergadering van de raad, de Staten of het "
                                         "algemeen bestuur.")})


def place_on_agenda(case: Case, meeting: Meeting, *, actor: User, now: datetime,
                    transition: str | None = None, expected_version: int | None = None,
                    reason: str = "") -> AgendaItem:
    """Put `case` on the agenda of `meeting`: the agenda item (title from the case, the case
    number as reference) and the workflow step, in one transaction. An item the case already
    has in this meeting is reused, so moving on in the same meeting adds no second item."""
    if transition is None:
        transition = placement_transition(case, meeting)
    _check_placement(case, meeting, transition)
    if transition is not None:
        inputs = {"meeting": meeting.id}
        if reason:
            inputs["reason"] = reason
        case_service.apply_transition(case, transition, actor=actor, inputs=inputs, now=now,
                                      expected_version=expected_version)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                                      AgendaItem.case_id == case.id))
    if item is None:
        item = add_agenda_item(meeting, title=case.title or case.number or "",
                               reference=case.number or "", description=case.summary or "",
                               case=case, now=now)
    return item


# --------------------------------------------------------------------------- the decision

def _check_votes(result: str, hamerstuk: bool, counts: dict[str, int | None],
                 parties: list[PartyVote]) -> None:
    errors: dict[str, str] = {}
    if result not in RESULTS:
        errors["result"] = _("Kies de uitslag.")
    for name, value in counts.items():
        if value is not None and value < 0:
            errors[name] = _("Vul 0 of een hoger getal in.")
    if hamerstuk and (any(v is not None for v in counts.values()) or parties):
        errors["hamerstuk"] = _("Een hamerstuk is zonder stemming aangenomen. Haal het vinkje "
                                "weg of laat de stemmen leeg.")
    if hamerstuk and result not in ("aangenomen", "aangenomen_geamendeerd"):
        errors.setdefault("hamerstuk", _("Een hamerstuk is altijd aangenomen."))
    seen: set[str] = set()
    for party in parties:
        name = " ".join(party.party.split()).casefold()
        if name in seen:
            errors["parties"] = _("%(party)s staat er meer dan één keer in. Vul elke partij "
                                  "één keer in.", party=party.party.strip())
            break
        seen.add(name)
    votes_for, votes_against = counts.get("votes_for"), counts.get("votes_against")
    if "result" not in errors and votes_for is not None and votes_against is not None \
            and votes_for >= 0 and votes_against >= 0:
        if result.startswith("aangenomen") and votes_for <= votes_against:
            errors["votes_for"] = _("Met niet meer stemmen voor dan tegen is het voorstel niet "
                                    "aangenomen. Controleer de aantallen of de uitslag.")
        elif result == "verworpen" and votes_for > votes_against:
            errors["votes_for"] = _("Met meer stemmen voor dan tegen is het voorstel niet "
                                    "verworpen. Controleer de aantallen of de uitslag.")
    if errors:
        raise CouncilError(errors)


def _check_meeting_held(meeting: Meeting, now: datetime) -> None:
    """A council decision exists only once the meeting that took it has been held."""
    if meeting.status == "geannuleerd":
        raise CouncilError({"result": _("Deze vergadering is afgelast. Een besluit legt u vast "
                                        "bij de vergadering waarin het is genomen.")})
    if meeting.starts_at > now:
        raise CouncilError({"result": _(
            "Deze vergadering heeft nog niet plaatsgevonden (%(day)s). Leg het besluit vast "
            "na de vergadering.", day=local_date(meeting.starts_at).strftime("%d-%m-%Y"))})


def record_council_decision(item: AgendaItem, *, actor: User, result: str, hamerstuk: bool = False,
                            votes_for: int | None = None, votes_against: int | None = None,
                            votes_abstained: int | None = None,
                            parties: list[PartyVote] | None = None, note: str = "",
                            now: datetime, expected_version: int | None = None) -> AgendaItem:
    """Store the council's decision on an agenda item (ORI Besluit + Stemming) and, for a
    linked initiative, take the matching workflow step with a Decision record."""
    parties = list(parties or [])
    _check_votes(result, hamerstuk, {"votes_for": votes_for, "votes_against": votes_against,
                                     "votes_abstained": votes_abstained}, parties)
    if item.published_at is not None:
        raise CouncilError({"result": _("Dit besluit is al gepubliceerd en kan niet meer "
                                        "worden gewijzigd.")})
    meeting = item.meeting
    _check_meeting_held(meeting, now)
    case = item.case
    if case is not None:
        _decide_case(item, case, meeting, actor=actor, result=result, note=note, now=now,
                     expected_version=expected_version)
    item.result = result
    item.hamerstuk = hamerstuk
    item.votes_for, item.votes_against, item.votes_abstained = (votes_for, votes_against,
                                                                votes_abstained)
    item.decision_note = note.strip()
    item.decided_at = now
    item.updated_at = now
    item.votes.clear()
    for party in parties:
        item.votes.append(Vote(party=party.party.strip()[:100], choice=party.choice,
                               seats=party.seats))
    db.session.flush()
    return item


def _decide_case(item: AgendaItem, case: Case, meeting: Meeting, *, actor: User, result: str,
                 note: str, now: datetime, expected_version: int | None) -> None:
    if case.request_type == "uitdaagrecht":
        # The council has spoken; the executive takes the decision itself. Postponed: no step.
        if result != "aangehouden":
            inputs = {"meeting": meeting.id, "reason": note.strip() or _result_sentence(result)}
            case_service.apply_transition(case, "raadsbehandeling_afronden", actor=actor,
                                          inputs=inputs, now=now, expected_version=expected_version)
        return
    if case.state != "raadsbehandeling":
        raise CouncilError({"result": _("Het initiatief staat nog niet op de agenda van de "
                                        "raadsvergadering. Zet het eerst op ‘Behandelen in de "
                                        "raad’.")})
    if result == "aangehouden":
        inputs = {"reason": note.strip()} if note.strip() else {}
        case_service.apply_transition(case, "aanhouden", actor=actor, inputs=inputs, now=now,
                                      expected_version=expected_version)
        return
    org = case.organisation
    decision = Decision(case_id=case.id, deciding_body=representative_body(org.tier),
                        decided_on=local_date(meeting.starts_at), outcome=result,
                        reasons=note.strip() or _result_sentence(result),
                        decision_number=item.reference, created_by_id=actor.id, created_at=now)
    db.session.add(decision)
    db.session.flush()
    # The letter first: its queries flush, and the case must stay clean until the transition.
    letter_inputs = case_service.attach_letter(case, decision, actor=actor, now=now)
    # Stored before the transition so the case is written (and versioned) once.
    case.outcome = result
    case.decided_at = now
    inputs = {"outcome": result, "decision": decision.id}
    if note.strip():
        inputs["reason"] = note.strip()
    inputs.update(letter_inputs)
    outcome = case_service.apply_transition(case, "besluiten", actor=actor, inputs=inputs,
                                            now=now, expected_version=expected_version)
    case_service.record_letter_sent(case, outcome.event, actor=actor, now=now)
    item.decision_id = decision.id
    item.decision = decision


def _result_sentence(result: str) -> str:
    return _("Uitslag van de vergadering: %(result)s.", result=result_label(result).lower())


def result_label(result: str) -> str:
    labels = {"aangenomen": _("Aangenomen"),
              "aangenomen_geamendeerd": _("Aangenomen zoals geamendeerd"),
              "verworpen": _("Verworpen"), "aangehouden": _("Aangehouden"),
              "ingetrokken": _("Ingetrokken")}
    return labels.get(result, result)


# --------------------------------------------------------------------------- publication

def publish_decision(item: AgendaItem, *, actor: User, now: datetime,
                     expected_version: int | None = None) -> AgendaItem:
    """Make the decision on `item` public: the item, its Decision and, for an initiative the
    council decided on, the workflow step that tells the initiator."""
    if not item.result:
        raise CouncilError({"publish": _("Leg eerst het besluit vast.")})
    if item.published_at is not None:
        raise CouncilError({"publish": _("Dit besluit is al gepubliceerd.")})
    case = item.case
    if case is not None and item.decision_id is not None and case.state == "besloten":
        case_service.apply_transition(case, "publiceren", actor=actor, now=now,
                                      expected_version=expected_version)
    item.published_at = now
    item.updated_at = now
    if item.decision is not None and item.decision.published_at is None:
        item.decision.published_at = now
    db.session.flush()
    transparency.sequence(now)  # a publication gets its signed checkpoint at once
    return item


# --------------------------------------------------------------------------- other steps

def fire_case_transition(case: Case, transition: str, *, actor: User, inputs: dict,
                         now: datetime, expected_version: int | None = None,
                         meeting: Meeting | None = None) -> AgendaItem | None:
    """A step from the griffie's desk. A step that names a meeting places the case on that
    meeting's agenda; the others go straight to the workflow."""
    if transition in MEETING_TRANSITIONS and meeting is not None:
        return place_on_agenda(case, meeting, actor=actor, now=now, transition=transition,
                               expected_version=expected_version,
                               reason=str(inputs.get("reason") or ""))
    case_service.apply_transition(case, transition, actor=actor, inputs=inputs, now=now,
                                  expected_version=expected_version)
    return None


# --------------------------------------------------------------------------- what is possible

def can_record_decision(item: AgendaItem) -> bool:
    """Whether the griffie can record the council's decision on `item` now."""
    if item.published_at is not None:
        return False
    case = item.case
    if case is None:
        return True
    if item.result:
        return False
    if case.request_type == "uitdaagrecht":
        return case.state == "raadsbetrokkenheid"
    return case.state == "raadsbehandeling" and item.meeting.meeting_type in COUNCIL_TYPES


def can_publish(item: AgendaItem) -> bool:
    return bool(item.result) and item.published_at is None
