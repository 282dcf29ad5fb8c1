"""The resident's side of an uitdaagrecht request: draft, submit with a receipt, answer,
withdraw, delete a draft. State changes go through services.cases; these functions flush,
the view commits."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm.exc import StaleDataError

from participation.domain.grounds import LEGAL_ENTITY_FORMS
from participation.extensions import db
from participation.models import Attachment, Case, Organisation, Task, User
from participation.services import cases as case_service
from participation.services import mail

REQUEST_TYPE = "uitdaagrecht"
# Draft fields copied to Case columns, so that lists, the register and the queue can use them.
COLUMN_FIELDS = ("naam_initiatief", "beleidsveld", "taak", "gevraagd_budget")
DEFAULT_POLICY_AREAS = ("groenbeheer", "sport", "welzijn", "buurthuizen", "cultuur",
                        "schoonmaak en afval", "verkeer")


class NotADraft(Exception):
    """The case is no longer a draft: it cannot be edited or deleted."""


def settings_of(case: Case) -> dict[str, Any]:
    return dict(case_service.workflow_of(case).settings)


def active_tasks(org_id: int) -> list[Task]:
    return list(db.session.scalars(select(Task).where(Task.organisation_id == org_id,
                                                      Task.active.is_(True)).order_by(Task.title)))


def policy_areas(org_id: int, settings: Mapping[str, Any], tasks: list[Task]) -> list[str]:
    """The open policy areas: the procedure's list when it has one, else those of the task
    catalogue, else a general list."""
    configured = [str(area) for area in settings.get("open_beleidsvelden", []) or []]
    if configured:
        return configured
    from_tasks = sorted({t.policy_area for t in tasks if t.policy_area})
    return from_tasks or list(DEFAULT_POLICY_AREAS)


def attachment_counts(case: Case) -> dict[str, int]:
    rows = db.session.execute(select(Attachment.purpose, func.count()).where(
        Attachment.case_id == case.id).group_by(Attachment.purpose))
    return {purpose: count for purpose, count in rows}


def start_challenge(org: Organisation, *, applicant: User, now: datetime) -> Case:
    return case_service.start_case(org, REQUEST_TYPE, applicant=applicant, data={}, now=now)


def _require_draft(case: Case) -> None:
    if case.state != case_service.workflow_of(case).initial_state().name:
        raise NotADraft(case.id)


def _amount(text: Any) -> Decimal | None:
    try:
        value = Decimal(str(text).replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() and value >= 0 else None


def save_draft(case: Case, values: Mapping[str, Any], *, now: datetime) -> Case:
    """Merge one step's values into the draft (as typed, or normalised when valid) and copy the
    columns the lists need. When the same draft was saved meanwhile (a second tab, a double
    click, autosave racing the button), the newer draft is read again and these values are
    merged into it: the last save of a field wins and no field of the other save is lost."""
    _require_draft(case)
    _merge_into_draft(case, values, now)
    try:
        db.session.flush()
    except StaleDataError:
        # Only this request's draft update was pending (save_draft is a request's first
        # write), so rolling back loses nothing; the case reloads with the other save in it.
        db.session.rollback()
        _require_draft(case)
        _merge_into_draft(case, values, now)
        db.session.flush()
    return case


def _merge_into_draft(case: Case, values: Mapping[str, Any], now: datetime) -> None:
    data = dict(case.data or {})
    data.update(values)
    case.data = data  # a new dict: the JSON column only notices reassignment
    if "naam_initiatief" in values:
        case.title = str(values["naam_initiatief"] or "")[:200]
    if "beleidsveld" in values:
        case.policy_area = str(values["beleidsveld"] or "")[:80]
    if "taak" in values:
        task_id = str(values["taak"] or "")
        task = db.session.get(Task, int(task_id)) if (task_id.isascii() and task_id.isdecimal() and len(task_id) < 10) else None
        case.task_id = task.id if task is not None and task.organisation_id == case.organisation_id else None
    if "gevraagd_budget" in values:
        amount = _amount(values["gevraagd_budget"]) if values["gevraagd_budget"] else None
        case.requested_budget = amount if amount is not None and amount < Decimal("1e10") else None
    case.summary = str(data.get("taak_omschrijving") or "")[:2000]
    case.updated_at = now


def review_flags(case: Case) -> list[str]:
    """Refusal grounds an official should look at first (§2.4 A5, A7, E2); never a block."""
    data = case.data or {}
    settings = settings_of(case)
    flags = []
    task = db.session.get(Task, case.task_id) if case.task_id else None
    if (task is not None and task.current_budget is not None and case.requested_budget is not None
            and case.requested_budget > task.current_budget and not data.get("budget_toelichting")):
        flags.append("R4")
    if data.get("winstoogmerk") == "ja" and not settings.get("commerciele_partijen_toegestaan", False):
        flags.append("R9")
    if data.get("rechtsvorm") not in LEGAL_ENTITY_FORMS:
        flags.append("R10")
    if data.get("taak") == "anders":
        flags.append("R1")
    return flags


def submit_challenge(case: Case, *, actor: User, now: datetime) -> case_service.Outcome:
    """Sign (I1: logged-in identity and time), submit (starts the decision clock) and send the
    receipt (Awb 4:3a)."""
    _require_draft(case)
    data = dict(case.data or {})
    data["ondertekend_door"] = {"user_id": actor.id, "naam": actor.name, "email": actor.email}
    data["ondertekend_op"] = now.isoformat()
    data["flags"] = review_flags(case)
    case.data = data
    outcome = case_service.apply_transition(case, "indienen", actor=actor, now=now)
    # The receipt (Awb 4:3a) goes out at once, unless the procedure leaves it to the step
    # "ontvangst bevestigen" (which notifies the applicant too).
    if settings_of(case).get("ontvangstbevestiging", "bij_indiening") != "handmatig":
        send_receipt(case, now=now)
    return outcome


def send_receipt(case: Case, *, now: datetime) -> None:
    applicant = case.applicant or db.session.get(User, case.applicant_id)
    org = case.organisation
    contact = (case.data or {}).get("contact_email")
    url = current_app.config["BASE_URL"] + case_service.case_path(case)
    with force_locale(applicant.locale or "nl"):
        subject = _("Ontvangstbevestiging %(number)s: %(title)s", number=case.number, title=case.title)
        lines = [
            _("Beste %(name)s,", name=applicant.name), "",
            _("Wij hebben uw uitdaagrechtverzoek \"%(title)s\" ontvangen op %(date)s.",
              title=case.title, date=format_date(now, "d MMMM yyyy")), "",
            _("Zaaknummer: %(number)s", number=case.number),
            _("Uiterste beslisdatum: %(date)s", date=format_date(case.deadline, "d MMMM yyyy")), "",
            _("Wat gebeurt er nu?"),
            _("Wij kijken eerst of uw verzoek compleet is. Missen we iets, dan vragen we u om "
              "meer informatie. De termijn voor ons besluit staat dan stil tot u antwoordt. "
              "Daarna beoordelen we uw plan en gaan we met u in gesprek."), "",
            _("U kunt uw verzoek volgen op: %(url)s", url=url), "",
            _("Vragen? Neem contact op met %(org)s:", org=org.name),
        ]
        if org.email:
            lines.append(_("E-mail: %(email)s", email=org.email))
        if org.phone:
            lines.append(_("Telefoon: %(phone)s", phone=org.phone))
        lines += ["", _("Met vriendelijke groet,"), org.name]
        body = "\n".join(lines)
    language = applicant.locale or "nl"
    mail.queue_email(applicant.email, subject, body, org=org, language=language)
    if contact and contact.strip().lower() != applicant.email:
        mail.queue_email(contact.strip(), subject, body, org=org, language=language)


def answer_request(case: Case, *, actor: User, answer: str, document: Attachment | None,
                   expected_version: int | None, now: datetime) -> case_service.Outcome:
    """The applicant's answer to a request for information (resumes the decision clock) or
    their zienswijze, whichever the case waits for."""
    transition = {"aanvulling_gevraagd": "aanvulling_ontvangen",
                  "zienswijze": "zienswijze_geven"}.get(case.state, "aanvulling_ontvangen")
    inputs: dict[str, Any] = {"answer": answer}
    if document is not None:
        inputs["document"] = document.id
    return case_service.apply_transition(case, transition, actor=actor, inputs=inputs, now=now,
                                         expected_version=expected_version)


def withdraw_challenge(case: Case, *, actor: User, reason: str, expected_version: int | None,
                       now: datetime) -> case_service.Outcome:
    inputs = {"reason": reason} if reason else {}
    return case_service.apply_transition(case, "intrekken", actor=actor, inputs=inputs, now=now,
                                         expected_version=expected_version)


def delete_draft(case: Case) -> list[str]:
    """Delete a draft and its attachments; returns the stored file names to remove after the
    commit (a draft has no audit trail: nothing was filed)."""
    _require_draft(case)
    stored = list(db.session.scalars(select(Attachment.stored_name).where(
        Attachment.case_id == case.id)))
    db.session.execute(delete(Attachment).where(Attachment.case_id == case.id))
    db.session.delete(case)
    db.session.flush()
    return stored
