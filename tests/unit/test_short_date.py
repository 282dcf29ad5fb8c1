"""Dates on pages are Dutch calendar days: `local_date` and `short_date` (Babel's d-M-yyyy)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import format_date


def test_short_date_equals_babel_for_dates_and_utc_datetimes(app):
    short = app.jinja_env.filters["short_date"]
    start = datetime(2025, 1, 1, 0, 30, tzinfo=UTC)
    with app.test_request_context("/"):
        for hours in range(0, 24 * 400, 7):  # both DST changes, every hour of the day
            moment = start + timedelta(hours=hours)
            assert short(moment) == format_date(moment, "d-M-yyyy"), moment
            assert short(moment.date()) == format_date(moment.date(), "d-M-yyyy")


def test_late_evening_utc_is_the_next_day_in_the_netherlands(app):
    short = app.jinja_env.filters["short_date"]
    assert short(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "1-1-2026"
    assert short(datetime(2025, 12, 31, 23, 30)) == "1-1-2026"  # naive means UTC, as in Babel
    assert short(date(2025, 3, 9)) == "9-3-2025"
    assert short(None) == ""


def test_local_date_is_the_dutch_calendar_day(app):
    local = app.jinja_env.filters["local_date"]
    assert local(datetime(2026, 11, 21, 23, 30, tzinfo=UTC)) == date(2026, 11, 22)  # CET
    assert local(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == date(2026, 7, 1)  # CEST
    assert local(datetime(2026, 6, 30, 21, 30, tzinfo=UTC)) == date(2026, 6, 30)
    assert local(date(2026, 3, 9)) == date(2026, 3, 9)
