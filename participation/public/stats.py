"""Statistics: cases per state, outcomes, lead times against the statutory term, support
for initiatives; per organisation and per year. Server-rendered SVG charts (no script, no
style attributes), each followed by a data table, and the same figures as CSV."""
from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import median
from typing import Any

from flask import g, get_template_attribute, render_template
from flask_babel import format_time
from flask_babel import gettext as _
from markupsafe import Markup, escape

from participation.pagecache import cached_page, install_scope, org_scope
from participation.public import bp, queries
from participation.public.opendata import csv_response
from participation.public.register import locale

_ids = itertools.count(1)


@dataclass
class Figure:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Any]]          # table rows; the first two columns feed the chart
    chart: Markup | None = None
    table: Markup | None = None    # the rows as ui.html's figure_table


def bar_chart(title: str, description: str, data: list[tuple[str, float]], *, unit: str = "") -> Markup:
    """A horizontal bar chart as inline SVG with <title>/<desc>; presentation attributes only."""
    uid = f"chart-{next(_ids)}"
    width, label_w, value_w, bar_h, gap = 640, 220, 70, 22, 8
    height = max(1, len(data)) * (bar_h + gap) + gap
    top = max((value for _l, value in data), default=0) or 1
    parts = [(f'<svg class="stats-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-labelledby="{uid}-title {uid}-desc">'),
             f'<title id="{uid}-title">{escape(title)}</title>',
             f'<desc id="{uid}-desc">{escape(description)}</desc>']
    for index, (text, value) in enumerate(data):
        y = gap + index * (bar_h + gap)
        bar = int((width - label_w - value_w) * (value / top))
        shown = f"{value:g}{unit}"
        parts.append(f'<text x="{label_w - 8}" y="{y + bar_h - 6}" text-anchor="end" '
                     f'font-size="14" fill="#1a1a1a">{escape(str(text)[:32])}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(bar, 1)}" height="{bar_h}" '
                     f'fill="#01689b"></rect>')
        parts.append(f'<text x="{label_w + max(bar, 1) + 6}" y="{y + bar_h - 6}" font-size="14" '
                     f'fill="#1a1a1a">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def build_figures(org, loc: str) -> tuple[list[Figure], dict[str, Any]]:
    stats = queries.statistics(org, loc)
    types = queries.type_labels()
    orgs = stats.organisations
    figures: list[Figure] = []

    per_state: Counter[tuple[str, str]] = Counter()
    per_year: Counter[int] = Counter()
    per_org: Counter[int] = Counter()
    for row in stats.by_state:
        per_state[(types.get(row["type"], row["type"]), row["state"])] += row["count"]
        if row["year"] is not None:
            per_year[row["year"]] += row["count"]
        per_org[row["organisation"]] += row["count"]
    total = sum(per_state.values())

    rows = [[f"{state} ({kind})", n, kind, state]
            for (kind, state), n in sorted(per_state.items(), key=lambda i: (-i[1], i[0]))]
    figures.append(Figure("per_status", _("Zaken per status"),
                          _("Aantal openbare zaken per soort en status."),
                          [_("Status (soort)"), _("Aantal")], [r[:2] for r in rows]))

    outcomes: Counter[str] = Counter(queries.outcome_label(o["outcome"], loc) or _("Onbekend")
                                     for o in stats.outcomes)
    figures.append(Figure("uitkomsten", _("Uitkomsten"),
                          _("Aantal besluiten per uitkomst."), [_("Uitkomst"), _("Aantal")],
                          [[k, v] for k, v in outcomes.most_common()]))

    lead: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in stats.lead_times:
        lead[types.get(item["type"], item["type"])].append(item)
    lead_rows = []
    for kind, items in sorted(lead.items()):
        days = [i["days"] for i in items]
        judged = [i for i in items if i["within"] is not None]
        within = sum(1 for i in judged if i["within"])
        share = round(100 * within / len(judged)) if judged else None
        term = next((i["term"] for i in items if i["term"]), None)
        lead_rows.append([kind, round(median(days)), round(sum(days) / len(days)), term or "–",
                          f"{share}%" if share is not None else "–", len(items)])
    figures.append(Figure("doorlooptijd", _("Doorlooptijd tot het besluit"),
                          _("Mediaan aantal dagen tussen indienen en besluit, per soort. "
                            "De tabel toont ook de wettelijke termijn en hoeveel zaken binnen "
                            "die termijn een besluit kregen."),
                          [_("Soort"), _("Mediaan (dagen)"), _("Gemiddeld (dagen)"),
                           _("Wettelijke termijn (dagen)"), _("Binnen de termijn"), _("Besluiten")],
                          lead_rows))

    support: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for row in stats.signatures:
        support[row["year"]][0] += row["initiatives"]
        support[row["year"]][1] += row["signatures"]
    figures.append(Figure("steunbetuigingen", _("Steun voor burgerinitiatieven"),
                          _("Aantal steunbetuigingen per jaar van indienen."),
                          [_("Jaar"), _("Steunbetuigingen"), _("Initiatieven")],
                          [[year if year is not None else "–", s, n]
                           for year, (n, s) in sorted(support.items(), key=lambda i: i[0] or 0)]))

    figures.append(Figure("per_jaar", _("Zaken per jaar"), _("Aantal openbare zaken per jaar van indienen."),
                          [_("Jaar"), _("Aantal")], [[y, n] for y, n in sorted(per_year.items())]))
    if org is None:
        figures.append(Figure("per_organisatie", _("Zaken per organisatie"),
                              _("Aantal openbare zaken per organisatie."),
                              [_("Organisatie"), _("Aantal")],
                              [[orgs[i].name if i in orgs else str(i), n]
                               for i, n in sorted(per_org.items(), key=lambda i: -i[1])]))

    # Charts and tables are drawn once with the figures (they are cached together), not on
    # every request: the tables' cells were two thirds of the page's rendering.
    table = get_template_attribute("_macros/ui.html", "figure_table")
    for figure in figures:
        data = [(str(r[0]), float(r[1])) for r in figure.rows if isinstance(r[1], (int, float))]
        if data:
            figure.chart = bar_chart(figure.title, figure.description, data)
        if figure.rows:
            figure.table = table(figure.title, figure.columns, figure.rows)
    return figures, {"total": total}


def cached_figures(org, loc: str) -> tuple[list[Figure], dict[str, Any]]:
    """The figures read every public case: computed at most once a minute per process, and
    again as soon as a case changed. The page says from when the figures are."""
    (figures, summary), computed_at = queries.cached(
        "statistics", org.id if org is not None else None, loc,
        lambda: build_figures(org, loc))
    return figures, {**summary, "computed_at": datetime.fromtimestamp(computed_at, UTC)}


def _render(org):
    figures, summary = cached_figures(org, locale())
    return render_template("public/stats.html", org=org, figures=figures, summary=summary,
                           figures_time=format_time(summary["computed_at"], "HH:mm"))


@bp.get("/statistieken")
@cached_page(install_scope)
def stats():
    return _render(None)


@bp.get("/<org>/statistieken")
@cached_page(org_scope)
def stats_org():
    return _render(g.org)


def _csv(org, filename: str):
    figures, _summary = cached_figures(org, locale())

    def lines():
        for figure in figures:
            for row in figure.rows:
                yield [figure.key, *row]

    width = max((len(f.columns) for f in figures), default=2)
    header = ["figuur"] + [f"kolom_{i}" for i in range(1, width + 1)]
    return csv_response(header, lines(), filename)


@bp.get("/statistieken.csv")
def stats_csv():
    return _csv(None, "statistieken.csv")


@bp.get("/<org>/statistieken.csv")
def stats_csv_org():
    return _csv(g.org, f"statistieken-{g.org.slug}.csv")
