"""Awb 4:15 with a scheduled job that runs late: the suspension ends on the day the supplement
term lapsed (or the supplement came in), and running cases stored the old way are repaired."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from participation.domain import deadlines
from participation.extensions import db
from participation.models import AuditEvent
from participation.services import cases as service
from participation.services.clock_repair import REPAIR_TRANSITION, repair_suspensions
from participation.services.timers import run_timers
from participation.workbench.queries import case_detail

# Received Thursday 2 April 2026 (eight weeks: 28 May). Supplement asked on 9 April with a
# 14-day term: its last day is 23 April, so the clock is suspended 14 days at most.
RECEIVED = datetime(2026, 4, 2, 10, 0, tzinfo=timezone.utc)
ASKED = RECEIVED + timedelta(days=7)
LAST_DAY = date(2026, 4, 23)
DEADLINE_AFTER_LAPSE = date(2026, 6, 11)  # 28 May + 14 days


def _asked_to_supplement(org, resident, coordinator, title: str):
    case = service.start_case(org, "uitdaagrecht", applicant=resident, title=title, now=RECEIVED)
    service.apply_transition(case, "indienen", actor=resident, now=RECEIVED)
    service.apply_transition(case, "ontvangst_bevestigen", actor=coordinator, now=ASKED)
    service.apply_transition(case, "aanvulling_vragen", actor=coordinator, now=ASKED,
                             inputs={"question": "Stuur de begroting mee.", "term_days": 14})
    db.session.commit()
    return case


@pytest.fixture()
def waiting(org, resident, coordinator):
    """A case waiting for the applicant's supplement."""
    case = _asked_to_supplement(org, resident, coordinator, "Groenbeheer")
    assert case.state_deadline == LAST_DAY
    return case


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc)


def _last_event(case) -> AuditEvent:
    return db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                              .order_by(AuditEvent.seq.desc())).first()


@pytest.mark.parametrize("days_late", [1, 2, 15, 40])
def test_a_late_job_ends_the_suspension_on_the_lapse_day(waiting, days_late):
    run_timers(now=_at(LAST_DAY + timedelta(days=days_late)))
    db.session.commit()
    assert waiting.state == "intake"
    assert waiting.clock_suspensions == [["2026-04-09", "2026-04-23"]]
    assert waiting.deadline == DEADLINE_AFTER_LAPSE
    event = _last_event(waiting)
    assert event.transition == "aanvullingstermijn_verlopen"
    assert event.inputs["suspension_ended_on"] == "2026-04-23"


def test_an_answer_after_the_lapse_does_not_extend_the_suspension(waiting, resident):
    service.apply_transition(waiting, "aanvulling_ontvangen", actor=resident,
                             now=_at(date(2026, 4, 28)), inputs={"answer": "Alsnog de begroting."})
    db.session.commit()
    assert waiting.clock_suspensions == [["2026-04-09", "2026-04-23"]]
    assert waiting.deadline == DEADLINE_AFTER_LAPSE


def test_an_answer_in_time_ends_the_suspension_that_day(waiting, resident):
    service.apply_transition(waiting, "aanvulling_ontvangen", actor=resident,
                             now=_at(date(2026, 4, 19)), inputs={"answer": "De begroting."})
    db.session.commit()
    assert waiting.clock_suspensions == [["2026-04-09", "2026-04-19"]]
    # Ten days: 28 May becomes 7 June, a Sunday, so 8 June.
    assert waiting.deadline == date(2026, 6, 8)
    assert "suspension_ended_on" not in _last_event(waiting).inputs


def _store_the_old_way(case, ended: date) -> None:
    """What the job used to store: the suspension ended on the day it ran."""
    clock = service.clock_of(case)
    clock = deadlines.ClockState(
        started_on=clock.started_on, term_days=clock.term_days,
        extension_days_allowed=clock.extension_days_allowed,
        suspensions=(deadlines.Suspension(clock.suspensions[-1].start, ended),))
    service.store_clock(case, clock, ended)
    db.session.commit()


def test_repair_command_fixes_affected_running_cases_once(app, waiting, org, resident,
                                                          coordinator):
    run_timers(now=_at(date(2026, 5, 8)))
    db.session.commit()
    _store_the_old_way(waiting, date(2026, 5, 8))
    assert waiting.deadline == date(2026, 6, 26)  # fifteen days too late

    in_time = _asked_to_supplement(org, resident, coordinator, "Op tijd")
    service.apply_transition(in_time, "aanvulling_ontvangen", actor=resident,
                             now=_at(date(2026, 4, 19)), inputs={"answer": "Hier."})
    db.session.commit()
    untouched = in_time.deadline

    runner = app.test_cli_runner()
    dry = runner.invoke(args=["deadlines", "repair-suspensions", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2026-06-26 -> 2026-06-11" in dry.output and "1 case(s) would be repaired" in dry.output
    db.session.expire_all()
    assert waiting.deadline == date(2026, 6, 26)

    result = runner.invoke(args=["deadlines", "repair-suspensions"])
    assert result.exit_code == 0, result.output
    assert "1 case(s) repaired" in result.output
    db.session.expire_all()
    assert waiting.deadline == DEADLINE_AFTER_LAPSE
    assert waiting.clock_suspensions == [["2026-04-09", "2026-04-23"]]
    event = _last_event(waiting)
    assert event.transition == REPAIR_TRANSITION and event.actor_id is None
    assert "26 juni 2026" in event.reason and "11 juni 2026" in event.reason
    assert event.inputs["old_deadline"] == "2026-06-26"
    assert event.inputs["new_deadline"] == "2026-06-11"
    assert event.public is False
    assert in_time.deadline == untouched == date(2026, 6, 8)
    assert service.verify_all_chains() == {}

    labels = [e.label for e in case_detail(waiting, today=date(2026, 5, 9)).timeline]
    assert "Beslistermijn hersteld (Awb 4:15)" in labels

    again = runner.invoke(args=["deadlines", "repair-suspensions"])
    assert "0 case(s) repaired" in again.output


def test_repair_leaves_stopped_cases_alone(waiting):
    _store_the_old_way(waiting, date(2026, 5, 8))
    clock = deadlines.stop(service.clock_of(waiting), date(2026, 5, 20))
    service.store_clock(waiting, clock, date(2026, 5, 20))
    db.session.commit()
    assert repair_suspensions(now=_at(date(2026, 5, 21))) == []
