"""Open data: ORI v2-shaped JSON, CSV, Atom and iCalendar, all from public/queries.py.

Only published data leaves here: public cases, decisions with `published_at`, published
agenda items. No natural persons: applicant names are never exported.
"""
from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Response,
    abort,
    current_app,
    g,
    jsonify,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from participation.domain.deadlines import dutch_date
from participation.domain.grounds import DECIDING_BODIES, ORI_VERGADERINGSTYPE, label
from participation.models import AgendaItem, Meeting, Organisation, Vote
from participation.pagecache import cached_page, install_scope, org_scope
from participation.public import bp, queries

WOO_VERGADERSTUK = "c_db4862c3"
ORI_PAGE_SIZE = 50
# TOOI province codes to the ORI v2 Provincie enumeration (spelling as in the OAS).
PROVINCES = {"pv20": "groningen", "pv21": "friesland", "pv22": "drenthe", "pv23": "overijsel",
             "pv24": "flevoland", "pv25": "gelderland", "pv26": "utrecht",
             "pv27": "noord_holland", "pv28": "zuid_holland", "pv29": "zeeland",
             "pv30": "noord_brabant", "pv31": "limburg"}
# Our council outcome codes in ORI's wording of besluitresultaat.
BESLUITRESULTAAT = {"aangenomen_geamendeerd": "aangenomen zoals geamendeerd"}


# ---------------------------------------------------------------- shared helpers

# The argument that names the organisation in each case route.
_SLUG_ARGUMENTS = {"public.case_page": "org", "api.case_detail": "organisatie"}


def case_url_prefix(endpoint: str, slug: str, *, external: bool = True) -> str:
    """A case URL without its id (the routes end in it), for `endpoint` in _SLUG_ARGUMENTS:
    one url_for per endpoint, organisation and request, not one per case."""
    prefixes = g.setdefault("case_url_prefixes", {})
    key = (endpoint, slug, external)
    if key not in prefixes:
        prefixes[key] = _built_prefix(endpoint, slug, external)
    return prefixes[key]


def _built_prefix(endpoint: str, slug: str, external: bool) -> str:
    return url_for(endpoint, **{_SLUG_ARGUMENTS[endpoint]: slug}, case_id=0,
                   _external=external)[:-1]


def case_page_url(case) -> str:
    return case_url_prefix("public.case_page", case.organisation.slug) + str(case.id)


def case_api_url(case) -> str:
    return case_url_prefix("api.case_detail", case.organisation.slug) + str(case.id)


def tier_fields(org: Organisation) -> dict[str, Any]:
    """ORI v2: exactly one of gemeente / provincie / waterschap."""
    code = org.tooi_code or ""
    digits = code[2:] if len(code) > 2 else code
    if org.tier == "gemeente" and 1 <= len(digits) <= 4:
        return {"gemeente": {"gemeentecode": digits, "gemeentenaam": org.name}}
    if org.tier == "waterschap" and len(digits) == 4:
        return {"waterschap": {"waterschapcode": digits, "waterschapnaam": org.name}}
    if org.tier == "provincie" and code in PROVINCES:
        return {"provincie": PROVINCES[code]}
    return {}


def organisatie(org: Organisation) -> dict[str, str]:
    """mini-ORI / Woo `organisatie`: the TOOI code under the tier's key, and the name."""
    return {org.tier: org.tooi_code, "naam": org.name}


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _ref(endpoint: str, object_id: int) -> dict[str, str]:
    return {"id": str(object_id), "url": url_for(endpoint, object_id=object_id, _external=True)}


def _drop_empty(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if v is not None and v != ""}


def _page_links(endpoint: str, page: int, total: int, per_page: int, **args: Any
                ) -> tuple[str | None, str | None]:
    last = max(1, -(-total // per_page))
    next_url = url_for(endpoint, page=page + 1, _external=True, **args) if page < last else None
    prev_url = url_for(endpoint, page=page - 1, _external=True, **args) if page > 1 else None
    return next_url, prev_url


def _ori_error(detail: str, status: int = 400):
    # ORI / API design rules: problem details with Dutch keys (mini-ORI ErrorResponse).
    response = jsonify(titel="Ongeldige parameter", status=status, detail=detail)
    response.status_code = status
    return response


def _ori_params() -> tuple[int, datetime | None, Organisation | None] | Response:
    raw_page = request.args.get("page", "1")
    if not (raw_page.isascii() and raw_page.isdecimal() and len(raw_page) < 10) or not 1 <= int(raw_page) <= queries.MAX_PAGE:
        return _ori_error("page moet een geheel getal vanaf 1 zijn")
    changed_since = None
    raw = request.args.get("gewijzigdSinds")
    if raw:
        try:
            changed_since = (datetime.fromisoformat(raw) if "T" in raw
                             else datetime.combine(date.fromisoformat(raw), time.min))
        except ValueError:
            return _ori_error("gewijzigdSinds moet een datum (JJJJ-MM-DD) of datum-tijd zijn")
        if changed_since.tzinfo is None:
            changed_since = changed_since.replace(tzinfo=UTC)
    org = None
    slug = request.args.get("organisatie")
    if slug:
        from sqlalchemy import select

        from participation.extensions import db

        org = db.session.scalar(select(Organisation).where(Organisation.slug == slug)) \
            if queries.valid_slug(slug) else None
        if org is None:
            return _ori_error("onbekende organisatie")
    return int(raw_page), changed_since, org


# ---------------------------------------------------------------- ORI v2 objects

def vergadering(meeting: Meeting, items: Iterable[AgendaItem], org: Organisation) -> dict[str, Any]:
    start = meeting.starts_at
    payload = {
        "url": url_for("public.ori_meeting", object_id=meeting.id, _external=True),
        "id": str(meeting.id),
        "vergaderingstype": meeting.meeting_type if meeting.meeting_type in ORI_VERGADERINGSTYPE
        else "raadsvergadering",
        "naam": (meeting.title or "")[:100],
        "status": meeting.status if meeting.status in ("gepland", "gehouden", "geannuleerd") else None,
        "geplandeVergaderdatum": start.date().isoformat(),
        "geplandeAanvangVergadering": _iso(start),
        "locatie": (meeting.location or "")[:100],
        "agendapunten": [url_for("public.ori_agenda_item", object_id=item.id, _external=True)
                         for item in items],
        "wijzigingsdatum": dutch_date(meeting.updated_at).isoformat() if meeting.updated_at else None,
        # mini-ORI / Woo fields
        "organisatie": organisatie(org),
    }
    if meeting.status == "gehouden":
        payload["vergaderdatum"] = start.date().isoformat()
    payload.update(tier_fields(org))
    return _drop_empty(payload)


def agendapunt(item: AgendaItem, meeting: Meeting, org: Organisation, case=None) -> dict[str, Any]:
    payload = {
        "url": url_for("public.ori_agenda_item", object_id=item.id, _external=True),
        "id": str(item.id),
        "vergadering": _ref("public.ori_meeting", meeting.id),
        "agendapuntTitel": (item.title or "")[:100],
        "agendapuntOmschrijving": item.description or None,
        "agendapuntKenmerk": (item.reference or "")[:20],
        "agendapuntvolgnummer": str(item.position)[:3],
        "indicatieHamerstuk": bool(getattr(item, "hamerstuk", False)),
        "indicatorBehandeld": item.decided_at is not None or bool(item.result),
        "stemmingen": ([url_for("public.ori_vote", object_id=item.id, _external=True)]
                       if item.result else []),
        "organisatie": organisatie(org),
        "webpaginalink": case_page_url(case) if case is not None else None,
        "dossiertype": "agendapunt",
    }
    payload.update(tier_fields(org))
    return _drop_empty(payload)


def besluit(item: AgendaItem) -> dict[str, Any]:
    note = getattr(item, "decision_note", "") or item.description or ""
    return _drop_empty({
        "url": url_for("public.ori_decision", object_id=item.id, _external=True),
        "id": str(item.id),
        "besluitresultaat": BESLUITRESULTAAT.get(item.result, item.result)[:200],
        "besluittoelichting": note[:200] or None,
        "stemmingen": [url_for("public.ori_vote", object_id=item.id, _external=True)],
    })


def stemming(item: AgendaItem, votes: list[Vote]) -> dict[str, Any]:
    """A counted vote gives its counts and its results per party group; a hamerstuk or a vote
    by voice only its result (ORI resultaatMondelingeStemming)."""
    counted = item.votes_for is not None and item.votes_against is not None
    result = None
    if not counted and item.result.startswith("aangenomen"):
        result = "voor"  # a hamerstuk or a vote by voice: adopted
    elif not counted and item.result == "verworpen":
        result = "tegen"
    payload = {
        "url": url_for("public.ori_vote", object_id=item.id, _external=True),
        "id": str(item.id),
        "agendapunt": _ref("public.ori_agenda_item", item.id),
        "stemmingstype": "regulier",
        "resultaatMondelingeStemming": result,
        "besluit": _ref("public.ori_decision", item.id),
        "stemmen": [],
    }
    # Platform additions (ORI keeps counts only as individual Stem objects):
    if counted:
        payload.update(aantalVoor=item.votes_for, aantalTegen=item.votes_against,
                       aantalOnthouden=item.votes_abstained)
    if votes:
        payload["stemresultatenPerFractie"] = [
            url_for("public.ori_party_vote", object_id=vote.id, _external=True) for vote in votes]
    return _drop_empty(payload)


# A party's choice -> ORI fractiestemresultaat; an abstaining party has none in ORI.
FRACTIESTEMRESULTAAT = {"voor": "aangenomen", "tegen": "verworpen", "verdeeld": "verdeeld"}


def fractie_id(org_id: int, name: str) -> str:
    """A stable id for a party group: the same name in the same organisation, however its
    spaces and capitals were typed at each vote."""
    key = f"{org_id}\n{' '.join(name.split()).casefold()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def fractie(org: Organisation, name: str) -> dict[str, Any]:
    object_id = fractie_id(org.id, name)
    payload = {"url": url_for("public.ori_party", object_id=object_id, _external=True),
               "id": object_id, "fractienaam": " ".join(name.split())[:100]}
    payload.update(tier_fields(org))
    return payload


def stemresultaat_per_fractie(vote: Vote, org: Organisation) -> dict[str, Any]:
    party_id = fractie_id(org.id, vote.party)
    return _drop_empty({
        "url": url_for("public.ori_party_vote", object_id=vote.id, _external=True),
        "id": str(vote.id),
        "fractie": {"id": party_id, "url": url_for("public.ori_party", object_id=party_id,
                                                   _external=True)},
        "stemming": _ref("public.ori_vote", vote.agenda_item_id),
        "fractiestemresultaat": FRACTIESTEMRESULTAAT.get(vote.choice),
        # Platform additions: the choice as recorded (also "onthouden") and the seats.
        "keuze": vote.choice, "zetels": vote.seats,
    })


def _paginated(endpoint: str, page: int, total: int, results: list[dict[str, Any]],
               changed_since: datetime | None, org: Organisation | None) -> Response:
    args = {}
    if changed_since is not None:
        args["gewijzigdSinds"] = request.args.get("gewijzigdSinds")
    if org is not None:
        args["organisatie"] = org.slug
    next_url, prev_url = _page_links(endpoint, page, total, ORI_PAGE_SIZE, **args)
    return jsonify(count=total, next=next_url, previous=prev_url, results=results)


# ---------------------------------------------------------------- ORI v2 routes

def _ori_list(endpoint: str, fetch) -> Response:
    """A paginated ORI list: the common parameters checked (400 on a bad one), then
    `fetch(page, changed_since, org)` gives (total, results)."""
    params = _ori_params()
    if isinstance(params, Response):
        return params
    page, changed_since, org = params
    total, results = fetch(page, changed_since, org)
    return _paginated(endpoint, page, total, results, changed_since, org)


@bp.get("/api/ori/v2/vergaderingen")
@cached_page(install_scope)
def ori_meetings():
    def fetch(page: int, changed_since: datetime | None, org: Organisation | None):
        total, found, items = queries.meetings(org=org, changed_since=changed_since, page=page,
                                               per_page=ORI_PAGE_SIZE)
        orgs = _orgs_of(m.organisation_id for m in found)
        return total, [vergadering(m, items[m.id], orgs[m.organisation_id]) for m in found]

    return _ori_list("public.ori_meetings", fetch)


@bp.get("/api/ori/v2/vergaderingen/<int:object_id>")
@cached_page(install_scope)
def ori_meeting(object_id: int):
    _total, found, items = queries.meetings(meeting_id=object_id, per_page=1)
    if not found:
        abort(404)
    meeting = found[0]
    return jsonify(vergadering(meeting, items[meeting.id], _orgs_of([meeting.organisation_id])[meeting.organisation_id]))


def _items_response(endpoint: str, build, *, decided_only: bool):
    def fetch(page: int, changed_since: datetime | None, org: Organisation | None):
        total, rows = queries.agenda_items(decided_only=decided_only, changed_since=changed_since,
                                           page=page, per_page=ORI_PAGE_SIZE, org=org)
        return total, build(rows)

    return _ori_list(endpoint, fetch)


def _agenda_payloads(rows) -> list[dict[str, Any]]:
    orgs = _orgs_of(meeting.organisation_id for _item, meeting in rows)
    cases = queries.cases_by_id(item.case_id for item, _meeting in rows)
    return [agendapunt(item, meeting, orgs[meeting.organisation_id], cases.get(item.case_id))
            for item, meeting in rows]


def _item_response(object_id: int, build, *, decided_only: bool):
    """One agenda item, decision or vote by id, as `build` makes it from its rows; 404 when
    there is none (or, for decisions and votes, not yet a decided one)."""
    _total, rows = queries.agenda_items(item_id=object_id, decided_only=decided_only, per_page=1)
    if not rows:
        abort(404)
    return jsonify(build(rows)[0])


def _decision_payloads(rows) -> list[dict[str, Any]]:
    return [besluit(item) for item, _meeting in rows]


def _vote_payloads(rows) -> list[dict[str, Any]]:
    votes = queries.votes_for_items(item.id for item, _meeting in rows)
    return [stemming(item, votes[item.id]) for item, _meeting in rows]


def _add_item_routes(path: str, list_endpoint: str, item_endpoint: str, build, *,
                     decided_only: bool) -> None:
    """The list and the by-id route of agenda items, decisions or votes: the three kinds differ
    only in their path, endpoints, payload and whether undecided items count."""
    def list_view():
        return _items_response(f"public.{list_endpoint}", build, decided_only=decided_only)

    def item_view(object_id: int):
        return _item_response(object_id, build, decided_only=decided_only)

    list_view.__name__, item_view.__name__ = list_endpoint, item_endpoint
    bp.get(f"/api/ori/v2/{path}")(cached_page(install_scope)(list_view))
    bp.get(f"/api/ori/v2/{path}/<int:object_id>")(cached_page(install_scope)(item_view))


_add_item_routes("agendapunten", "ori_agenda_items", "ori_agenda_item", _agenda_payloads,
                 decided_only=False)
_add_item_routes("besluiten", "ori_decisions", "ori_decision", _decision_payloads,
                 decided_only=True)
_add_item_routes("stemmingen", "ori_votes", "ori_vote", _vote_payloads, decided_only=True)


@bp.get("/api/ori/v2/stemresultatenperfractie")
@cached_page(install_scope)
def ori_party_votes():
    def fetch(page: int, changed_since: datetime | None, org: Organisation | None):
        total, rows = queries.party_votes(page=page, per_page=ORI_PAGE_SIZE, org=org,
                                          changed_since=changed_since)
        orgs = _orgs_of(meeting.organisation_id for _vote, _item, meeting in rows)
        return total, [stemresultaat_per_fractie(vote, orgs[meeting.organisation_id])
                       for vote, _item, meeting in rows]

    return _ori_list("public.ori_party_votes", fetch)


@bp.get("/api/ori/v2/stemresultatenperfractie/<int:object_id>")
@cached_page(install_scope)
def ori_party_vote(object_id: int):
    _total, rows = queries.party_votes(vote_id=object_id, per_page=1)
    if not rows:
        abort(404)
    vote, _item, meeting = rows[0]
    return jsonify(stemresultaat_per_fractie(
        vote, _orgs_of([meeting.organisation_id])[meeting.organisation_id]))


@bp.get("/api/ori/v2/fracties")
@cached_page(install_scope)
def ori_parties():
    # A party group has no change date of its own: gewijzigdSinds is not applied.
    def fetch(page: int, _changed_since: datetime | None, org: Organisation | None):
        found = queries.parties(org)
        shown = found[(page - 1) * ORI_PAGE_SIZE:page * ORI_PAGE_SIZE]
        orgs = _orgs_of(org_id for org_id, _name in shown)
        return len(found), [fractie(orgs[org_id], name) for org_id, name in shown]

    return _ori_list("public.ori_parties", fetch)


@bp.get("/api/ori/v2/fracties/<object_id>")
@cached_page(install_scope)
def ori_party(object_id: str):
    for org_id, name in queries.parties():
        if fractie_id(org_id, name) == object_id:
            return jsonify(fractie(_orgs_of([org_id])[org_id], name))
    abort(404)


def _orgs_of(ids: Iterable[int]) -> dict[int, Organisation]:
    from sqlalchemy import select

    from participation.extensions import db

    wanted = set(ids)
    if not wanted:
        return {}
    return {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(wanted)))}


# ---------------------------------------------------------------- CSV

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any, *, excel: bool = False) -> str:
    """Text for a CSV cell; a leading = + - @ would run as a formula in a spreadsheet. The
    Excel variant writes dates as dd-mm-jjjj and amounts with a decimal comma."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M") if excel else value.isoformat()
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y") if excel else value.isoformat()
    if isinstance(value, Decimal):
        text = f"{value:.2f}"
        return text.replace(".", ",") if excel else text
    if isinstance(value, float):
        return str(value).replace(".", ",") if excel else str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def wants_excel() -> bool:
    return request.args.get("formaat") == "excel"


def csv_response(header: list[str], rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """RFC 4180 CSV (comma, UTF-8, ISO dates, decimal point) for programs; with
    ?formaat=excel the variant Dutch Excel opens in columns: semicolons, a UTF-8 byte order
    mark, dd-mm-jjjj and decimal commas. Every row has as many cells as the header."""
    excel = wants_excel()

    def chunks():
        # Streamed a few hundred rows at a time: an export of every case stays small in memory.
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
        buffer.write("\ufeff" if excel else "")
        writer.writerow(header)
        width = len(header)
        for count, row in enumerate(rows, start=1):
            cells = [safe_cell(cell, excel=excel) for cell in row]
            writer.writerow(cells + [""] * (width - len(cells)))
            if count % 500 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")

    response = Response(stream_with_context(chunks()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8; header=present"
    if excel:
        filename = filename.replace(".csv", "-excel.csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


CASE_COLUMNS = ["zaaknummer", "type", "status", "ingediend_op", "besluitdatum", "uitkomst",
                "weigeringsgronden", "beleidsveld", "gebied_code", "gevraagd_budget",
                "toegekend_budget", "organisatie_naam", "evaluatie_url",
                # ours, after the §4.5 columns: the day the decision was made known (besluitdatum
                # is the date on the decision), which government, and the public page
                "bekendgemaakt_op", "overheid", "overheid_code", "url"]


def _case_csv(org: Organisation | None, filename: str) -> Response:
    filters, _refused = queries.parse_filters(request.args)
    if org is not None:
        filters.organisation = ""
    labels = queries.Labels.load(queries.export_versions(filters, org))

    organisations = queries.organisations_by_id()
    # One url_for per organisation, not per row: the page URL ends in the case id.
    page_prefix = {o.id: url_for("public.case_page", org=o.slug, case_id=0, _external=True)[:-1]
                   for o in organisations.values()}

    def lines():
        for row, grounds in queries.export_rows(filters, org):
            case = row.case
            data = case.data or {}
            owner = organisations[case.organisation_id]
            yield [case.number, case.request_type, labels.state(case.workflow_version_id, case.state),
                   dutch_date(case.submitted_at) if case.submitted_at else None, row.decided_on,
                   row.outcome, ";".join(grounds), case.policy_area or data.get("beleidsveld", ""),
                   data.get("gebied", ""),
                   case.requested_budget,
                   "", queries.public_applicant_name(case), "", row.made_known_on,
                   owner.name, owner.tooi_code, f"{page_prefix[case.organisation_id]}{case.id}"]

    return csv_response(CASE_COLUMNS, lines(), filename)


@bp.get("/open-data/<org>/verzoeken.csv")
def csv_cases_org():
    return _case_csv(g.org, f"verzoeken-{g.org.slug}.csv")


@bp.get("/open-data/verzoeken.csv")
def csv_cases():
    return _case_csv(None, "verzoeken.csv")


DECISION_LIST_COLUMNS = ["vergadering_id", "vergaderdatum", "orgaan", "agendapunt_nr",
                         "agendapunt_titel", "stuk_type", "stuk_titel", "stuk_url",
                         "besluitresultaat", "stemmingstype", "voor", "tegen", "onthouden",
                         "afwezig", "fracties_voor", "fracties_tegen", "toezegging",
                         "woo_categorie", "gewijzigd_op"]


@bp.get("/open-data/<org>/besluitenlijst.csv")
def csv_decision_list():
    org = g.org
    _total, rows = queries.agenda_items(decided_only=True, org=org, per_page=10_000)
    votes = queries.votes_for_items(item.id for item, _m in rows)
    cases = queries.cases_by_id(item.case_id for item, _m in rows)

    def lines():
        for item, meeting in rows:
            case = cases.get(item.case_id)
            parties = votes.get(item.id, [])
            yield [meeting.id, dutch_date(meeting.starts_at),
                   getattr(meeting, "gremium", "") or label(ORI_VERGADERINGSTYPE, meeting.meeting_type),
                   item.reference or item.position, item.title,
                   "voorstel" if case is not None else "", case.title if case is not None else "",
                   case_page_url(case) if case is not None else "",
                   BESLUITRESULTAAT.get(item.result, item.result), "regulier",
                   item.votes_for, item.votes_against, item.votes_abstained, "",
                   ";".join(v.party for v in parties if v.choice == "voor"),
                   ";".join(v.party for v in parties if v.choice == "tegen"),
                   "", WOO_VERGADERSTUK, _iso(item.updated_at)]

    return csv_response(DECISION_LIST_COLUMNS, lines(), f"besluitenlijst-{org.slug}.csv")


# ---------------------------------------------------------------- Atom

def _tag_authority() -> str:
    return urlsplit(current_app.config.get("BASE_URL") or request.host_url).hostname or "localhost"


@bp.get("/feeds/<org>/besluiten.atom")
@cached_page(org_scope)
def feed_decisions():
    # Written as text, in ElementTree's serialisation (what this feed was built with before):
    # building and serialising 400 elements cost two thirds of the request.
    org = g.org
    rows = queries.feed_decisions(org)
    authority = _tag_authority()
    newest = rows[0].published_at if rows else datetime(2026, 1, 1, tzinfo=UTC)
    parts = ["<?xml version='1.0' encoding='utf-8'?>\n",
             '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="nl">',
             _element("id", f"tag:{authority},2026:{org.slug}/besluiten"),
             _element("title", _("Besluiten van %(name)s", name=org.name)),
             "<author>", _element("name", org.name), "</author>",
             _link("alternate", "text/html", url_for("public.register", org=org.slug, _external=True)),
             _link("self", "application/atom+xml",
                   url_for("public.feed_decisions", org=org.slug, _external=True)),
             _element("updated", _iso(newest))]
    page_prefix = case_url_prefix("public.case_page", org.slug)
    api_prefix = case_url_prefix("api.case_detail", org.slug)
    for row, (title, summary) in zip(rows, _feed_texts(rows), strict=True):
        published = _iso(row.published_at)
        parts += ("<entry>",
                  _element("id", f"tag:{authority},{row.published_at:%Y-%m-%d}:"
                                 f"{org.slug}/besluiten/{row.id}"),
                  _element("title", title), _element("updated", published),
                  _element("published", published),
                  _link("alternate", "text/html", page_prefix + str(row.case_id)),
                  _link("related", "application/json", api_prefix + str(row.case_id)),
                  f'<summary type="text">{_xml_text(summary)}</summary>', "</entry>")
    parts.append("</feed>")
    response = Response("".join(parts).encode("utf-8"), mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    return response


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xml_attribute(text: str) -> str:
    # ElementTree's escaping of attribute values.
    return (_xml_text(text).replace('"', "&quot;").replace("\r", "&#13;")
            .replace("\n", "&#10;").replace("\t", "&#09;"))


def _element(tag: str, text: str) -> str:
    return f"<{tag}>{_xml_text(text)}</{tag}>" if text else f"<{tag} />"


def _link(rel: str, media_type: str, href: str) -> str:
    return f'<link rel="{rel}" type="{media_type}" href="{_xml_attribute(href)}" />'


def _feed_texts(rows) -> Iterable[tuple[str, str]]:
    """Each entry's title and summary. The sentences are translated once per feed and their
    labels looked up once per code, not per entry."""
    said = _("%(outcome)s door %(body)s op %(date)s.")
    made_known_said = _("Bekendgemaakt op %(date)s.")
    outcomes: dict[str, str] = {}
    bodies: dict[str, str] = {}
    for row in rows:
        outcome = outcomes.get(row.outcome)
        if outcome is None:
            outcome = outcomes[row.outcome] = queries.outcome_label(row.outcome)
        body = bodies.get(row.deciding_body)
        if body is None:
            body = bodies[row.deciding_body] = label(DECIDING_BODIES, row.deciding_body)
        summary = said % {"outcome": outcome, "body": body,
                          "date": row.decided_on.strftime("%d-%m-%Y")}
        made_known = queries.made_known_on(row)
        if made_known is not None:
            summary += " " + made_known_said % {"date": made_known.strftime("%d-%m-%Y")}
        yield (f"{row.number or row.case_id}: {row.title} – {outcome}",
               summary + " " + row.reasons[:500])


# ---------------------------------------------------------------- iCalendar

@bp.get("/feeds/<org>/vergaderingen.ics")
@cached_page(org_scope)
def feed_meetings():
    from icalendar import Calendar, Event

    org = g.org
    _total, found, _items = queries.meetings(org=org, per_page=500)
    authority = _tag_authority()
    calendar = Calendar()
    calendar.add("prodid", "-//Participatieplatform//vergaderingen//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Vergaderingen {org.name}")
    for meeting in found:
        event = Event()
        event.add("uid", f"vergadering-{meeting.id}@{authority}")
        event.add("dtstamp", meeting.updated_at or meeting.starts_at)
        event.add("dtstart", meeting.starts_at.astimezone(UTC))
        event.add("dtend", meeting.starts_at.astimezone(UTC) + timedelta(hours=3))
        event.add("summary", meeting.title)
        if meeting.location:
            event.add("location", meeting.location)
        # The meeting's web page; the JSON stays at /api/ori/v2/vergaderingen/<id>.
        event.add("url", url_for("public.meeting_page", org=org.slug, meeting_id=meeting.id,
                                 _external=True))
        event.add("status", "CANCELLED" if meeting.status == "geannuleerd" else "CONFIRMED")
        calendar.add_component(event)
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="vergaderingen-{org.slug}.ics"'
    return response
