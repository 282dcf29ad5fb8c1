"""How a request reaches its organisation: the first path segment is the organisation's
slug (/utrecht/..., /waterschap-aa/...). Install-wide pages (account, open data,
statistics) live outside any organisation."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Flask, abort, current_app, g
from sqlalchemy import select

from participation.extensions import db
from participation.models import Organisation


@lru_cache(maxsize=1)
def _org_with_marker():
    from participation.public import queries

    return select(Organisation, *queries.marker_columns(Organisation.id))


def _pull_org(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or "org" not in values:
        return
    slug = values.pop("org")
    from participation.public import queries

    # With the organisation, the change marker of its cases: a page served from the page
    # cache then needs no other statement.
    row = db.session.execute(_org_with_marker().where(Organisation.slug == slug)).one_or_none()
    if row is None:
        abort(404)
    g.org = row[0]
    queries.remember_marker(row[0].id, row[1:])


def _add_org(endpoint: str, values: dict[str, Any]) -> None:
    if "org" in values:
        return
    org = g.get("org")
    if org is None:
        return
    # Asked for every url_for of a page: the rules do not change once the app runs.
    known = current_app.extensions["participation.expecting_org"]
    expecting = known.get(endpoint)
    if expecting is None:
        expecting = known[endpoint] = current_app.url_map.is_endpoint_expecting(endpoint, "org")
    if expecting:
        values["org"] = org.slug


def init_app(app: Flask) -> None:
    app.extensions["participation.expecting_org"] = {}
    app.url_value_preprocessor(_pull_org)
    app.url_defaults(_add_org)
