"""A hash chain over audit events, so that a changed, removed or inserted event is detectable.

Each event stores the hash of its predecessor (`prev_hash`, GENESIS for the first) and its
own hash = sha256(prev_hash + canonical JSON of its payload).
"""
from __future__ import annotations

import hashlib
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


def event_hash(prev_hash: str, payload: Mapping[str, object]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(payload)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    message: str


def verify_chain(events: Iterable[tuple[int, str, str, Mapping[str, object]]]
                 ) -> list[ChainProblem]:
    """Check (seq, prev_hash, hash, payload) rows given in seq order.

    Reports gaps or repeats in the numbering 1..n, a prev_hash that does not match the hash
    stored on the previous event, and a stored hash that differs from the recomputed one.
    Checking continues after a problem so that one run lists every damaged place.
    """
    problems: list[ChainProblem] = []
    expected_seq = 1
    expected_prev = GENESIS
    for seq, prev_hash, stored_hash, payload in events:
        if seq != expected_seq:
            problems.append(ChainProblem(
                seq, f"expected sequence number {expected_seq}, found {seq} "
                     f"(an event is missing, repeated or out of order)"))
        if prev_hash != expected_prev:
            problems.append(ChainProblem(
                seq, f"prev_hash does not match the hash of the previous event "
                     f"(expected {expected_prev[:12]}…, found {str(prev_hash)[:12]}…)"))
        if not isinstance(stored_hash, str) or not _HEX64.fullmatch(stored_hash):
            problems.append(ChainProblem(seq, "stored hash is not 64 lowercase hex characters"))
        else:
            try:
                recomputed = event_hash(prev_hash, payload)
            except (UnicodeEncodeError, AttributeError):
                recomputed = ""
            if recomputed != stored_hash:
                problems.append(ChainProblem(
                    seq, "stored hash does not match the payload (the event was changed)"))
        expected_seq = seq + 1
        expected_prev = stored_hash
    return problems
