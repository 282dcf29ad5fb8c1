"""Two saves of one draft at once (two tabs, a double click, autosave racing the button): the
second does not fail, it merges into the newer draft; nothing either save wrote is lost."""
from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from participation.extensions import db
from participation.models import Case
from participation.services import cases as case_service
from participation.services import challenges

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


def test_a_save_that_lost_the_race_merges_into_the_newer_draft(org, resident):
    case = case_service.start_case(org, "uitdaagrecht", applicant=resident, title="",
                                   data={"naam_initiatief": "Groen"}, now=NOW)
    db.session.commit()
    version = case.lock_version
    # The other tab (its own session) saves first: a new version with its own field.
    with Session(db.engine) as other_tab:
        theirs = other_tab.get(Case, case.id)
        theirs.data = {**theirs.data, "wijk": "Zuid"}
        other_tab.commit()
    assert case.lock_version == version  # this request still holds the old version
    challenges.save_draft(case, {"naam_initiatief": "Groen Plantsoen Zuid"}, now=NOW)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Case, case.id)
    assert stored.data == {"naam_initiatief": "Groen Plantsoen Zuid", "wijk": "Zuid"}
    assert stored.title == "Groen Plantsoen Zuid" and stored.lock_version == version + 2
