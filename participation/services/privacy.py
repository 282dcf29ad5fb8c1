"""AVG: a resident's own data as JSON, account deletion by anonymisation, retention.

Deletion keeps what the law and the audit trail need (submitted cases, decisions, the
hash-chained events, signature counts) and removes what identifies the person: name,
email, password, birth date, contact details inside their requests, their drafts.
"""
from __future__ import annotations

import json
import secrets
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import SpooledTemporaryFile
from typing import Any

from sqlalchemy import delete, or_, select, update

from participation.extensions import db
from participation.models import (
    AccountEvent,
    AgreementVersion,
    Attachment,
    AuditEvent,
    Case,
    CaseMessage,
    Comment,
    Evaluation,
    EvaluationOutcome,
    ExternalIdentity,
    InstalmentRelease,
    Notification,
    OutboxMessage,
    ProgressReport,
    Signature,
    User,
)
from participation.services import accounts, attachments
from participation.services.accounts import hash_password

# Keys inside case.data that hold personal data of the applicant or their contacts.
PERSONAL_KEY_PARTS = ("naam", "name", "email", "e_mail", "adres", "address", "telefoon", "phone",
                      "postcode", "contact", "plaatsvervanger", "deputy", "geboorte", "birth")
REDACTED = "[verwijderd]"


def _redact(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _redact(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, key) for v in value]
    if key and any(part in key.lower() for part in PERSONAL_KEY_PARTS) and value not in (None, ""):
        return REDACTED
    return value


def _delete_drafts(drafts: list[Case]) -> None:
    """Drafts and their uploaded files; a draft has no audit events yet."""
    from flask import current_app

    from participation.models import Attachment

    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    for draft in drafts:
        for attachment in db.session.scalars(select(Attachment).where(Attachment.case_id == draft.id)):
            (upload_dir / attachment.stored_name).unlink(missing_ok=True)
            db.session.delete(attachment)
        db.session.delete(draft)


def export_user_data(user: User) -> dict[str, Any]:
    """Everything the platform holds about this person (AVG art. 15 and 20)."""
    cases = db.session.scalars(select(Case).where(Case.applicant_id == user.id).order_by(Case.id)).all()
    case_ids = [case.id for case in cases]
    messages = db.session.scalars(select(CaseMessage).where(CaseMessage.case_id.in_(case_ids))
                                  .order_by(CaseMessage.id)).all() if case_ids else []
    signatures = db.session.execute(
        select(Signature.created_at, Case.number, Case.title, Case.organisation_id)
        .join(Case, Case.id == Signature.case_id).where(Signature.user_id == user.id)).all()
    comments = db.session.scalars(select(Comment).where(Comment.author_id == user.id)).all()
    notifications = db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()
    events = db.session.scalars(select(AccountEvent).where(AccountEvent.user_id == user.id)
                                .order_by(AccountEvent.id)).all()
    return {
        **_execution_data(user, case_ids),
        "account": {"email": user.email, "name": user.name, "locale": user.locale,
                    "email_verified_at": user.email_verified_at, "created_at": user.created_at,
                    "birth_date": user.birth_date, "postcode": user.postcode,
                    "roles": [{"organisation": m.organisation.slug, "role": m.role}
                              for m in user.memberships]},
        "cases": [{"organisation": case.organisation.slug, "number": case.number,
                   "type": case.request_type, "state": case.state, "title": case.title,
                   "summary": case.summary, "data": case.data, "submitted_at": case.submitted_at,
                   "decided_at": case.decided_at, "outcome": case.outcome} for case in cases],
        "messages": [{"case_id": m.case_id, "from_organisation": m.from_organisation,
                      "kind": m.kind, "body": m.body, "created_at": m.created_at} for m in messages],
        "signatures": [{"case_number": row.number, "title": row.title, "signed_at": row.created_at}
                       for row in signatures],
        "comments": [{"case_id": c.case_id, "body": c.body, "created_at": c.created_at,
                      "hidden": c.hidden_at is not None} for c in comments],
        "notifications": [{"text": n.text, "created_at": n.created_at, "read_at": n.read_at}
                          for n in notifications],
        "linked_logins": [{"kind": i.kind, "level": i.level, "kvk": i.kvk,
                           "vestiging": i.vestiging, "linked_at": i.created_at,
                           "last_login_at": i.last_login_at}
                          for i in db.session.scalars(select(ExternalIdentity).where(
                              ExternalIdentity.user_id == user.id))],
        "account_events": [{"kind": e.kind, "detail": e.detail, "created_at": e.created_at}
                           for e in events],
    }


def _rows(model: Any, *conditions: Any) -> list[Any]:
    return list(db.session.scalars(select(model).where(*conditions).order_by(model.id)))


def _execution_data(user: User, case_ids: list[int]) -> dict[str, Any]:
    """The agreement after a grant: the versions of their cases' agreements, their progress
    reports, the instalments paid to them, the evaluations and the outcome."""
    of_cases = case_ids or [-1]
    return {
        "agreements": [{"case_id": v.case_id, "version": v.version, "task": v.task,
                        "scope": v.scope, "budget_cents": v.budget_cents,
                        "budget_line": v.budget_line, "start_date": v.start_date,
                        "end_date": v.end_date, "evaluation_date": v.evaluation_date,
                        "results": v.results, "instalments": v.instalments,
                        "contact_persons": v.contact_persons, "created_at": v.created_at,
                        "agreed_at": v.agreed_at, "agreed_by_you": v.agreed_by_id == user.id}
                       for v in _rows(AgreementVersion, AgreementVersion.case_id.in_(of_cases))],
        "progress_reports": [{"case_id": r.case_id, "result": r.result_key, "status": r.status,
                              "text": r.text, "spent_cents": r.spent_cents,
                              "created_at": r.created_at, "review": r.review,
                              "review_note": r.review_note, "reviewed_at": r.reviewed_at}
                             for r in _rows(ProgressReport, or_(
                                 ProgressReport.author_id == user.id,
                                 ProgressReport.case_id.in_(of_cases)))],
        "instalments_released": [{"case_id": r.case_id, "instalment": r.instalment_key,
                                  "amount_cents": r.amount_cents, "released_on": r.released_on}
                                 for r in _rows(InstalmentRelease,
                                                InstalmentRelease.case_id.in_(of_cases))],
        "evaluations": [{"case_id": e.case_id, "party": e.party,
                         "results_delivered": e.results_delivered,
                         "own_cost_cents": e.own_cost_cents, "cost_comparison": e.cost_comparison,
                         "quality": e.quality, "to_continue": e.to_continue,
                         "updated_at": e.updated_at}
                        for e in _rows(Evaluation, or_(Evaluation.author_id == user.id,
                                                       Evaluation.case_id.in_(of_cases)))],
        "evaluation_outcomes": [{"case_id": o.case_id, "outcome": o.outcome,
                                 "reasons": o.reasons, "public_summary": o.public_summary,
                                 "decided_on": o.decided_on}
                                for o in _rows(EvaluationOutcome,
                                               EvaluationOutcome.case_id.in_(of_cases))],
    }


def user_files(user: User) -> list[tuple[Attachment, str]]:
    """The files in the export: what the person uploaded, and the decision letters sent to
    them (their own version, with their name), each with its path inside the ZIP."""
    case_ids = select(Case.id).where(Case.applicant_id == user.id)
    rows = db.session.execute(
        select(Attachment, Case.number, Case.id).join(Case, Case.id == Attachment.case_id)
        .where(or_(Attachment.uploaded_by_id == user.id,
                   (Attachment.case_id.in_(case_ids)) & (Attachment.purpose == "decision_letter")))
        .order_by(Attachment.case_id, Attachment.id)).all()
    files, used = [], set()
    for attachment, number, case_id in rows:
        folder = "brieven" if attachment.purpose == "decision_letter" else "bestanden"
        name = f"{folder}/{number or f'concept-{case_id}'}/{attachment.filename}"
        if name in used:  # two uploads with the same name in one case
            name = f"{folder}/{number or f'concept-{case_id}'}/{attachment.id}-{attachment.filename}"
        used.add(name)
        files.append((attachment, name))
    return files


def export_archive(user: User) -> SpooledTemporaryFile:
    """A ZIP with mijn-gegevens.json and every file of the person (AVG art. 15 and 20); kept
    in memory up to 16 MB, on disk beyond."""
    payload = export_user_data(user)
    files = user_files(user)
    payload["files"] = [{"path": name, "case_id": a.case_id, "purpose": a.purpose,
                         "size": a.size, "sha256": a.sha256} for a, name in files]
    archive = SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("mijn-gegevens.json", json.dumps(payload, ensure_ascii=False, indent=2,
                                                          default=str))
        for attachment, name in files:
            path = attachments.attachment_path(attachment)
            if path.is_file():
                zipped.write(path, arcname=name)
    archive.seek(0)
    return archive


def delete_account(user: User, *, now: datetime) -> None:
    """Anonymise the account; the user row stays so that audit events keep their actor id."""
    drafts = db.session.scalars(select(Case).where(
        Case.applicant_id == user.id, Case.submitted_at.is_(None))).all()
    _delete_drafts(list(drafts))
    for case in db.session.scalars(select(Case).where(Case.applicant_id == user.id)):
        case.data = _redact(case.data or {})
    # The contact persons of their agreements; the signed document stays for the archive.
    db.session.execute(update(AgreementVersion).where(
        AgreementVersion.case_id.in_(select(Case.id).where(Case.applicant_id == user.id)),
        AgreementVersion.contact_persons != "").values(contact_persons=REDACTED))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    # The account's own history goes with it (the row stays, so no cascade does this).
    db.session.execute(delete(AccountEvent).where(AccountEvent.user_id == user.id))
    # DigiD/eHerkenning links go: the person can start again elsewhere. A signature keeps its
    # person key, so the initiative still counts them once.
    db.session.execute(delete(ExternalIdentity).where(ExternalIdentity.user_id == user.id))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.recipient == user.email,
                                                   OutboxMessage.sent_at.is_(None)))
    for membership in list(user.memberships):
        db.session.delete(membership)
    user.name = REDACTED
    user.email = f"verwijderd-{user.id}-{secrets.token_hex(4)}@invalid"
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.birth_date = None
    user.postcode = ""
    user.email_verified_at = None
    user.session_version += 1
    accounts.end_all_login_sessions(user, now)
    user.deleted_at = now
    db.session.flush()


@dataclass
class RetentionReport:
    drafts: int = 0
    outbox: int = 0
    notifications: int = 0
    signatures: int = 0
    agreement_contacts: int = 0


DEFAULT_RETENTION_DAYS = {
    "drafts": 180,          # concept cases untouched this long (AVG storage limitation)
    "outbox": 90,           # sent email bodies
    "notifications": 365,   # read in-app notifications
    "signatures": 365,      # supporter rows once the council procedure has ended
    "agreement_contacts": 365,  # contact persons in agreements once the challenge ended
}
# A challenge whose agreement no longer runs: its contact persons are no longer needed.
ENDED_CHALLENGE_STATES = ("afgerond", "beeindigd", "vervallen")


def apply_retention(*, now: datetime, days: dict[str, int] | None = None) -> RetentionReport:
    from flask import current_app

    configured = current_app.config.get("RETENTION_DAYS", {}) if current_app else {}
    limits = {**DEFAULT_RETENTION_DAYS, **configured, **(days or {})}
    report = RetentionReport()

    def cutoff(kind: str) -> datetime:
        return now - timedelta(days=limits[kind])

    drafts = db.session.scalars(select(Case).where(
        Case.submitted_at.is_(None), Case.updated_at < cutoff("drafts"))).all()
    _delete_drafts(list(drafts))
    report.drafts = len(drafts)
    report.outbox = db.session.execute(delete(OutboxMessage).where(
        OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < cutoff("outbox"))).rowcount
    report.notifications = db.session.execute(delete(Notification).where(
        Notification.read_at.is_not(None), Notification.read_at < cutoff("notifications"))).rowcount
    # Supporter lists of initiatives whose procedure ended: the count on the case stays.
    ended = select(Case.id).where(Case.request_type == "burgerinitiatief",
                                  Case.state.in_(("afgerond", "niet_toegelaten", "verlopen", "ingetrokken")),
                                  Case.updated_at < cutoff("signatures"))
    report.signatures = db.session.execute(
        delete(Signature).where(Signature.case_id.in_(ended))).rowcount
    ended_challenges = select(Case.id).where(Case.request_type == "uitdaagrecht",
                                             Case.state.in_(ENDED_CHALLENGE_STATES),
                                             Case.updated_at < cutoff("agreement_contacts"))
    report.agreement_contacts = db.session.execute(
        update(AgreementVersion).where(AgreementVersion.case_id.in_(ended_challenges),
                                       AgreementVersion.contact_persons != "")
        .values(contact_persons="")).rowcount
    db.session.flush()
    return report


def audit_events_of(case_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                   .order_by(AuditEvent.seq)))
