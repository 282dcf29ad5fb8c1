"""The council's monitor: /<org>/monitor (page, print version, CSV) and /monitor (every
organisation side by side). Public, read-only, cached like the statistics."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import g, render_template, request
from flask_babel import format_time

from participation.domain import monitor as figures
from participation.domain.deadlines import dutch_date
from participation.htmx import render_page_or_fragment
from participation.models._types import utcnow
from participation.monitor import bp, presenters, queries
from participation.pagecache import cached_page, install_scope, org_scope
from participation.public import queries as public_queries
from participation.public.opendata import csv_response
from participation.public.register import locale

ALL_YEARS = "alle"


@bp.app_template_filter("monitor_number")
def monitor_number(value: float | None) -> str:
    return presenters.number(value)


def _today() -> date:
    return dutch_date(utcnow())


def selected_year() -> int | None:
    """?jaar=2025, ?jaar=alle (None) or, by default and for anything else, this year."""
    raw = (request.args.get("jaar") or "").strip()
    if raw == ALL_YEARS:
        return None
    if raw.isascii() and raw.isdecimal() and len(raw) == 4:
        return int(raw)
    return _today().year


def _facts(org) -> tuple[figures.Facts, queries.Procedures, datetime]:
    """The monitor's facts, computed at most once a minute per process (and again as soon
    as a case changed): public_queries.cached, as for the statistics."""
    today = _today()
    (facts, known), computed_at = public_queries.cached(
        "monitor", org.id if org is not None else None, today,
        lambda: queries.facts(org, today))
    return facts, known, datetime.fromtimestamp(computed_at, UTC)


def _summary(org, facts: figures.Facts, year: int | None) -> dict[str, Any]:
    """One organisation's figures for a year, kept with its facts: summarising thousands of
    groups per request is what made the page grow with the cases."""
    summary, _at = public_queries.cached(
        f"monitor-summary-{year}", org.id, _today(),
        lambda: figures.summarise(facts, year=year, organisation_id=org.id))
    return summary


def _year_options(facts: figures.Facts, year: int | None) -> list[int]:
    years = set(facts.years()) | {_today().year}
    if year is not None:
        years.add(year)
    return sorted(years, reverse=True)


def _org_context(org) -> dict[str, Any]:
    facts, known, computed_at = _facts(org)
    year = selected_year()
    labels = presenters.Labels(known, locale())
    summary = _summary(org, facts, year)
    return {"org": org, "year": year, "years": _year_options(facts, year),
            "year_arg": ALL_YEARS if year is None else year,
            "monitor_sections": presenters.sections(summary, labels),
            "figures_time": format_time(computed_at, "HH:mm")}


@bp.get("/<org>/monitor")
@cached_page(org_scope)
def organisation():
    return render_page_or_fragment("monitor/page.html", "monitor/_figures.html",
                                   **_org_context(g.org))


@bp.get("/<org>/monitor/afdrukken")
@cached_page(org_scope)
def printable():
    return render_template("monitor/print.html", **_org_context(g.org))


@bp.get("/<org>/monitor.csv")
def organisation_csv():
    facts, known, _at = _facts(g.org)
    return csv_response(presenters.CSV_HEADER,
                        _csv_rows(facts, known, [g.org]), f"monitor-{g.org.slug}.csv")


def _csv_rows(facts: figures.Facts, known: queries.Procedures, organisations: list):
    """Without ?jaar: every year on its own and all years together; with it: that one."""
    labels = presenters.Labels(known, locale())
    if "jaar" in request.args:
        years = [selected_year()]
    else:
        years = [*sorted(facts.years()), None]
    summaries = [(ALL_YEARS if year is None else year, org.slug,
                  figures.summarise(facts, year=year, organisation_id=org.id))
                 for org in organisations for year in years]
    return presenters.csv_rows(summaries, labels)


def _organisations() -> list:
    return public_queries.organisations()


@bp.get("/monitor")
@cached_page(install_scope)
def installation():
    facts, known, computed_at = _facts(None)
    year = selected_year()
    organisations = _organisations()
    rows, _at = public_queries.cached(
        f"monitor-compare-{year}", None, (_today(), tuple(o.id for o in organisations)),
        lambda: figures.compare(facts, [o.id for o in organisations], year=year))
    table = presenters.comparison(rows, {o.id: o for o in organisations},
                                  presenters.Labels(known, locale()))
    return render_page_or_fragment(
        "monitor/installation.html", "monitor/_comparison.html", table=table, year=year,
        years=_year_options(facts, year), year_arg=ALL_YEARS if year is None else year,
        figures_time=format_time(computed_at, "HH:mm"))


@bp.get("/monitor.csv")
def installation_csv():
    facts, known, _at = _facts(None)
    return csv_response(presenters.CSV_HEADER, _csv_rows(facts, known, _organisations()),
                        "monitor.csv")
