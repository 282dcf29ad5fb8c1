"""The transparency log's public side (/api/v1/transparantie): the signing key, the latest
signed checkpoint, leaves, and inclusion and consistency proofs, so that anyone can check a
case's public history with tools/verify_history.py and keep checkpoints to catch a rewrite."""
from __future__ import annotations

from flask import abort, jsonify, request
from sqlalchemy import select

from participation.api import bp
from participation.api.views import _bad_request
from participation.domain import merkle
from participation.extensions import db
from participation.models import LogEntry, Organisation
from participation.public import queries
from participation.services import transparency

MAX_INDEX = 10**12


def _whole(name: str, errors: dict[str, str], *, minimum: int) -> int:
    raw = request.args.get(name, "")
    if raw.isascii() and raw.isdecimal() and len(raw) <= 13 and minimum <= int(raw) <= MAX_INDEX:
        return int(raw)
    errors[name] = f"{name} must be a whole number from {minimum}"
    return minimum


def _leaf_json(entry: LogEntry) -> dict:
    return {"index": entry.leaf_index, "data": entry.data, "leaf_hash": entry.leaf_hash}


@bp.get("/transparantie/sleutel")
def log_key():
    return jsonify(algoritme="Ed25519", sleutel=transparency.public_key(),
                   origin=transparency.origin())


@bp.get("/transparantie/checkpoint")
def log_checkpoint():
    record = transparency.latest_checkpoint()
    if record is None:
        abort(404)
    return jsonify(grootte=record.tree_size, root=record.root_hash, tijdstip=record.timestamp,
                   handtekening=record.signature, tekst=transparency.checkpoint_text(record))


@bp.get("/transparantie/bladeren/<int:index>")
def log_leaf(index: int):
    entry = db.session.get(LogEntry, index)
    if entry is None:
        abort(404)
    return jsonify(_leaf_json(entry))


@bp.get("/transparantie/inclusie")
def log_inclusion():
    errors: dict[str, str] = {}
    index = _whole("index", errors, minimum=0)
    size = _whole("grootte", errors, minimum=1)
    if not errors and not index < size <= transparency.tree_size():
        errors["grootte"] = "the leaf must be in a tree no larger than the latest checkpoint"
    if errors:
        return _bad_request(errors)
    path = merkle.inclusion_proof(transparency.leaf_hashes(size), index)
    return jsonify(index=index, grootte=size, pad=[node.hex() for node in path])


@bp.get("/transparantie/consistentie")
def log_consistency():
    errors: dict[str, str] = {}
    old = _whole("van", errors, minimum=1)
    new = _whole("tot", errors, minimum=1)
    if not errors and not old <= new <= transparency.tree_size():
        errors["tot"] = "van <= tot <= the size of the latest checkpoint"
    if errors:
        return _bad_request(errors)
    proof = merkle.consistency_proof(transparency.leaf_hashes(new), old)
    return jsonify(van=old, tot=new, bewijs=[node.hex() for node in proof])


@bp.get("/transparantie/zaken/<organisatie>/<int:case_id>")
def log_case(organisatie: str, case_id: int):
    """A public case's leaves, to check its history against a checkpoint."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == organisatie)) \
        if queries.valid_slug(organisatie) else None
    if org is None or queries.public_case(org, case_id) is None:
        abort(404)
    entries = db.session.scalars(select(LogEntry).where(LogEntry.case_id == case_id)
                                 .order_by(LogEntry.leaf_index))
    return jsonify(zaak=case_id, organisatie=org.slug, bladeren=[_leaf_json(e) for e in entries])
