"""How a request reaches its organisation: the first path segment is the organisation's
slug (/utrecht/..., /waterschap-aa/...). Install-wide pages (account, open data,
statistics) live outside any organisation."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Flask, abort, g
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
    from flask import current_app

    if "org" in values or g.get("org") is None:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "org"):
        values["org"] = g.org.slug


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_pull_org)
    app.url_defaults(_add_org)
