"""Who lives in an organisation's area, as far as a postcode tells (procedures.md §3: the
verordening lets residents support an initiative): the area is a list of PC4 ranges
("9990-9999, 1011"), and a Dutch postcode's four digits say where someone lives. A BRP check
(Haal Centraal) would replace this rule; until then the griffie can check the list."""
from __future__ import annotations

import re
from datetime import date

_POSTCODE = re.compile(r"\s*([1-9][0-9]{3})\s?([A-Za-z]{2})\s*")
_RANGE = re.compile(r"([1-9][0-9]{3})(?:\s*-\s*([1-9][0-9]{3}))?")
MAX_AGE_YEARS = 120


def pc4(postcode: str) -> int | None:
    """The four digits of a Dutch postcode ("9991 AB", "9991ab"), or None."""
    match = _POSTCODE.fullmatch(postcode or "")
    return int(match.group(1)) if match else None


def normal_postcode(postcode: str) -> str:
    """'9991ab' -> '9991 AB' (the form stored); '' when it is not a Dutch postcode."""
    match = _POSTCODE.fullmatch(postcode or "")
    return f"{match.group(1)} {match.group(2).upper()}" if match else ""


def parse_ranges(text: str) -> list[tuple[int, int]]:
    """'9990-9999, 1011' -> [(9990, 9999), (1011, 1011)]; ValueError naming the part that is
    not a PC4 number or range (or a range that runs backwards)."""
    ranges = []
    for part in (p.strip() for p in (text or "").replace(";", ",").split(",")):
        if not part:
            continue
        match = _RANGE.fullmatch(part)
        if not match:
            raise ValueError(part)
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            raise ValueError(part)
        ranges.append((low, high))
    return ranges


def lives_in(postcode: str, ranges: list[tuple[int, int]]) -> bool:
    """True when the postcode's four digits fall in one of the ranges."""
    digits = pc4(postcode)
    return digits is not None and any(low <= digits <= high for low, high in ranges)


def plausible_birth_date(born: date, today: date) -> bool:
    """Not in the future and not more than 120 years ago."""
    try:
        oldest = today.replace(year=today.year - MAX_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - MAX_AGE_YEARS, day=28)
    return oldest <= born <= today
