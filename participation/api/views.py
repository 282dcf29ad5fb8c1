"""Read-only public JSON API (/api/v1): organisations, public cases and published decisions.

Identifiers are stable: an organisation's slug plus the case id, and every object carries
its own `url`. Bad parameters give 400 with a JSON body, never a 500. The OpenAPI
document (api/openapi.py) describes every path and schema; tests hold the responses to it.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, jsonify, request, url_for
from sqlalchemy import select

from participation.api import bp, openapi
from participation.domain.deadlines import dutch_date
from participation.domain.grounds import DECIDING_BODIES, label
from participation.extensions import db
from participation.models import Case, Decision, Organisation
from participation.pagecache import cached_page, install_scope
from participation.public import queries
from participation.public.opendata import case_url_prefix

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
API_FILTERS = {"organisation": "organisatie", "type": "type", "state": "status", "year": "jaar",
               "outcome": "uitkomst", "q": "q", "page": "page"}


def _bad_request(errors: dict[str, str]):
    response = jsonify(error=400, message="Ongeldige parameter", fouten=errors)
    response.status_code = 400
    return response


def _page_size(errors: dict[str, str]) -> int:
    raw = request.args.get("page_size", "")
    if not raw:
        return DEFAULT_PAGE_SIZE
    if (raw.isascii() and raw.isdecimal() and len(raw) < 10) and 1 <= int(raw) <= MAX_PAGE_SIZE:
        return int(raw)
    errors["page_size"] = f"a whole number from 1 to {MAX_PAGE_SIZE}"
    return DEFAULT_PAGE_SIZE


def _links(endpoint: str, page: int, size: int, total: int, args: dict[str, Any]
           ) -> tuple[str | None, str | None]:
    last = max(1, -(-total // size))
    extra = dict(args)
    if size != DEFAULT_PAGE_SIZE:
        extra["page_size"] = size
    next_url = url_for(endpoint, **{**extra, "page": page + 1}, _external=True) if page < last else None
    prev_url = url_for(endpoint, **{**extra, "page": page - 1}, _external=True) if page > 1 else None
    return next_url, prev_url


def _org_json(org: Organisation) -> dict[str, Any]:
    return {"id": org.slug, "naam": org.name, "bestuurslaag": org.tier, "tooi_code": org.tooi_code,
            "url": url_for("api.organisations", _external=True) + f"#{org.slug}",
            "register": url_for("public.register", org=org.slug, _external=True),
            "zaken": url_for("api.cases", organisatie=org.slug, _external=True)}


def _case_url(case: Case) -> str:
    return case_url_prefix("api.case_detail", case.organisation.slug) + str(case.id)


def _case_prefixes(slug: str) -> tuple[str, str]:
    """The API and web URL of the organisation's cases without the case id."""
    return case_url_prefix("api.case_detail", slug), case_url_prefix("public.case_page", slug)


def _case_json(row: queries.Row, labels: queries.Labels, locale: str, org_slug: str,
               org_name: str, prefixes: tuple[str, str]) -> dict[str, Any]:
    """`row.case` is a Case or a register row (queries.REGISTER_COLUMNS); `prefixes` are
    _case_prefixes(org_slug)."""
    case = row.case
    api_prefix, web_prefix = prefixes
    outcome = row.outcome
    decided_on = row.decided_on
    made_known_on = row.made_known_on
    return {
        "id": case.id,
        "url": api_prefix + str(case.id),
        "webpagina": web_prefix + str(case.id),
        "organisatie": org_slug,
        "organisatie_naam": org_name,
        "zaaknummer": case.number,
        "titel": case.title,
        "type": case.request_type,
        "status": case.state,
        "status_label": labels.state(case.workflow_version_id, case.state),
        "ingediend_op": dutch_date(case.submitted_at).isoformat() if case.submitted_at else None,
        "besluitdatum": decided_on.isoformat() if decided_on else None,
        "bekendgemaakt_op": made_known_on.isoformat() if made_known_on else None,
        "uitkomst": outcome or None,
        "uitkomst_label": queries.outcome_label(outcome, locale) or None,
        "steunbetuigingen": case.signature_count if case.request_type == "burgerinitiatief" else None,
    }


def _iso_date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _decision_json(decision: Decision, case: Case, locale: str) -> dict[str, Any]:
    return {
        "id": decision.id,
        "zaak": _case_url(case),
        "zaaknummer": case.number,
        "organisatie": case.organisation.slug,
        "bevoegd_orgaan": decision.deciding_body,
        "bevoegd_orgaan_label": label(DECIDING_BODIES, decision.deciding_body, locale),
        "datum": decision.decided_on.isoformat(),
        "bekendgemaakt_op": _iso_date(queries.made_known_on(case)),
        "uitkomst": decision.outcome,
        "uitkomst_label": queries.outcome_label(decision.outcome, locale),
        "besluitnummer": decision.decision_number or None,
        "motivering": decision.reasons,
        "weigeringsgronden": [{"code": code, "omschrijving": text}
                              for code, text in queries.refusal_ground_labels(decision, locale)],
        "rechtsmiddelen": decision.legal_remedies or None,
        "gepubliceerd_op": decision.published_at.isoformat() if decision.published_at else None,
    }


def _locale() -> str:
    return "nl"


@bp.get("/organisaties")
@cached_page(install_scope)
def organisations():
    found = queries.organisations()
    return jsonify(count=len(found), next=None, previous=None,
                   results=[_org_json(o) for o in found])


@bp.get("/zaken")
@cached_page(install_scope)
def cases():
    filters, errors = queries.parse_filters(request.args, names=API_FILTERS)
    size = _page_size(errors)
    if errors:
        return _bad_request(errors)
    page = queries.paged_rows(filters, None, per_page=size)
    labels = queries.public_labels()
    args = {API_FILTERS[k]: v for k, v in filters.as_args().items() if k != "page"}
    next_url, prev_url = _links("api.cases", filters.page, size, page.total, args)
    loc = _locale()
    prefixes = {slug: _case_prefixes(slug) for slug in {r.case.org_slug for r in page.items}}
    return jsonify(count=page.total, next=next_url, previous=prev_url,
                   results=[_case_json(r, labels, loc, r.case.org_slug, r.case.org_name,
                                       prefixes[r.case.org_slug]) for r in page.items])


@bp.get("/zaken/<organisatie>/<int:case_id>")
@cached_page(install_scope)
def case_detail(organisatie: str, case_id: int):
    if not queries.valid_slug(organisatie):
        abort(404)
    org = db.session.scalar(select(Organisation).where(Organisation.slug == organisatie))
    if org is None:
        abort(404)
    case = queries.public_case(org, case_id)
    if case is None:
        abort(404)
    loc = _locale()
    labels = queries.public_labels(loc)
    decisions = queries.published_decisions([case.id])[case.id]
    latest = decisions[-1] if decisions else None
    row = queries.Row(case=case, decision_outcome=latest.outcome if latest else "",
                      decision_date=latest.decided_on if latest else None)
    payload = _case_json(row, labels, loc, org.slug, org.name, _case_prefixes(org.slug))
    payload.update({
        "samenvatting": case.summary,
        "indiener_organisatie": queries.public_applicant_name(case) or None,
        "tijdlijn": [{"datum": event.at.isoformat(), "status": event.to_state,
                      "omschrijving": queries.event_label(event, labels, case.workflow_version_id, loc)}
                     for event in queries.timeline([case.id])[case.id]],
        "besluiten": [_decision_json(d, case, loc) for d in decisions],
        "documenten": [{"bestandsnaam": a.filename, "type": a.content_type, "grootte": a.size}
                       for a in queries.public_attachments(case)],
    })
    return jsonify(payload)


@bp.get("/besluiten")
@cached_page(install_scope)
def decisions():
    errors: dict[str, str] = {}
    raw_page = request.args.get("page", "1")
    page = int(raw_page) if (raw_page.isascii() and raw_page.isdecimal() and len(raw_page) < 10) and 1 <= int(raw_page) <= queries.MAX_PAGE else None
    if page is None:
        errors["page"] = "page must be a whole number from 1"
    size = _page_size(errors)
    org = None
    slug = request.args.get("organisatie", "")
    if slug:
        org = db.session.scalar(select(Organisation).where(Organisation.slug == slug)) \
            if queries.valid_slug(slug) else None
        if org is None:
            errors["organisatie"] = "unknown organisation"
    if errors:
        return _bad_request(errors)
    total, rows = queries.api_decisions(org, page=page, per_page=size)
    next_url, prev_url = _links("api.decisions", page, size, total,
                                {"organisatie": slug} if slug else {})
    return jsonify(count=total, next=next_url, previous=prev_url,
                   results=[_decision_json(d, c, _locale()) for d, c in rows])


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(request.url_root.rstrip("/")))
