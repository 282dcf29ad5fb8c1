"""Who may do what, declared on the route. Anonymous: the login page. Logged in without the
right: 403. Another organisation's data, or an object this visitor may not know of: 404.

    @bp.post("/<int:case_id>/indienen")
    @login_required                      # anonymous -> login
    @load(case=find_initiative)          # case_id -> case, or 404
    @require_applicant                   # not the case's applicant -> 403
    def submit(case): ...

Order matters and reads top-down: log in first, then load (so a stranger gets the login page,
not a 404), then the checks that need the object.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g
from flask_login import current_user

from participation.models import Organisation

STAFF_ROLES = frozenset({"official", "coordinator", "griffie", "admin"})

# A finder takes (organisation id, object id) and returns the object or None.
Finder = Callable[[int, int], Any]


def roles_in(org: Organisation | None) -> set[str]:
    if org is None or not current_user.is_authenticated:
        return set()
    return current_user.roles_in(org.id)


def has_role(org: Organisation | None, *roles: str) -> bool:
    return bool(roles_in(org) & set(roles))


def _to_login():
    from participation.extensions import login_manager

    return login_manager.unauthorized()


def login_required(view: Callable) -> Callable:
    """Anonymous visitors go to the login page (and come back after logging in)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return _to_login()
        return view(*args, **kwargs)

    return wrapped


def require_role(*roles: str) -> Callable:
    """Views under /<org>/: the current user needs one of `roles` there (implies login)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return _to_login()
            if not has_role(g.org, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # read by the authorisation matrix test
        return wrapped

    return decorator


def load(**finders: Finder) -> Callable:
    """`@load(case=finder)`: the URL's `case_id` becomes `case`, found in this organisation
    by `finder(org_id, case_id)`; None (or an object of another organisation) is a 404."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            for name, finder in finders.items():
                found = finder(g.org.id, kwargs.pop(f"{name}_id"))
                if found is None:
                    abort(404)
                require_same_org(getattr(found, "organisation_id", g.org.id))
                kwargs[name] = found
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_applicant(case: Any) -> bool:
    return current_user.is_authenticated and case.applicant_id == current_user.id


def require_applicant(view: Callable) -> Callable:
    """After `@load(case=...)`: only the case's applicant may go on (403 otherwise)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not is_applicant(kwargs["case"]):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def require_same_org(obj_org_id: int) -> None:
    """Objects of another organisation do not exist from here: 404, never 403."""
    if g.get("org") is None or obj_org_id != g.org.id:
        abort(404)


def require_installation_admin(view: Callable) -> Callable:
    """The installation's administration (its organisations): only installation admins."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return _to_login()
        if not current_user.is_installation_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def starting_a_request(verify_template: str) -> Callable:
    """A route that starts a new request: rate-limited per account (POST), logged in, only
    while the organisation takes requests (else a page saying so, 410) and with a confirmed
    email address (else `verify_template`, 403)."""
    from flask import render_template

    from participation import ratelimits
    from participation.extensions import limiter

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if g.org.archived_at is not None:
                return render_template("errors/archived.html"), 410
            if not current_user.is_verified:
                return render_template(verify_template), 403
            return view(*args, **kwargs)

        return limiter.limit(ratelimits.FILING_LIMIT, key_func=ratelimits.account_or_address,
                             methods=["POST"])(login_required(wrapped))

    return decorator
