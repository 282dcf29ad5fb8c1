"""A hash chain over audit events, so that a changed, removed or inserted event is detectable.

Each event stores the hash of its predecessor (`prev_hash`, GENESIS for the first) and its
own hash over prev_hash + the canonical JSON of its payload. Version 2 (every new event) is
an HMAC-SHA256 with the installation's audit key, which is not in the database: who can
write the database but not read the key cannot recompute a chain. Version 1 events (from
before the key) are plain SHA-256 and only allowed before the first keyed event. The case
keeps a keyed head (its last sequence number and hash), so that removing the last events
is noticed too.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GENESIS = "0" * 64

_HEX64 = re.compile(r"[0-9a-f]{64}")


def canonical(payload: Mapping[str, object]) -> bytes:
    """Deterministic bytes for a payload: sorted keys, no whitespace, UTF-8.
    Values JSON does not know (dates, Decimals) are written with str()."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8")


KEYED = 2  # hash_version of an event hashed with the audit key


def event_hash(prev_hash: str, payload: Mapping[str, object], key: bytes | None = None) -> str:
    """Version 1 without a key (sha256), version 2 with one (HMAC-SHA256)."""
    message = prev_hash.encode("ascii") + canonical(payload)
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def chain_head(key: bytes, case_id: int, seq: int, last_hash: str) -> str:
    """The keyed head a case keeps of its chain: how many events, and the last one's hash."""
    return hmac.new(key, f"head:{case_id}:{seq}:{last_hash}".encode("ascii"),
                    hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


def verify_chain(events: Iterable[tuple], *, key: bytes | None = None,
                 case_id: int | None = None, head: tuple[int, str] | None = None
                 ) -> list[ChainProblem]:
    """Check (seq, prev_hash, hash, payload[, hash_version]) rows given in seq order, and,
    with `head` = (seq, mac) as the case keeps it, that the chain ends where the case says.

    Reports gaps or repeats in the numbering 1..n, a prev_hash that does not match the hash
    stored on the previous event, a stored hash that differs from the recomputed one, an
    unkeyed event after a keyed one, and a chain shorter or longer than its head. Checking
    continues after a problem so that one run lists every damaged place.
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    expected_prev = GENESIS
    keyed_seen = False
    for seq, prev_hash, stored_hash, payload, *rest in events:
        version = rest[0] if rest else 1
        if seq != expected_seq:
            problems.append(ChainProblem(
                seq, f"expected sequence number {expected_seq}, found {seq} "
                     f"(an event is missing, repeated or out of order)"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(
                seq, f"prev_hash does not match the hash of the previous event "
                     f"(expected {expected_prev[:12]}…, found {str(prev_hash)[:12]}…)"))
        if version == KEYED:
            keyed_seen = True
        elif keyed_seen:
            problems.append(ChainProblem(
                seq, "an unkeyed event after a keyed one (the chain was rewritten)"))
        problems.extend(_check_hash(seq, prev_hash, stored_hash, payload,
                                    key if version == KEYED else None, version))
        expected_seq = seq + 1
        expected_prev = stored_hash
    if head is not None:
        problems.extend(_check_head(head, expected_seq - 1, expected_prev, key=key,
                                    case_id=case_id, keyed=keyed_seen))
    return problems


def _check_hash(seq: int, prev_hash: str, stored_hash: object, payload: Mapping[str, object],
                key: bytes | None, version: int) -> list[ChainProblem]:
    if not isinstance(stored_hash, str) or not _HEX64.fullmatch(stored_hash):
        return [ChainProblem(seq, "stored hash is not 64 lowercase hex characters")]
    if version == KEYED and key is None:
        return [ChainProblem(seq, "the event is keyed but no audit key was given")]
    try:
        recomputed = event_hash(prev_hash, payload, key)
    except (UnicodeEncodeError, AttributeError):
        recomputed = ""
    if not hmac.compare_digest(recomputed, stored_hash):
        return [ChainProblem(seq, "stored hash does not match the payload (the event was "
                                  "changed, or the chain was recomputed without the key)")]
    return []


def _check_head(head: tuple[int, str], last_seq: int, last_hash: str, *, key: bytes | None,
                case_id: int | None, keyed: bool) -> list[ChainProblem]:
    head_seq, mac = head
    if not mac:
        # Chains from before the key have no head; a keyed chain must have one.
        return [ChainProblem(last_seq, "the case keeps no head of its keyed chain")] if keyed \
            else []
    if key is None or case_id is None:
        return [ChainProblem(last_seq, "the chain has a head but no audit key was given")]
    if head_seq != last_seq:
        return [ChainProblem(last_seq, f"the case records {head_seq} events but the chain "
                                       f"has {last_seq} (events were removed or added)")]
    if not hmac.compare_digest(mac, chain_head(key, case_id, last_seq, last_hash)):
        return [ChainProblem(last_seq, "the case's head does not match its last event (the "
                                       "chain was replaced)")]
    return []
