"""Term arithmetic under the Awb and the Algemene termijnenwet (Atw), procedures.md §2.3.

Rules used here:
* A term runs from the day after the day of receipt or announcement (Awb 4:13 with the
  usual counting: the start day itself does not count), so a term of N days that starts on
  day D ends at the end of day D + N.
* Atw art. 1(1): a term that ends on a Saturday, Sunday or algemeen erkende feestdag is
  extended up to and including the next day that is none of these.
* Atw art. 2: a term of at least three days is extended, where needed, so that it contains
  at least two days that are not a Saturday, Sunday or feestdag.
* Awb 4:15: the decision term is suspended while the applicant is asked to supplement the
  request. See ClockState.suspended_days for the counting rule.
* Awb 4:14: the decision term may be extended (verdaagd) once, with notice before it ends.

Nothing reads the system clock: every function takes the dates it needs. Days are Dutch
calendar days: a moment (stored in UTC) becomes a day through `dutch_date`, so a request
received at 00:30 in the Netherlands (23:30 UTC the evening before) is received that day.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from participation.domain.errors import Refusal

_DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                 "september", "oktober", "november", "december")

_NO_EXTRA: frozenset[date] = frozenset()

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def dutch_time(moment: datetime) -> datetime:
    """A moment in Dutch time; a naive moment is taken as UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(DUTCH_TIME)


def dutch_date(moment: datetime) -> date:
    """The Dutch calendar day of a moment."""
    return dutch_time(moment).date()


class ClockError(Refusal, ValueError):
    """A clock operation that the law or the state of the clock does not allow.

    str(error) is English (for logs); `message_nl` is the Dutch text for the user.
    """

    def __init__(self, message_en: str, message_nl: str) -> None:
        super().__init__(message_nl, log=message_en)


def format_date_nl(d: date) -> str:
    """'17 april 2025': Dutch long date without depending on the process locale."""
    return f"{d.day} {_DUTCH_MONTHS[d.month - 1]} {d.year}"


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm,
    Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _kings_day(year: int) -> date:
    # Wet viering Koningsdag (since 2014): 27 April, or 26 April when the 27th is a Sunday.
    # Before 2014 Koninginnedag: 30 April, or 29 April when the 30th was a Sunday.
    if year >= 2014:
        day = date(year, 4, 27)
    else:
        day = date(year, 4, 30)
    return day - timedelta(days=1) if day.weekday() == 6 else day


@lru_cache(maxsize=256)
def _holidays(year: int) -> dict[date, str]:
    easter = easter_sunday(year)
    days = {
        # Atw art. 3(1): the algemeen erkende feestdagen.
        date(year, 1, 1): "Nieuwjaarsdag",
        easter + timedelta(days=1): "Tweede Paasdag",
        easter + timedelta(days=39): "Hemelvaartsdag",
        easter + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
        _kings_day(year): "Koningsdag" if year >= 2014 else "Koninginnedag",
        # "de vijfde mei": every year for the Atw, not only in lustrum years.
        date(year, 5, 5): "Bevrijdingsdag",
        # Atw art. 3(2): Goede Vrijdag is gelijkgesteld with the days above.
        easter - timedelta(days=2): "Goede Vrijdag",
        # Sundays anyway; listed so that a calendar view shows them.
        easter: "Eerste Paasdag",
        easter + timedelta(days=49): "Eerste Pinksterdag",
    }
    return days


def dutch_holidays(year: int) -> dict[date, str]:
    """Days that stop a term from ending, with their Dutch names (Atw art. 3(1) and 3(2)).

    Days that the Crown additionally gelijkstelt under art. 3(3) (by Royal Decree, for three
    years at a time, e.g. the Friday after Hemelvaartsdag) are not statutory rules we can
    derive; pass them as `extra` to the functions below.
    """
    return dict(_holidays(year))


def is_working_day(d: date, *, extra: Collection[date] = _NO_EXTRA) -> bool:
    """Not a Saturday, Sunday, feestdag or an extra gelijkgestelde dag."""
    return d.weekday() < 5 and d not in _holidays(d.year) and d not in extra


def next_working_day_on_or_after(d: date, *, extra: Collection[date] = _NO_EXTRA) -> date:
    while not is_working_day(d, extra=extra):
        d += timedelta(days=1)
    return d


def add_term(start: date, *, days: int, extra: Collection[date] = _NO_EXTRA) -> date:
    """The last day of a term of `days` days that starts the day after `start`.

    Applies Atw art. 1 (roll-over to the next working day) and art. 2 (a term of three days
    or more holds at least two working days).
    """
    if days < 0:
        raise ValueError("a term cannot be negative")
    end = next_working_day_on_or_after(start + timedelta(days=days), extra=extra)
    if days >= 3:
        working = 0
        for n in range(1, (end - start).days + 1):  # two are all art. 2 asks for
            if is_working_day(start + timedelta(days=n), extra=extra):
                working += 1
                if working == 2:
                    break
        while working < 2:
            end = next_working_day_on_or_after(end + timedelta(days=1), extra=extra)
            working += 1
    return end


@dataclass(frozen=True)
class Suspension:
    """An opschorting (Awb 4:15): from the day the supplement was requested (`start`) to the
    day the supplement arrived or the supplement term lapsed (`end`); None while running."""

    start: date
    end: date | None = None

    def days(self, as_of: date) -> int:
        """Whole days of suspension counted up to `as_of` (see ClockState.suspended_days)."""
        end = self.end if self.end is not None else as_of
        end = min(end, as_of)
        return max(0, (end - self.start).days)


@dataclass(frozen=True)
class ClockState:
    """The beslistermijn of one case: an immutable value; every operation returns a new one.

    `term_days` is the statutory or verordening term; `extension_days_allowed` the most a
    single verdaging may add. `extra_holidays` are days gelijkgesteld under Atw art. 3(3).
    """

    started_on: date | None
    term_days: int
    extension_days_allowed: int
    extended_days: int = 0
    extended_on: date | None = None
    suspensions: tuple[Suspension, ...] = ()
    stopped_on: date | None = None
    extra_holidays: frozenset[date] = _NO_EXTRA

    @property
    def started(self) -> bool:
        return self.started_on is not None

    @property
    def stopped(self) -> bool:
        return self.stopped_on is not None

    @property
    def suspended(self) -> bool:
        return bool(self.suspensions) and self.suspensions[-1].end is None

    @property
    def extended(self) -> bool:
        return self.extended_on is not None

    def suspended_days(self, as_of: date) -> int:
        """Calendar days the term was suspended, counted up to `as_of`.

        Counting rule (Awb 4:15(1): suspended "met ingang van de dag na die waarop" the
        supplement was requested "tot de dag waarop" it arrived or its term lapsed): a
        suspension from day S to day E adds E - S days. The request day S still counts as a
        running day; the day E on which the supplement arrives does not, just as the day of
        receipt of a request does not count, so the term runs again from E + 1. A request on
        1 March answered on 11 March therefore moves the deadline by 10 days. While the
        suspension runs, it counts up to `as_of`, so the deadline moves a day each day.
        After the clock stopped, nothing is counted beyond the stop day.
        """
        if self.stopped_on is not None:
            as_of = min(as_of, self.stopped_on)
        return sum(s.days(as_of) for s in self.suspensions)

    def deadline(self, as_of: date) -> date | None:
        """The last day on which the decision may be made, as known on `as_of`."""
        if self.started_on is None:
            return None
        total = self.term_days + self.extended_days + self.suspended_days(as_of)
        return add_term(self.started_on, days=total, extra=self.extra_holidays)

    def days_left(self, as_of: date) -> int | None:
        """Calendar days from `as_of` to the deadline; 0 on the last day, negative when late.
        None while the clock has not started or after it stopped."""
        if self.stopped_on is not None:
            return None
        deadline = self.deadline(as_of)
        return None if deadline is None else (deadline - as_of).days

    def is_overdue(self, as_of: date) -> bool:
        """True when the clock runs and `as_of` is after the deadline. A suspended clock is
        never overdue: its deadline moves along with `as_of`."""
        left = self.days_left(as_of)
        return left is not None and left < 0

    @property
    def finished_late(self) -> bool | None:
        """For a stopped clock: whether the decision came after the deadline."""
        if self.stopped_on is None or self.started_on is None:
            return None
        deadline = self.deadline(self.stopped_on)
        return deadline is not None and self.stopped_on > deadline


def _require_running(state: ClockState) -> None:
    if state.started_on is None:
        raise ClockError("the term has not started yet", "De termijn is nog niet gestart.")
    if state.stopped_on is not None:
        raise ClockError("the term has already stopped", "De termijn is al gestopt.")


def _not_before(on: date, earliest: date, what_en: str, what_nl: str) -> None:
    if on < earliest:
        raise ClockError(f"{what_en} cannot be dated before {earliest.isoformat()}",
                         f"{what_nl} kan niet vóór {format_date_nl(earliest)} liggen.")


def start_clock(state: ClockState, on: date) -> ClockState:
    """Start the term on the day of receipt `on` (counting begins the day after)."""
    if state.started_on is not None:
        raise ClockError("the term has already started", "De termijn is al gestart.")
    return replace(state, started_on=on)


def suspend(state: ClockState, on: date) -> ClockState:
    """Suspend on the day the supplement is requested (Awb 4:15(1)(a))."""
    _require_running(state)
    assert state.started_on is not None
    if state.suspended:
        raise ClockError("the term is already suspended", "De termijn is al opgeschort.")
    _not_before(on, state.started_on, "a suspension", "Een opschorting")
    if state.suspensions:
        last_end = state.suspensions[-1].end
        assert last_end is not None
        _not_before(on, last_end, "a suspension", "Een opschorting")
    return replace(state, suspensions=state.suspensions + (Suspension(on),))


def suspension_end(on: date, supplement_term_last_day: date | None) -> date:
    """The day a running suspension ends when it is handled on `on`.

    Awb 4:15(1)(a): the term is suspended until the day the supplement arrived or the term
    set for it lapsed unused, whichever comes first. A scheduled job that notices the lapse
    days later, or an answer that arrives after the term, must not add those days.
    """
    if supplement_term_last_day is None:
        return on
    return min(on, supplement_term_last_day)


def correct_suspensions(state: ClockState,
                        supplement_terms: Mapping[date, date]) -> ClockState:
    """Cap every ended suspension at the last day of its supplement term.

    `supplement_terms` maps a suspension's start day to the last day of the term the
    applicant was given. Used to repair clocks stored before the rule above was applied.
    """
    fixed = []
    for s in state.suspensions:
        last_day = supplement_terms.get(s.start)
        if s.end is not None and last_day is not None and s.end > last_day:
            s = Suspension(s.start, max(s.start, last_day))
        fixed.append(s)
    return replace(state, suspensions=tuple(fixed))


def resume(state: ClockState, on: date) -> ClockState:
    """End the running suspension on the day the supplement arrived or its term lapsed."""
    _require_running(state)
    if not state.suspended:
        raise ClockError("the term is not suspended", "De termijn is niet opgeschort.")
    current = state.suspensions[-1]
    _not_before(on, current.start, "the end of a suspension", "Het einde van een opschorting")
    return replace(state, suspensions=state.suspensions[:-1] + (Suspension(current.start, on),))


def extend(state: ClockState, on: date, days: int | None = None) -> ClockState:
    """Verdaging (Awb 4:14): once, announced on or before the current deadline, by at most
    `extension_days_allowed` days (the default)."""
    _require_running(state)
    if state.extended_on is not None:
        raise ClockError("the decision term has already been extended once; only one extension "
                         "is allowed",
                         "De beslistermijn is al een keer verlengd. Dat kan maar één keer.")
    allowed = state.extension_days_allowed
    if allowed <= 0:
        raise ClockError("this procedure does not allow extending the decision term",
                         "Bij deze procedure kan de beslistermijn niet worden verlengd.")
    if days is None:
        days = allowed
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ClockError("the extension must be a whole number of days of at least 1",
                         "Geef de verlenging op in hele dagen (minstens 1).")
    if days > allowed:
        raise ClockError(f"an extension of {days} days is too long; the maximum is {allowed} days",
                         f"Een verlenging van {days} dagen is te lang. Het maximum is "
                         f"{allowed} dagen.")
    deadline = state.deadline(on)
    assert deadline is not None
    if on > deadline:
        raise ClockError(f"an extension must be announced before the decision term ends; it "
                         f"ended on {deadline.isoformat()}",
                         f"Verlengen moet vóór het einde van de beslistermijn. Die termijn "
                         f"eindigde op {format_date_nl(deadline)}.")
    return replace(state, extended_days=days, extended_on=on)


def stop(state: ClockState, on: date, *, suspended_until: date | None = None) -> ClockState:
    """Stop the clock (decision made, request withdrawn). A running suspension ends too, on
    `suspended_until` when given (see apply_effect), else on the stop day."""
    _require_running(state)
    assert state.started_on is not None
    _not_before(on, state.started_on, "stopping the term", "Het stoppen van de termijn")
    if state.suspended:
        end = on if suspended_until is None else suspended_until
        state = resume(state, max(end, state.suspensions[-1].start))
    return replace(state, stopped_on=on)


def apply_effect(state: ClockState, effect: str, on: date, days: int | None = None, *,
                 supplement_term_last_day: date | None = None) -> ClockState:
    """Dispatch a workflow ClockEffect value ("none|start|suspend|resume|extend|stop").

    `supplement_term_last_day` is the last day of the term the applicant had to supplement
    the request, when the clock is suspended for it: a suspension ends no later than that.
    """
    if state.suspended and str(effect) in ("resume", "stop"):
        end = max(suspension_end(on, supplement_term_last_day), state.suspensions[-1].start)
        if str(effect) == "resume":
            return resume(state, end)
        return stop(state, on, suspended_until=end)
    match str(effect):
        case "none":
            return state
        case "start":
            return start_clock(state, on)
        case "suspend":
            return suspend(state, on)
        case "resume":
            return resume(state, on)
        case "extend":
            return extend(state, on, days)
        case "stop":
            return stop(state, on)
    raise ClockError(f"unknown clock effect {effect!r}", "Onbekende bewerking op de termijn.")
