"""Cached figures (issue 7): the statistics page and the register's filter options are
computed once and reused, but a change to a case shows at once, and the page says when the
figures were computed."""
from __future__ import annotations

from datetime import timedelta

from participation.extensions import db
from tests.conftest import NOW


def test_statistics_are_reused_until_a_case_changes(client, create_org, make_case):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    make_case(org, title="Eerste")
    html = client.get("/utrecht/statistieken").get_data(as_text=True)
    assert "In totaal 1 openbare zaak." in html
    assert "Cijfers van " in html

    hidden = make_case(org, title="Tweede", public=False)
    assert "In totaal 1 openbare zaak." in client.get("/utrecht/statistieken").get_data(as_text=True)
    hidden.is_public = True  # as a transition to a public state does
    db.session.commit()
    assert "In totaal 2 openbare zaken." in client.get("/utrecht/statistieken").get_data(as_text=True)


def test_register_filter_options_follow_a_new_state(client, create_org, make_case):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    make_case(org, title="Eerste", submitted_at=NOW - timedelta(days=400))
    html = client.get("/utrecht/register").get_data(as_text=True)
    assert f'value="{NOW.year - 1}"' in html and f'value="{NOW.year}"' not in html
    make_case(org, title="Tweede", submitted_at=NOW)
    html = client.get("/utrecht/register").get_data(as_text=True)
    assert f'value="{NOW.year}"' in html
