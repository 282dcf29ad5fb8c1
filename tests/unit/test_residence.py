"""Who lives in the area (PC4 ranges) and which dates of birth are plausible."""
from __future__ import annotations

from datetime import date

import pytest

from participation.domain import residence as r


@pytest.mark.parametrize(("postcode", "digits", "normal"), [
    ("9991 AB", 9991, "9991 AB"), ("9991ab", 9991, "9991 AB"), (" 1011 ke ", 1011, "1011 KE"),
    ("0991 AB", None, ""), ("999 AB", None, ""), ("9991", None, ""), ("9991 A1", None, ""),
    ("", None, ""),
])
def test_postcodes(postcode, digits, normal):
    assert r.pc4(postcode) == digits
    assert r.normal_postcode(postcode) == normal


@pytest.mark.parametrize(("text", "ranges"), [
    ("9990-9999, 1011", [(9990, 9999), (1011, 1011)]),
    ("9990 - 9999;1011-1018", [(9990, 9999), (1011, 1018)]),
    ("", []), (" , ", []),
])
def test_ranges(text, ranges):
    assert r.parse_ranges(text) == ranges


@pytest.mark.parametrize("text", ["9999-9990", "99", "Zonnedal", "9990-99999", "0999"])
def test_a_wrong_range_names_its_part(text):
    with pytest.raises(ValueError, match=text.split("-")[0][:2]):
        r.parse_ranges(f"1011, {text}")


@pytest.mark.parametrize(("postcode", "inside"), [
    ("9991 AB", True), ("9999 ZZ", True), ("9990 AA", True), ("9989 ZZ", False),
    ("1011 KE", True), ("1012 AB", False), ("onbekend", False),
])
def test_lives_in(postcode, inside):
    assert r.lives_in(postcode, [(9990, 9999), (1011, 1011)]) is inside


@pytest.mark.parametrize(("born", "plausible"), [
    (date(1990, 5, 1), True), (date(2026, 12, 4), True), (date(2026, 12, 5), False),
    (date(1906, 12, 4), True), (date(1906, 12, 3), False), (date(1900, 1, 1), False),
])
def test_birth_dates(born, plausible):
    assert r.plausible_birth_date(born, date(2026, 12, 4)) is plausible
