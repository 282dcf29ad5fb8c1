"""What makes an organisation's record right: its slug in the URL, its TOOI code for its tier,
and the bodies that can decide there (procedures.md §0.3)."""
from __future__ import annotations

import re

from participation.domain import grounds

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_LENGTH = (2, 40)
# TOOI codes of the register of organisations: gm0363, pv27, ws0155.
TOOI_CODE = {"gemeente": re.compile(r"gm\d{4}"), "provincie": re.compile(r"pv\d{2}"),
             "waterschap": re.compile(r"ws\d{4}")}
TOOI_EXAMPLE = {"gemeente": "gm0363", "provincie": "pv27", "waterschap": "ws0155"}


def slug_problem(slug: str, reserved: frozenset[str] | set[str]) -> str | None:
    """None when `slug` can be an organisation's first URL segment; else why not:
    "length", "characters" or "reserved"."""
    if not SLUG_LENGTH[0] <= len(slug) <= SLUG_LENGTH[1]:
        return "length"
    if not SLUG.fullmatch(slug):
        return "characters"
    if slug in reserved:
        return "reserved"
    return None


def tooi_code_fits(tier: str, code: str) -> bool:
    pattern = TOOI_CODE.get(tier)
    return pattern is not None and pattern.fullmatch(code) is not None


def bodies_of_tier(tier: str) -> list[grounds.Body]:
    """Every body that can decide in an organisation of `tier` (a mandated official too)."""
    return [body for body in grounds.DECIDING_BODIES.values() if tier in body.tiers]


def chosen_bodies(tier: str, chosen: str) -> list[grounds.Body]:
    """The bodies an organisation named (comma-separated codes, in the tier's order); all of
    the tier's when it named none or none that fit."""
    codes = {code.strip() for code in chosen.split(",") if code.strip()}
    bodies = [body for body in bodies_of_tier(tier) if body.code in codes]
    return bodies or bodies_of_tier(tier)


def default_body(tier: str, chosen: str = "") -> str:
    """The executive of the tier when it may decide here, else the first body named."""
    bodies = [body.code for body in chosen_bodies(tier, chosen)]
    executive = grounds.TIERS[tier].executive_body if tier in grounds.TIERS else "college"
    return executive if executive in bodies else (bodies[0] if bodies else executive)
