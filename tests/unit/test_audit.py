"""The audit hash chain: canonical payloads, hashes and chain verification."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal

import pytest

from participation.domain.audit import GENESIS, ChainProblem, canonical, event_hash, verify_chain

Event = tuple[int, str, str, Mapping[str, object]]


def test_canonical_is_independent_of_key_order_and_keeps_unicode() -> None:
    a = canonical({"b": 1, "a": {"y": [1, 2], "x": "beëindigd"}})
    b = canonical({"a": {"x": "beëindigd", "y": [1, 2]}, "b": 1})
    assert a == b == '{"a":{"x":"beëindigd","y":[1,2]},"b":1}'.encode()


def test_canonical_writes_unknown_types_with_str() -> None:
    assert canonical({"d": date(2025, 4, 17), "n": Decimal("1.50")}) == \
        b'{"d":"2025-04-17","n":"1.50"}'


def test_event_hash_is_sha256_of_prev_and_payload() -> None:
    expected = hashlib.sha256(GENESIS.encode() + b'{"a":1}').hexdigest()
    assert event_hash(GENESIS, {"a": 1}) == expected
    assert event_hash("f" * 64, {"a": 1}) != expected


def make_chain(n: int = 5) -> list[Event]:
    events: list[Event] = []
    prev = GENESIS
    for seq in range(1, n + 1):
        payload = {"seq": seq, "case": 7, "transition": f"stap_{seq}", "on": date(2025, 4, seq)}
        digest = event_hash(prev, payload)
        events.append((seq, prev, digest, payload))
        prev = digest
    return events


def test_intact_chain_has_no_problems() -> None:
    assert verify_chain(make_chain()) == []
    assert verify_chain([]) == []


def _change_payload(events: list[Event]) -> list[Event]:
    seq, prev, digest, payload = events[2]
    events[2] = (seq, prev, digest, {**payload, "transition": "afwijzen"})
    return events


def _drop_second(events: list[Event]) -> list[Event]:
    return events[:1] + events[2:]


def _swap(events: list[Event]) -> list[Event]:
    events[1], events[2] = events[2], events[1]
    return events


def _repeat_third(events: list[Event]) -> list[Event]:
    return events[:3] + events[2:]


def _bad_genesis(events: list[Event]) -> list[Event]:
    seq, _prev, _digest, payload = events[0]
    forged_prev = "1" * 64
    events[0] = (seq, forged_prev, event_hash(forged_prev, payload), payload)
    return events


def _garbage_hash(events: list[Event]) -> list[Event]:
    seq, prev, _digest, payload = events[4]
    events[4] = (seq, prev, "not-a-hash", payload)
    return events


def _rehash_after_change(events: list[Event]) -> list[Event]:
    # Recomputing the changed event's hash breaks the link to the next event instead.
    seq, prev, _digest, payload = events[1]
    changed = {**payload, "transition": "toekennen"}
    events[1] = (seq, prev, event_hash(prev, changed), changed)
    return events


@pytest.mark.parametrize(("tamper", "expected"), [
    (_change_payload, [(3, "was changed")]),
    (_drop_second, [(3, "expected sequence number 2"), (3, "prev_hash does not match")]),
    # After a problem the check follows the stored chain again, so one swap is reported at
    # each event it disturbs and a repeat only where it occurs.
    (_swap, [(3, "expected sequence number 2"), (3, "prev_hash"),
             (2, "expected sequence number 4"), (2, "prev_hash"),
             (4, "expected sequence number 3"), (4, "prev_hash")]),
    (_repeat_third, [(3, "expected sequence number 4"), (3, "prev_hash")]),
    (_bad_genesis, [(1, "prev_hash does not match"), (2, "prev_hash")]),
    (_garbage_hash, [(5, "not 64 lowercase hex")]),
    (_rehash_after_change, [(3, "prev_hash does not match")]),
])
def test_tampering_is_reported(tamper: Callable[[list[Event]], list[Event]],
                               expected: list[tuple[int, str]]) -> None:
    problems = verify_chain(tamper(make_chain()))
    assert len(problems) == len(expected), problems
    for problem, (seq, fragment) in zip(problems, expected):
        assert isinstance(problem, ChainProblem)
        assert problem.seq == seq and fragment in problem.message
