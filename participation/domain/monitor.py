"""The council's monitor of its participation regulation (art. 150 Gemw: evaluation):
figures per year and per procedure, computed from aggregated rows (the query layer groups
cases in SQL; nothing here sees a single case).

Inputs are "groups": one row per combination of keys with a count. Outputs are plain
numbers keyed by codes; labels are the caller's business.

Rules used here:
* Received: by the year of submission. Outcomes, lead times, refusal grounds and tasks
  taken over: by the year of the decision. Council decisions: by the year of the meeting's
  decision.
* Median: the usual one (mean of the two middle values for an even count).
  90th percentile: nearest rank (the smallest value with at least 90% at or below it).
* Decided late: the clock stopped after the deadline (deadlines.ClockState.finished_late).
  SQL compares the stop day with the raw end of the term (start + term + extension +
  suspended days); the Algemene termijnenwet only moves an end forward, by at most
  MARGIN_DAYS, so only stops within that margin need the exact calendar (decided_late).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from participation.domain.deadlines import add_term

PROCEDURES = ("uitdaagrecht", "burgerinitiatief", "bewonersinitiatief")
GRANTED = ("toegekend", "deels_toegekend")
# Atw art. 1 and 2 never move the end of a term further than this (four free days in a row
# at most, plus art. 2's second working day); tests/unit/test_monitor.py checks it.
MARGIN_DAYS = 14


# ---------------------------------------------------------------- statistics on histograms

def median(histogram: Mapping[int, int]) -> float | None:
    """The median of values given as {value: how many}; None when there are none."""
    total = sum(histogram.values())
    if total == 0:
        return None
    if total % 2:
        return float(_nth(histogram, total // 2 + 1))
    return (_nth(histogram, total // 2) + _nth(histogram, total // 2 + 1)) / 2


def percentile(histogram: Mapping[int, int], pct: int) -> int | None:
    """Nearest-rank percentile (0 < pct <= 100) of values given as {value: how many}."""
    if not 0 < pct <= 100:
        raise ValueError("pct must be in (0, 100]")
    total = sum(histogram.values())
    if total == 0:
        return None
    return _nth(histogram, max(1, math.ceil(pct * total / 100)))


def _nth(histogram: Mapping[int, int], rank: int) -> int:
    """The rank-th smallest value (1-based)."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    raise ValueError("rank beyond the histogram")


def decided_late(started_on: date, total_days: int, stopped_on: date) -> bool:
    """Whether a clock started on `started_on`, with `total_days` (term + extension +
    suspended days), stopped after its last day."""
    return stopped_on > add_term(started_on, days=total_days)


# ---------------------------------------------------------------- input groups

@dataclass(frozen=True)
class CaseGroup:
    """Public cases with the same organisation, procedure, state, outcome and years."""

    organisation_id: int
    procedure: str
    state: str
    outcome: str              # "" when none was recorded
    closed: bool              # in a terminal state of its procedure
    submitted_year: int | None
    closed_year: int | None   # the decision's year (or the day the final state was reached)
    count: int
    open_overdue: int = 0     # still running and past the deadline today
    threshold_reached: int = 0
    budget: Decimal | None = None  # tasks taken over: summed agreement budget


@dataclass(frozen=True)
class LeadGroup:
    """Decided clocks with the same lead time (calendar days from start to stop)."""

    organisation_id: int
    procedure: str
    year: int
    days: int
    term_days: int
    count: int
    extended: int = 0
    suspended: int = 0
    late: int = 0             # stopped more than MARGIN_DAYS after the raw end: late for sure


@dataclass(frozen=True)
class MarginGroup:
    """Decided clocks that stopped 1..MARGIN_DAYS days after the raw end of their term."""

    organisation_id: int
    procedure: str
    year: int
    started_on: date
    total_days: int
    stopped_on: date
    count: int


@dataclass(frozen=True)
class GroundGroup:
    """Published decisions with the same set of refusal grounds."""

    organisation_id: int
    procedure: str
    year: int
    grounds: tuple[str, ...]
    count: int


@dataclass(frozen=True)
class CouncilGroup:
    """Published council decisions on agenda items of public cases, per result."""

    organisation_id: int
    procedure: str
    year: int
    result: str
    count: int


@dataclass
class Facts:
    """Everything the monitor shows, before choosing a year or an organisation."""

    cases: list[CaseGroup] = field(default_factory=list)
    lead: list[LeadGroup] = field(default_factory=list)
    margin: list[MarginGroup] = field(default_factory=list)
    grounds: list[GroundGroup] = field(default_factory=list)
    council: list[CouncilGroup] = field(default_factory=list)

    def years(self) -> list[int]:
        """Every year any figure falls in, newest first."""
        found = {g.submitted_year for g in self.cases} | {g.closed_year for g in self.cases}
        found |= {g.year for g in (*self.lead, *self.grounds, *self.council)}
        return sorted((y for y in found if y is not None), reverse=True)

    def by_organisation(self) -> dict[int, Facts]:
        """The facts split per organisation in one pass (the comparison summarises each)."""
        parts: dict[int, Facts] = defaultdict(Facts)
        for name in ("cases", "lead", "margin", "grounds", "council"):
            for group in getattr(self, name):
                getattr(parts[group.organisation_id], name).append(group)
        return parts


# ---------------------------------------------------------------- output

@dataclass
class LeadTimes:
    decided: int = 0
    median: float | None = None
    p90: int | None = None
    late: int = 0
    extended: int = 0
    suspended: int = 0
    terms: tuple[int, ...] = ()   # the statutory terms (days) that applied


@dataclass
class ProcedureFigures:
    """The figures of one procedure (or of all, procedure "")."""

    procedure: str
    received: int = 0
    closed: int = 0
    open_overdue: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)       # outcome code or "state:<name>"
    grounds: Counter[str] = field(default_factory=Counter)        # ground code -> decisions
    decisions_with_grounds: int = 0
    lead: LeadTimes = field(default_factory=LeadTimes)
    taken_over: int = 0
    taken_over_states: Counter[str] = field(default_factory=Counter)
    budget: Decimal = Decimal("0.00")
    threshold_reached: int = 0
    council: Counter[str] = field(default_factory=Counter)


def _selected(year: int | None, organisation_id: int | None, group_year: int | None,
              group_org: int) -> bool:
    return ((year is None or group_year == year)
            and (organisation_id is None or group_org == organisation_id))


def summarise(facts: Facts, *, year: int | None = None, organisation_id: int | None = None
              ) -> dict[str, ProcedureFigures]:
    """Figures per procedure (in PROCEDURES order, only those with data) plus the total
    under "" for `year` (None: all years) and `organisation_id` (None: all)."""
    figures: dict[str, ProcedureFigures] = defaultdict(lambda: ProcedureFigures(""))
    for group in facts.cases:
        _add_case_group(figures, group, year, organisation_id)
    _add_lead_times(figures, facts, year, organisation_id)
    for ground_group in facts.grounds:
        if _selected(year, organisation_id, ground_group.year, ground_group.organisation_id):
            for key in (ground_group.procedure, ""):
                target = _get(figures, key)
                target.decisions_with_grounds += ground_group.count
                for code in set(ground_group.grounds):
                    target.grounds[code] += ground_group.count
    for council in facts.council:
        if _selected(year, organisation_id, council.year, council.organisation_id):
            for key in (council.procedure, ""):
                _get(figures, key).council[council.result] += council.count
    order = [p for p in PROCEDURES if p in figures] + sorted(
        p for p in figures if p and p not in PROCEDURES)
    return {**{p: figures[p] for p in order}, "": _get(figures, "")}


def _get(figures: dict[str, ProcedureFigures], key: str) -> ProcedureFigures:
    found = figures[key]
    found.procedure = key
    return found


def _add_case_group(figures: dict[str, ProcedureFigures], group: CaseGroup, year: int | None,
                    organisation_id: int | None) -> None:
    received = _selected(year, organisation_id, group.submitted_year, group.organisation_id)
    decided = _selected(year, organisation_id, group.closed_year, group.organisation_id) and (
        group.closed or bool(group.outcome))
    if not (received or decided):
        return
    granted_task = decided and group.procedure == "uitdaagrecht" and group.outcome in GRANTED
    for key in (group.procedure, ""):
        target = _get(figures, key)
        if received:
            target.received += group.count
            target.open_overdue += group.open_overdue
            target.threshold_reached += group.threshold_reached
        if decided:
            target.closed += group.count
            target.outcomes[group.outcome or f"state:{group.state}"] += group.count
        if granted_task:
            target.taken_over += group.count
            target.taken_over_states[group.state] += group.count
            target.budget += (group.budget or Decimal(0)).quantize(Decimal("0.01"))


def _add_lead_times(figures: dict[str, ProcedureFigures], facts: Facts, year: int | None,
                    organisation_id: int | None) -> None:
    histograms: dict[str, Counter[int]] = defaultdict(Counter)
    terms: dict[str, set[int]] = defaultdict(set)
    for group in facts.lead:
        if not _selected(year, organisation_id, group.year, group.organisation_id):
            continue
        for key in (group.procedure, ""):
            lead = _get(figures, key).lead
            histograms[key][group.days] += group.count
            lead.decided += group.count
            lead.extended += group.extended
            lead.suspended += group.suspended
            lead.late += group.late
            if group.term_days:
                terms[key].add(group.term_days)
    for margin in facts.margin:
        if (_selected(year, organisation_id, margin.year, margin.organisation_id)
                and decided_late(margin.started_on, margin.total_days, margin.stopped_on)):
            for key in (margin.procedure, ""):
                _get(figures, key).lead.late += margin.count
    for key, histogram in histograms.items():
        lead = _get(figures, key).lead
        lead.median = median(histogram)
        lead.p90 = percentile(histogram, 90)
        lead.terms = tuple(sorted(terms[key]))


# ---------------------------------------------------------------- comparison

@dataclass
class OrganisationRow:
    """One organisation's key figures on the installation-wide comparison."""

    organisation_id: int
    figures: ProcedureFigures


def compare(facts: Facts, organisation_ids: Iterable[int], *, year: int | None
            ) -> list[OrganisationRow]:
    """The totals of every organisation in `organisation_ids` (in that order). Each
    organisation's own groups only: summarising all facts per organisation made the
    comparison grow with organisations × cases."""
    parts = facts.by_organisation()
    return [OrganisationRow(org_id, summarise(parts.get(org_id, Facts()), year=year,
                                              organisation_id=org_id)[""])
            for org_id in organisation_ids]


# ---------------------------------------------------------------- chart geometry

@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int            # top of the bar
    width: int        # 0 for a zero value
    text_y: int       # baseline of the label and the value
    value_x: int      # where the value's text starts


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    font_size: int
    bars: tuple[Bar, ...]


def bar_chart(data: Iterable[tuple[str, float]], *, width: int = 640, label_width: int = 240,
              value_width: int = 80, bar_height: int = 24, gap: int = 10,
              font_size: int = 16) -> BarChart:
    """Horizontal bars scaled to the largest value: the geometry of a server-rendered SVG."""
    rows = list(data)
    room = width - label_width - value_width
    top = max((value for _label, value in rows), default=0) or 1
    bars = []
    for index, (text, value) in enumerate(rows):
        y = gap + index * (bar_height + gap)
        length = round(room * max(value, 0) / top)
        bars.append(Bar(label=text, value=value, y=y, width=length,
                        text_y=y + (bar_height + font_size) // 2 - 2,
                        value_x=label_width + length + 6))
    height = max(1, len(rows)) * (bar_height + gap) + gap
    return BarChart(width=width, height=height, label_width=label_width, bar_height=bar_height,
                    font_size=font_size, bars=tuple(bars))
