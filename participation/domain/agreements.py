"""The agreement (overeenkomst) of a granted challenge, its progress and its evaluation
(procedures.md §2.6), as rules without a database: which version counts, when a result is
accepted or overdue, when an instalment may be paid, and the evaluation's outcomes.

Amounts are whole cents. Results and instalments carry a `key` that stays the same across
versions, so that progress and payments keep pointing at them when the agreement changes.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

# What the challenger says about a result in a report.
REPORT_STATUSES = ("started", "in_progress", "delivered")
# What the official made of a report.
REVIEW_PENDING, REVIEW_ACCEPTED, REVIEW_MORE = "pending", "accepted", "more_needed"
REVIEWS = (REVIEW_PENDING, REVIEW_ACCEPTED, REVIEW_MORE)
# A result as the pages show it.
RESULT_STATUSES = ("planned", "started", "in_progress", "delivered", "accepted")
# Who fills in an evaluation.
EVALUATION_PARTIES = ("official", "applicant")
DELIVERED_ANSWERS = ("yes", "partly", "no")
# The outcome of the evaluation (procedures.md §2.2 step 9): go on, go on changed, stop
# (task done, no new term), or the municipality takes the task back.
EVALUATION_OUTCOMES = ("continue", "adjust", "stop", "take_back")

MAX_CENTS = 10**13  # a hundred billion euro: beyond any municipal budget line


@dataclass(frozen=True)
class Result:
    key: str
    title: str
    target_date: date | None


@dataclass(frozen=True)
class Instalment:
    key: str
    amount_cents: int
    planned_on: date | None
    condition: tuple[str, ...] = ()   # keys of the results that must be accepted first


@dataclass(frozen=True)
class Draft:
    """The content of one version as the official enters it."""

    task: str
    budget_cents: int | None
    start_date: date | None
    end_date: date | None
    evaluation_date: date | None
    results: tuple[Result, ...]
    instalments: tuple[Instalment, ...] = ()


@dataclass(frozen=True)
class VersionState:
    version: int
    agreed: bool


@dataclass(frozen=True)
class Report:
    result_key: str
    status: str
    review: str


# --------------------------------------------------------------------------- amounts

_AMOUNT = re.compile(r"^(\d{1,3}(\.\d{3})+|\d+)(,\d{1,2})?$|^\d+(\.\d{1,2})?$")


def parse_cents(text: str | None) -> int | None:
    """'12.500,00', '12500', '12500,5' or '12500.50' (euro) as cents; None when it is no
    amount. The Dutch way first: a dot groups thousands, a comma starts the cents."""
    raw = (text or "").strip().replace("€", "").replace(" ", "")
    if not raw or not _AMOUNT.match(raw):
        return None
    if "," in raw:
        whole, cents = raw.replace(".", "").split(",")
    elif re.fullmatch(r"\d+\.\d{1,2}", raw):
        whole, cents = raw.split(".")
    else:
        whole, cents = raw.replace(".", ""), "0"
    value = int(whole) * 100 + int(cents.ljust(2, "0"))
    return value if value < MAX_CENTS else None


def format_cents(cents: int | None) -> str:
    """'€ 12.500,00'; '—' for no amount."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"€ {sign}{whole:,}".replace(",", ".") + f",{rest:02d}"


def cents_as_text(cents: int | None) -> str:
    """How a form shows a stored amount: '12500,00'."""
    if cents is None:
        return ""
    whole, rest = divmod(cents, 100)
    return f"{whole},{rest:02d}"


# --------------------------------------------------------------------------- versions

def draft_problems(draft: Draft) -> dict[str, str]:
    """Field -> problem code; empty when the draft can be stored as a version."""
    problems: dict[str, str] = {}
    if not draft.task.strip():
        problems["task"] = "required"
    if draft.budget_cents is None:
        problems["budget"] = "required"
    if draft.start_date is None:
        problems["start_date"] = "required"
    if draft.end_date is None:
        problems["end_date"] = "required"
    elif draft.start_date and draft.end_date < draft.start_date:
        problems["end_date"] = "before_start"
    if draft.evaluation_date is None:
        problems["evaluation_date"] = "required"
    elif draft.start_date and draft.evaluation_date < draft.start_date:
        problems["evaluation_date"] = "before_start"
    if not draft.results:
        problems["results"] = "required"
    for index, result in enumerate(draft.results):
        if result.target_date is None:
            problems[f"results-{index}"] = "target_date_required"
        elif draft.start_date and result.target_date < draft.start_date:
            problems[f"results-{index}"] = "target_before_start"
    keys = {r.key for r in draft.results}
    total = 0
    for index, instalment in enumerate(draft.instalments):
        total += instalment.amount_cents
        if instalment.amount_cents <= 0:
            problems[f"instalments-{index}"] = "amount_required"
        elif instalment.planned_on is None:
            problems[f"instalments-{index}"] = "planned_on_required"
        elif any(key not in keys for key in instalment.condition):
            problems[f"instalments-{index}"] = "unknown_result"
    if draft.budget_cents is not None and total > draft.budget_cents:
        problems["instalments"] = "over_budget"
    return problems


def next_version(versions: Iterable[VersionState]) -> int:
    return max((v.version for v in versions), default=0) + 1


def agreed_version(versions: Sequence[VersionState]) -> int | None:
    """The version that binds both parties: the latest one, if the challenger agreed to it.
    A change after the agreement is a new version that needs a new agreement."""
    if not versions:
        return None
    latest = max(versions, key=lambda v: v.version)
    return latest.version if latest.agreed else None


def agreement_refusal(versions: Sequence[VersionState], version: int) -> str | None:
    """Why the challenger cannot agree to `version` (a code), or None when they can."""
    if not versions:
        return "no_agreement"
    latest = max(v.version for v in versions)
    if version != latest:
        return "not_latest"
    if any(v.version == version and v.agreed for v in versions):
        return "already_agreed"
    return None


# --------------------------------------------------------------------------- progress

def accepted_results(reports: Iterable[Report]) -> frozenset[str]:
    """A result counts as delivered once the official accepted a report saying so."""
    return frozenset(r.result_key for r in reports
                     if r.review == REVIEW_ACCEPTED and r.status == "delivered")


def result_status(key: str, reports: Sequence[Report]) -> str:
    """The status the pages show: accepted, else what the latest report says, else planned.
    `reports` are in the order they came in."""
    own = [r for r in reports if r.result_key == key]
    if key in accepted_results(own):
        return "accepted"
    return own[-1].status if own else "planned"


def is_overdue(result: Result, accepted: frozenset[str], today: date) -> bool:
    """Past its target date and not accepted."""
    return (result.target_date is not None and result.target_date < today
            and result.key not in accepted)


def overdue_results(results: Iterable[Result], accepted: frozenset[str],
                    today: date) -> list[Result]:
    return [r for r in results if is_overdue(r, accepted, today)]


def review_problem(current_review: str, decision: str) -> str | None:
    """Only a report that waits can be reviewed, and only as accepted or more needed."""
    if decision not in (REVIEW_ACCEPTED, REVIEW_MORE):
        return "unknown_decision"
    if current_review != REVIEW_PENDING:
        return "already_reviewed"
    return None


# --------------------------------------------------------------------------- payments

@dataclass(frozen=True)
class Release:
    allowed: bool
    reason: str = ""                     # code when not allowed
    missing: tuple[str, ...] = field(default=())  # result keys still to be accepted


def release_check(instalment: Instalment, *, accepted: frozenset[str],
                  released: frozenset[str], agreed: bool) -> Release:
    """An instalment is paid only under an agreed agreement, once, and only when every
    result of its condition is accepted."""
    if not agreed:
        return Release(False, "not_agreed")
    if instalment.key in released:
        return Release(False, "already_released")
    missing = tuple(key for key in instalment.condition if key not in accepted)
    if missing:
        return Release(False, "condition_not_met", missing)
    return Release(True)


# --------------------------------------------------------------------------- evaluation

def evaluation_due(evaluation_date: date | None, today: date) -> bool:
    return evaluation_date is not None and evaluation_date <= today


def outcome_problem(outcome: str, reasons: str, public_summary: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if outcome not in EVALUATION_OUTCOMES:
        problems["outcome"] = "unknown_outcome"
    if not reasons.strip():
        problems["reasons"] = "required"
    if not public_summary.strip():
        problems["public_summary"] = "required"
    return problems
