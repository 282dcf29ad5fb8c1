"""The rules of the agreement after a grant (domain.agreements), table by table."""
from __future__ import annotations

from datetime import date

import pytest

from participation.domain import agreements as rules
from participation.domain import workflow as wf
from participation.domain.agreements import Instalment, Report, Result, VersionState


@pytest.mark.parametrize(("text", "cents"), [
    ("12.500,00", 1_250_000), ("12500", 1_250_000), ("12500,5", 1_250_050),
    ("12500.50", 1_250_050), ("€ 1.000", 100_000), ("0,99", 99), ("1.234.567,89", 123_456_789),
    ("", None), ("veel", None), ("-5", None), ("12,345", None), ("1.2.3", None),
    ("99999999999999", None),
])
def test_amounts_are_read_the_dutch_way(text, cents):
    assert rules.parse_cents(text) == cents


@pytest.mark.parametrize(("cents", "shown", "typed"), [
    (1_250_000, "€ 12.500,00", "12500,00"), (99, "€ 0,99", "0,99"), (None, "—", ""),
])
def test_amounts_are_shown_the_dutch_way(cents, shown, typed):
    assert rules.format_cents(cents) == shown
    assert rules.cents_as_text(cents) == typed


@pytest.mark.parametrize(("versions", "agreed"), [
    ([], None),
    ([VersionState(1, False)], None),
    ([VersionState(1, True)], 1),
    ([VersionState(1, True), VersionState(2, False)], None),   # changed after agreement
    ([VersionState(2, True), VersionState(1, True)], 2),
])
def test_only_an_agreed_latest_version_binds(versions, agreed):
    assert rules.agreed_version(versions) == agreed


@pytest.mark.parametrize(("versions", "version", "refusal"), [
    ([], 1, "no_agreement"),
    ([VersionState(1, False)], 1, None),
    ([VersionState(1, False), VersionState(2, False)], 1, "not_latest"),
    ([VersionState(1, True)], 1, "already_agreed"),
])
def test_the_challenger_agrees_to_the_latest_version_once(versions, version, refusal):
    assert rules.agreement_refusal(versions, version) == refusal
    assert rules.next_version(versions) == max((v.version for v in versions), default=0) + 1


R1 = Result("r1", "Gemaaid", date(2027, 6, 30))
R2 = Result("r2", "Gesnoeid", date(2027, 10, 31))
GOOD = rules.Draft(task="Groen", budget_cents=100_000, start_date=date(2027, 1, 1),
                   end_date=date(2027, 12, 31), evaluation_date=date(2027, 11, 1),
                   results=(R1, R2),
                   instalments=(Instalment("t1", 40_000, date(2027, 1, 15)),
                                Instalment("t2", 60_000, date(2027, 7, 1), ("r1",))))


@pytest.mark.parametrize(("changes", "problems"), [
    ({}, {}),
    ({"task": " "}, {"task": "required"}),
    ({"budget_cents": None}, {"budget": "required"}),
    ({"end_date": date(2026, 1, 1)}, {"end_date": "before_start"}),
    ({"evaluation_date": None}, {"evaluation_date": "required"}),
    ({"results": ()}, {"results": "required", "instalments-1": "unknown_result"}),
    ({"results": (Result("r1", "x", None),)}, {"results-0": "target_date_required"}),
    ({"results": (Result("r1", "x", date(2026, 1, 1)),)},
     {"results-0": "target_before_start"}),
    ({"budget_cents": 90_000}, {"instalments": "over_budget"}),
    ({"instalments": (Instalment("t1", 0, date(2027, 1, 1)),)},
     {"instalments-0": "amount_required"}),
    ({"instalments": (Instalment("t1", 10, None),)}, {"instalments-0": "planned_on_required"}),
])
def test_a_draft_needs_its_content(changes, problems):
    assert rules.draft_problems(GOOD.__class__(**{**GOOD.__dict__, **changes})) == problems


REPORTS = [Report("r1", "in_progress", "accepted"), Report("r1", "delivered", "more_needed"),
           Report("r2", "delivered", "accepted"), Report("r1", "delivered", "pending")]


@pytest.mark.parametrize(("key", "reports", "status"), [
    ("r1", [], "planned"),
    ("r1", REPORTS[:1], "in_progress"),    # accepted as progress, not as delivered
    ("r1", REPORTS, "delivered"),          # the latest report, not yet accepted
    ("r2", REPORTS, "accepted"),
])
def test_a_results_status(key, reports, status):
    assert rules.result_status(key, reports) == status


@pytest.mark.parametrize(("result", "accepted", "today", "overdue"), [
    (R1, frozenset(), date(2027, 6, 30), False),      # on the target date: not yet late
    (R1, frozenset(), date(2027, 7, 1), True),
    (R1, frozenset({"r1"}), date(2027, 7, 1), False),
    (Result("r3", "x", None), frozenset(), date(2099, 1, 1), False),
])
def test_overdue_results(result, accepted, today, overdue):
    assert rules.is_overdue(result, accepted, today) is overdue


T2 = Instalment("t2", 60_000, date(2027, 7, 1), ("r1", "r2"))


@pytest.mark.parametrize(("accepted", "released", "agreed", "allowed", "reason", "missing"), [
    (frozenset({"r1", "r2"}), frozenset(), True, True, "", ()),
    (frozenset({"r1"}), frozenset(), True, False, "condition_not_met", ("r2",)),
    (frozenset({"r1", "r2"}), frozenset({"t2"}), True, False, "already_released", ()),
    (frozenset({"r1", "r2"}), frozenset(), False, False, "not_agreed", ()),
])
def test_an_instalment_is_released_only_against_accepted_results(accepted, released, agreed,
                                                                  allowed, reason, missing):
    check = rules.release_check(T2, accepted=accepted, released=released, agreed=agreed)
    assert (check.allowed, check.reason, check.missing) == (allowed, reason, missing)


@pytest.mark.parametrize(("current", "decision", "problem"), [
    ("pending", "accepted", None), ("pending", "more_needed", None),
    ("pending", "maybe", "unknown_decision"), ("accepted", "accepted", "already_reviewed"),
])
def test_reviewing_a_report(current, decision, problem):
    assert rules.review_problem(current, decision) == problem


@pytest.mark.parametrize(("outcome", "reasons", "summary", "problems"), [
    ("continue", "Goed.", "Goed gedaan.", {}),
    ("take_back", "Slecht.", "Gestopt.", {}),
    ("weg", "", "", {"outcome": "unknown_outcome", "reasons": "required",
                     "public_summary": "required"}),
])
def test_the_evaluation_outcome(outcome, reasons, summary, problems):
    assert rules.outcome_problem(outcome, reasons, summary) == problems
    assert set(rules.EVALUATION_OUTCOMES) == {"continue", "adjust", "stop", "take_back"}


@pytest.mark.parametrize(("value", "ok"), [(2, True), (0, False), (None, False), (True, False),
                                           ("2", False)])
def test_the_transition_to_in_uitvoering_needs_an_agreed_version(value, ok):
    definition = wf.load_preset("uitdaagrecht")
    inputs = {} if value is None else {"agreement": value}
    refused = None
    try:
        wf.plan_transition(definition, state="overeenkomst", transition_name="overeenkomst_tekenen",
                           roles={"official"}, inputs=inputs)
    except wf.MissingInputs as exc:
        refused = exc
    assert (refused is None) is ok
    if refused is not None:
        assert "ingestemd" in refused.errors["agreement"]
