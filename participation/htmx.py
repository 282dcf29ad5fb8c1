"""htmx helpers: page or fragment, redirects that work with and without JavaScript."""
from __future__ import annotations

from typing import Any

from flask import Response, make_response, redirect, render_template, request


def is_htmx() -> bool:
    # Boosted requests want the whole page.
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render_page_or_fragment(page: str, fragment: str, status: int = 200, **context: Any) -> Response:
    template = fragment if is_htmx() else page
    response = make_response(render_template(template, **context), status)
    response.headers["Vary"] = "HX-Request"
    return response


def redirect_303(location: str) -> Response:
    """After a POST: htmx follows HX-Redirect; a plain browser follows the 303."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, 303)
