"""apply_transition against a real database: state, clock, audit chain, notifications,
and optimistic concurrency (two writers, exactly one wins)."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from participation.domain import audit as audit_chain
from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import AuditEvent, Case, Notification, OutboxMessage
from participation.services import cases as service
from participation.services.timers import run_timers

# Thursday 2 April 2026: eight weeks later is Thursday 28 May 2026, a working day.
RECEIVED = datetime(2026, 4, 2, 10, 0, tzinfo=timezone.utc)


@pytest.fixture()
def submitted(org, resident):
    case = service.start_case(org, "uitdaagrecht", applicant=resident, title="Groenbeheer Parkwijk",
                              now=RECEIVED)
    service.apply_transition(case, "indienen", actor=resident, now=RECEIVED)
    db.session.commit()
    return case


def test_submission_starts_the_clock_and_numbers_the_case(submitted):
    assert submitted.state == "ingediend"
    assert submitted.number == "UD-2026-00001"
    assert submitted.clock_started_on == date(2026, 4, 2)
    assert submitted.deadline == date(2026, 5, 28)
    assert submitted.is_public and submitted.submitted_at == RECEIVED


def test_a_request_received_after_midnight_dutch_time_counts_from_that_day(org, resident):
    """Received at 00:30 on 3 April in the Netherlands (22:30 UTC on 2 April, summer time):
    the day of receipt is 3 April, so the eight weeks end one day later than for 2 April."""
    late = datetime(2026, 4, 2, 22, 30, tzinfo=timezone.utc)
    case = service.start_case(org, "uitdaagrecht", applicant=resident, title="Laat", now=late)
    service.apply_transition(case, "indienen", actor=resident, now=late)
    db.session.commit()
    assert case.clock_started_on == date(2026, 4, 3)
    assert case.deadline == date(2026, 5, 29)


def test_information_request_suspends_and_answer_resumes(submitted, coordinator, resident):
    day = RECEIVED + timedelta(days=7)
    service.apply_transition(submitted, "ontvangst_bevestigen", actor=coordinator, now=day)
    service.apply_transition(submitted, "aanvulling_vragen", actor=coordinator, now=day,
                             inputs={"question": "Stuur de begroting mee.", "term_days": 14})
    db.session.commit()
    assert submitted.state == "aanvulling_gevraagd"
    assert service.clock_of(submitted).suspended
    assert submitted.state_deadline == date(2026, 4, 23)
    # The applicant is told, in the app and by email.
    assert db.session.scalar(select(Notification).where(Notification.user_id == resident.id))
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == resident.email)).all()
    assert any("Stuur de begroting mee." in m.body for m in mail)

    answered = day + timedelta(days=10)
    service.apply_transition(submitted, "aanvulling_ontvangen", actor=resident, now=answered,
                             inputs={"answer": "Hierbij de begroting."})
    db.session.commit()
    assert submitted.state == "intake" and not service.clock_of(submitted).suspended
    # Ten days suspended: the decision date moves from 28 May to 7 June (a Sunday) → 8 June.
    assert submitted.deadline == date(2026, 6, 8)


def test_wrong_role_and_missing_inputs_are_refused(submitted, resident, coordinator):
    with pytest.raises(wf.TransitionNotAllowed):
        service.apply_transition(submitted, "ontvangst_bevestigen", actor=resident, now=RECEIVED)
    db.session.rollback()
    service.apply_transition(submitted, "ontvangst_bevestigen", actor=coordinator, now=RECEIVED)
    with pytest.raises(wf.MissingInputs) as excinfo:
        service.apply_transition(submitted, "aanvulling_vragen", actor=coordinator, now=RECEIVED,
                                 inputs={"question": ""})
    assert "question" in excinfo.value.errors


def test_stale_version_is_a_conflict(submitted, coordinator):
    seen = submitted.lock_version
    service.apply_transition(submitted, "ontvangst_bevestigen", actor=coordinator, now=RECEIVED)
    db.session.commit()
    with pytest.raises(service.Conflict):
        service.apply_transition(submitted, "in_behandeling_nemen", actor=coordinator, now=RECEIVED,
                                 expected_version=seen)


def test_audit_chain_records_everything_and_detects_tampering(submitted, coordinator):
    service.apply_transition(submitted, "ontvangst_bevestigen", actor=coordinator, now=RECEIVED)
    service.apply_transition(submitted, "in_behandeling_nemen", actor=coordinator, now=RECEIVED)
    db.session.commit()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == submitted.id)
                                .order_by(AuditEvent.seq)).all()
    assert [(e.from_state, e.to_state) for e in events] == [
        ("concept", "ingediend"), ("ingediend", "intake"), ("intake", "in_behandeling")]
    assert events[1].actor_id == coordinator.id and events[1].actor_role == "coordinator"
    assert events[0].prev_hash == audit_chain.GENESIS and events[1].prev_hash == events[0].hash
    assert service.verify_all_chains() == {}

    events[1].reason = "rewritten afterwards"
    db.session.commit()
    broken = service.verify_all_chains()
    assert list(broken) == [submitted.id]


def test_timers_fire_lapse_transition_once(submitted, coordinator):
    service.apply_transition(submitted, "ontvangst_bevestigen", actor=coordinator, now=RECEIVED)
    service.apply_transition(submitted, "aanvulling_vragen", actor=coordinator, now=RECEIVED,
                             inputs={"question": "Welke verzekering heeft u?", "term_days": 14})
    db.session.commit()
    later = RECEIVED + timedelta(days=30)
    first = run_timers(now=later)
    db.session.commit()
    second = run_timers(now=later)
    db.session.commit()
    assert first.automatic == 1 and second.automatic == 0
    assert submitted.state == "intake"
    last = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == submitted.id)
                              .order_by(AuditEvent.seq.desc())).first()
    assert last.transition == "aanvullingstermijn_verlopen" and last.actor_id is None


def test_overdue_case_notifies_coordinator_once(submitted, coordinator):
    service.apply_transition(submitted, "ontvangst_bevestigen", actor=coordinator, now=RECEIVED)
    db.session.commit()
    late = datetime(2026, 6, 1, 6, 0, tzinfo=timezone.utc)
    assert run_timers(now=late).overdue == 1
    db.session.commit()
    assert run_timers(now=late).overdue == 0
    subjects = db.session.scalars(select(OutboxMessage.subject).where(
        OutboxMessage.recipient == coordinator.email)).all()
    assert sum("beslistermijn is verstreken" in s for s in subjects) == 1


def test_new_procedure_version_applies_to_new_cases_only(org, resident, submitted):
    from participation.services import organisations

    source = wf.preset_path("uitdaagrecht").read_text("utf-8").replace("days = 56", "days = 70", 1)
    version = organisations.add_workflow_version(org, "uitdaagrecht", source)
    db.session.commit()
    newer = service.start_case(org, "uitdaagrecht", applicant=resident, now=RECEIVED)
    db.session.commit()
    assert version.version == 2
    assert newer.workflow_version_id == version.id
    assert submitted.workflow_version.version == 1


def test_two_concurrent_transitions_exactly_one_wins(app, submitted, coordinator):
    """Each thread loads the case in its own session, waits at the barrier, then moves it."""
    case_id, coordinator_id = submitted.id, coordinator.id
    db.session.commit()
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt(transition: str) -> None:
        with app.app_context():
            from participation.models import User

            case = db.session.get(Case, case_id)
            actor = db.session.get(User, coordinator_id)
            version = case.lock_version
            barrier.wait()
            try:
                service.apply_transition(case, transition, actor=actor, now=RECEIVED,
                                         expected_version=version)
                db.session.commit()
                results.append("ok")
            except service.Conflict:
                db.session.rollback()
                results.append("conflict")
            except Exception as exc:  # surfaced in the assertion below
                db.session.rollback()
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=("ontvangst_bevestigen",)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["conflict", "ok"], results
    db.session.expire_all()
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)).all()
    assert len(events) == 2
    assert service.verify_all_chains() == {}


def test_two_timer_runners_at_once_fire_each_lapse_once(app, create_org, create_user):
    """`deadlines run` from two cron hosts at the same minute: every lapse fires once."""
    org, coordinator = create_org(), None
    coordinator = create_user(org=org, role="coordinator")
    resident = create_user()
    case_ids = []
    for n in range(6):
        case = service.start_case(org, "uitdaagrecht", applicant=resident, title=f"Zaak {n}",
                                  now=RECEIVED)
        service.apply_transition(case, "indienen", actor=resident, now=RECEIVED)
        service.apply_transition(case, "ontvangst_bevestigen", actor=coordinator, now=RECEIVED)
        service.apply_transition(case, "aanvulling_vragen", actor=coordinator, now=RECEIVED,
                                 inputs={"question": "Stuur de offerte.", "term_days": 14})
        case_ids.append(case.id)
    db.session.commit()

    later = RECEIVED + timedelta(days=30)
    barrier = threading.Barrier(2)
    fired: list[int] = []
    errors: list[str] = []

    def runner() -> None:
        with app.app_context():
            barrier.wait()
            try:
                report = run_timers(now=later)
                db.session.commit()
                fired.append(report.automatic)
            except Exception as exc:  # surfaced below
                db.session.rollback()
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    lapses = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.transition == "aanvullingstermijn_verlopen"))
    # A runner that lost a race may report an error for SQLite's single writer; nothing is
    # ever applied twice, and a later run picks up what was left.
    if lapses < len(case_ids):
        with app.app_context():
            run_timers(now=later)
            db.session.commit()
        db.session.expire_all()
        lapses = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.transition == "aanvullingstermijn_verlopen"))
    assert lapses == len(case_ids), (fired, errors)
    assert all(db.session.get(Case, cid).state == "intake" for cid in case_ids)
    assert service.verify_all_chains() == {}
