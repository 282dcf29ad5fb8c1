"""The keyed audit chains and the transparency log, attacked as someone who can write the
database would: each rewrite is caught by `audit verify`, and the log's rewrites also by the
independent verifier (tools/verify_history.py) that a council or journalist runs against the
public API with the checkpoints they kept."""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from participation.domain import audit as audit_chain
from participation.domain import merkle
from participation.extensions import db
from participation.models import AuditEvent, Case, LogCheckpoint, LogEntry, LogState
from participation.services import cases as service
from participation.services import transparency
from tools.verify_history import check_case

START = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


@pytest.fixture()
def case(org, resident, coordinator):
    """A public challenge with three public steps, and a signed checkpoint of the log."""
    case = service.start_case(org, "uitdaagrecht", applicant=resident, title="Groenbeheer",
                              now=START)
    service.apply_transition(case, "indienen", actor=resident, now=START)
    service.apply_transition(case, "ontvangst_bevestigen", actor=coordinator,
                             now=START + timedelta(days=1))
    service.apply_transition(case, "in_behandeling_nemen", actor=coordinator,
                             now=START + timedelta(days=2))
    transparency.sequence(START + timedelta(days=2, hours=1))
    db.session.commit()
    return case


@pytest.fixture()
def public_api(client):
    def get(path: str):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_json()
    return get


def _verify(public_api, case, kept=()):
    return check_case(public_api, case.organisation.slug, case.id, list(kept))


def _problems() -> list[str]:
    chains = service.verify_all_chains()
    return [p.message for found in chains.values() for p in found] + transparency.verify_log()


# --------------------------------------------------------------------------- the chains

def test_new_events_are_keyed_and_the_case_keeps_the_head(case):
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.seq)).all()
    assert {e.hash_version for e in events} == {audit_chain.KEYED}
    assert case.audit_seq == 3
    assert case.audit_head == audit_chain.chain_head(service.audit_key(), case.id, 3,
                                                     events[-1].hash)
    assert _problems() == []


def test_a_chain_recomputed_without_the_key_is_caught(case):
    prev = audit_chain.GENESIS
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                    .order_by(AuditEvent.seq)):
        event.reason = "herschreven" if event.seq == 2 else event.reason
        event.prev_hash = prev
        event.hash = prev = audit_chain.event_hash(prev, event.payload())  # no key
    db.session.commit()
    assert any("recomputed without the key" in p for p in _problems())


def test_an_edited_public_text_is_caught(case):
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                       AuditEvent.seq == 2))
    event.public_label_nl = "Verzoek is goedgekeurd"
    db.session.commit()
    problems = _problems()
    assert any("does not match the payload" in p for p in problems)
    assert any("no longer says what the log recorded" in p for p in problems)


def test_removing_the_last_events_is_caught(case):
    db.session.execute(delete(AuditEvent).where(AuditEvent.case_id == case.id,
                                                AuditEvent.seq == 3))
    db.session.commit()
    assert any("the case records 3 events but the chain has 2" in p for p in _problems())
    db.session.execute(delete(AuditEvent).where(AuditEvent.case_id == case.id))
    db.session.commit()
    assert any("the case records 3 events but the chain has 0" in p for p in _problems())


def test_old_unkeyed_chains_are_keyed_once_and_not_downgraded(case):
    # As an installation from before the key has them: sha256, no head.
    prev = audit_chain.GENESIS
    for event in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                    .order_by(AuditEvent.seq)):
        event.hash_version = 1
        event.prev_hash = prev
        event.hash = prev = audit_chain.event_hash(prev, event.payload())
    case.audit_seq, case.audit_head = 0, ""
    db.session.commit()
    assert service.verify_all_chains() == {}  # legacy, still intact
    assert service.rekey_chains() == 1
    db.session.commit()
    assert service.verify_all_chains() == {}
    assert service.rekey_chains() == 0
    # An unkeyed event after keyed ones is a rewrite, not history.
    last = db.session.scalar(select(AuditEvent).where(AuditEvent.case_id == case.id,
                                                      AuditEvent.seq == 3))
    last.hash_version = 1
    last.hash = audit_chain.event_hash(last.prev_hash, last.payload())
    db.session.commit()
    assert any("unkeyed event after a keyed one" in p for p in _problems())


# --------------------------------------------------------------------------- the log

def test_the_public_history_verifies_against_the_checkpoints_kept(case, public_api, coordinator):
    first = _verify(public_api, case)
    assert first.ok, first.problems
    assert first.checkpoint["grootte"] == 3
    # More steps and a new checkpoint: the old checkpoint is consistent with the new one.
    service.apply_transition(case, "naar_besluitvorming", actor=coordinator,
                             now=START + timedelta(days=3))
    transparency.sequence(START + timedelta(days=3, hours=1))
    db.session.commit()
    second = _verify(public_api, case, [first.checkpoint])
    assert second.ok, second.problems
    assert second.checkpoint["grootte"] == 4
    assert _problems() == []


def test_a_tampered_leaf_is_caught(case, public_api):
    kept = _verify(public_api, case).checkpoint
    entry = db.session.get(LogEntry, 1)
    entry.data = entry.data.replace("Ontvangst", "Afgewezen") if "Ontvangst" in entry.data \
        else entry.data.replace('"tekst_nl":"', '"tekst_nl":"Afgewezen ')
    db.session.commit()
    report = _verify(public_api, case, [kept])
    assert any("does not give its hash" in p for p in report.problems)
    # Also with its hash recomputed: then it is not in the signed tree any more.
    entry.leaf_hash = merkle.leaf_hash(entry.data.encode()).hex()
    db.session.commit()
    report = _verify(public_api, case, [kept])
    assert any("leaf 1 is not in the signed tree" in p for p in report.problems)
    assert any("do not give its root hash" in p for p in _problems())


def test_a_truncated_log_is_caught(case, public_api, coordinator):
    service.apply_transition(case, "naar_besluitvorming", actor=coordinator,
                             now=START + timedelta(days=3))
    transparency.sequence(START + timedelta(days=3, hours=1))
    db.session.commit()
    kept = _verify(public_api, case).checkpoint
    assert kept["grootte"] == 4
    # Drop the last leaf and every checkpoint that counted it, and sign the shorter log.
    db.session.execute(delete(LogEntry).where(LogEntry.leaf_index == 3))
    db.session.execute(delete(LogCheckpoint).where(LogCheckpoint.tree_size == 4))
    db.session.get(LogState, 1).tree_size = 3
    db.session.execute(delete(AuditEvent).where(AuditEvent.case_id == case.id,
                                                AuditEvent.seq == 4))
    db.session.commit()
    report = _verify(public_api, case, [kept])
    assert any("the log shrank" in p for p in report.problems)
    assert any("the case records 4 events but the chain has 3" in p for p in _problems())


def test_a_forked_checkpoint_is_caught(case, public_api):
    kept = _verify(public_api, case).checkpoint
    # Whoever holds the signing key rewrites an old leaf, rebuilds the tree and signs it.
    entry = db.session.get(LogEntry, 0)
    entry.data = entry.data.replace('"tekst_nl":"', '"tekst_nl":"Ingetrokken: ')
    entry.leaf_hash = merkle.leaf_hash(entry.data.encode()).hex()
    db.session.execute(delete(LogCheckpoint))
    db.session.commit()
    db.session.add(LogCheckpoint(tree_size=3, root_hash=merkle.root(transparency.leaf_hashes()).hex(),
                                 timestamp="2026-04-05T10:00:00Z", signature=""))
    db.session.flush()
    forged = db.session.scalar(select(LogCheckpoint))
    forged.signature = base64.b64encode(transparency._private_key().sign(
        transparency.checkpoint_text(forged).encode())).decode()
    db.session.commit()
    report = _verify(public_api, case, [kept])
    assert any("no consistency with the latest" in p for p in report.problems)
    # Without a kept checkpoint the fork is invisible to a reader: that is why they keep one.
    assert not any("consistency" in p for p in _verify(public_api, case).problems)


def test_the_log_takes_only_public_steps_of_public_cases(org, resident, coordinator):
    draft = service.start_case(org, "uitdaagrecht", applicant=resident, title="Concept", now=START)
    db.session.commit()
    made = transparency.sequence(START)
    db.session.commit()
    assert made.tree_size == 0 and draft.audit_seq == 0
    assert transparency.sequence(START) is None  # nothing new: no new checkpoint
    assert db.session.scalar(select(func.count()).select_from(LogEntry)) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_api_refuses_bad_proof_requests(case, client):
    assert client.get("/api/v1/transparantie/inclusie?index=3&grootte=3").status_code == 400
    assert client.get("/api/v1/transparantie/inclusie?index=0&grootte=99").status_code == 400
    assert client.get("/api/v1/transparantie/inclusie?index=x&grootte=3").status_code == 400
    assert client.get("/api/v1/transparantie/consistentie?van=3&tot=2").status_code == 400
    assert client.get("/api/v1/transparantie/bladeren/99").status_code == 404
    assert client.get(f"/api/v1/transparantie/zaken/nergens/{case.id}").status_code == 404
