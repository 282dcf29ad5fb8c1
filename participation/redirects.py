"""Where the app may send a browser next. Every target that comes from a request (`next`
after logging in, the language switch, a step-up login) goes through `safe_target`, so no
link can send a visitor to another site."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

MAX_TARGET_LENGTH = 2000


def safe_target(raw: str | None) -> str | None:
    """A path on this site, or None. Browsers drop tabs and newlines from URLs and read a
    backslash as a slash, so `/\\t/evil.example` would leave the site: any control
    character, backslash or a leading `//` is refused, as is anything with a scheme or host."""
    if not raw or not isinstance(raw, str) or len(raw) > MAX_TARGET_LENGTH:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in raw) or "\\" in raw:
        return None
    if not raw.startswith("/") or raw.startswith("//"):
        return None
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc:
        return None
    return raw


def landing_for(user) -> str:
    """Where a user's work is when there is nowhere to return to: an official's work queue,
    the griffie's council desk, an admin's management page, a resident's own cases."""
    by_org: dict[str, set[str]] = {}
    for membership in sorted(user.memberships, key=lambda m: m.organisation.name):
        by_org.setdefault(membership.organisation.slug, set()).add(membership.role)
    for slug, roles in by_org.items():
        if roles & {"official", "coordinator"}:
            return url_for("workbench.queue", org=slug)
        if "griffie" in roles:
            return url_for("council.desk", org=slug)
        if "admin" in roles:
            return url_for("admin.index", org=slug)
    return url_for("residents.my_cases")


def after_login(user, raw_next: str | None) -> str:
    return safe_target(raw_next) or landing_for(user)
