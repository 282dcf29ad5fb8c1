"""An organisation's slug, TOOI code and deciding bodies (plain domain rules)."""
from __future__ import annotations

import pytest

from participation.domain import organisations as rules

RESERVED = frozenset({"api", "beheer"})


@pytest.mark.parametrize(("slug", "problem"), [
    ("zonnedal", None), ("waterschap-de-stroom", None), ("gm-0363", None),
    ("z", "length"), ("a" * 41, "length"), ("Zonnedal", "characters"),
    ("zonne dal", "characters"), ("-zonnedal", "characters"), ("zonne--dal", "characters"),
    ("zonnedal-", "characters"), ("zonnedål", "characters"), ("api", "reserved"),
    ("beheer", "reserved"),
])
def test_slug(slug, problem):
    assert rules.slug_problem(slug, RESERVED) == problem


@pytest.mark.parametrize(("tier", "code", "fits"), [
    ("gemeente", "gm0363", True), ("gemeente", "gm363", False), ("gemeente", "pv27", False),
    ("provincie", "pv27", True), ("provincie", "pv270", False), ("waterschap", "ws0155", True),
    ("waterschap", "WS0155", False), ("stadsdeel", "sd0001", False),
])
def test_tooi_code(tier, code, fits):
    assert rules.tooi_code_fits(tier, code) is fits


@pytest.mark.parametrize(("tier", "chosen", "bodies", "default"), [
    ("gemeente", "", ["college", "raad", "burgemeester", "gemandateerd_ambtenaar"], "college"),
    ("gemeente", "raad", ["raad"], "raad"),
    ("gemeente", "gemandateerd_ambtenaar,college", ["college", "gemandateerd_ambtenaar"],
     "college"),
    # A body of another tier is not offered; nothing left means all of the tier.
    ("gemeente", "provinciale_staten", ["college", "raad", "burgemeester",
                                        "gemandateerd_ambtenaar"], "college"),
    ("waterschap", "algemeen_bestuur", ["algemeen_bestuur"], "algemeen_bestuur"),
    ("provincie", "", ["gedeputeerde_staten", "provinciale_staten", "gemandateerd_ambtenaar"],
     "gedeputeerde_staten"),
])
def test_bodies_that_decide(tier, chosen, bodies, default):
    assert [body.code for body in rules.chosen_bodies(tier, chosen)] == bodies
    assert rules.default_body(tier, chosen) == default
