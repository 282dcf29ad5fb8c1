"""Signature thresholds for initiatives (procedures.md §3.2).

A threshold is an absolute number, a percentage of the inhabitants or of the electorate, or
both, combined with max() (the stricter) or min() (the milder). There may also be a
collection period and a minimum age for supporters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from participation.domain.deadlines import add_term
from participation.domain.problems import Problem, english

BASES = ("inhabitants", "electorate")
COMBINATIONS = ("max", "min")


@dataclass(frozen=True)
class Threshold:
    min_absolute: int = 0
    min_percentage: float = 0.0
    of: str = "inhabitants"
    combine: str = "max"
    collection_days: int | None = None
    min_age: int | None = None

    def problems(self) -> list[Problem]:
        """What is wrong with this threshold, in English; empty when it is usable."""
        found: list[Problem] = []

        def add(template: str, key: str, value: object, **params: object) -> None:
            found.append(Problem(template, subject=("table", "threshold"), key=key,
                                 value=value, **params))

        if isinstance(self.min_absolute, bool) or not isinstance(self.min_absolute, int) \
                or self.min_absolute < 0:
            add(english("[threshold] min_absolute must be a whole number >= 0, not %(value)r"),
                "min_absolute", self.min_absolute)
        if isinstance(self.min_percentage, bool) \
                or not isinstance(self.min_percentage, (int, float)) \
                or not 0 <= self.min_percentage <= 100:
            add(english("[threshold] min_percentage must be between 0 and 100, not %(value)r"),
                "min_percentage", self.min_percentage)
        if self.of not in BASES:
            add(english("[threshold] 'of' must be one of %(known)s, not %(value)r"), "of", self.of,
                known=", ".join(BASES))
        if self.combine not in COMBINATIONS:
            add(english("[threshold] 'combine' must be one of %(known)s, not %(value)r"), "combine",
                self.combine, known=", ".join(COMBINATIONS))
        if self.collection_days is not None and (
                isinstance(self.collection_days, bool) or not isinstance(self.collection_days, int)
                or not 1 <= self.collection_days <= 3650):
            add(english("[threshold] collection_days must be between 1 and 3650, not %(value)r"),
                "collection_days", self.collection_days)
        if self.min_age is not None and (
                isinstance(self.min_age, bool) or not isinstance(self.min_age, int)
                or not 0 <= self.min_age <= 120):
            add(english("[threshold] min_age must be between 0 and 120, not %(value)r"), "min_age",
                self.min_age)
        return found


def required_signatures(t: Threshold, *, inhabitants: int | None,
                        electorate: int | None = None) -> int:
    """How many valid statements of support are needed.

    The percentage part is rounded up (a threshold of 0.5% of 1,001 people needs 6). A part
    that is 0 counts as not set, so combine="min" never collapses to 0. When the base for
    the percentage is unknown, only the absolute part applies. Always at least 1.
    """
    base = inhabitants if t.of == "inhabitants" else electorate
    parts: list[int] = []
    if t.min_absolute > 0:
        parts.append(t.min_absolute)
    if t.min_percentage > 0 and base is not None:
        # Fraction(str(...)) avoids binary float error: 0.1% of 1000 is exactly 1.
        parts.append(math.ceil(Fraction(str(t.min_percentage)) * base / 100))
    if not parts:
        return 1
    needed = max(parts) if t.combine == "max" else min(parts)
    return max(1, needed)


def collection_deadline(t: Threshold, opened_on: date) -> date | None:
    """Last day to collect support when collection opened on `opened_on`; None if unlimited.
    The Algemene termijnenwet roll-over applies (art. 145 Gemeentewet)."""
    if t.collection_days is None:
        return None
    return add_term(opened_on, days=t.collection_days)


def threshold_reached(t: Threshold, signatures: int, *, inhabitants: int | None = None,
                      electorate: int | None = None) -> bool:
    return signatures >= required_signatures(t, inhabitants=inhabitants, electorate=electorate)


def age_on(birth: date, on: date) -> int:
    """Age in whole years on `on`. Someone born on 29 February becomes a year older on
    1 March in a non-leap year."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def old_enough(t: Threshold, birth: date, on: date) -> bool:
    """Whether a supporter born on `birth` meets the minimum age on `on` (the submission
    date, §3.3)."""
    return t.min_age is None or age_on(birth, on) >= t.min_age
