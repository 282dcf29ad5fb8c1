"""The public register (one organisation or the whole install) and the public case page."""
from __future__ import annotations

from flask import abort, current_app, g, render_template, request, send_file, url_for
from flask_babel import get_locale

from participation.challenges import agreement_forms
from participation.domain.deadlines import dutch_date
from participation.domain.grounds import (
    COUNCIL_OUTCOMES,
    DECIDING_BODIES,
    ORI_VERGADERINGSTYPE,
    label,
)
from participation.htmx import render_page_or_fragment
from participation.models._types import utcnow
from participation.pagecache import cached_page, install_scope, org_scope
from participation.public import bp, queries
from participation.public.opendata import case_url_prefix
from participation.services import agreements as agreement_service
from participation.services import letters as letter_service
from participation.services.cases import AGREEMENT_STATES


def locale() -> str:
    return str(get_locale() or "nl")


def _register_lines(rows, labels: queries.Labels, loc: str) -> list[tuple]:
    """What each register row shows, as plain values: the template only prints them (per-row
    macro calls, translations and url_for cost more than the rest of the page)."""
    prefixes: dict[str, str] = {}
    type_labels = queries.type_labels()
    outcomes: dict[str, str] = {}
    lines = []
    for row in rows:
        case = row.case
        prefix = prefixes.get(case.org_slug)
        if prefix is None:
            prefix = prefixes[case.org_slug] = case_url_prefix(
                "public.case_page", case.org_slug, external=False)
        submitted = dutch_date(case.submitted_at) if case.submitted_at is not None else None
        outcome = row.outcome
        if outcome and outcome not in outcomes:
            outcomes[outcome] = queries.outcome_label(outcome, loc)
        decided = row.decided_on if outcome else None
        lines.append((
            case.number or "–", prefix + str(case.id), case.title,
            type_labels.get(case.request_type, case.request_type), case.org_name,
            labels.state(case.workflow_version_id, case.state),
            submitted.isoformat() if submitted else "", _short(submitted),
            outcomes.get(outcome, ""), decided.isoformat() if decided else "", _short(decided)))
    return lines


def _short(day) -> str:
    # The `short_date` filter's format (d-M-yyyy).
    return f"{day.day}-{day.month}-{day.year}" if day is not None else ""


def _page_urls(endpoint: str, filters: queries.Filters):
    """url_for_page for the pagination: two URL builds per page, not one per page link
    (`page` is the query string's last argument, see Filters.as_args)."""
    first = url_for(endpoint, **filters.as_args(page=1))
    second = url_for(endpoint, **filters.as_args(page=2))
    stem = second[:-1] if second.endswith("page=2") else None

    def url_for_page(number: int) -> str:
        if number == 1:
            return first
        if stem is None:
            return url_for(endpoint, **filters.as_args(page=number))
        return stem + str(number)
    return url_for_page


def _render_register(org):
    filters, _refused = queries.parse_filters(request.args)  # the page ignores refused values
    if org is not None:
        filters.organisation = ""
    loc = locale()
    page = queries.paged_rows(filters, org)
    facets = queries.facets(org, loc)
    endpoint = request.endpoint
    return render_page_or_fragment(
        "public/register.html", "public/_register_results.html",
        org=org, filters=filters, results=page, facets=facets,
        lines=_register_lines(page.items, facets.labels, loc),
        organisations=queries.organisation_options() if org is None else [],
        url_for_page=_page_urls(endpoint, filters), form_action=url_for(endpoint))


@bp.get("/<org>/register")
@cached_page(org_scope)
def register():
    return _render_register(g.org)


@bp.get("/register")
@cached_page(install_scope)
def register_all():
    return _render_register(None)


def _document_url(case, attachment) -> str | None:
    # Public documents are served by the area that owns the case's files.
    if case.request_type == "burgerinitiatief" and "initiatives.attachment" in current_app.view_functions:
        return url_for("initiatives.attachment", org=case.organisation.slug, case_id=case.id,
                       attachment_id=attachment.id)
    return None


@bp.get("/<org>/register/<int:case_id>")
@cached_page(org_scope)
def case_page(case_id: int):
    case = queries.public_case(g.org, case_id)
    if case is None:
        abort(404)
    loc = locale()
    labels = queries.public_labels(loc, g.org)
    events = queries.timeline([case.id])[case.id]
    decisions = queries.published_decisions([case.id])[case.id]
    documents = [(a, _document_url(case, a)) for a in queries.public_attachments(case)]
    public_letters = letter_service.public_letters(case)
    # A granted challenge's agreement, once the challenger agreed to it (procedures.md §2.7).
    agreement = None
    if case.request_type == "uitdaagrecht" and case.state in AGREEMENT_STATES:
        agreement = agreement_service.overview(case, dutch_date(utcnow()), public=True)
        if agreement.last_agreed is None:
            agreement = None
    return render_template(
        "public/case.html", org=g.org, case=case, labels=labels, locale=loc,
        state_label=labels.state(case.workflow_version_id, case.state),
        type_label=queries.type_labels().get(case.request_type, case.request_type),
        applicant_name=queries.public_applicant_name(case),
        timeline=[(e, queries.event_label(e, labels, case.workflow_version_id, loc)) for e in events],
        decisions=[{"decision": d, "body": label(DECIDING_BODIES, d.deciding_body, loc),
                        "outcome": queries.outcome_label(d.outcome, loc),
                        "grounds": queries.refusal_ground_labels(d, loc),
                        "letter": public_letters.get(d.id)} for d in decisions],
        documents=documents, outcome_label=queries.outcome_label, agreement=agreement,
        agreement_labels=agreement_forms)


@bp.get("/<org>/register/<int:case_id>/besluitbrief/<int:letter_id>")
def public_letter(case_id: int, letter_id: int):
    """The public version of a decision letter (Woo 5.1.2e), once its decision is published."""
    case = queries.public_case(g.org, case_id)
    found = letter_service.public_letter(case, letter_id) if case is not None else None
    if found is None:
        abort(404)
    _letter, attachment = found
    try:
        handle = letter_service.pdf_stream(attachment)
    except FileNotFoundError:
        abort(404)
    response = send_file(handle, mimetype="application/pdf", as_attachment=False,
                         download_name=attachment.filename, max_age=3600)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/<org>/vergaderingen/<int:meeting_id>")
@cached_page(org_scope)
def meeting_page(meeting_id: int):
    """A council or committee meeting as the public sees it: when, where, and its published
    agenda items with their result and a link to the case (the iCal feed links here)."""
    _total, found, items = queries.meetings(org=g.org, meeting_id=meeting_id, per_page=1)
    if not found:
        abort(404)
    meeting = found[0]
    loc = locale()
    cases = queries.cases_by_id(item.case_id for item in items[meeting.id] if item.case_id)
    return render_template(
        "public/meeting.html", org=g.org, meeting=meeting, items=items[meeting.id],
        cases=cases,
        meeting_type=label(ORI_VERGADERINGSTYPE, meeting.meeting_type, loc),
        result_label=lambda code: label(COUNCIL_OUTCOMES, code, loc))
