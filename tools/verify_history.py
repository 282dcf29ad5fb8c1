#!/usr/bin/env python3
"""Check a case's public history against the platform's transparency log, using only the
public API. Written from RFC 9162 (§2.1.3.2 and §2.1.4.2), apart from the platform's own
Merkle code, so that a mistake in one does not hide in the other.

    python tools/verify_history.py https://participatie.example zonnedal 42 \\
        --checkpoints zonnedal-checkpoints.json [--key BASE64]

Each run checks the latest checkpoint's Ed25519 signature, that the log only grew since the
checkpoints kept in the file (a consistency proof from each, a fork or a shrink is an
error), and that every leaf of the case is in the signed tree (an inclusion proof each) and
says what the case's public timeline says. The new checkpoint is added to the file. Keep
that file somewhere the platform cannot write: it is what catches a rewritten history.
Exit 0 when everything checks, 1 when something does not. Needs `cryptography` for Ed25519.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GetJson = Callable[[str], Any]


def _hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def hash_leaf(data: bytes) -> bytes:
    return _hash(b"\x00" + data)


def _children(left: bytes, right: bytes) -> bytes:
    return _hash(b"\x01" + left + right)


def verify_inclusion(leaf: bytes, index: int, size: int, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2, step by step."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _children(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = _children(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2, step by step (equal sizes: the roots must be equal)."""
    if first == second:
        return not proof and first_root == second_root
    if first > second or not proof:
        return False
    path = list(proof)
    if first & (first - 1) == 0:  # an exact power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = _children(c, fr)
            sr = _children(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = _children(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def parse_checkpoint(text: str) -> tuple[str, int, bytes, str]:
    origin, size, root, timestamp, rest = text.split("\n", 4)
    if rest:
        raise ValueError("a checkpoint has four lines")
    return origin, int(size), base64.b64decode(root, validate=True), timestamp


def verify_signature(text: str, signature: str, key: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
            base64.b64decode(signature), text.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_checkpoint(get: GetJson, key: str, kept: list[dict[str, Any]], report: Report
                      ) -> tuple[int, bytes] | None:
    latest = get("/api/v1/transparantie/checkpoint")
    if not verify_signature(latest["tekst"], latest["handtekening"], key):
        report.problems.append("the latest checkpoint's signature does not verify")
        return None
    _origin, size, root, _ts = parse_checkpoint(latest["tekst"])
    if size != latest["grootte"] or root.hex() != latest["root"]:
        report.problems.append("the checkpoint's fields differ from what was signed")
        return None
    for old in kept:
        _o, old_size, old_root, old_ts = parse_checkpoint(old["tekst"])
        if old_size > size:
            report.problems.append(f"the log shrank: a checkpoint of {old_ts} had {old_size} "
                                   f"leaves, the latest has {size}")
            continue
        if old_size == 0:
            continue
        proof = [] if old_size == size else [bytes.fromhex(h) for h in get(
            f"/api/v1/transparantie/consistentie?van={old_size}&tot={size}")["bewijs"]]
        if not verify_consistency(old_size, size, old_root, root, proof):
            report.problems.append(f"the log was rewritten since the checkpoint of {old_ts} "
                                   f"(size {old_size}): no consistency with the latest")
    report.checkpoint = latest
    return size, root


def check_case(get: GetJson, org: str, case_id: int, kept: list[dict[str, Any]],
               key: str | None = None) -> Report:
    """Everything the command line checks, with `get(path)` fetching JSON from the API."""
    report = Report()
    key = key or get("/api/v1/transparantie/sleutel")["sleutel"]
    tree = _check_checkpoint(get, key, kept, report)
    if tree is None:
        return report
    size, root = tree
    leaves = get(f"/api/v1/transparantie/zaken/{org}/{case_id}")["bladeren"]
    logged: list[dict[str, Any]] = []
    for leaf in leaves:
        data = leaf["data"].encode("utf-8")
        if hash_leaf(data).hex() != leaf["leaf_hash"]:
            report.problems.append(f"leaf {leaf['index']}: its data does not give its hash")
            continue
        if leaf["index"] >= size:
            report.notes.append(f"leaf {leaf['index']} is newer than the checkpoint")
            continue
        path = [bytes.fromhex(h) for h in get(
            f"/api/v1/transparantie/inclusie?index={leaf['index']}&grootte={size}")["pad"]]
        if not verify_inclusion(hash_leaf(data), leaf["index"], size, path, root):
            report.problems.append(f"leaf {leaf['index']} is not in the signed tree")
            continue
        logged.append(json.loads(data))
    _compare_timeline(get(f"/api/v1/zaken/{org}/{case_id}"), logged, report)
    return report


def _compare_timeline(case: dict[str, Any], logged: list[dict[str, Any]], report: Report) -> None:
    """Every logged step must still be on the case's public timeline, as it was logged."""
    shown = {(entry["datum"], entry["omschrijving"]) for entry in case.get("tijdlijn", [])}
    for leaf in logged:
        if (leaf["moment"], leaf["tekst_nl"]) not in shown:
            report.problems.append(f"the step '{leaf['tekst_nl']}' of {leaf['moment']} is in "
                                   f"the log but not (so) on the case's public timeline")


def _http(base: str) -> GetJson:
    def get(path: str) -> Any:
        request = urllib.request.Request(base.rstrip("/") + path,
                                         headers={"Accept": "application/json",
                                                  "Accept-Language": "nl"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    return get


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url")
    parser.add_argument("organisation")
    parser.add_argument("case_id", type=int)
    parser.add_argument("--checkpoints", type=Path,
                        help="JSON file with the checkpoints kept so far (added to)")
    parser.add_argument("--key", help="the log's public key (base64), if you pinned it")
    args = parser.parse_args(argv)
    kept = json.loads(args.checkpoints.read_text()) if args.checkpoints and \
        args.checkpoints.exists() else []
    report = check_case(_http(args.base_url), args.organisation, args.case_id, kept, args.key)
    for note in report.notes:
        print("note:", note)
    for problem in report.problems:
        print("PROBLEM:", problem)
    if report.ok and args.checkpoints and report.checkpoint:
        args.checkpoints.write_text(json.dumps(kept + [report.checkpoint], indent=1))
    print("OK: the case's public history is in the signed log" if report.ok else "FAILED")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
