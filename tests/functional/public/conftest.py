"""Factories for the public transparency tests: cases, decisions, meetings."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from participation.extensions import db
from participation.models import AgendaItem, AuditEvent, Case, Decision, Meeting, Vote
from participation.services import cases as case_service
from tests.conftest import NOW

PREFIX = {"uitdaagrecht": "UD", "burgerinitiatief": "BI", "bewonersinitiatief": "BW"}
FIRST_PUBLIC_STATE = {"uitdaagrecht": "intake", "burgerinitiatief": "steun_verzamelen",
                      "bewonersinitiatief": "beoordeling"}
SECRET_NAME = "Jozefien Geheimnaam"


@pytest.fixture()
def make_case(app_ctx) -> Callable[..., Case]:
    counter = itertools.count(1)

    def factory(org, *, request_type: str = "uitdaagrecht", title: str = "Een verzoek",
                summary: str = "", state: str | None = None, public: bool = True,
                submitted_at: datetime | None = NOW, applicant=None, data: dict | None = None,
                outcome: str = "", decided_at: datetime | None = None, signature_count: int = 0,
                commit: bool = True, **fields: Any) -> Case:
        n = next(counter)
        case = case_service.start_case(org, request_type, applicant=applicant, title=title,
                                       data=data or {}, now=NOW)
        case.summary = summary
        case.signature_count = signature_count
        if public:
            case.state = state or FIRST_PUBLIC_STATE[request_type]
            case.is_public = True
            case.submitted_at = submitted_at
            year = (submitted_at or NOW).year
            case.number = f"{PREFIX[request_type]}-{year}-{n:05d}"
        case.outcome = outcome
        case.decided_at = decided_at
        for key, value in fields.items():
            setattr(case, key, value)
        if commit:
            db.session.commit()
        return case

    return factory


@pytest.fixture()
def make_decision(app_ctx) -> Callable[..., Decision]:
    def factory(case: Case, *, outcome: str = "afgewezen", published: bool = True,
                refusal_grounds: list[str] | None = None, decided_on: date | None = None,
                reasons: str = "Het plan kost meer dan de gemeente nu uitgeeft.",
                deciding_body: str = "college", **fields: Any) -> Decision:
        decision = Decision(case_id=case.id, deciding_body=deciding_body,
                            decided_on=decided_on or NOW.date(), outcome=outcome, reasons=reasons,
                            refusal_grounds=refusal_grounds or [],
                            legal_remedies="U kunt binnen zes weken bezwaar maken bij het college.",
                            decision_number=f"B-{case.id}",
                            published_at=NOW + timedelta(hours=case.id) if published else None,
                            **fields)
        db.session.add(decision)
        db.session.commit()
        return decision

    return factory


@pytest.fixture()
def make_meeting(app_ctx) -> Callable[..., Meeting]:
    def factory(org, *, title: str = "Raadsvergadering maart", status: str = "gepland",
                starts_at: datetime | None = None, items: list[dict[str, Any]] | None = None,
                meeting_type: str = "raadsvergadering", location: str = "Raadzaal") -> Meeting:
        meeting = Meeting(organisation_id=org.id, meeting_type=meeting_type, title=title,
                          starts_at=starts_at or NOW + timedelta(days=7), location=location,
                          status=status, updated_at=NOW)
        db.session.add(meeting)
        db.session.flush()
        for position, spec in enumerate(items or [], start=1):
            votes = spec.pop("votes", [])
            item = AgendaItem(meeting_id=meeting.id, position=position, updated_at=NOW, **spec)
            db.session.add(item)
            db.session.flush()
            for party, choice in votes:
                db.session.add(Vote(agenda_item_id=item.id, party=party, choice=choice))
        db.session.commit()
        return meeting

    return factory


@pytest.fixture()
def add_event(app_ctx) -> Callable[..., AuditEvent]:
    """A public (or internal) timeline entry written straight to the chain's table."""
    counter = itertools.count(1)

    def factory(case: Case, *, to_state: str, public: bool = True, label_nl: str = "",
                reason: str = "", at: datetime | None = None) -> AuditEvent:
        seq = next(counter)
        event_ = AuditEvent(case_id=case.id, seq=seq, at=at or NOW, actor_role="coordinator",
                            transition="test", from_state=case.state, to_state=to_state,
                            reason=reason, inputs={}, public=public, public_label_nl=label_nl,
                            public_label_en="", prev_hash="0" * 64, hash=f"{seq:064d}")
        db.session.add(event_)
        db.session.commit()
        return event_

    return factory


@contextmanager
def count_statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", before)



def oas_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schemas say `nullable: true`; JSON Schema says "or null"."""
    if isinstance(node, list):
        return [oas_to_jsonschema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: oas_to_jsonschema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted
