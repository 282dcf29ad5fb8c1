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

from sqlalchemy import delete, or_, select

from participation.extensions import db
from participation.models import (
    AccountEvent,
    Attachment,
    AuditEvent,
    Case,
    CaseMessage,
    Comment,
    Notification,
    OutboxMessage,
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
        "account_events": [{"kind": e.kind, "detail": e.detail, "created_at": e.created_at}
                           for e in events],
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
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    # The account's own history goes with it (the row stays, so no cascade does this).
    db.session.execute(delete(AccountEvent).where(AccountEvent.user_id == user.id))
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


DEFAULT_RETENTION_DAYS = {
    "drafts": 180,          # concept cases untouched this long (AVG storage limitation)
    "outbox": 90,           # sent email bodies
    "notifications": 365,   # read in-app notifications
    "signatures": 365,      # supporter rows once the council procedure has ended
}


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
    db.session.flush()
    return report


def audit_events_of(case_id: int) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                   .order_by(AuditEvent.seq)))
