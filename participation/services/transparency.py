"""The installation's transparency log (RFC 9162 manner): every public audit event of a public
case becomes a leaf, in the words the public saw; a signed checkpoint (size, root hash, time;
Ed25519 with a key from the environment) is made when leaves are added. Anyone who keeps
checkpoints can later prove that the public history was only ever appended to."""
from __future__ import annotations

import base64
import json
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from flask import current_app
from sqlalchemy import exists, select

from participation.domain import merkle
from participation.extensions import db
from participation.models import AuditEvent, Case, LogCheckpoint, LogEntry, LogState, Organisation


def _private_key() -> Ed25519PrivateKey:
    seed = base64.b64decode(current_app.config["TRANSPARENCY_LOG_KEY"])
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key() -> str:
    """The checkpoints' public key, base64 of its 32 raw bytes."""
    raw = _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def origin() -> str:
    return current_app.config.get("TRANSPARENCY_LOG_ORIGIN") or \
        current_app.config["BASE_URL"].split("://", 1)[-1] + "/transparantie"


def leaf_data(event: AuditEvent, case: Case, org: Organisation) -> bytes:
    """What a leaf says: the public step of a case, and the hash of its private audit event
    (which binds the two without showing what only the chain holds)."""
    return json.dumps({
        "organisatie": org.slug, "zaak": case.id, "zaaknummer": case.number,
        "volgnummer": event.seq, "moment": event.at.isoformat(), "stap": event.transition,
        "van": event.from_state, "naar": event.to_state, "tekst_nl": event.public_label_nl,
        "tekst_en": event.public_label_en, "gebeurtenis": event.hash,
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _state() -> LogState:
    # The row lock makes concurrent writers wait their turn (PostgreSQL; SQLite has one writer).
    state = db.session.scalar(select(LogState).where(LogState.id == 1).with_for_update())
    if state is None:
        state = LogState(id=1, tree_size=0)
        db.session.add(state)
        db.session.flush()
    return state


def leaf_hashes(size: int | None = None) -> list[bytes]:
    query = select(LogEntry.leaf_hash).order_by(LogEntry.leaf_index)
    if size is not None:
        query = query.where(LogEntry.leaf_index < size)
    return [bytes.fromhex(h) for h in db.session.scalars(query)]


def sequence(now: datetime) -> LogCheckpoint | None:
    """Add the public events not yet in the log, in the order they happened, and sign a
    checkpoint of the new tree (the caller commits). None when there was nothing new."""
    state = _state()
    pending = db.session.execute(
        select(AuditEvent, Case, Organisation)
        .join(Case, Case.id == AuditEvent.case_id)
        .join(Organisation, Organisation.id == Case.organisation_id)
        .where(AuditEvent.public.is_(True), Case.is_public.is_(True),
               ~exists().where(LogEntry.audit_event_id == AuditEvent.id))
        .order_by(AuditEvent.at, AuditEvent.id)).all()
    if not pending and db.session.scalar(select(LogCheckpoint.id).where(
            LogCheckpoint.tree_size == state.tree_size).limit(1)) is not None:
        return None
    for offset, (event, case, org) in enumerate(pending):
        data = leaf_data(event, case, org)
        db.session.add(LogEntry(leaf_index=state.tree_size + offset, audit_event_id=event.id,
                                case_id=case.id, data=data.decode("utf-8"),
                                leaf_hash=merkle.leaf_hash(data).hex(), created_at=now))
    state.tree_size += len(pending)
    db.session.flush()
    checkpoint = merkle.Checkpoint(origin(), state.tree_size, merkle.root(leaf_hashes()),
                                   now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    signature = _private_key().sign(checkpoint.text().encode("utf-8"))
    record = LogCheckpoint(tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash.hex(),
                           timestamp=checkpoint.timestamp,
                           signature=base64.b64encode(signature).decode("ascii"), created_at=now)
    db.session.add(record)
    db.session.flush()
    return record


def checkpoint_text(record: LogCheckpoint) -> str:
    return merkle.Checkpoint(origin(), record.tree_size, bytes.fromhex(record.root_hash),
                             record.timestamp).text()


def latest_checkpoint() -> LogCheckpoint | None:
    return db.session.scalar(select(LogCheckpoint).order_by(LogCheckpoint.id.desc()).limit(1))


def tree_size() -> int:
    latest = latest_checkpoint()
    return latest.tree_size if latest else 0


def verify_log() -> list[str]:
    """What `audit verify` reports about the log: leaves that do not hash to what is stored,
    leaves whose event now says something else, gaps, checkpoints whose root or signature is
    wrong, and a log shorter than its latest checkpoint."""
    problems: list[str] = []
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key()))
    hashes: list[bytes] = []
    rows = db.session.execute(
        select(LogEntry, AuditEvent, Case, Organisation)
        .outerjoin(AuditEvent, AuditEvent.id == LogEntry.audit_event_id)
        .outerjoin(Case, Case.id == AuditEvent.case_id)
        .outerjoin(Organisation, Organisation.id == Case.organisation_id)
        .order_by(LogEntry.leaf_index)).all()
    for expected, (entry, event, case, org) in enumerate(rows):
        if entry.leaf_index != expected:
            problems.append(f"log leaf {expected} is missing (found {entry.leaf_index} there)")
        data = entry.data.encode("utf-8")
        if merkle.leaf_hash(data).hex() != entry.leaf_hash:
            problems.append(f"log leaf {entry.leaf_index}: its data does not match its hash")
        if event is not None and leaf_data(event, case, org) != data:
            problems.append(f"log leaf {entry.leaf_index}: the case's event no longer says what "
                            f"the log recorded")
        hashes.append(bytes.fromhex(entry.leaf_hash))
    previous = 0
    for record in db.session.scalars(select(LogCheckpoint).order_by(LogCheckpoint.id)):
        where = f"checkpoint {record.id} (size {record.tree_size})"
        if record.tree_size < previous:
            problems.append(f"{where}: smaller than the checkpoint before it")
        previous = record.tree_size
        if record.tree_size > len(hashes):
            problems.append(f"{where}: the log has only {len(hashes)} leaves (it was shortened)")
        elif merkle.root(hashes[:record.tree_size]).hex() != record.root_hash:
            problems.append(f"{where}: the leaves do not give its root hash (the log was "
                            f"rewritten)")
        try:
            public.verify(base64.b64decode(record.signature),
                          checkpoint_text(record).encode("utf-8"))
        except (InvalidSignature, ValueError):
            problems.append(f"{where}: the signature does not verify")
    return problems
