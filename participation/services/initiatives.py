"""Burgerinitiatieven (procedures.md §3): drafting, collecting support, submitting to the
griffie, and public questions with moderation.

State changes go through services.cases.apply_transition. Signatures are counted in
SQL (`signature_count = signature_count + 1`) in the same transaction that inserts the
Signature row, so the unique (case_id, user_id) constraint is what prevents double
counting, also under concurrency. Like every service: flush, never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from participation.domain import deadlines, grounds, residence, thresholds
from participation.domain import workflow as wf
from participation.domain.errors import Refusal
from participation.domain.thresholds import Threshold
from participation.extensions import db
from participation.models import Case, Comment, Organisation, Signature, User
from participation.services import cases as case_service
from participation.services import mail
from participation.services import organisations as organisation_service

REQUEST_TYPE = "burgerinitiatief"
COLLECTING = "steun_verzamelen"
DRAFT = "concept"
STAFF_ROLES = frozenset({"official", "coordinator", "griffie", "admin"})
LOCAL_TZ = deadlines.DUTCH_TIME  # the days the Awb counts


class InitiativeError(Refusal):
    """A refusal the user can understand; `field` names the form field it belongs to."""

    def __init__(self, message_nl: str, field: str | None = None) -> None:
        super().__init__(message_nl, {field: message_nl} if field else None)
        self.field = field


@dataclass(frozen=True)
class Procedure:
    """What the organisation's procedure says about initiatives, as shown to residents."""

    workflow: wf.Workflow
    threshold: Threshold
    required: int
    exclusions: tuple[tuple[str, str], ...]  # (code, label)

    @property
    def collection_days(self) -> int | None:
        return self.threshold.collection_days

    @property
    def min_age(self) -> int | None:
        return self.threshold.min_age


@dataclass(frozen=True)
class InitiativeDraft:
    """The fields of the initiative form (§3.3)."""

    title: str
    summary: str
    proposal: str
    motivation: str
    deputy_name: str
    deputy_email: str
    financial_consequences: str = ""
    names_public: bool = False
    not_excluded: bool = False


def local_today(now: datetime) -> date:
    """Terms are Dutch calendar dates."""
    return now.astimezone(LOCAL_TZ).date()


def _procedure(definition: wf.Workflow, org: Organisation, locale: str) -> Procedure:
    threshold = definition.threshold or Threshold()
    required = thresholds.required_signatures(threshold, inhabitants=org.inhabitants,
                                              electorate=org.electorate)
    exclusions = tuple((code, grounds.label(grounds.EXCLUSIONS, code, locale))
                       for code in definition.exclusions)
    return Procedure(workflow=definition, threshold=threshold, required=required,
                     exclusions=exclusions)


def procedure_for_org(org: Organisation, locale: str = "nl") -> Procedure:
    """The procedure a new initiative would follow (the current version)."""
    version = organisation_service.current_workflow_version(org.id, REQUEST_TYPE)
    if version is None:
        raise LookupError(f"{org.slug} has no procedure for {REQUEST_TYPE}")
    return _procedure(case_service.workflow_for_version(version), org, locale)


def procedure_for_case(case: Case, locale: str = "nl") -> Procedure:
    """The procedure version the initiative was started under."""
    return _procedure(case_service.workflow_of(case), case.organisation, locale)


def threshold_reached(case: Case) -> bool:
    return case.signature_count >= procedure_for_case(case).required


# --- Drafting ---------------------------------------------------------------------------------


def _check_draft(draft: InitiativeDraft, applicant: User) -> None:
    if not draft.not_excluded:
        raise InitiativeError(_("Verklaar dat het onderwerp niet is uitgesloten."), "not_excluded")
    if draft.deputy_email.strip().lower() == applicant.email.strip().lower() \
            or draft.deputy_name.strip().lower() == applicant.name.strip().lower():
        raise InitiativeError(
            _("De plaatsvervanger moet iemand anders zijn dan de contactpersoon."), "deputy_email")


def _store_draft(case: Case, draft: InitiativeDraft, applicant: User) -> None:
    case.title = draft.title.strip()
    case.summary = draft.summary.strip()
    data = dict(case.data or {})
    data.update({
        "proposal": draft.proposal.strip(),
        "motivation": draft.motivation.strip(),
        "financial_consequences": draft.financial_consequences.strip(),
        "contact": {"name": applicant.name, "email": applicant.email},
        "deputy": {"name": draft.deputy_name.strip(), "email": draft.deputy_email.strip()},
        "names_public": bool(draft.names_public),
        "not_excluded_declared": True,
    })
    case.data = data  # a new dict: JSON columns do not track changes inside


def create_initiative(org: Organisation, *, applicant: User, draft: InitiativeDraft,
                      now: datetime) -> Case:
    """A new initiative in the draft state (concept) of the organisation's procedure."""
    _check_draft(draft, applicant)
    case = case_service.start_case(org, REQUEST_TYPE, applicant=applicant,
                                   title=draft.title.strip(), now=now)
    _store_draft(case, draft, applicant)
    db.session.flush()
    return case


def update_initiative(case: Case, *, actor: User, draft: InitiativeDraft, now: datetime,
                      expected_version: int | None = None) -> Case:
    """Change the draft. Only the initiator, and only while it is a draft."""
    if case.applicant_id != actor.id:
        raise InitiativeError(_("Alleen de initiatiefnemer kan dit initiatief wijzigen."))
    if case.state != DRAFT:
        raise InitiativeError(_("Dit initiatief is geen concept meer en kan niet meer worden "
                                "gewijzigd."))
    if expected_version is not None and case.lock_version != expected_version:
        raise case_service.Conflict(case.id)
    _check_draft(draft, actor)
    _store_draft(case, draft, actor)
    case.updated_at = now
    try:
        db.session.flush()
    except StaleDataError as exc:  # someone saved the draft in between
        db.session.rollback()
        raise case_service.Conflict(case.id) from exc
    return case


def start_collecting(case: Case, *, actor: User, now: datetime,
                     expected_version: int | None = None) -> case_service.Outcome:
    """Open the initiative for support; the collection period starts today."""
    outcome = case_service.apply_transition(case, "steun_verzamelen_starten", actor=actor,
                                            now=now, expected_version=expected_version)
    procedure = procedure_for_case(case)
    case.collection_deadline = thresholds.collection_deadline(procedure.threshold,
                                                              local_today(now))
    case.signature_count = 0
    db.session.flush()
    return outcome


# --- Support (signatures) ---------------------------------------------------------------------


def has_signed(case: Case, user: User | None) -> bool:
    if user is None or not getattr(user, "is_authenticated", True):
        return False
    return bool(db.session.scalar(select(exists().where(
        Signature.case_id == case.id, Signature.user_id == user.id))))


def collecting_open(case: Case, now: datetime) -> bool:
    return case.state == COLLECTING and (
        case.collection_deadline is None or local_today(now) <= case.collection_deadline)


def needs_birth_date(case: Case, user: User | None) -> bool:
    return bool(procedure_for_case(case).min_age is not None and user is not None
                and getattr(user, "is_authenticated", True) and user.birth_date is None)


def _check_collecting(case: Case, now: datetime) -> None:
    if case.state == DRAFT:
        raise InitiativeError(_("Dit initiatief is nog een concept. Steunen kan pas als de "
                                "initiatiefnemer start met steun verzamelen."))
    if case.state != COLLECTING:
        raise InitiativeError(_("U kunt dit initiatief niet meer steunen: het verzamelen van "
                                "steun is gestopt."))
    if not collecting_open(case, now):
        raise InitiativeError(_("De tijd om steun te verzamelen is voorbij."))


def _count_sql(case_id: int, delta: int):
    # The state condition makes a signature and a submission that race each other safe:
    # once the initiative has left steun_verzamelen, no row matches and nothing changes.
    statement = (update(Case.__table__)
                 .where(Case.__table__.c.id == case_id, Case.__table__.c.state == COLLECTING)
                 .values(signature_count=Case.__table__.c.signature_count + delta))
    if delta < 0:
        statement = statement.where(Case.__table__.c.signature_count > 0)
    return statement


def needs_postcode(case: Case, user: User | None) -> bool:
    return bool(case.organisation.postcode_areas and user is not None
                and getattr(user, "is_authenticated", True) and not user.postcode)


def sign_initiative(case: Case, user: User, *, now: datetime,
                    birth_date: date | None = None, postcode: str = "",
                    person: tuple[str, str] | None = None) -> None:
    """Record the user's support. Raises InitiativeError (with field "birth_date" or
    "postcode" when the date of birth is missing, implausible or too young, or the postcode is
    missing or outside the organisation's area).

    A date of birth or postcode given here is stored on the account, so we ask for it only
    once; it is stored even when the signer turns out not to qualify (the view commits it).

    `person` is (person key, how verified) after a DigiD login: one person counts once per
    initiative, whatever account they sign with.
    """
    _check_collecting(case, now)
    if not user.is_verified:
        raise InitiativeError(_("Bevestig eerst uw e-mailadres. Daarna kunt u dit initiatief "
                                "steunen."))
    procedure = procedure_for_case(case)
    today = local_today(now)
    if procedure.min_age is not None:
        _check_age(procedure, user, birth_date, today)
    if case.organisation.postcode_areas:
        _check_residence(case.organisation, user, postcode)
    if has_signed(case, user):
        raise InitiativeError(_("U heeft dit initiatief al ondertekend."))
    person_key, verified_with = person or (None, "")
    if person_key and _signed_by_person(case, person_key):
        raise InitiativeError(_("Met deze DigiD is dit initiatief al gesteund, via een ander "
                                "account. Iedereen telt één keer mee."))
    try:
        db.session.execute(insert(Signature).values(case_id=case.id, user_id=user.id,
                                                    created_at=now, person_key=person_key,
                                                    verified_with=verified_with))
        changed = db.session.execute(_count_sql(case.id, +1)).rowcount
    except IntegrityError as exc:
        # Two requests of the same user at the same moment: the constraint let one through.
        db.session.rollback()
        raise InitiativeError(_("U heeft dit initiatief al ondertekend.")) from exc
    if changed != 1:
        db.session.rollback()
        raise InitiativeError(_("U kunt dit initiatief niet meer steunen: het verzamelen van "
                                "steun is gestopt."))
    db.session.expire(case, ["signature_count"])


def _signed_by_person(case: Case, person_key: str) -> bool:
    return db.session.scalar(select(Signature.id).where(
        Signature.case_id == case.id, Signature.person_key == person_key)) is not None


def _check_age(procedure: Procedure, user: User, birth_date: date | None, today: date) -> None:
    if user.birth_date is None:
        if birth_date is None:
            raise InitiativeError(_("Vul uw geboortedatum in."), "birth_date")
        if not residence.plausible_birth_date(birth_date, today):
            raise InitiativeError(_("Vul een geldige geboortedatum in."), "birth_date")
        user.birth_date = birth_date
        db.session.flush()
    if not thresholds.old_enough(procedure.threshold, user.birth_date, today):
        raise InitiativeError(
            _("U moet minstens %(age)s jaar oud zijn om dit initiatief te steunen.",
              age=procedure.min_age), "birth_date")


def _check_residence(org: Organisation, user: User, postcode: str) -> None:
    """Only residents of the organisation's area (its PC4 ranges) support its initiatives.
    A postcode given now replaces the stored one (after a refusal the field is shown again,
    so a mistyped postcode can be corrected)."""
    if postcode.strip():
        normal = residence.normal_postcode(postcode)
        if not normal:
            raise InitiativeError(_("Vul een Nederlandse postcode in, bijvoorbeeld 9991 AB."),
                                  "postcode")
        user.postcode = normal
        db.session.flush()
    elif not user.postcode:
        raise InitiativeError(_("Vul uw postcode in."), "postcode")
    if not residence.lives_in(user.postcode, residence.parse_ranges(org.postcode_areas)):
        raise InitiativeError(
            _("Met postcode %(postcode)s woont u niet in het gebied van %(org)s. Alleen inwoners "
              "kunnen dit initiatief steunen.", postcode=user.postcode, org=org.name),
            "postcode")


def withdraw_signature(case: Case, user: User, *, now: datetime) -> None:
    """Take back one's support; possible until the initiative is submitted."""
    if case.state != COLLECTING:
        raise InitiativeError(_("U kunt uw steun niet meer intrekken: het initiatief is al "
                                "ingediend of gesloten."))
    removed = db.session.execute(delete(Signature).where(
        Signature.case_id == case.id, Signature.user_id == user.id)).rowcount
    if removed != 1:
        raise InitiativeError(_("U heeft dit initiatief niet ondertekend."))
    changed = db.session.execute(_count_sql(case.id, -1)).rowcount
    if changed != 1:
        db.session.rollback()
        raise InitiativeError(_("U kunt uw steun niet meer intrekken: het initiatief is al "
                                "ingediend of gesloten."))
    db.session.expire(case, ["signature_count"])


def supporters(case: Case) -> list[tuple[Signature, User]]:
    """For the griffie only: who signed, oldest first."""
    return list(db.session.execute(
        select(Signature, User).join(User, User.id == Signature.user_id)
        .where(Signature.case_id == case.id).order_by(Signature.created_at, Signature.id)).all())


# --- Submission -------------------------------------------------------------------------------


def submit_initiative(case: Case, *, actor: User, now: datetime,
                      expected_version: int | None = None) -> case_service.Outcome:
    """Submit to the griffie once the threshold is reached, and send the receipt (Awb 4:3a
    by analogy) with the registration number."""
    # Lock the row (PostgreSQL) so that a signature withdrawn right now waits for us and then
    # finds the initiative submitted, instead of dropping the count below the threshold.
    db.session.refresh(case, ["signature_count", "state", "lock_version"], with_for_update=True)
    if case.state != COLLECTING:
        raise InitiativeError(_("U kunt dit initiatief alleen indienen terwijl er steun wordt "
                                "verzameld."))
    procedure = procedure_for_case(case)
    if case.signature_count < procedure.required:
        raise InitiativeError(
            _("U kunt nog niet indienen: er zijn %(count)s van de %(required)s "
              "steunbetuigingen nodig.", count=case.signature_count, required=procedure.required))
    outcome = case_service.apply_transition(case, "indienen", actor=actor, now=now,
                                            expected_version=expected_version)
    case.submitted_at = now  # the submission to the griffie, not the start of collecting
    db.session.flush()
    _mail_receipt(case, now)
    return outcome


def _mail_receipt(case: Case, now: datetime) -> None:
    applicant = case.applicant
    if applicant is None or not applicant.is_active:
        return
    url = current_app.config["BASE_URL"] + case_service.case_path(case)
    on = now.astimezone(LOCAL_TZ).strftime("%d-%m-%Y %H:%M")
    with force_locale(applicant.locale or "nl"):
        subject = _("Ontvangstbevestiging van uw initiatief %(number)s", number=case.number)
        body = "\n".join([
            _("Beste %(name)s,", name=applicant.name), "",
            _("Wij hebben uw initiatief \"%(title)s\" ontvangen op %(date)s.",
              title=case.title, date=on),
            _("Het registratienummer is %(number)s. Noem dit nummer als u contact met ons "
              "opneemt.", number=case.number),
            _("Bij het indienen had het initiatief %(count)s steunbetuigingen.",
              count=case.signature_count), "",
            _("De griffie controleert nu of het initiatief aan de regels voldoet. U krijgt "
              "bericht als er een nieuwe stap is gezet."), "",
            _("Bekijk uw initiatief: %(url)s", url=url), "",
            _("Met vriendelijke groet,"), case.organisation.name,
        ])
    mail.queue_email(applicant.email, subject, body, org=case.organisation,
                     language=applicant.locale or "nl")


# --- Questions and answers (comments) ---------------------------------------------------------


def comments_open(case: Case) -> bool:
    definition = case_service.workflow_of(case)
    return case.is_public and not definition.state(case.state).is_terminal


def ask_question(case: Case, *, author: User, body: str, now: datetime) -> Comment:
    if not comments_open(case):
        raise InitiativeError(_("Bij dit initiatief kunt u geen vragen meer stellen."), "body")
    if not author.is_verified:
        raise InitiativeError(_("Bevestig eerst uw e-mailadres. Daarna kunt u een vraag "
                                "stellen."), "body")
    comment = Comment(case_id=case.id, author_id=author.id, body=body.strip(),
                      from_organisation=False, created_at=now)
    db.session.add(comment)
    db.session.flush()
    return comment


def answer_question(case: Case, question: Comment, *, author: User, body: str,
                    now: datetime) -> Comment:
    """The organisation's answer to a question (officials and griffie)."""
    if not author.roles_in(case.organisation_id) & STAFF_ROLES:
        raise InitiativeError(_("Alleen medewerkers van de organisatie kunnen antwoorden."))
    if question.case_id != case.id or question.parent_id is not None:
        raise InitiativeError(_("U kunt alleen een vraag beantwoorden."))
    answer = Comment(case_id=case.id, author_id=author.id, parent_id=question.id,
                     body=body.strip(), from_organisation=True, created_at=now)
    db.session.add(answer)
    db.session.flush()
    return answer


def hide_comment(comment: Comment, *, moderator: User, reason: str, now: datetime) -> Comment:
    """Moderation: the text is no longer shown, the reason is."""
    case = db.session.get(Case, comment.case_id)
    if case is None or not moderator.roles_in(case.organisation_id) & STAFF_ROLES:
        raise InitiativeError(_("Alleen medewerkers van de organisatie kunnen reacties "
                                "verbergen."))
    if comment.hidden_at is not None:
        raise InitiativeError(_("Deze reactie is al verborgen."))
    comment.hidden_at = now
    comment.hidden_reason = reason.strip()
    comment.hidden_by_id = moderator.id
    db.session.flush()
    return comment
