"""The benchmark report: changes from the smallest to the largest size are compared within
one database and one page-cache mode, never across them."""
from __future__ import annotations

from bench.__main__ import Target, markdown, rps_changes


def _run(db: str, size: int, mode: str, rps: float) -> dict:
    return {"db": db, "size": size, "page_cache": mode, "seed_seconds": 1.0, "seed_cached": False,
            "loadavg_before": [0.1], "loadavg_after": [0.2],
            "memory": {"master_mib": 30.0, "workers_mib": [80.0, 82.0], "total_mib": 192.0},
            "targets": {"register": {"status": "ok", "rps": rps, "p50_ms": 1.0, "p95_ms": 2.0,
                                     "p99_ms": 3.0, "non_2xx": 0}}}


def test_changes_are_per_database_and_page_cache_mode():
    runs = [_run("sqlite", 1000, "on", 1000), _run("sqlite", 100000, "on", 900),
            _run("sqlite", 1000, "off", 200), _run("sqlite", 100000, "off", 100)]
    changes = {(c["page_cache"], c["target"]): c["change_pct"] for c in rps_changes(runs)}
    assert changes == {("on", "register"): -10.0, ("off", "register"): -50.0}


def test_the_report_names_the_page_cache_mode_of_every_row():
    runs = [_run("postgresql", 1000, "on", 1000), _run("postgresql", 1000, "off", 200)]
    results = {"machine": {"cpu_model": "cpu", "cpu_count": 2, "uname": "x", "python": "3.11",
                           "sqlite": "3", "gunicorn": "23", "wrk": "wrk 4"},
               "settings": {"threads": 1, "connections": 8, "duration": 5, "warmup": 1},
               "runs": runs, "rps_changes": rps_changes(runs)}
    table = markdown(results)
    assert "| postgresql | 1,000 | on | register | 1,000 |" in table
    assert "| postgresql | 1,000 | off | register | 200 |" in table
    assert "192 MiB (30 + 80 + 82)" in table


def test_the_deep_page_is_filled_in_per_size():
    deep = Target("register deep page", "/{org}/register?page={deep}")
    assert deep.url_path("rijnstad", 5, 6) == "/rijnstad/register?page=6"


def test_the_report_has_a_lighthouse_row_per_page():
    run = _run("sqlite", 1000, "on", 1000)
    run["lighthouse"] = {"register": {"performance": 100, "accessibility": 100,
                                      "first_contentful_paint_ms": 921,
                                      "largest_contentful_paint_ms": 1296,
                                      "total_blocking_time_ms": 0, "final_path": "/r/register"}}
    results = {"machine": {"cpu_model": "cpu", "cpu_count": 2, "uname": "x", "python": "3.11",
                           "sqlite": "3", "gunicorn": "23", "wrk": "wrk 4"},
               "settings": {"threads": 1, "connections": 8, "duration": 5, "warmup": 1},
               "runs": [run], "rps_changes": []}
    assert "| sqlite | register | 100 | 100 | 921 ms | 1296 ms | 0 ms |" in markdown(results)
