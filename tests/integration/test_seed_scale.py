"""seed-scale: the seeded data is varied, consistent with the procedures and verifiable."""
from __future__ import annotations

from collections import defaultdict

import pytest
from sqlalchemy import func, select

from participation.devdata import scale
from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import (
    AgendaItem,
    AuditEvent,
    Case,
    Decision,
    Meeting,
    Organisation,
    Signature,
    User,
    Vote,
)
from participation.services.cases import verify_all_chains, workflow_of
from tests.conftest import NOW, _empty_tables


def _seed(cases: int, **options) -> scale.Progress:
    last = None
    for progress in scale.seed_scale(cases=cases, now=NOW, **options):
        db.session.commit()
        last = progress
    assert last is not None and last.done
    return last


@pytest.fixture()
def seeded(app_ctx, tmp_path):
    return _seed(60, organisations=3, seed=7, residents_per_org=300, upload_dir=tmp_path)


def test_every_request_type_and_every_state_is_covered(seeded):
    cases = db.session.scalars(select(Case)).all()
    assert len(cases) == 60
    states: dict[str, set[str]] = defaultdict(set)
    per_type: dict[str, int] = defaultdict(int)
    for case in cases:
        states[case.request_type].add(case.state)
        per_type[case.request_type] += 1
    assert set(per_type) == set(wf.REQUEST_TYPES)
    for request_type in wf.REQUEST_TYPES:
        all_states = {s.name for s in wf.load_preset(request_type).states}
        assert states[request_type] <= all_states
        # Seeding takes every state in turn, so n cases of a type cover min(n, #states) states.
        assert len(states[request_type]) == min(per_type[request_type], len(all_states)), \
            (request_type, sorted(all_states - states[request_type]))


def test_organisations_of_all_tiers_with_residents_and_staff(seeded):
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.id)).all()
    assert {o.tier for o in orgs} == {"gemeente", "provincie", "waterschap"}
    assert [o.slug for o in orgs] == seeded.organisations
    assert all(o.inhabitants and o.tooi_code for o in orgs)
    users = db.session.scalar(select(func.count()).select_from(User))
    assert users >= 3 * 300
    # Staff can log in with the printed password (one hash, reused for everyone).
    from participation.services.accounts import verify_password
    email = seeded.staff_logins[0][0]
    staff = db.session.scalar(select(User).where(User.email == email))
    assert verify_password(staff, scale.SEED_PASSWORD)
    assert staff.roles_in(orgs[0].id)


def test_audit_chains_verify_and_follow_the_workflow(seeded):
    assert verify_all_chains() == {}
    for case in db.session.scalars(select(Case)):
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                    .order_by(AuditEvent.seq)).all()
        definition = workflow_of(case)
        state = definition.initial_state().name
        for event in events:
            transition = definition.transition(event.transition)
            assert state in transition.sources and event.from_state == state
            assert event.to_state == transition.target
            state = event.to_state
        assert state == case.state
        assert case.lock_version == len(events) + 1
        if events:
            assert case.updated_at == events[-1].at


def test_concept_cases_are_private_and_submitted_cases_have_numbers(seeded):
    for case in db.session.scalars(select(Case)):
        initial = workflow_of(case).initial_state().name
        if case.state == initial:
            assert not case.is_public and case.number is None and case.submitted_at is None
        else:
            assert case.is_public and case.number and case.submitted_at is not None
    # Numbers are unique per organisation (the database enforces it too).
    numbers = db.session.execute(select(Case.organisation_id, Case.number)
                                 .where(Case.number.is_not(None))).all()
    assert len(numbers) == len(set(numbers))
    assert all(n.split("-")[0] in ("UD", "BI", "BW") for _, n in numbers)


def test_signature_count_matches_the_signature_rows(seeded):
    counted = dict(db.session.execute(
        select(Signature.case_id, func.count()).group_by(Signature.case_id)).all())
    initiatives = db.session.scalars(
        select(Case).where(Case.request_type == "burgerinitiatief")).all()
    assert any(c.signature_count for c in initiatives)
    for case in initiatives:
        assert case.signature_count == counted.get(case.id, 0)
    others = db.session.scalar(select(func.count()).select_from(Signature).join(Case)
                               .where(Case.request_type != "burgerinitiatief"))
    assert others == 0


def test_decisions_meetings_and_deadlines_are_consistent(seeded):
    decided = db.session.scalars(select(Case).where(Case.decided_at.is_not(None))).all()
    assert decided
    for case in decided:
        assert case.outcome and case.clock_stopped_on is not None and case.deadline is None
    decisions = db.session.scalars(select(Decision)).all()
    assert decisions and any(d.published_at for d in decisions)
    assert all(d.published_at is None or d.published_at <= NOW for d in decisions)
    running = db.session.scalars(select(Case).where(Case.clock_started_on.is_not(None),
                                                    Case.clock_stopped_on.is_(None))).all()
    assert all(c.deadline and c.deadline > c.clock_started_on for c in running)
    assert db.session.scalar(select(func.count()).select_from(Meeting)) > 0
    voted = db.session.scalars(select(AgendaItem).where(AgendaItem.votes_for.is_not(None))).all()
    for item in voted:
        seats = db.session.scalars(select(Vote.seats).where(Vote.agenda_item_id == item.id)).all()
        assert sum(seats) == item.votes_for + item.votes_against
        assert (item.votes_for > item.votes_against) == item.result.startswith("aangenomen")
    assert db.session.scalar(select(func.max(AuditEvent.at))) <= NOW


def test_same_seed_gives_the_same_data(app_ctx):
    def snapshot():
        return db.session.execute(select(Case.title, Case.state, Case.number, Case.deadline,
                                         Case.signature_count).order_by(Case.id)).all()

    _seed(20, organisations=3, seed=11, residents_per_org=300)
    first = snapshot()
    _empty_tables()
    _seed(20, organisations=3, seed=11, residents_per_org=300)
    assert snapshot() == first
    _empty_tables()
    _seed(20, organisations=3, seed=12, residents_per_org=300)
    assert snapshot() != first


def test_a_filled_database_is_refused_unless_appending(app_ctx):
    _seed(20, organisations=3, seed=11, residents_per_org=300)
    with pytest.raises(scale.SeedRefused):
        next(scale.seed_scale(cases=5, now=NOW))
    db.session.rollback()
    _seed(5, organisations=1, seed=3, residents_per_org=300, append=True)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 25
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 4
    assert verify_all_chains() == {}
    pairs = db.session.execute(select(Case.organisation_id, Case.number)
                               .where(Case.number.is_not(None))).all()
    assert len(pairs) == len(set(pairs))


def test_seeded_cases_are_found_by_the_register_search(seeded, client):
    """Bulk-inserted cases bypass the ORM listeners: seeding must fill the search index
    itself, or the benchmark's search would measure an empty result on SQLite."""
    from participation.public import queries

    case = db.session.scalars(select(Case).where(Case.is_public.is_(True), Case.title != "")
                              .order_by(Case.id)).first()
    word = max(case.title.split(), key=len)
    filters, _errors = queries.parse_filters({"q": word})
    found = {row.case.id for row in queries.paged_rows(filters, None, per_page=100).items}
    assert case.id in found
    org = db.session.get(Organisation, case.organisation_id)
    page = client.get(f"/{org.slug}/register?q={word}")
    assert page.status_code == 200 and case.title in page.get_data(as_text=True)
