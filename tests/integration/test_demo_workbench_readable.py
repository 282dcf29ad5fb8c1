"""Every workbench page of the demo data (the work queue and each case in it, at whatever
stage the demo left it), as the coordinator reads them, in Dutch and English:
no ISO timestamp, date in digits, dot-decimal amount, user id or role code (issue 19.4)."""
from __future__ import annotations

import html
import re

from participation.devdata.demo import DEMO_PASSWORD, ensure_demo_data
from participation.extensions import db
from tests.functional.workbench.test_readable_values import assert_readable, visible


def test_every_demo_case_page_reads_as_a_person_reads_it(app, app_ctx, client):
    ensure_demo_data()
    db.session.commit()
    from participation.services.accounts import find_user_by_email
    from tests.second_factor import log_in_with_form

    response = log_in_with_form(client, find_user_by_email("coordinator@zonnedal.example"),
                                DEMO_PASSWORD)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]
    queue = client.get("/zonnedal/werkbak/").get_data(as_text=True)
    cases = sorted(set(re.findall(r'href="(/zonnedal/werkbak/zaken/\d+)"', queue)))
    assert len(cases) >= 3
    for language in ("nl", "en"):
        client.get(f"/lang/{language}")
        for path in cases:
            page = client.get(path)
            assert page.status_code == 200, path
            text = visible(html.unescape(page.get_data(as_text=True)))
            assert_readable(text, f"{path} ({language})", dutch=language == "nl")
