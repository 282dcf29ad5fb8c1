"""Awb / Algemene termijnenwet arithmetic with real calendar dates."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from participation.domain import deadlines as dl
from participation.domain.deadlines import ClockError, ClockState, Suspension

D = date.fromisoformat


@pytest.mark.parametrize(("year", "easter"), [
    (2000, "2000-04-23"),
    (2019, "2019-04-21"),
    (2024, "2024-03-31"),
    (2025, "2025-04-20"),
    (2026, "2026-04-05"),
    (2027, "2027-03-28"),
    (2038, "2038-04-25"),
])
def test_easter_sunday(year: int, easter: str) -> None:
    assert dl.easter_sunday(year) == D(easter)


@pytest.mark.parametrize(("day", "name"), [
    ("2025-01-01", "Nieuwjaarsdag"),
    ("2025-04-18", "Goede Vrijdag"),
    ("2025-04-20", "Eerste Paasdag"),
    ("2025-04-21", "Tweede Paasdag"),
    ("2025-04-26", "Koningsdag"),        # 27 April 2025 is a Sunday
    ("2025-05-05", "Bevrijdingsdag"),    # every year for the Atw
    ("2025-05-29", "Hemelvaartsdag"),
    ("2025-06-08", "Eerste Pinksterdag"),
    ("2025-06-09", "Tweede Pinksterdag"),
    ("2025-12-25", "Eerste Kerstdag"),
    ("2025-12-26", "Tweede Kerstdag"),
    ("2026-04-03", "Goede Vrijdag"),
    ("2026-04-27", "Koningsdag"),
    ("2026-05-14", "Hemelvaartsdag"),
    ("2026-05-25", "Tweede Pinksterdag"),
    ("2013-04-30", "Koninginnedag"),
])
def test_dutch_holidays(day: str, name: str) -> None:
    assert dl.dutch_holidays(D(day).year)[D(day)] == name


@pytest.mark.parametrize("day", [
    "2025-04-27",   # a Sunday, not Koningsdag that year
    "2025-05-30",   # Friday after Ascension: only by Royal Decree (Atw 3(3)), not statutory
    "2025-12-31",
    "2026-04-26",
])
def test_not_a_statutory_holiday(day: str) -> None:
    assert D(day) not in dl.dutch_holidays(D(day).year)


def test_holiday_list_is_a_copy() -> None:
    dl.dutch_holidays(2025).clear()
    assert len(dl.dutch_holidays(2025)) == 11


@pytest.mark.parametrize(("day", "working"), [
    ("2025-04-17", True),    # Thursday
    ("2025-04-18", False),   # Goede Vrijdag
    ("2025-04-19", False),   # Saturday
    ("2025-04-20", False),   # Sunday
    ("2025-04-21", False),   # Tweede Paasdag
    ("2025-04-22", True),
    ("2026-04-27", False),   # Koningsdag on a Monday
])
def test_is_working_day(day: str, working: bool) -> None:
    assert dl.is_working_day(D(day)) is working


@pytest.mark.parametrize(("start", "days", "end", "why"), [
    ("2025-04-17", 56, "2025-06-12", "received Thursday + 8 weeks, a normal Thursday"),
    ("2025-04-14", 7, "2025-04-22", "ends on Tweede Paasdag 21 April -> Tuesday"),
    ("2025-04-19", 7, "2025-04-28", "ends on Saturday 26 April (Koningsdag) -> Monday"),
    ("2026-04-20", 7, "2026-04-28", "ends on Monday 27 April 2026 (Koningsdag) -> Tuesday"),
    ("2025-04-28", 7, "2025-05-06", "ends on Monday 5 May -> Tuesday"),
    ("2025-05-22", 7, "2025-05-30", "ends on Hemelvaartsdag 29 May -> Friday"),
    ("2025-06-02", 7, "2025-06-10", "ends on Tweede Pinksterdag 9 June -> Tuesday"),
    ("2026-12-18", 7, "2026-12-28", "ends on Friday 25 December 2026 -> Monday 28th"),
    ("2025-12-25", 7, "2026-01-02", "ends on Nieuwjaarsdag (Thursday) -> Friday"),
    ("2026-03-27", 7, "2026-04-07", "ends on Goede Vrijdag -> Tuesday after Easter Monday"),
    ("2025-06-26", 182, "2025-12-29", "ends on Christmas Day 2025 -> Monday 29th"),
    ("2017-12-19", 3, "2017-12-22", "three days from a Tuesday: Friday"),
    ("2017-12-20", 3, "2017-12-27", "Saturday, then two Christmas days -> Wednesday"),
    ("2026-04-02", 3, "2026-04-08", "Atw art. 2: holds only one working day -> one more"),
    ("2025-12-19", 3, "2025-12-23", "Atw art. 2: Sat, Sun, Mon has one working day -> Tue"),
    ("2025-04-14", 0, "2025-04-14", "a term of 0 days ends the same working day"),
])
def test_add_term(start: str, days: int, end: str, why: str) -> None:
    assert dl.add_term(D(start), days=days) == D(end), why


def test_add_term_with_a_gelijkgestelde_dag() -> None:
    # The Crown may add days (Atw 3(3)), e.g. the Friday after Ascension.
    assert dl.add_term(D("2025-05-22"), days=7, extra={D("2025-05-30")}) == D("2025-06-02")


def test_add_term_rejects_negative_terms() -> None:
    with pytest.raises(ValueError):
        dl.add_term(D("2025-01-01"), days=-1)


def test_format_date_nl() -> None:
    assert dl.format_date_nl(D("2025-04-17")) == "17 april 2025"


# ----------------------------------------------------------------------- the decision clock

def clock(started: str | None = "2025-04-17", term: int = 56, extension: int = 56) -> ClockState:
    return ClockState(started_on=D(started) if started else None, term_days=term,
                      extension_days_allowed=extension)


def test_unstarted_clock_has_no_deadline() -> None:
    c = clock(None)
    assert c.deadline(D("2025-05-01")) is None
    assert c.days_left(D("2025-05-01")) is None
    assert c.is_overdue(D("2030-01-01")) is False


@pytest.mark.parametrize(("as_of", "days_left", "overdue"), [
    ("2025-04-17", 56, False),
    ("2025-06-10", 2, False),
    ("2025-06-12", 0, False),   # the last day itself is still on time
    ("2025-06-13", -1, True),
    ("2025-07-01", -19, True),
])
def test_days_left_and_overdue(as_of: str, days_left: int, overdue: bool) -> None:
    c = clock()
    assert c.deadline(D(as_of)) == D("2025-06-12")
    assert c.days_left(D(as_of)) == days_left
    assert c.is_overdue(D(as_of)) is overdue


def test_suspension_of_ten_days_moves_the_deadline_ten_days() -> None:
    c = dl.start_clock(clock(None), D("2025-09-01"))
    before = c.deadline(D("2025-09-05"))
    c = dl.resume(dl.suspend(c, D("2025-09-10")), D("2025-09-20"))
    assert before == D("2025-10-27")
    assert c.suspended is False
    assert c.suspended_days(D("2025-12-01")) == 10
    assert c.deadline(D("2025-12-01")) == D("2025-11-06")


def test_running_suspension_moves_the_deadline_each_day() -> None:
    c = dl.suspend(clock("2025-09-01"), D("2025-09-10"))
    assert c.suspended is True
    assert c.deadline(D("2025-09-12")) == D("2025-10-29")
    assert c.deadline(D("2025-09-13")) == D("2025-10-30")
    assert c.is_overdue(D("2026-06-01")) is False


def test_suspension_days_add_up() -> None:
    c = clock("2025-09-01")
    c = dl.resume(dl.suspend(c, D("2025-09-02")), D("2025-09-05"))
    c = dl.resume(dl.suspend(c, D("2025-09-10")), D("2025-09-12"))
    assert c.suspensions == (Suspension(D("2025-09-02"), D("2025-09-05")),
                             Suspension(D("2025-09-10"), D("2025-09-12")))
    assert c.suspended_days(D("2025-10-01")) == 5


def test_extension_uses_the_default_days() -> None:
    c = dl.extend(clock(), D("2025-06-01"))
    assert (c.extended_days, c.extended_on) == (56, D("2025-06-01"))
    assert c.deadline(D("2025-06-01")) == D("2025-08-07")


def test_extension_on_the_last_day_is_still_in_time() -> None:
    c = dl.extend(clock(), D("2025-06-12"), days=14)
    assert c.deadline(D("2025-06-12")) == D("2025-06-26")


def test_extension_while_suspended_is_allowed() -> None:
    c = dl.extend(dl.suspend(clock(), D("2025-05-01")), D("2025-05-02"), days=7)
    assert c.extended_days == 7 and c.suspended


@pytest.mark.parametrize(("prepare", "operation", "message_nl"), [
    (lambda c: c, lambda c: dl.extend(c, D("2025-06-13")), "12 juni 2025"),
    (lambda c: dl.extend(c, D("2025-05-01"), 7), lambda c: dl.extend(c, D("2025-05-02"), 7),
     "maar één keer"),
    (lambda c: c, lambda c: dl.extend(c, D("2025-05-01"), 60), "maximum is 56"),
    (lambda c: c, lambda c: dl.extend(c, D("2025-05-01"), 0), "minstens 1"),
    (lambda c: ClockState(D("2025-04-17"), 56, 0), lambda c: dl.extend(c, D("2025-05-01")),
     "niet worden verlengd"),
    (lambda c: dl.suspend(c, D("2025-05-01")), lambda c: dl.suspend(c, D("2025-05-02")),
     "al opgeschort"),
    (lambda c: c, lambda c: dl.resume(c, D("2025-05-01")), "niet opgeschort"),
    (lambda c: c, lambda c: dl.start_clock(c, D("2025-05-01")), "al gestart"),
    (lambda c: dl.stop(c, D("2025-05-01")), lambda c: dl.suspend(c, D("2025-05-02")),
     "al gestopt"),
    (lambda c: dl.stop(c, D("2025-05-01")), lambda c: dl.stop(c, D("2025-05-02")),
     "al gestopt"),
    (lambda c: clock(None), lambda c: dl.suspend(c, D("2025-05-01")), "nog niet gestart"),
    (lambda c: clock(None), lambda c: dl.extend(c, D("2025-05-01")), "nog niet gestart"),
    (lambda c: clock(None), lambda c: dl.stop(c, D("2025-05-01")), "nog niet gestart"),
    (lambda c: c, lambda c: dl.suspend(c, D("2025-04-01")), "kan niet vóór"),
    (lambda c: dl.suspend(c, D("2025-05-10")), lambda c: dl.resume(c, D("2025-05-01")),
     "kan niet vóór"),
])
def test_refused_clock_operations(prepare, operation, message_nl: str) -> None:
    state = prepare(clock())
    with pytest.raises(ClockError) as caught:
        operation(state)
    assert message_nl in caught.value.message_nl
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)  # an English message for logs


def test_stop_freezes_the_clock() -> None:
    c = dl.stop(clock(), D("2025-06-01"))
    assert c.stopped and c.days_left(D("2025-07-01")) is None
    assert c.is_overdue(D("2025-07-01")) is False
    assert c.finished_late is False
    assert dl.stop(clock(), D("2025-06-13")).finished_late is True
    assert clock().finished_late is None


def test_stop_while_suspended_ends_the_suspension() -> None:
    c = dl.stop(dl.suspend(clock(), D("2025-05-01")), D("2025-05-04"))
    assert c.suspensions == (Suspension(D("2025-05-01"), D("2025-05-04")),)
    assert c.suspended_days(D("2026-01-01")) == 3
    assert c.deadline(D("2026-01-01")) == D("2025-06-16")  # 15 June is a Sunday


@pytest.mark.parametrize(("effect", "check"), [
    ("none", lambda c: c == clock()),
    ("suspend", lambda c: c.suspended),
    ("extend", lambda c: c.extended_days == 56),
    ("stop", lambda c: c.stopped_on == D("2025-05-01")),
])
def test_apply_effect_on_a_running_clock(effect: str, check) -> None:
    assert check(dl.apply_effect(clock(), effect, D("2025-05-01")))


def test_apply_effect_start_resume_and_extension_days() -> None:
    c = dl.apply_effect(clock(None), "start", D("2025-04-17"))
    assert c.started_on == D("2025-04-17")
    c = dl.apply_effect(dl.apply_effect(c, "suspend", D("2025-05-01")), "resume", D("2025-05-03"))
    assert c.suspended_days(D("2025-06-01")) == 2
    assert dl.apply_effect(c, "extend", D("2025-05-04"), days=10).extended_days == 10


def test_apply_effect_rejects_unknown_effects() -> None:
    with pytest.raises(ClockError):
        dl.apply_effect(clock(), "pause", D("2025-05-01"))


def test_clock_with_extra_holidays() -> None:
    c = ClockState(D("2025-05-22"), 7, 0, extra_holidays=frozenset({D("2025-05-30")}))
    assert c.deadline(D("2025-05-22")) == D("2025-05-22") + timedelta(days=11)


@pytest.mark.parametrize(("moment", "day"), [
    (datetime(2026, 1, 15, 22, 59, tzinfo=UTC), date(2026, 1, 15)),   # 23:59 CET
    (datetime(2026, 1, 15, 23, 0, tzinfo=UTC), date(2026, 1, 16)),    # 00:00 CET
    (datetime(2026, 7, 15, 21, 59, tzinfo=UTC), date(2026, 7, 15)),   # 23:59 CEST
    (datetime(2026, 7, 15, 22, 0, tzinfo=UTC), date(2026, 7, 16)),    # 00:00 CEST
    (datetime(2026, 3, 29, 0, 30, tzinfo=UTC), date(2026, 3, 29)),    # the night clocks go forward
    (datetime(2026, 12, 31, 23, 30), date(2027, 1, 1)),               # naive: taken as UTC
])
def test_dutch_date_is_the_calendar_day_in_the_netherlands(moment, day):
    assert dl.dutch_date(moment) == day


# -------------------------------------------- Awb 4:15: the suspension ends on the lapse day

SUSPENDED_ON = D("2025-09-10")
LAST_DAY = D("2025-09-24")  # last day of a 14-day supplement term


def suspended_clock() -> ClockState:
    return dl.suspend(clock("2025-09-01"), SUSPENDED_ON)


@pytest.mark.parametrize(("effect", "handled_on", "last_day", "ends_on", "why"), [
    ("resume", "2025-09-17", LAST_DAY, "2025-09-17", "supplement in time: ends the day it came"),
    ("resume", "2025-09-24", LAST_DAY, "2025-09-24", "supplement on the last day"),
    ("resume", "2025-09-25", LAST_DAY, "2025-09-24", "job runs the morning after the lapse"),
    ("resume", "2025-09-26", LAST_DAY, "2025-09-24", "job two days late"),
    ("resume", "2025-10-08", LAST_DAY, "2025-09-24", "job fourteen days late"),
    ("resume", "2025-11-03", LAST_DAY, "2025-09-24", "job forty days late"),
    ("resume", "2025-09-30", LAST_DAY, "2025-09-24", "supplement after the term lapsed unused"),
    ("resume", "2025-09-30", None, "2025-09-30", "no supplement term: ends when handled"),
    ("stop", "2025-10-01", LAST_DAY, "2025-09-24", "request set aside after the lapse"),
    ("stop", "2025-09-20", LAST_DAY, "2025-09-20", "withdrawn while the term still ran"),
])
def test_suspension_ends_on_the_lapse_day_however_late_it_is_handled(
        effect: str, handled_on: str, last_day: date | None, ends_on: str, why: str) -> None:
    c = dl.apply_effect(suspended_clock(), effect, D(handled_on),
                        supplement_term_last_day=last_day)
    assert c.suspended is False, why
    assert c.suspensions[-1] == Suspension(SUSPENDED_ON, D(ends_on)), why
    expected = dl.resume(suspended_clock(), D(ends_on)).deadline(D("2026-01-01"))
    assert c.deadline(D("2026-01-01")) == expected, why


def test_a_late_job_no_longer_moves_the_decision_term() -> None:
    on_time = dl.apply_effect(suspended_clock(), "resume", D("2025-09-25"),
                              supplement_term_last_day=LAST_DAY)
    late = dl.apply_effect(suspended_clock(), "resume", D("2025-10-09"),
                           supplement_term_last_day=LAST_DAY)
    assert on_time.deadline(D("2025-12-01")) == late.deadline(D("2025-12-01"))
    # 14 days suspended (10 to 24 September) on a 56-day term from 1 September.
    assert late.suspended_days(D("2025-12-01")) == 14


@pytest.mark.parametrize(("stored_end", "terms", "fixed_end"), [
    ("2025-10-08", {SUSPENDED_ON: LAST_DAY}, "2025-09-24"),   # ended 14 days late: capped
    ("2025-09-20", {SUSPENDED_ON: LAST_DAY}, "2025-09-20"),   # ended in time: untouched
    ("2025-10-08", {}, "2025-10-08"),                         # no known term: untouched
    ("2025-10-08", {D("2025-09-11"): LAST_DAY}, "2025-10-08"),  # term of another suspension
])
def test_correct_suspensions(stored_end: str, terms: dict, fixed_end: str) -> None:
    stored = dl.resume(suspended_clock(), D(stored_end))
    fixed = dl.correct_suspensions(stored, terms)
    assert fixed.suspensions == (Suspension(SUSPENDED_ON, D(fixed_end)),)


def test_correct_suspensions_leaves_a_running_suspension_alone() -> None:
    running = suspended_clock()
    assert dl.correct_suspensions(running, {SUSPENDED_ON: LAST_DAY}) == running
