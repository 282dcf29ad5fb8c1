"""What the monitor's pages and CSV show: labelled tables and charts from the figures of
domain.monitor. No queries here."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import format_currency, format_decimal, ngettext
from flask_babel import gettext as _

from participation.domain import monitor as figures
from participation.domain.grounds import REFUSAL_GROUNDS, TIERS, label
from participation.monitor.queries import Procedures
from participation.public.queries import outcome_label, type_labels


@dataclass
class Section:
    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Any]]
    chart: figures.BarChart | None = None
    notes: list[str] = field(default_factory=list)


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return format_decimal(value, format="#,##0.#")


def money(value: Decimal) -> str:
    return format_currency(value, "EUR")


class Labels:
    def __init__(self, known: Procedures, locale: str) -> None:
        self.known = known
        self.locale = locale
        self.types = type_labels()

    def procedure(self, code: str) -> str:
        return self.types.get(code, code) if code else _("Alle procedures")

    def outcome(self, procedure: str, code: str) -> str:
        if code.startswith("state:"):
            nl, en = self.known.state_labels.get((procedure, code[6:]), (code[6:], code[6:]))
            return en if self.locale.startswith("en") else nl
        return outcome_label(code, self.locale)

    def state(self, procedure: str, state: str) -> str:
        return self.outcome(procedure, f"state:{state}")

    def ground(self, code: str) -> str:
        return label(REFUSAL_GROUNDS, code, self.locale)

    def tier(self, code: str) -> str:
        return label(TIERS, code, self.locale)


def _chart(rows: list[list[Any]], value_index: int = 1) -> figures.BarChart | None:
    data = [(str(r[0]), float(r[value_index])) for r in rows
            if isinstance(r[value_index], (int, float))]
    return figures.bar_chart(data) if data else None


def sections(summary: dict[str, figures.ProcedureFigures], labels: Labels) -> list[Section]:
    """The organisation's monitor for one year (or all years), in reading order."""
    procedures = [p for p in summary if p]
    return [_received(summary, procedures, labels), _outcomes(summary, procedures, labels),
            _grounds(summary[""], labels), _lead_times(summary, procedures, labels),
            _tasks(summary, labels), _thresholds(summary, labels),
            _council(summary, procedures, labels)]


def _received(summary, procedures, labels: Labels) -> Section:
    rows = [[labels.procedure(p), summary[p].received] for p in procedures]
    return Section("ontvangen", _("Ontvangen verzoeken en initiatieven"),
                   _("Aantal openbare verzoeken en initiatieven per procedure, naar het jaar "
                     "van indienen."), [_("Procedure"), _("Ontvangen")], rows, _chart(rows))


def _outcomes(summary, procedures, labels: Labels) -> Section:
    rows = [[f"{labels.outcome(p, code)} ({labels.procedure(p)})", n]
            for p in procedures for code, n in summary[p].outcomes.most_common()]
    return Section("uitkomsten", _("Uitkomsten"),
                   _("Afgehandelde zaken per uitkomst of eindstatus, naar het jaar van het "
                     "besluit."), [_("Uitkomst (procedure)"), _("Aantal")], rows, _chart(rows))


def _grounds(total: figures.ProcedureFigures, labels: Labels) -> Section:
    rows = [[f"{code} {labels.ground(code)}", n]
            for code, n in sorted(total.grounds.items(), key=lambda i: (-i[1], _ground_order(i[0])))]
    section = Section("weigeringsgronden", _("Gebruikte weigeringsgronden"),
                      _("Hoe vaak elke weigeringsgrond in een gepubliceerd besluit is gebruikt, "
                        "over alle procedures samen (per procedure in het CSV-bestand), naar "
                        "het jaar van het besluit. Een besluit kan meer gronden noemen."),
                      [_("Weigeringsgrond"), _("Aantal besluiten")], rows, _chart(rows))
    section.notes.append(_("Besluiten met ten minste één weigeringsgrond: %(count)s.",
                           count=total.decisions_with_grounds))
    return section


def _ground_order(code: str) -> tuple[str, int]:
    digits = "".join(c for c in code if c.isdigit())
    return code.rstrip("0123456789"), int(digits) if digits else 0


def _lead_times(summary, procedures, labels: Labels) -> Section:
    rows, chart_rows = [], []
    for p in procedures:
        lead = summary[p].lead
        if not lead.decided and not summary[p].open_overdue:
            continue
        rows.append([labels.procedure(p), lead.decided, number(lead.median), number(lead.p90),
                     " / ".join(str(t) for t in lead.terms) or "–", lead.late, lead.extended,
                     lead.suspended, summary[p].open_overdue])
        if lead.median is not None:
            chart_rows.append([labels.procedure(p), lead.median])
    return Section("doorlooptijden", _("Doorlooptijden tegen de wettelijke termijn"),
                   _("Dagen tussen ontvangst en besluit bij zaken met een beslistermijn, naar "
                     "het jaar van het besluit. Te laat: besloten na het einde van de termijn, "
                     "met verlenging en opschorting meegerekend. Nu over de termijn: zaken "
                     "zonder besluit waarvan de termijn al voorbij is, naar het jaar van "
                     "indienen."),
                   [_("Procedure"), _("Besluiten"), _("Mediaan (dagen)"),
                    _("90e percentiel (dagen)"), _("Wettelijke termijn (dagen)"),
                    _("Te laat besloten"), _("Verlengd"), _("Opgeschort"),
                    _("Nu over de termijn")], rows, _chart(chart_rows))


def _tasks(summary, labels: Labels) -> Section:
    challenge = summary.get("uitdaagrecht")
    rows = []
    if challenge is not None and challenge.taken_over:
        rows = [[labels.state("uitdaagrecht", state), n]
                for state, n in challenge.taken_over_states.most_common()]
    section = Section("overgenomen_taken", _("Overgenomen taken"),
                      _("Verzoeken om een taak over te nemen die (deels) zijn toegekend, naar "
                        "het jaar van het besluit, met hun huidige status."),
                      [_("Status nu"), _("Aantal taken")], rows, _chart(rows))
    if challenge is not None and challenge.taken_over:
        section.notes.append(ngettext("%(num)d taak overgenomen, met %(amount)s budget.",
                                      "%(num)d taken overgenomen, met samen %(amount)s budget.",
                                      challenge.taken_over, amount=money(challenge.budget)))
    return section


def _thresholds(summary, labels: Labels) -> Section:
    initiative = summary.get("burgerinitiatief")
    rows = []
    if initiative is not None and initiative.received:
        rows = [[_("Ontvangen"), initiative.received],
                [_("Drempel gehaald"), initiative.threshold_reached]]
    return Section("drempel", _("Burgerinitiatieven die de drempel haalden"),
                   _("Burgerinitiatieven met genoeg steunbetuigingen om in te dienen, naar het "
                     "jaar van indienen."), [_("Burgerinitiatieven"), _("Aantal")], rows,
                   _chart(rows))


def _council(summary, procedures, labels: Labels) -> Section:
    rows = [[f"{labels.outcome(p, result)} ({labels.procedure(p)})", n]
            for p in procedures for result, n in summary[p].council.most_common()]
    return Section("raadsbesluiten", _("Besluiten van de raad"),
                   _("Gepubliceerde besluiten van de raad (of Staten, of algemeen bestuur) over "
                     "verzoeken en initiatieven, naar het jaar van het besluit."),
                   [_("Besluit (procedure)"), _("Aantal")], rows, _chart(rows))


# ---------------------------------------------------------------- comparison

def comparison(rows: list[figures.OrganisationRow], organisations: dict[int, Any],
               labels: Labels) -> Section:
    """The installation-wide table: one column per organisation, one row per key figure.
    `columns` holds the organisations themselves (the template links each to its monitor)."""
    orgs = [organisations[row.organisation_id] for row in rows]
    totals = [row.figures for row in rows]

    def per_10k(org, f) -> str:
        return number(round(f.received * 10_000 / org.inhabitants, 1)) if org.inhabitants else "–"

    lines: list[tuple[str, Any]] = [
        (_("Soort organisatie"), lambda o, f: labels.tier(o.tier)),
        (_("Ontvangen"), lambda o, f: f.received),
        (_("Ontvangen per 10.000 inwoners"), per_10k),
        (_("Afgehandeld"), lambda o, f: f.closed),
        (_("(Deels) toegekend"), lambda o, f: f.outcomes["toegekend"] + f.outcomes["deels_toegekend"]),
        (_("Afgewezen"), lambda o, f: f.outcomes["afgewezen"]),
        (_("Mediaan doorlooptijd (dagen)"), lambda o, f: number(f.lead.median)),
        (_("90e percentiel doorlooptijd (dagen)"), lambda o, f: number(f.lead.p90)),
        (_("Te laat besloten"), lambda o, f: f.lead.late),
        (_("Nu over de termijn"), lambda o, f: f.open_overdue),
        (_("Overgenomen taken"), lambda o, f: f.taken_over),
        (_("Budget overgenomen taken"), lambda o, f: money(f.budget)),
        (_("Burgerinitiatieven die de drempel haalden"), lambda o, f: f.threshold_reached),
        (_("Besluiten van de raad"), lambda o, f: sum(f.council.values())),
    ]
    table = [[name, *(value(org, f) for org, f in zip(orgs, totals, strict=True))]
             for name, value in lines]
    chart = figures.bar_chart([(org.name, float(f.received)) for org, f in zip(orgs, totals)]) \
        if orgs else None
    return Section("vergelijking", _("Kerncijfers per organisatie"),
                   _("Dezelfde cijfers voor elke organisatie op dit platform, naast elkaar."),
                   [_("Kerncijfer"), *orgs], table, chart)


# ---------------------------------------------------------------- CSV

CSV_HEADER = ["jaar", "organisatie", "procedure", "onderdeel", "code", "omschrijving", "waarde"]


def csv_rows(summaries: list[tuple[str, str, dict[str, figures.ProcedureFigures]]],
             labels: Labels) -> Iterator[list[Any]]:
    """Long format, one figure per row: (year or "alle", organisation slug, procedure code or
    "alle", part, code, label, value)."""
    for year, slug, summary in summaries:
        for procedure, f in summary.items():
            yield from ([year, slug, procedure or "alle", *cells]
                        for cells in _csv_cells(procedure, f, labels))


def _csv_cells(procedure: str, f: figures.ProcedureFigures, labels: Labels
               ) -> Iterator[list[Any]]:
    lead = f.lead
    yield ["ontvangen", "", _("Ontvangen"), f.received]
    yield ["afgehandeld", "", _("Afgehandeld"), f.closed]
    for code, n in sorted(f.outcomes.items()):
        yield ["uitkomst", code, labels.outcome(procedure, code), n]
    for code, n in sorted(f.grounds.items(), key=lambda i: _ground_order(i[0])):
        yield ["weigeringsgrond", code, labels.ground(code), n]
    yield ["doorlooptijd", "besluiten", _("Besluiten met een beslistermijn"), lead.decided]
    median = lead.median
    yield ["doorlooptijd", "mediaan_dagen", _("Mediaan (dagen)"),
           int(median) if median is not None and median.is_integer() else median]
    yield ["doorlooptijd", "p90_dagen", _("90e percentiel (dagen)"), lead.p90]
    yield ["doorlooptijd", "te_laat", _("Te laat besloten"), lead.late]
    yield ["doorlooptijd", "verlengd", _("Verlengd"), lead.extended]
    yield ["doorlooptijd", "opgeschort", _("Opgeschort"), lead.suspended]
    yield ["doorlooptijd", "nu_over_termijn", _("Nu over de termijn"), f.open_overdue]
    yield ["overgenomen_taken", "aantal", _("Overgenomen taken"), f.taken_over]
    yield ["overgenomen_taken", "budget", _("Budget overgenomen taken (euro)"), f.budget]
    yield ["drempel", "gehaald", _("Burgerinitiatieven drempel gehaald"), f.threshold_reached]
    for result, n in sorted(f.council.items()):
        yield ["raadsbesluit", result, labels.outcome(procedure, result), n]
