"""Who may do what, per organisation. Logged-in without the right: 403. Another
organisation's data: 404. Anonymous users are sent to the login page."""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import abort, g
from flask_login import current_user

from participation.models import Organisation

STAFF_ROLES = frozenset({"official", "coordinator", "griffie", "admin"})


def roles_in(org: Organisation | None) -> set[str]:
    if org is None or not current_user.is_authenticated:
        return set()
    return current_user.roles_in(org.id)


def has_role(org: Organisation | None, *roles: str) -> bool:
    return bool(roles_in(org) & set(roles))


def require_role(*roles: str) -> Callable:
    """Decorator for views under /<org>/: the current user needs one of `roles` there."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                from participation.extensions import login_manager

                return login_manager.unauthorized()
            if not has_role(g.org, *roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # read by the authorisation matrix test
        return wrapped

    return decorator


def require_same_org(obj_org_id: int) -> None:
    """Objects of another organisation do not exist from here: 404, never 403."""
    if g.get("org") is None or obj_org_id != g.org.id:
        abort(404)
