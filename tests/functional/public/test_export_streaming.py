"""The CSV register export streams (issue 16): rows leave the server as they are read from a
server-side cursor, a batch of cases and their decisions at a time, so an export of every
case keeps memory flat (measured in `make bench`); the file is the same as when it was built
whole."""
from __future__ import annotations

import csv
import io

from participation.public import queries
from tests.functional.public.conftest import count_statements


def test_the_export_streams_in_batches_and_holds_every_case(client, app, create_org, make_case,
                                                            make_decision, monkeypatch):
    org = create_org(slug="utrecht", name="Gemeente Utrecht")
    cases = [make_case(org, title=f"Verzoek {i}", state="afgewezen" if i % 2 else None,
                       outcome="afgewezen" if i % 2 else "") for i in range(10)]
    for case in cases[1::2]:
        make_decision(case, refusal_grounds=["R4", "R1"])
    real = queries.export_rows
    monkeypatch.setattr(queries, "export_rows", lambda *a, **k: real(*a, **{**k, "batch": 3}))
    monkeypatch.setitem(app.config, "PAGE_CACHE_SECONDS", 0)

    with count_statements() as seen:
        response = client.get("/open-data/utrecht/verzoeken.csv", buffered=False)
        assert response.is_streamed
        body = response.get_data(as_text=True)
        response.close()
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 10
    assert sorted(r["weigeringsgronden"] for r in rows) == ["", "", "", "", "",
                                                           "R1;R4", "R1;R4", "R1;R4", "R1;R4",
                                                           "R1;R4"]
    # One statement per batch of three for the decisions, besides the cases' cursor.
    decision_reads = [s for s in seen if "FROM decisions" in s and "published_at IS NOT NULL" in s
                      and " IN " in s]
    assert len(decision_reads) == 4, seen
