"""The login level an action of a procedure asks for, enforced on the server: an action whose
level the current login does not reach gets a page (403) that sends the person to the right
login and back, with what they typed kept."""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import render_template, request, session

from participation.domain.assurance import Requirement
from participation.services import identity
from participation.services.cases import workflow_of

KEPT_FORM = "kept_form"
# The session is a cookie: a form larger than this is not kept there (the page says so).
MAX_KEPT_CHARS = 1500


def _kept_fields() -> list[tuple[str, str]] | None:
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name != "csrf_token" and "password" not in name.lower()]
    return fields if len(json.dumps(fields)) <= MAX_KEPT_CHARS else None


def step_up_page(requirement: Requirement, org_slug: str, *, back: str | None = None):
    """The 403 page that asks for the login `requirement` names. A refused POST's fields are
    kept to send again after the login; `back` is where to return when nothing is posted."""
    target = back or request.path
    kept = True
    if request.method == "POST":
        fields = _kept_fields()
        kept = fields is not None
        if fields:
            session[KEPT_FORM] = {"path": request.path, "fields": fields}
            target = request.path
    return render_template("identity/step_up.html", requirement=requirement, kept=kept,
                           target=target, org_slug=org_slug), 403


def level_refusal(case: Any, action: str, *, kvk: str = "", back: str | None = None):
    """None when the current login reaches what `action` needs in this case's procedure."""
    requirement = identity.unmet(case.organisation_id, workflow_of(case), action, kvk=kvk)
    if requirement is None:
        return None
    return step_up_page(requirement, case.organisation.slug, back=back)


def needs_level(action: str) -> Callable:
    """After `@load(case=...)`: the action needs the login level of the case's procedure."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            refusal = level_refusal(kwargs["case"], action)
            if refusal is not None:
                return refusal
            return view(*args, **kwargs)

        wrapped.required_level = action  # read by the tests that list the guarded routes
        return wrapped

    return decorator
