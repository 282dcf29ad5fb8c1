"""The receipt (Awb 4:3a) is mailed on submission unless the procedure says otherwise
(`ontvangstbevestiging = "handmatig"` in its settings: the step "ontvangst bevestigen" then
tells the applicant)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from participation.domain import workflow as wf
from participation.extensions import db
from participation.models import OutboxMessage
from participation.services import admin as admin_service
from participation.services import cases as case_service
from participation.services import challenges

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.mark.parametrize(("setting", "mailed"), [("bij_indiening", True), ("handmatig", False)])
def test_the_receipt_follows_the_procedure(org, resident, coordinator, setting, mailed):
    source = wf.preset_path("uitdaagrecht").read_text(encoding="utf-8").replace(
        'ontvangstbevestiging = "bij_indiening"', f'ontvangstbevestiging = "{setting}"')
    admin_service.add_procedure_version(org, "uitdaagrecht", source, actor=coordinator)
    case = case_service.start_case(org, "uitdaagrecht", applicant=resident, title="Groen",
                                   data={}, now=NOW)
    challenges.submit_challenge(case, actor=resident, now=NOW)
    db.session.commit()
    receipts = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == resident.email,
        OutboxMessage.subject.startswith("Ontvangstbevestiging"))).all()
    assert bool(receipts) is mailed
    if not mailed:  # the step tells the applicant instead
        case_service.apply_transition(case, "ontvangst_bevestigen", actor=coordinator, now=NOW)
        db.session.commit()
        assert db.session.scalar(select(OutboxMessage).where(
            OutboxMessage.recipient == resident.email,
            OutboxMessage.subject.contains("Ontvangst bevestigd"))) is not None
