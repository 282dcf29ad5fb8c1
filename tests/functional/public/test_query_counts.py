"""Query discipline (issue 7): the public pages run the same, small number of statements
for 10 and for 1,000 cases."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import NOW
from tests.functional.public.conftest import count_statements

MAX_STATEMENTS = 6


def seed(org, make_case, make_decision, add_event, n: int):
    cases = []
    for i in range(n):
        kind = ("uitdaagrecht", "burgerinitiatief", "bewonersinitiatief")[i % 3]
        decided = i % 4 == 0 and kind != "burgerinitiatief"
        case = make_case(org, request_type=kind, title=f"Speeltuin {i}", summary="Een plan",
                         state={"uitdaagrecht": "afgewezen", "bewonersinitiatief": "verleend"}[kind]
                         if decided else None,
                         outcome=("afgewezen" if kind == "uitdaagrecht" else "toegekend") if decided else "",
                         decided_at=NOW if decided else None, signature_count=i,
                         submitted_at=datetime(2025 + i % 2, 1, 1, tzinfo=UTC) + timedelta(days=i),
                         clock_started_on=NOW.date() - timedelta(days=30), clock_term_days=56,
                         commit=False)
        cases.append(case)
    from participation.extensions import db

    db.session.commit()
    for case in cases[:3]:
        make_decision(case, refusal_grounds=["R1"])
        add_event(case, to_state=case.state, label_nl="Stap")
    return cases


@pytest.fixture(autouse=True)
def render_every_time(app, monkeypatch):
    """The statements of a real render: with the page cache, a repeated anonymous visit would
    only read the change marker (test_page_cache.py holds that)."""
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)


def statements_for(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm up (templates, connection)
    with count_statements() as seen:
        assert client.get(url).status_code == 200
    return len(seen)


@pytest.mark.parametrize("path", ["/utrecht/register", "/register", "/utrecht/register?q=speeltuin&year=2025",
                                  "/utrecht/register?outcome=afgewezen", "CASE",
                                  "/utrecht/statistieken", "/statistieken"])
def test_same_statement_count_for_10_and_1000_cases(client, create_org, make_case, make_decision,
                                                   add_event, path):
    counts = []
    for n in (10, 1000):
        org = create_org(slug=f"utrecht{n}")
        cases = seed(org, make_case, make_decision, add_event, n)
        url = (f"/{org.slug}/register/{cases[0].id}" if path == "CASE"
               else path.replace("/utrecht/", f"/{org.slug}/"))
        counts.append(statements_for(client, url))
    assert counts[0] == counts[1], counts
    assert counts[1] <= MAX_STATEMENTS, counts
