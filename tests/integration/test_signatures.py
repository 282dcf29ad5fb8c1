"""Signatures against a real database: the unique constraint, the counter kept in SQL, and
ten people signing at the same moment (SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import Case, Signature, User
from participation.models._types import utcnow
from participation.services import initiatives as service
from participation.services import organisations

DRAFT = service.InitiativeDraft(
    title="Een speeltuin aan de Dorpsstraat", summary="Een speeltuin voor kinderen tot 12.",
    proposal="De raad besluit een speeltuin aan te leggen.", motivation="Er is er nu geen.",
    deputy_name="Tim Tweede", deputy_email="tim@example.nl", not_excluded=True)


@pytest.fixture()
def org(create_org):
    org = create_org(inhabitants=1000)
    source = wf.preset_path("burgerinitiatief").read_text("utf-8")
    organisations.add_workflow_version(org, "burgerinitiatief",
                                       source.replace("min_absolute = 100", "min_absolute = 10", 1))
    db.session.commit()
    return org


@pytest.fixture()
def initiator(create_user):
    return create_user(name="Ilse Initiatief")


@pytest.fixture()
def initiative(org, initiator) -> Case:
    case = service.create_initiative(org, applicant=initiator, draft=DRAFT, now=utcnow())
    service.start_collecting(case, actor=initiator, now=utcnow())
    db.session.commit()
    return case


@pytest.fixture()
def adults(create_user):
    def make(count: int) -> list[User]:
        users = [create_user() for _ in range(count)]
        for user in users:
            user.birth_date = date(1970, 1, 1)
        db.session.commit()
        return users

    return make


def test_the_database_refuses_a_second_signature_of_the_same_user(initiative, adults):
    (user,) = adults(1)
    db.session.add(Signature(case_id=initiative.id, user_id=user.id, created_at=utcnow()))
    db.session.commit()
    db.session.add(Signature(case_id=initiative.id, user_id=user.id, created_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.query(Signature).filter_by(case_id=initiative.id).count() == 1


def test_sign_and_withdraw_keep_the_counter_in_step(initiative, adults):
    first, second = adults(2)
    service.sign_initiative(initiative, first, now=utcnow())
    service.sign_initiative(initiative, second, now=utcnow())
    db.session.commit()
    assert initiative.signature_count == 2
    with pytest.raises(service.InitiativeError, match="al ondertekend"):
        service.sign_initiative(initiative, first, now=utcnow())
    db.session.rollback()
    service.withdraw_signature(initiative, first, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(Case, initiative.id)
    assert case.signature_count == 1
    assert db.session.scalars(select(Signature.user_id).where(
        Signature.case_id == case.id)).all() == [second.id]


def test_counting_does_not_touch_the_case_version(initiative, adults):
    """A signature must not make the initiator's open page stale (no Conflict on submit)."""
    version = initiative.lock_version
    for user in adults(3):
        service.sign_initiative(initiative, user, now=utcnow())
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, initiative.id).lock_version == version


def test_unconfirmed_account_cannot_sign(initiative, create_user):
    user = create_user(verified=False)
    user.birth_date = date(1970, 1, 1)
    with pytest.raises(service.InitiativeError, match="Bevestig eerst uw e-mailadres"):
        service.sign_initiative(initiative, user, now=utcnow())


def test_submission_needs_the_threshold(initiative, initiator, adults):
    users = adults(10)
    for user in users[:9]:
        service.sign_initiative(initiative, user, now=utcnow())
    db.session.commit()
    with pytest.raises(service.InitiativeError, match="9 van de 10"):
        service.submit_initiative(initiative, actor=initiator, now=utcnow())
    db.session.rollback()
    service.sign_initiative(initiative, users[9], now=utcnow())
    outcome = service.submit_initiative(initiative, actor=initiator, now=utcnow())
    db.session.commit()
    assert outcome.case.state == "ingediend" and outcome.case.signature_count == 10


def test_ten_people_signing_at_once_are_all_counted(app, initiative, adults):
    """Each thread has its own app context and session; they sign at the same moment."""
    case_id = initiative.id
    user_ids = [user.id for user in adults(10)]
    db.session.commit()
    barrier = threading.Barrier(len(user_ids))
    results: list[str] = []

    def attempt(user_id: int) -> None:
        with app.app_context():
            try:
                case = db.session.get(Case, case_id)
                user = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                service.sign_initiative(case, user, now=utcnow())
                db.session.commit()
                results.append("ok")
            except Exception as exc:  # noqa: BLE001  (surfaced in the assertion below)
                db.session.rollback()
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(user_id,)) for user_id in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert results == ["ok"] * 10, results
    db.session.expire_all()
    assert db.session.get(Case, case_id).signature_count == 10
    assert db.session.query(Signature).filter_by(case_id=case_id).count() == 10


def test_the_same_person_signing_twice_at_once_counts_once(app, initiative, adults):
    (user,) = adults(1)
    case_id, user_id = initiative.id, user.id
    barrier = threading.Barrier(2)
    results: list[str] = []

    def attempt() -> None:
        with app.app_context():
            try:
                case = db.session.get(Case, case_id)
                signer = db.session.get(User, user_id)
                barrier.wait(timeout=30)
                service.sign_initiative(case, signer, now=utcnow())
                db.session.commit()
                results.append("ok")
            except service.InitiativeError as exc:
                db.session.rollback()
                results.append(exc.message_nl)
            except Exception as exc:  # noqa: BLE001  (surfaced in the assertion below)
                db.session.rollback()
                results.append(f"error: {exc!r}")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == ["U heeft dit initiatief al ondertekend.", "ok"], results
    db.session.expire_all()
    assert db.session.get(Case, case_id).signature_count == 1
