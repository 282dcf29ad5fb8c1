"""How a request reaches its organisation: the first path segment is the organisation's
slug (/utrecht/..., /waterschap-aa/...). Install-wide pages (account, open data,
statistics) live outside any organisation."""
from __future__ import annotations

from typing import Any

from flask import Flask, abort, g
from sqlalchemy import select

from participation.extensions import db
from participation.models import Organisation


def _pull_org(endpoint: str | None, values: dict[str, Any] | None) -> None:
    if not values or "org" not in values:
        return
    slug = values.pop("org")
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    g.org = org


def _add_org(endpoint: str, values: dict[str, Any]) -> None:
    from flask import current_app

    if "org" in values or g.get("org") is None:
        return
    if current_app.url_map.is_endpoint_expecting(endpoint, "org"):
        values["org"] = g.org.slug


def init_app(app: Flask) -> None:
    app.url_value_preprocessor(_pull_org)
    app.url_defaults(_add_org)
