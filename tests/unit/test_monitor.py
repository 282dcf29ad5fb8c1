"""The council's monitor: histogram statistics, late decisions, aggregation, chart geometry."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest

from participation.domain import monitor
from participation.domain.deadlines import add_term
from participation.domain.monitor import (
    CaseGroup,
    CouncilGroup,
    Facts,
    GroundGroup,
    LeadGroup,
    MarginGroup,
    bar_chart,
    decided_late,
    median,
    percentile,
    summarise,
)

D = date.fromisoformat


@pytest.mark.parametrize(("histogram", "expected"), [
    ({}, None),
    ({10: 1}, 10.0),
    ({10: 1, 20: 1}, 15.0),
    ({1: 1, 2: 1, 3: 1}, 2.0),
    ({5: 3, 100: 1}, 5.0),
    ({5: 2, 100: 2}, 52.5),
    ({30: 4, 40: 5, 70: 1}, 40.0),   # ten values: 5th and 6th are 40
])
def test_median(histogram, expected):
    assert median(histogram) == expected


@pytest.mark.parametrize(("histogram", "pct", "expected"), [
    ({}, 90, None),
    ({10: 1}, 90, 10),
    ({i: 1 for i in range(1, 11)}, 90, 9),     # rank ceil(9.0) = 9
    ({i: 1 for i in range(1, 12)}, 90, 10),    # rank ceil(9.9) = 10
    ({30: 9, 80: 1}, 90, 30),
    ({30: 8, 80: 2}, 90, 80),
    ({1: 1, 2: 1}, 50, 1),
    ({1: 1, 2: 1}, 100, 2),
])
def test_percentile_nearest_rank(histogram, pct, expected):
    assert percentile(histogram, pct) == expected


@pytest.mark.parametrize("pct", [0, -1, 101])
def test_percentile_refuses_odd_ranks(pct):
    with pytest.raises(ValueError):
        percentile({1: 1}, pct)


@pytest.mark.parametrize(("started", "days", "stopped", "late"), [
    ("2026-01-05", 56, "2026-03-02", False),   # the last day itself (a Monday)
    ("2026-01-05", 56, "2026-03-03", True),
    ("2026-01-10", 56, "2026-03-09", False),   # raw end Saturday 7 March: rolls to Monday 9
    ("2026-01-10", 56, "2026-03-10", True),
    ("2026-02-27", 56, "2026-04-24", False),   # raw end Friday 24 April
    ("2026-02-28", 56, "2026-04-28", False),   # raw end Saturday 25 April; Monday is Koningsdag
    ("2026-03-01", 56, "2026-04-27", False),   # raw end Sunday 26 April
    ("2026-03-01", 56, "2026-04-28", False),
    ("2026-03-01", 56, "2026-04-29", True),
])
def test_decided_late_follows_the_algemene_termijnenwet(started, days, stopped, late):
    assert decided_late(D(started), days, D(stopped)) is late


def test_the_margin_covers_every_roll_over():
    start = date(2024, 1, 1)
    for offset in range(3 * 366):
        for days in (3, 7, 56, 70):
            first = start + timedelta(days=offset)
            assert (add_term(first, days=days) - (first + timedelta(days=days))).days \
                <= monitor.MARGIN_DAYS


def _facts() -> Facts:
    return Facts(
        cases=[
            CaseGroup(1, "uitdaagrecht", "intake", "", False, 2026, None, 3, open_overdue=1),
            CaseGroup(1, "uitdaagrecht", "afgewezen", "afgewezen", True, 2026, 2026, 2),
            CaseGroup(1, "uitdaagrecht", "in_uitvoering", "toegekend", False, 2025, 2026, 1,
                      budget=Decimal("12500.00")),
            CaseGroup(1, "uitdaagrecht", "afgerond", "toegekend", True, 2025, 2025, 1,
                      budget=Decimal(800)),
            CaseGroup(1, "burgerinitiatief", "verlopen", "", True, 2026, 2026, 2),
            CaseGroup(1, "burgerinitiatief", "raad", "", False, 2026, None, 4,
                      threshold_reached=3),
            CaseGroup(2, "uitdaagrecht", "afgewezen", "afgewezen", True, 2026, 2026, 5),
        ],
        lead=[
            LeadGroup(1, "uitdaagrecht", 2026, 30, 56, 2, extended=1),
            LeadGroup(1, "uitdaagrecht", 2026, 60, 56, 1, suspended=1),
            LeadGroup(1, "uitdaagrecht", 2026, 90, 56, 1, late=1),
            LeadGroup(1, "uitdaagrecht", 2025, 10, 56, 1),
        ],
        margin=[
            MarginGroup(1, "uitdaagrecht", 2026, D("2026-01-10"), 56, D("2026-03-09"), 1),
            MarginGroup(1, "uitdaagrecht", 2026, D("2026-01-10"), 56, D("2026-03-10"), 2),
        ],
        grounds=[
            GroundGroup(1, "uitdaagrecht", 2026, ("R4", "R5"), 1),
            GroundGroup(1, "uitdaagrecht", 2026, ("R4",), 1),
            GroundGroup(2, "uitdaagrecht", 2026, ("R1",), 5),
        ],
        council=[CouncilGroup(1, "burgerinitiatief", 2026, "aangenomen", 1),
                 CouncilGroup(1, "burgerinitiatief", 2025, "verworpen", 1)],
    )


@pytest.mark.parametrize(("year", "org", "procedure", "expected"), [
    (2026, 1, "uitdaagrecht", {"received": 5, "closed": 3, "open_overdue": 1, "taken_over": 1,
                                   "budget": Decimal("12500.00"), "threshold_reached": 0}),
    (2026, 1, "burgerinitiatief", {"received": 6, "closed": 2, "threshold_reached": 3}),
    (2026, 1, "", {"received": 11, "closed": 5, "open_overdue": 1, "taken_over": 1}),
    (2025, 1, "uitdaagrecht", {"received": 2, "closed": 1, "taken_over": 1, "budget": Decimal("800.00")}),
    (None, 1, "uitdaagrecht", {"received": 7, "closed": 4, "taken_over": 2,
                                   "budget": Decimal("13300.00")}),
    (2026, 2, "uitdaagrecht", {"received": 5, "closed": 5}),
    (2026, None, "", {"received": 16, "closed": 10}),
])
def test_summarise_counts(year, org, procedure, expected):
    figures = summarise(_facts(), year=year, organisation_id=org)[procedure]
    for name, value in expected.items():
        assert getattr(figures, name) == value, name


def test_summarise_outcomes_grounds_and_council():
    figures = summarise(_facts(), year=2026, organisation_id=1)
    assert figures["uitdaagrecht"].outcomes == Counter({"afgewezen": 2, "toegekend": 1})
    assert figures["burgerinitiatief"].outcomes == Counter({"state:verlopen": 2})
    assert figures["uitdaagrecht"].grounds == Counter({"R4": 2, "R5": 1})
    assert figures["uitdaagrecht"].decisions_with_grounds == 2
    assert figures["burgerinitiatief"].council == Counter({"aangenomen": 1})
    assert figures["uitdaagrecht"].taken_over_states == Counter({"in_uitvoering": 1})
    assert list(figures) == ["uitdaagrecht", "burgerinitiatief", ""]


def test_summarise_lead_times():
    lead = summarise(_facts(), year=2026, organisation_id=1)["uitdaagrecht"].lead
    # 30, 30, 60, 90: median 45, p90 rank 4 = 90; late: one for sure + one in the margin
    assert (lead.decided, lead.median, lead.p90) == (4, 45.0, 90)
    assert (lead.late, lead.extended, lead.suspended, lead.terms) == (3, 1, 1, (56,))
    everything = summarise(_facts(), year=None, organisation_id=1)["uitdaagrecht"].lead
    assert (everything.decided, everything.median) == (5, 30.0)


def test_years_newest_first():
    assert _facts().years() == [2026, 2025]
    assert Facts().years() == []


def test_compare_gives_each_organisation_its_totals():
    rows = monitor.compare(_facts(), [2, 1, 3], year=2026)
    assert [(r.organisation_id, r.figures.received) for r in rows] == [(2, 5), (1, 11), (3, 0)]


@pytest.mark.parametrize(("data", "widths"), [
    ([("a", 10), ("b", 5), ("c", 0)], [320, 160, 0]),
    ([("a", 1)], [320]),
    ([("a", 0), ("b", 0)], [0, 0]),
    ([("a", 3), ("b", 1)], [320, 107]),
])
def test_bar_widths_scale_to_the_largest(data, widths):
    chart = bar_chart(data, width=640, label_width=240, value_width=80)
    assert [bar.width for bar in chart.bars] == widths


def test_bar_chart_layout():
    chart = bar_chart([("a", 2), ("b", 1)], bar_height=24, gap=10, font_size=16)
    assert chart.height == 2 * 34 + 10
    assert [bar.y for bar in chart.bars] == [10, 44]
    assert [bar.text_y for bar in chart.bars] == [28, 62]
    assert chart.bars[1].value_x == 240 + 160 + 6
    assert bar_chart([]).height == 44  # an empty chart still has room for a line


@pytest.mark.parametrize("year", [2025, 2026, None])
def test_compare_splits_the_facts_once_and_gives_the_same_totals(year):
    facts = _facts()
    parts = facts.by_organisation()
    assert sum(len(part.cases) for part in parts.values()) == len(facts.cases)
    rows = monitor.compare(facts, [1, 2, 3], year=year)
    assert [r.figures for r in rows] == [
        summarise(facts, year=year, organisation_id=org)[""] for org in (1, 2, 3)]
