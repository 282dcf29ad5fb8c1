"""The log's Merkle proofs (participation.domain.merkle) checked by the independent verifier
written from RFC 9162 (tools/verify_history.py), for every tree up to 33 leaves, and the
verifier refusing what it must refuse."""
from __future__ import annotations

import hashlib

import pytest

from participation.domain import merkle
from tools.verify_history import hash_leaf, verify_consistency, verify_inclusion

LEAVES = [merkle.leaf_hash(f"stap {i}".encode()) for i in range(33)]


def _reference_root(leaves: list[bytes]) -> bytes:
    """MTH as the RFC writes it: recursive, split at the largest power of two below n."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + _reference_root(leaves[:k])
                          + _reference_root(leaves[k:])).digest()


def test_leaf_hashing_is_the_same_on_both_sides():
    assert merkle.leaf_hash(b"x") == hash_leaf(b"x") == hashlib.sha256(b"\x00x").digest()


@pytest.mark.parametrize("size", range(34))
def test_the_root_is_the_rfcs_tree_hash(size):
    assert merkle.root(LEAVES[:size]) == _reference_root(LEAVES[:size])


@pytest.mark.parametrize("size", range(1, 34))
def test_every_inclusion_proof_verifies_and_a_wrong_one_does_not(size):
    tree = LEAVES[:size]
    root = merkle.root(tree)
    for index in range(size):
        path = merkle.inclusion_proof(tree, index)
        assert verify_inclusion(tree[index], index, size, path, root)
        # Another leaf at that place, another place, or another root: refused.
        assert not verify_inclusion(merkle.leaf_hash(b"vervalst"), index, size, path, root)
        assert not verify_inclusion(tree[index], index, size, path, merkle.leaf_hash(b"x"))
        if size > 1:
            assert not verify_inclusion(tree[index], (index + 1) % size, size, path, root)
    assert not verify_inclusion(tree[0], size, size, [], root)


@pytest.mark.parametrize("new", range(1, 34))
def test_every_consistency_proof_verifies(new):
    tree = LEAVES[:new]
    for old in range(1, new + 1):
        proof = merkle.consistency_proof(tree, old)
        assert verify_consistency(old, new, merkle.root(tree[:old]), merkle.root(tree), proof)


@pytest.mark.parametrize(("old", "new"), [(1, 2), (3, 7), (4, 8), (6, 8), (7, 33), (16, 17)])
def test_a_rewritten_or_forked_log_is_not_consistent(old, new):
    honest = LEAVES[:new]
    proof = merkle.consistency_proof(honest, old)
    # A fork: the old tree had another leaf than the new tree's beginning.
    forked = list(honest[:old])
    forked[old - 1] = merkle.leaf_hash(b"andere geschiedenis")
    assert not verify_consistency(old, new, merkle.root(forked), merkle.root(honest), proof)
    # The new tree changed a leaf the old one had.
    rewritten = list(honest)
    rewritten[0] = merkle.leaf_hash(b"herschreven")
    assert not verify_consistency(old, new, merkle.root(honest[:old]), merkle.root(rewritten),
                                  merkle.consistency_proof(rewritten, old))
    # A shrunk log has no proof, and equal sizes need equal roots.
    assert not verify_consistency(new, old, merkle.root(honest), merkle.root(honest[:old]), proof)
    assert not verify_consistency(old, old, merkle.root(forked), merkle.root(honest[:old]), [])


def test_the_checkpoint_text_has_four_lines():
    text = merkle.Checkpoint("platform.example/transparantie", 3, b"\x00" * 32,
                             "2026-12-04T06:00:00Z").text()
    assert text == ("platform.example/transparantie\n3\n"
                    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n2026-12-04T06:00:00Z\n")
