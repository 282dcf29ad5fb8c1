"""Signature thresholds (§3.2): absolute, percentage, combinations, collection period, age."""
from __future__ import annotations

from datetime import date

import pytest

from participation.domain.thresholds import (
    Threshold,
    age_on,
    collection_deadline,
    old_enough,
    required_signatures,
    threshold_reached,
)

D = date.fromisoformat


@pytest.mark.parametrize(("threshold", "inhabitants", "electorate", "needed"), [
    (Threshold(min_absolute=100), 50_000, None, 100),
    (Threshold(min_percentage=1.0), 12_345, None, 124),                   # 123.45 rounded up
    (Threshold(min_percentage=0.3), 1_000, None, 3),                      # no float error
    (Threshold(min_percentage=0.1), 1_000, None, 1),
    (Threshold(min_absolute=100, min_percentage=1.0), 5_000, None, 100),  # max(100, 50)
    (Threshold(min_absolute=100, min_percentage=1.0, combine="min"), 5_000, None, 50),
    (Threshold(min_absolute=100, min_percentage=1.0, combine="min"), 20_000, None, 100),
    (Threshold(min_absolute=0, min_percentage=2.0, combine="min"), 1_000, None, 20),
    (Threshold(min_absolute=100, min_percentage=0.5), None, None, 100),   # base unknown
    (Threshold(min_percentage=0.5), None, None, 1),                       # nothing known
    (Threshold(min_percentage=2.0, of="electorate"), 5_000, 1_000, 20),
    (Threshold(min_percentage=2.0, of="electorate"), 5_000, None, 1),
    (Threshold(), None, None, 1),                                         # at least one
    (Threshold(min_absolute=750), 2_000_000, None, 750),                  # Gelderland
])
def test_required_signatures(threshold: Threshold, inhabitants: int | None,
                             electorate: int | None, needed: int) -> None:
    assert required_signatures(threshold, inhabitants=inhabitants, electorate=electorate) == needed


@pytest.mark.parametrize(("signatures", "reached"), [(0, False), (99, False), (100, True),
                                                    (250, True)])
def test_threshold_reached(signatures: int, reached: bool) -> None:
    t = Threshold(min_absolute=100, min_percentage=0.5)
    assert threshold_reached(t, signatures, inhabitants=10_000) is reached


@pytest.mark.parametrize(("days", "opened", "deadline"), [
    (182, "2025-01-06", "2025-07-07"),
    (182, "2025-06-26", "2025-12-29"),   # would end on Christmas Day: Atw roll-over
    (None, "2025-01-06", None),
])
def test_collection_deadline(days: int | None, opened: str, deadline: str | None) -> None:
    expected = D(deadline) if deadline else None
    assert collection_deadline(Threshold(collection_days=days), D(opened)) == expected


@pytest.mark.parametrize(("birth", "on", "age"), [
    ("2009-05-05", "2025-05-04", 15),
    ("2009-05-05", "2025-05-05", 16),
    ("2008-02-29", "2024-02-28", 15),
    ("2008-02-29", "2024-02-29", 16),
    ("2008-02-29", "2025-02-28", 16),   # not yet 17: the birthday counts as 1 March
    ("2008-02-29", "2025-03-01", 17),
    ("2025-01-01", "2025-01-01", 0),
])
def test_age_on(birth: str, on: str, age: int) -> None:
    assert age_on(D(birth), D(on)) == age


@pytest.mark.parametrize(("min_age", "birth", "on", "ok"), [
    (16, "2009-05-05", "2025-05-04", False),
    (16, "2009-05-05", "2025-05-05", True),
    (14, "2011-01-01", "2025-01-01", True),
    (None, "2020-01-01", "2025-01-01", True),
])
def test_old_enough(min_age: int | None, birth: str, on: str, ok: bool) -> None:
    assert old_enough(Threshold(min_age=min_age), D(birth), D(on)) is ok


@pytest.mark.parametrize(("threshold", "fragment"), [
    (Threshold(min_absolute=-1), "min_absolute"),
    (Threshold(min_percentage=101.0), "min_percentage"),
    (Threshold(of="households"), "households"),
    (Threshold(combine="average"), "average"),
    (Threshold(collection_days=0), "collection_days"),
    (Threshold(min_age=200), "min_age"),
])
def test_threshold_problems(threshold: Threshold, fragment: str) -> None:
    problems = threshold.problems()
    assert len(problems) == 1 and fragment in problems[0]


def test_valid_threshold_has_no_problems() -> None:
    assert Threshold(100, 0.5, "electorate", "min", 182, 16).problems() == []
