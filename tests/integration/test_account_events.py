"""Account events: the owner's history of their account, in the export, gone with the account."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from participation.extensions import db
from participation.models import AccountEvent
from participation.services import privacy
from participation.services.account_events import events_for, record_account_event

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def test_events_come_back_newest_first_and_only_the_users_own(create_user):
    resident, other = create_user(), create_user()
    record_account_event(resident, "login", NOW, detail={"method": "password"})
    record_account_event(resident, "logout", NOW + timedelta(minutes=5))
    record_account_event(other, "login", NOW, detail={"method": "digid"})
    db.session.commit()

    events = events_for(resident)
    assert [(e.kind, e.detail) for e in events] == [("logout", {}), ("login", {"method": "password"})]
    assert events[0].created_at == NOW + timedelta(minutes=5)
    assert len(events_for(resident, limit=1)) == 1


@pytest.mark.parametrize("detail", [
    {"bsn": "x"}, {"password": "geheim"}, {"client_secret": "s"}, {"id_token": "t"},
    {"code": "123456"}, {"recovery_code": "abcde-fghij"},
    {"subject": "111222333"},          # a BSN under another name (passes the elfproef)
    {"method": "x" * 201}, {"nested": {"a": 1}},
])
def test_a_detail_never_holds_secrets_or_a_bsn(create_user, detail):
    with pytest.raises(ValueError):
        record_account_event(create_user(), "login", NOW, detail=detail)


def test_roles_and_levels_may_be_in_the_detail(create_user):
    user = create_user()
    event = record_account_event(user, "roles_changed_by_sso", NOW,
                                 detail={"added": ["admin"], "removed": [], "kvk": "12345678"})
    db.session.commit()
    assert db.session.get(AccountEvent, event.id).detail["added"] == ["admin"]


def test_export_holds_the_events_and_deleting_the_account_removes_them(create_user):
    resident = create_user()
    record_account_event(resident, "login", NOW, detail={"method": "password"})
    db.session.commit()
    exported = privacy.export_user_data(resident)["account_events"]
    assert exported == [{"kind": "login", "detail": {"method": "password"}, "created_at": NOW}]

    privacy.delete_account(resident, now=NOW)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AccountEvent)) == 0
